# Vigil — make targets. `make run` serves the shipped fixtures; `make test` is what CI runs.
GO      ?= go
PKGS    := ./...
# A count, not a duration: Go 1.26's fuzz coordinator can report a spurious "context deadline
# exceeded" when a duration -fuzztime ends mid-execution (golang/go#75804, fixed in 1.27).
FUZZTIME ?= 20000x

.PHONY: all build run lint test test-long bench bench-go fuzz fmt vet clean load reliability mutate

all: build

build:
	$(GO) build -o bin/vigil ./cmd/vigil

## run: serve Vigil on 127.0.0.1:8080 with the embedded store and the shipped fixtures.
run:
	$(GO) run ./cmd/vigil serve

## test: vet and run every test with the race detector (about ten minutes at most).
## TESTFLAGS adds flags: .ci/run sets -json and reads it with tools/testreport, which
## lists every skipped test with its reason.
TESTFLAGS ?=
test:
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 $(TESTFLAGS) $(PKGS)

## lint: staticcheck (pinned here, from the Go module proxy).
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint:
	$(GO) vet $(PKGS)
	$(GO) run $(STATICCHECK) $(PKGS)

## fuzz: run each fuzz target of outside input briefly (FUZZTIME executions each).
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseMissions$$' -fuzztime $(FUZZTIME) ./fixtures
	$(GO) test -run '^$$' -fuzz '^FuzzParseForce$$' -fuzztime $(FUZZTIME) ./fixtures
	$(GO) test -run '^$$' -fuzz '^FuzzParseOfficers$$' -fuzztime $(FUZZTIME) ./fixtures
	$(GO) test -run '^$$' -fuzz '^FuzzParseLeave$$' -fuzztime $(FUZZTIME) ./fixtures
	for t in FuzzMissionCreate FuzzMissionPatch FuzzCheckIn FuzzContacts FuzzForcePatch FuzzQuery FuzzParseToken; do \
		$(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) ./api || exit 1; \
	done

## load: serve on a free loopback port and measure it (tools/load, then wrk with a Lua
## script rotating officer tokens, if Debian's wrk is installed), with the embedded store
## and with the local Redis (its own key prefix, deleted afterwards); the results replace
## the "Service load" section of BENCHMARKS.md. Not part of `make test`.
LOAD_REDIS ?= redis://127.0.0.1:6379/0
LOAD_FLAGS ?= -clients 128 -rate 2000 -duration 5s
load: build
	$(GO) run ./tools/load -vigil bin/vigil $(LOAD_FLAGS) -out BENCHMARKS.md
	$(GO) run ./tools/load -vigil bin/vigil $(LOAD_FLAGS) -redis $(LOAD_REDIS) -out BENCHMARKS.md

## reliability: the bad-input, attack, clock-edge, kill and Sentinel failover tests with
## their figures (-v prints them; RELIABILITY.md quotes them). They also run in `make test`
## (the failover test takes about 30 s), except TestReplicasKilledMidJob (2–3 minutes of
## real minute ticks), which needs VIGIL_SLOW=1.
RELIABILITY_TESTS := TestBadInput|TestTamperedTokens|TestTokensRefused|TestAccessMatrix|TestOfficerCannotReachAnother|TestSupervisorOtherRegion|TestPlannerNoLiveData|TestOfficerBeforeRelease|TestSecretsNeverLeak|TestLogsHoldNoSecret
reliability:
	@out=$$($(GO) test -race -count=1 -v -run '^($(RELIABILITY_TESTS))$$' ./api 2>&1); rc=$$?; \
		if [ $$rc = 0 ]; then printf '%s\n' "$$out" | grep -E '^(--- |ok)|malformed|secrets checked'; else printf '%s\n' "$$out"; fi; exit $$rc
	@out=$$(VIGIL_SLOW=1 $(GO) test -race -count=1 -v -run '^(TestCrashEmbedded|TestCrashRedis|TestReplicasKilledMidJob|TestSentinelFailover|TestServeRefusesUnreplicatedWrite)$$' ./cmd/vigil 2>&1); rc=$$?; \
		if [ $$rc = 0 ]; then printf '%s\n' "$$out" | grep -E '^(--- |ok)|kills:|killed|SIGKILL|restart:|whole run:'; else printf '%s\n' "$$out"; fi; exit $$rc
	$(GO) test -race -count=1 -run '^(TestClockEdges|TestReplanAcrossClockChange|TestPlanProperties|TestPlanPropertiesNearCapacity|TestDSTDayLengths)$$' ./scheduler

## bench: the zoning, planning, measuring and simulation benchmarks (BENCHMARKS.md), the
## peak memory (max RSS) of planning one day of 20,000 missions in a process of its own,
## then the API under load (`make load`, which rewrites BENCHMARKS.md's "Service load").
## About 8 minutes here.
bench: bench-go load

## bench-go: the Go benchmarks and the peak-memory run of `make bench`, without the load.
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 -timeout 30m ./geo ./scheduler/...
	$(GO) test -c -o bin/scheduler.test ./scheduler
	/usr/bin/time -v bin/scheduler.test -test.run '^$$' -test.bench '^BenchmarkPlanDay$$/^n=20000$$' -test.benchtime 1x -test.benchmem 2>&1 \
		| grep -E '^Benchmark|Maximum resident'

## mutate: mutation testing (gremlins v0.6.0, installed into bin/) of the verifier, check-in
## verification, the measures and the access rules; prints killed/lived/not covered and the
## score per file, lists the survivors, and fails below the thresholds (TESTING.md).
## MUTATE_WORKERS (default 2) sets the parallel mutants. Not part of `make test`.
mutate:
	./tools/mutate/run.sh

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet $(PKGS)

clean:
	rm -rf bin
