# reportmailer — `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
# What SAM builds for the cloud: Linux on Graviton, static, no RPC shim.
LAMBDA_ENV := GOOS=linux GOARCH=arm64 CGO_ENABLED=0
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags '-s -w'
# The config bundled with the functions: your reportmailer.yaml, or the example.
CONFIG ?= $(if $(wildcard reportmailer.yaml),reportmailer.yaml,reportmailer.example.yaml)
ARTIFACTS_DIR ?= bin/lambda

.PHONY: help tools test demo demo-alert bench lint validate build build-DigestFunction build-AlertFunction build-LinksFunction \
	invoke-digest invoke-alert deploy clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

tools: ## install what the tests need (poppler-utils, moto_server, cfn-lint, SAM translator, Lambda RIE)
	@scripts/ensure-tools.sh

test: tools lint ## the whole test suite: lint, then go test -race (starts moto_server, the simulator and the RIE itself)
	PATH="$(CURDIR)/bin:$$PATH" $(GO) test -race -count=1 -timeout 20m ./...

lint: ## go vet, gofmt check, cfn-lint on the SAM template
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*'))"; \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	cfn-lint template.yaml

validate: ## check the config (CONFIG=…) and the template
	$(GO) run ./cmd/reportmailer validate --config $(CONFIG)
	cfn-lint template.yaml

demo: ## render the example weekly digest from the built-in simulator into out/ (no AWS account needed)
	$(GO) run ./cmd/reportmailer demo --config reportmailer.example.yaml --digest weekly-managers --out out

demo-alert: ## play a queue surge from the simulator through the example's alert rules
	$(GO) run ./cmd/reportmailer demo-alert --config reportmailer.example.yaml --out out

bench: ## rendering and alert benchmarks, then Chromium printing the same digest (for the ratio)
	$(GO) test -run '^$$' -bench 'Digest' -benchmem -benchtime 20x -cpu 1,2 ./pkg/render/
	$(GO) test -run '^$$' -bench 'Evaluate100' -benchmem -benchtime 200x ./pkg/alert/
	$(GO) test -run '^$$' -bench 'EvaluateAPI200ms' -benchtime 5x ./pkg/alert/
	@scripts/bench-chromium.sh

build: ## build both bootstraps for Lambda (linux/arm64) into bin/lambda/<Function>/
	$(MAKE) --no-print-directory build-DigestFunction ARTIFACTS_DIR=bin/lambda/DigestFunction
	$(MAKE) --no-print-directory build-AlertFunction ARTIFACTS_DIR=bin/lambda/AlertFunction
	$(MAKE) --no-print-directory build-LinksFunction ARTIFACTS_DIR=bin/lambda/LinksFunction
	@ls -l bin/lambda/*/bootstrap

build-DigestFunction: ## build the digest bootstrap into $(ARTIFACTS_DIR) (sam build calls this)
	mkdir -p $(ARTIFACTS_DIR)
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/digest
	cp $(CONFIG) $(ARTIFACTS_DIR)/config.yaml

build-AlertFunction: ## build the alert bootstrap into $(ARTIFACTS_DIR) (sam build calls this)
	mkdir -p $(ARTIFACTS_DIR)
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/alert
	cp $(CONFIG) $(ARTIFACTS_DIR)/config.yaml

build-LinksFunction: ## build the links bootstrap into $(ARTIFACTS_DIR) (sam build calls this; it reads no config)
	mkdir -p $(ARTIFACTS_DIR)
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/links

invoke-digest: tools ## run the digest Lambda locally under the RIE with events/digest-weekly.json (simulator + moto)
	PATH="$(CURDIR)/bin:$$PATH" $(GO) run ./cmd/reportmailer local-invoke --function digest --event events/digest-weekly.json --config $(CONFIG)

invoke-alert: tools ## run the alert Lambda locally four minutes in a row with events/alert.json
	PATH="$(CURDIR)/bin:$$PATH" $(GO) run ./cmd/reportmailer local-invoke --function alert --event events/alert.json --config $(CONFIG) --times 4

deploy: ## sam build && sam deploy (uses samconfig.toml; add --guided the first time)
	sam build
	sam deploy

clean: ## remove build output
	rm -rf bin out .aws-sam
