# exopartner. Every tool comes through go.mod (`go tool ...`): nothing to install.
GO ?= go
PKGS := ./...
BENCH_COUNT ?= 8

.PHONY: all generate check-generated lint test fuzz bench demo serve

all: test

## generate: compile spec/partner-api.yaml into api/ (go generate, oapi-codegen pinned in go.mod)
generate:
	$(GO) generate ./...

## check-generated: regenerate into a temporary copy and fail with a diff when api/ is stale
check-generated:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	cp -R go.mod go.sum gen.go spec "$$tmp"/ && mkdir "$$tmp/api" && \
	(cd "$$tmp" && $(GO) generate ./...) && \
	if ! diff -ru api "$$tmp/api"; then \
		echo "check-generated: api/ does not match spec/ (run 'make generate'; never edit api/ by hand)" >&2; exit 1; \
	fi && echo "check-generated: api/ matches spec/"

## check-published: the published document dropped into spec/ (with our overlay and config) still
## generates, builds and vets, and generates the same exported Go API as our spec: every exported
## identifier, type, field, tag and signature of package api (internal/cmd/apisurface)
## (runs where ../shared/reference/partner-api.json exists; skipped with a message elsewhere)
PUBLISHED ?= ../shared/reference/partner-api.json
check-published:
	@if [ ! -f "$(PUBLISHED)" ]; then echo "check-published: skipped, $(PUBLISHED) not found"; exit 0; fi; \
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	git ls-files -z | xargs -0 -I{} cp --parents {} "$$tmp"/ && \
	cp "$(PUBLISHED)" "$$tmp/spec/partner-api.yaml" && \
	(cd "$$tmp" && $(GO) generate ./... && $(GO) build ./... && $(GO) vet ./...) && \
	$(GO) run ./internal/cmd/apisurface api > "$$tmp/ours.txt" && \
	(cd "$$tmp" && $(GO) run ./internal/cmd/apisurface api) > "$$tmp/published.txt" && \
	if ! diff -u "$$tmp/ours.txt" "$$tmp/published.txt"; then \
		echo "check-published: the published document generates a different exported API than spec/ (- ours, + published)" >&2; exit 1; \
	fi && \
	echo "check-published: the published document generates, builds and vets, and its exported API ($$(wc -l < "$$tmp/ours.txt") declarations) equals ours"

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
## same-run baseline (impl=raw), then validation's share of a create (with against without, same run).
## The fan-out and job benchmarks run the fake in its own process (internal/fakeproc); the metering
## and journal ones start a throwaway PostgreSQL (internal/pgtest). Not part of make test.
bench:
	@mkdir -p .tmp
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) -timeout 60m ./internal/signer ./wrapper ./wrapper/report \
		./wrapper/crmsync ./wrapper/meterfile/pgjournal | tee .tmp/bench.txt
	$(GO) tool benchstat -col '/impl@(raw exopartner exopartner-no-validation exopartner-sign-request-with-body)' .tmp/bench.txt
	@echo "benchmarks measured against an ideal or reported alone (x-ideal, peak/resp, 429s/op):"
	$(GO) tool benchstat -filter '/impl:""' .tmp/bench.txt
	@echo "validation's share of a create = 1 - 1/ratio below (target: ratio <= 1.0526, a share <= 5 %):"
	$(GO) tool benchstat -filter '/op:create' -col '/impl@(exopartner-no-validation exopartner)' .tmp/bench.txt

## fuzz: run each fuzz target for FUZZTIME (default 30s)
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./internal/signer -run '^$$' -fuzz FuzzSignVerify -fuzztime $(FUZZTIME)
	$(GO) test ./wrapper -run '^$$' -fuzz FuzzDecodeSuccess -fuzztime $(FUZZTIME)
	$(GO) test ./wrapper -run '^$$' -fuzz FuzzErrorBody -fuzztime $(FUZZTIME)
