# Everything a newcomer needs: `make run` (collector + embedded Qualys simulator) and `make test`.
# Tools are pinned and installed into _build/ by the targets that need them; nothing by hand.

SHELL := /bin/bash
GO ?= go
BUILD := _build
OCB_VERSION := v0.161.0
OCB := $(BUILD)/bin/builder
COLLECTOR := $(BUILD)/otelcol-qualys
SIM_LISTEN ?= 127.0.0.1:18080
SIM_HOSTS ?= 25
export GOFLAGS := -mod=mod

.PHONY: all build run test test-unit check-generated generate lint bench bench-memory bench-all validate-examples e2e clean fuzz

all: build

$(OCB):
	GOBIN=$(CURDIR)/$(BUILD)/bin $(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)

# build: the otelcol-qualys distribution from builder-config.yaml, with this receiver from the local path.
build: $(OCB)
	$(OCB) --config=builder-config.yaml
	cp $(BUILD)/otelcol-qualys-src/otelcol-qualys $(COLLECTOR)

# run: the collector with the example config against the embedded Qualys simulator; Ctrl-C stops both.
run: build
	./scripts/run-with-simulator.sh $(COLLECTOR) $(SIM_LISTEN) $(SIM_HOSTS)

# test: the whole suite, the generated-code check and the example configs.
test: check-generated
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...
	$(MAKE) validate-examples
	$(MAKE) e2e
	$(MAKE) fuzz FUZZTIME=10000x

test-unit:
	$(GO) test -count=1 ./...

# generate: mdatagen (pinned in tools.mod) on metadata.yaml. mdatagen names the generated test
# package after the directory, so it runs through a link called qualysreceiver.
generate:
	mkdir -p $(BUILD) && ln -sfn "$(CURDIR)" $(BUILD)/qualysreceiver
	cd $(BUILD)/qualysreceiver && $(GO) tool -modfile=tools.mod mdatagen metadata.yaml

check-generated: generate
	@git diff --exit-code -- internal/metadata documentation.md 'generated_*_test.go' || \
	  { echo "generated code is stale: run 'make generate' and commit the result"; exit 1; }
	@untracked=$$(git ls-files --others --exclude-standard -- internal/metadata documentation.md 'generated_*_test.go'); \
	  if [ -n "$$untracked" ]; then echo "generated files not committed: $$untracked"; exit 1; fi

# e2e: the ocb-built collector against the simulator, shipping over OTLP to a second collector.
e2e: build
	QUALYS_E2E_COLLECTOR=$(CURDIR)/$(COLLECTOR) $(GO) test -count=1 -v ./e2e/

# fuzz: every fuzz target of the module (found with go test -list) for FUZZTIME each (default 3s;
# make test gives a count, 10000x, which has no wall-clock deadline to race: see scripts/fuzz.sh);
# longer: make fuzz FUZZTIME=1m. See scripts/fuzz.sh.
fuzz:
	GO="$(GO)" FUZZTIME="$(FUZZTIME)" ./scripts/fuzz.sh

validate-examples: build
	./scripts/validate-examples.sh $(COLLECTOR)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt: $$out"; exit 1; fi
	$(GO) vet ./...

# bench: the performance targets of issue 7 in one table (BENCHMARKS.md): Go benchmarks at one core,
# a full sync of a simulated tenant through the ocb-built collector, and its peak RSS on single
# 0.5/1/2 GiB answers; about 5 minutes. Knobs: BENCH_* in scripts/bench.sh.
bench:
	GO="$(GO)" ./scripts/bench.sh

# bench-memory: only the single-answer memory runs of make bench.
bench-memory:
	GO="$(GO)" BENCH_MODE=memory ./scripts/bench.sh

# bench-all: every Go benchmark of the module, as measured numbers only.
bench-all:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

clean:
	rm -rf $(BUILD)
