# reportmailer — `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
# What SAM builds for the cloud: Linux on Graviton, static, no RPC shim.
LAMBDA_ENV := GOOS=linux GOARCH=arm64 CGO_ENABLED=0
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags '-s -w'
# The config bundled with the functions: your reportmailer.yaml, or the example.
CONFIG ?= $(if $(wildcard reportmailer.yaml),reportmailer.yaml,reportmailer.example.yaml)
ARTIFACTS_DIR ?= bin/lambda
# make invoke-* ARCH=arm64 runs the binary sam build ships (under qemu on other hosts).
ARCH ?= host

.PHONY: help tools test demo demo-alert demo-history bench lint validate build build-DigestFunction build-AlertFunction build-DispatchFunction \
	build-LinksFunction invoke-digest invoke-alert invoke-dispatch deploy clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

tools: ## install what the tests need (poppler-utils, LibreOffice Calc, qemu-user-static, chromium, moto_server, cfn-lint, SAM translator, Lambda RIE for host and arm64, staticcheck, caniemail data)
	@scripts/ensure-tools.sh

test: tools lint ## the whole test suite: lint, then go test -race (starts moto_server, the simulator and the RIE itself)
	PATH="$(CURDIR)/bin:$$PATH" $(GO) test -race -count=1 -timeout 15m ./...
	@# The hostile-data matrix in full, without the race detector (which runs a quarter of it).
	$(GO) test -count=1 -run '^TestHostileRowsStayInTheirSection$$' ./pkg/render/

lint: tools ## gofmt check, go mod tidy -diff, go vet, staticcheck, cfn-lint on the SAM template
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*' -not -path './tools/*/node_modules/*'))"; \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) mod tidy -diff
	@# -race: vet then type-checks against the same compiled packages as the
	@# race-enabled tests, so a cold `make test` compiles everything once, not twice.
	$(GO) vet -race ./...
	@# GOFLAGS=-race: staticcheck then loads the same race-built packages too
	@# (cold: 16 s instead of 48 s, which compiled everything a third time).
	GOFLAGS=-race bin/staticcheck ./...
	cfn-lint template.yaml

validate: ## check the config (CONFIG=…) and the template
	$(GO) run ./cmd/reportmailer validate --config $(CONFIG)
	cfn-lint template.yaml

demo: ## render the example weekly digest from the built-in simulator into out/ (no AWS account needed)
	$(GO) run ./cmd/reportmailer demo --config reportmailer.example.yaml --digest weekly-managers --out out

demo-alert: ## play a queue surge from the simulator through the example's alert rules
	$(GO) run ./cmd/reportmailer demo-alert --config reportmailer.example.yaml --out out

demo-history: ## poll the simulator's scripted week into out/history.jsonl, backtest the example's rules on it, print the queue's week and render a digest with it into out/ (no AWS account needed)
	@mkdir -p out && rm -f out/history.jsonl
	$(GO) run ./cmd/reportmailer history fill --config reportmailer.example.yaml --store file:out/history.jsonl --from 2026-11-16 --to 2026-11-23
	$(GO) run ./cmd/reportmailer alert --backtest --config reportmailer.example.yaml --store file:out/history.jsonl \
		--from 2026-11-16 --to 2026-11-23 --rule queue-long --set queue-long.threshold=10
	$(GO) run ./cmd/reportmailer history summary --store file:out/history.jsonl --from 2026-11-16 --to 2026-11-23 --timezone Europe/London
	$(GO) run ./cmd/reportmailer demo --config testdata/demo-history.yaml --digest queue-week --history file:out/history.jsonl \
		--at 2026-11-23T08:00:00Z --out out

bench: ## render benchmarks at 20/200/2,000 agents (1 core), then whole processes: peak RSS, mail size, and Chromium side by side
	$(GO) test -run '^$$' -bench 'Digest/agents=20$$' -benchmem -benchtime 20x -cpu 1 ./pkg/render/
	$(GO) test -run '^$$' -bench '^BenchmarkDigest$$/agents=(200|2000)$$' -benchmem -benchtime 3x -cpu 1 ./pkg/render/
	$(GO) test -run '^$$' -bench 'DigestPDF$$' -benchmem -benchtime 20x -cpu 1 ./pkg/render/
	$(GO) test -run '^$$' -bench 'Workbook' -benchmem -benchtime 3x -cpu 1 ./pkg/workbook/
	$(GO) test -run '^$$' -bench 'Evaluate100' -benchmem -benchtime 200x ./pkg/alert/
	$(GO) test -run '^$$' -bench 'EvaluateAPI200ms' -benchtime 5x ./pkg/alert/
	@scripts/bench-chromium.sh

build: ## build every bootstrap for Lambda (linux/arm64) into bin/lambda/<Function>/
	$(MAKE) --no-print-directory build-DigestFunction ARTIFACTS_DIR=bin/lambda/DigestFunction
	$(MAKE) --no-print-directory build-AlertFunction ARTIFACTS_DIR=bin/lambda/AlertFunction
	$(MAKE) --no-print-directory build-DispatchFunction ARTIFACTS_DIR=bin/lambda/DispatchFunction
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

build-DispatchFunction: ## build the dispatcher bootstrap into $(ARTIFACTS_DIR) (sam build calls this)
	mkdir -p $(ARTIFACTS_DIR)
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/dispatch
	cp $(CONFIG) $(ARTIFACTS_DIR)/config.yaml

build-LinksFunction: ## build the links bootstrap into $(ARTIFACTS_DIR) (sam build calls this; it reads no config)
	mkdir -p $(ARTIFACTS_DIR)
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/links

invoke-digest: tools ## run the digest Lambda locally under the RIE with events/digest-weekly.json (simulator + moto; ARCH=arm64 for the shipped binary)
	PATH="$(CURDIR)/bin:$$PATH" $(GO) run ./cmd/reportmailer local-invoke --function digest --event events/digest-weekly.json --config $(CONFIG) --arch $(ARCH)

invoke-dispatch: tools ## run the dispatcher Lambda locally under the RIE with events/dispatch.json (moto SQS); prints the queued jobs
	PATH="$(CURDIR)/bin:$$PATH" $(GO) run ./cmd/reportmailer local-invoke --function dispatch --event events/dispatch.json --config $(CONFIG) --arch $(ARCH)

invoke-alert: tools ## run the alert Lambda locally four minutes in a row with events/alert.json (ARCH=arm64 for the shipped binary)
	PATH="$(CURDIR)/bin:$$PATH" $(GO) run ./cmd/reportmailer local-invoke --function alert --event events/alert.json --config $(CONFIG) --times 4 --arch $(ARCH)

deploy: ## sam build && sam deploy (uses samconfig.toml; add --guided the first time)
	sam build
	sam deploy

clean: ## remove build output
	rm -rf bin out .aws-sam
