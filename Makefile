# exopartner. Every tool comes through go.mod (`go tool ...`): nothing to install.
GO ?= go
PKGS := ./...
BENCH_COUNT ?= 8

.PHONY: all generate check-generated lint test fuzz bench demo serve callpath

all: test

## generate: compile spec/ into api/ (gen.go: internal/cmd/specgen applies spec/tightenings.yaml and
## spec/overlay.yaml to spec/partner-api.yaml and runs oapi-codegen, pinned in go.mod). api/ is
## replaced only when generation succeeds; then everything must still build on it.
generate:
	$(GO) generate ./...
	@$(GO) build ./... || { echo "make generate: api/ now matches spec/, but the code built on it does not compile:" \
		"the revision removed or renamed what the code above uses" >&2; exit 1; }

## check-generated: generate from SPEC into a temporary directory; fail with a diff when API, or
## WRAPPER (the generated file of package wrapper: its types, documented), is stale
SPEC ?= spec
API ?= api
WRAPPER ?= wrapper/types.gen.go
check-generated:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(GO) run ./internal/cmd/specgen generate -spec "$(SPEC)" -o "$$tmp/api" -wrapper "$$tmp/types.gen.go" && \
	if ! diff -ru "$(API)" "$$tmp/api"; then \
		echo "check-generated: api/ does not match spec/ (run 'make generate'; never edit api/ by hand)" >&2; exit 1; \
	fi && \
	if ! diff -u "$(WRAPPER)" "$$tmp/types.gen.go"; then \
		echo "check-generated: $(WRAPPER) does not match spec/ (run 'make generate'; never edit it by hand)" >&2; exit 1; \
	fi && echo "check-generated: api/ matches spec/, and so does $(WRAPPER)"

## check-published: the published document in place of spec/partner-api.yaml, with our overlays
## (spec/tightenings.yaml, spec/overlay.yaml) and configuration, generates; its effective contract
## (every request and response schema after the overlays, without prose: internal/cmd/specgen
## contract) and its exported Go API (internal/apisurface) equal ours (internal/cmd/specgen compare
## writes both for both); and the module builds and vets on the package it generates, with the
## wrapper file it generates (go build -overlay, no copy of the module). Each difference is printed
## as a diff.
## (runs where ../shared/reference/partner-api.json exists; skipped with a message elsewhere)
PUBLISHED ?= ../shared/reference/partner-api.json
check-published:
	@if [ ! -f "$(PUBLISHED)" ]; then echo "check-published: skipped, $(PUBLISHED) not found"; exit 0; fi; \
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(GO) run ./internal/cmd/specgen compare -spec "$(SPEC)" -base "$(PUBLISHED)" -o "$$tmp" && \
	{ for f in "$$tmp"/published/*.go; do printf '"%s":"%s"\n' "$$PWD/$(API)/$${f##*/}" "$$f"; done; \
		printf '"%s":"%s"\n' "$$PWD/$(WRAPPER)" "$$tmp/published.wrapper.go"; } | \
		paste -sd, - | sed 's/^/{"Replace":{/; s/$$/}}/' > "$$tmp/overlay.json" && \
	fail=0; \
	if ! diff -u -F "^operation " --label ours --label published "$$tmp/ours.contract" "$$tmp/published.contract"; then fail=1; \
		echo "check-published: the published document's contract differs from ours (- ours, + published)" >&2; fi; \
	if ! diff -u --label ours --label published "$$tmp/ours.api" "$$tmp/published.api"; then fail=1; \
		echo "check-published: the published document generates a different exported API (- ours, + published)" >&2; fi; \
	if ! { $(GO) build -overlay "$$tmp/overlay.json" ./... && $(GO) vet -overlay "$$tmp/overlay.json" ./...; }; then fail=1; \
		echo "check-published: the module does not build or vet on the package the published document generates" >&2; fi; \
	if [ $$fail != 0 ]; then exit 1; fi; \
	echo "check-published: the published document generates, builds and vets; its contract" \
		"($$(grep -c '^operation ' "$$tmp/ours.contract") operations) and exported API ($$(wc -l < "$$tmp/ours.api") declarations) equal ours"

## lint: gofmt, go vet and staticcheck (pinned in go.mod)
lint:
	@bad=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$bad" ]; then echo "gofmt would change: $$bad" >&2; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) tool staticcheck $(PKGS)

## test: check-generated, check-published, lint, then every test under the race detector (fuzz seed corpora included)
test: check-generated check-published lint
	$(GO) test -race -count=1 $(PKGS)

## demo: the whole lifecycle against the embedded fake API (no credentials, no network)
demo:
	$(GO) run ./internal/cmd/exopartner demo

## serve: the fake API on 127.0.0.1:8080 for other programs and languages
serve:
	$(GO) run ./internal/cmd/exopartner serve

## bench: every benchmark, BENCH_COUNT times, summarised by benchstat: each row as a ratio to its
## same-run baseline (impl=raw); the per-call ratios of BenchmarkCall (x-raw-wall, x-raw-cpu: each
## round a block of raw calls, then the same through the client, against the fake in another
## process; -noval: create without validation); what each kept optimisation buys (BenchmarkBuild,
## BenchmarkSmallAnswer); validation alone (BenchmarkValidation). The fan-out and job benchmarks
## run the fake in its own process (internal/fakeproc); the metering and journal ones start a
## throwaway PostgreSQL (internal/pgtest). Not part of make test.
bench:
	@mkdir -p .tmp
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) -timeout 60m ./internal/signer ./wrapper ./wrapper/report \
		./wrapper/crmsync ./wrapper/meterfile/pgjournal | tee .tmp/bench.txt
	$(GO) tool benchstat -col '/impl' -filter '/impl:(raw OR exopartner OR exopartner-sign-request-with-body)' .tmp/bench.txt
	@echo "per call, as a multiple of raw, the server in another process (targets: 1.05; create 1.15):"
	$(GO) tool benchstat -filter '.name:Call' .tmp/bench.txt
	@echo "what the request templates buy (BenchmarkBuild) and decoding small answers whole (BenchmarkSmallAnswer):"
	$(GO) tool benchstat -col '/impl' -filter '/impl:(generated OR template)' .tmp/bench.txt
	$(GO) tool benchstat -col '/impl@(guarded whole)' -filter '/impl:(guarded OR whole)' .tmp/bench.txt
	@echo "validation alone: a create's body encoded and checked, against encoded only:"
	$(GO) tool benchstat -col '/validate@(off on)' -filter '.name:Validation' .tmp/bench.txt
	@echo "benchmarks measured against an ideal or reported alone (x-ideal, peak/resp, 429s/op):"
	$(GO) tool benchstat -filter '/impl:"" -.name:Call -.name:Validation' .tmp/bench.txt

## callpath: the project files SuspendOrganization and CreateOrganization go through (those with a
## statement that ran during one call, from coverage counters), as they succeed and as they fail;
## fails when a call goes through more than 10 (README, "One call, end to end")
callpath:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(GO) build -cover -covermode=atomic -coverpkg=./... -o "$$tmp/callpath" ./internal/cmd/callpath && \
	mkdir "$$tmp/exit" && GOCOVERDIR="$$tmp/exit" "$$tmp/callpath" -max 10

## fuzz: run each fuzz target for FUZZTIME (default 30s)
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./internal/signer -run '^$$' -fuzz FuzzSignVerify -fuzztime $(FUZZTIME)
	$(GO) test ./wrapper -run '^$$' -fuzz FuzzDecodeSuccess -fuzztime $(FUZZTIME)
	$(GO) test ./wrapper -run '^$$' -fuzz FuzzErrorBody -fuzztime $(FUZZTIME)
