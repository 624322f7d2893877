#!/usr/bin/env bash
# The redesign's behaviour check (issue 13): the wfo plan of three service days from
# 2026-12-01 under a fixed public test key must hash the same before and after a refactor.
# Recorded on 2026-12-03 before the redesign:
#   739a05b06ee9e804e8b4b90babb7bf8612c41f9ae002c100b54153fb778cbdd5
# Issue 14 changes the plan on purpose; the hash below is the current plan's (see git log
# of this file for the change that moved it and why). Merge of p1 into p2: p1's allocation
# with p2's dispatch (gap law, doubling back).
set -euo pipefail
cd "$(dirname "$0")/.."
want=8e8cca92b37d065bbddc8eca780cb612423a325fc0bfbfa7b2035d5a31d2a597
bin=$(mktemp -d)/vigil
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/vigil
got=$(VIGIL_KEY=$(printf 'a%.0s' $(seq 64)) "$bin" plan --region wfo --date 2026-12-01 --days 3 --format json | sha256sum | cut -d' ' -f1)
echo "wfo plan hash: $got"
if [ "$got" != "$want" ]; then
  echo "plan hash changed: want $want" >&2
  exit 1
fi
