#!/usr/bin/env bash
# The redesign's behaviour check (issue 13): the wfo plan of three service days from
# 2026-12-01 under a fixed public test key must hash the same before and after a refactor.
# Recorded on 2026-12-03 before the redesign:
#   739a05b06ee9e804e8b4b90babb7bf8612c41f9ae002c100b54153fb778cbdd5
# Issue 14 changes the plan on purpose; the hash below is the current plan's (see git log
# of this file for the change that moved it and why): the issue-14 planner (floors from the
# policy, the gap law, doubling back, handover pools, the end-of-day repair, the first
# visit added inside the boundary window instead of the process redrawn: firstDue).
set -euo pipefail
cd "$(dirname "$0")/.."
want=cf3a8c3b7183de651ee0743dffc1c13360092bdaa8e6ee9572848976511b4a95
bin=$(mktemp -d)/vigil
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/vigil
got=$(VIGIL_KEY=$(printf 'a%.0s' $(seq 64)) "$bin" plan --region wfo --date 2026-12-01 --days 3 --format json | sha256sum | cut -d' ' -f1)
echo "wfo plan hash: $got"
if [ "$got" != "$want" ]; then
  echo "plan hash changed: want $want" >&2
  exit 1
fi
