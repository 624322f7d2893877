# Vigil — make targets. `make run` serves the shipped fixtures; `make test` is what CI runs.
GO      ?= go
PKGS    := ./...
FUZZTIME ?= 10s

.PHONY: all build run test test-long bench fuzz fmt vet clean load

all: build

build:
	$(GO) build -o bin/vigil ./cmd/vigil

## run: serve Vigil on 127.0.0.1:8080 with the embedded store and the shipped fixtures.
run:
	$(GO) run ./cmd/vigil serve

## test: vet and run every test with the race detector (about ten minutes at most).
test:
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 $(PKGS)

## fuzz: run each fuzz target of outside input briefly.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseMissions$$' -fuzztime $(FUZZTIME) ./fixtures
	$(GO) test -run '^$$' -fuzz '^FuzzParseForce$$' -fuzztime $(FUZZTIME) ./fixtures

## load: serve on a free loopback port and measure it (tools/load), with the embedded store
## and with the local Redis (its own key prefix, deleted afterwards); the results replace
## the "Service load" section of BENCHMARKS.md. Not part of `make test`.
LOAD_REDIS ?= redis://127.0.0.1:6379/0
LOAD_FLAGS ?= -clients 16 -rate 100 -duration 5s
load: build
	$(GO) run ./tools/load -vigil bin/vigil $(LOAD_FLAGS) -out BENCHMARKS.md
	$(GO) run ./tools/load -vigil bin/vigil $(LOAD_FLAGS) -redis $(LOAD_REDIS) -out BENCHMARKS.md

## bench: the planning, measuring and zoning benchmarks.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./geo ./scheduler/...

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet $(PKGS)

clean:
	rm -rf bin
