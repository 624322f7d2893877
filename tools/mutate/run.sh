#!/usr/bin/env bash
# make mutate: mutation testing (gremlins) of the safety nets — the hard-rule verifier,
# check-in verification, the measures and the access rules — then tools/mutreport's
# per-file table, the surviving mutants, and exit 1 below a target's threshold.
# TESTING.md explains the choices and the survivors.
#
# Gremlins mutates the files of the package it runs in and, for each mutant, runs that
# package's tests. Two things keep it within minutes on two cores:
#  - only the target files are mutated (every other file of the package is excluded);
#  - GOFLAGS limits each package's tests to those about the targets (-run), skips vet
#    (-vet=off), inlining (-gcflags=-l, a fifth less compile time) and DWARF (-ldflags=-w),
#    and bypasses the test cache so the coverage run, whose duration times
#    GREMLINS_TIMEOUT_COEF is each mutant's time limit, really runs the tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
GO=${GO:-go}
GREMLINS_VERSION=v0.6.0
WORKERS=${MUTATE_WORKERS:-2}
COEF=${GREMLINS_TIMEOUT_COEF:-8}
out=${MUTATE_OUT:-$root/bin/mutate}
mkdir -p "$out" "$root/bin"

if [ ! -x "$root/bin/gremlins" ] || [ ! -e "$root/bin/.gremlins-$GREMLINS_VERSION" ]; then
  GOBIN="$root/bin" "$GO" install "github.com/go-gremlins/gremlins/cmd/gremlins@$GREMLINS_VERSION" && touch "$root/bin/.gremlins-$GREMLINS_VERSION"
fi

# The tests that are about each package's targets (a mutant in a target file runs them).
SCHED_TESTS='^(TestVerify|TestPlanDaysRefuses|TestCheckIn|TestCompliance|TestMergePresences|TestMeasure|TestMinimax|TestLive|TestHistorical|TestWindowsDST|TestPresencesMerged|TestStaffedExcluded|TestPositionAt|TestResponse|TestPostsReport|TestBaselinesMeasured|TestMutation)'
API_TESTS='^(TestAccessMatrix|TestTokensRefused|TestTamperedTokens|TestOfficerCannotReachAnother|TestSupervisorOtherRegion|TestPlannerNoLiveData|TestOfficerBeforeRelease|TestCachedTokenStillChecked|TestTokenCacheBounded|TestTokenFormatVector|TestOfficerSeesNoThreat|TestReleaseWindow|TestDashboardSignIn|TestDashboardPagesByRole|TestAccessRules|TestStrictClaims|TestSessionIsItsOwnCredential|TestFeedDiesWithItsToken)'

# unleash DIR TESTS FILE... : mutate only FILE... of the package in DIR.
unleash() {
  local dir=$1 tests=$2; shift 2
  local ex=(-E /) f
  for f in "$dir"/*.go; do
    f=${f##*/}
    case " $* " in *" $f "*) continue ;; esac
    case $f in *_test.go) continue ;; esac
    ex+=(-E "^${f//./\\.}\$")
  done
  local start=$SECONDS
  (cd "$dir" && GOFLAGS="-count=1 -vet=off -gcflags=-l -ldflags=-w -run=$tests" "$root/bin/gremlins" unleash --workers "$WORKERS" \
    --timeout-coefficient "$COEF" "${ex[@]}" -S lt -o "$out/${dir//\//_}.json" "$root/$dir")
  echo "== $dir: $((SECONDS - start)) s"
}

# MUTATE_PARTS picks the packages to run: "scheduler api" (the default), or one of them
# (MUTATE_PARTS=api make mutate: the access rules alone, a few minutes).
PARTS=${MUTATE_PARTS:-scheduler api}
ins=() targets=()
start=$SECONDS
case " $PARTS " in *" scheduler "*)
  unleash scheduler "$SCHED_TESTS" verify.go checkin.go measure.go measure_adversary.go
  ins+=(-in "scheduler=$out/scheduler.json")
  targets+=(-target 'verifier:85:scheduler/verify.go' \
    -target 'check-in verification:85:scheduler/checkin.go' \
    -target 'measures:75:scheduler/measure.go,scheduler/measure_adversary.go')
esac
case " $PARTS " in *" api "*)
  unleash api "$API_TESTS" auth.go access.go
  ins+=(-in "api=$out/api.json")
  targets+=(-target 'access rules:75:api/auth.go,api/access.go')
esac
[ ${#ins[@]} -gt 0 ] || { echo "MUTATE_PARTS=$PARTS: want scheduler, api or both" >&2; exit 2; }
echo "== gremlins: $((SECONDS - start)) s wall in all"

"$GO" run ./tools/mutreport -root "$root" "${ins[@]}" "${targets[@]}"
