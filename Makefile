# reportmailer — make help lists the targets.
SHELL := /bin/bash
GO ?= go
LAMBDA_ENV := GOOS=linux GOARCH=arm64 CGO_ENABLED=0
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags '-s -w'

.PHONY: help test demo demo-alert bench lint validate build build-DigestFunction build-AlertFunction invoke-digest invoke-alert deploy clean tools

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

tools: ## install what the tests need (poppler-utils, moto_server, cfn-lint, the Lambda RIE)
	@scripts/ensure-tools.sh

test: tools ## the whole test suite: vet, gofmt, cfn-lint, go test -race (starts moto_server and the RIE itself)
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	@if [ -f template.yaml ]; then cfn-lint template.yaml; fi
	PATH="$(CURDIR)/bin:$$PATH" $(GO) test -race -count=1 -timeout 15m ./...

demo: ## render the example weekly digest from the built-in simulator into out/ (no AWS account needed)
	$(GO) run ./cmd/reportmailer demo --config reportmailer.example.yaml --digest weekly-managers --out out

clean: ## remove build output
	rm -rf bin out .aws-sam
