#!/usr/bin/env bash
# Issue 11, item 5: crm-migrate against a straightforward Python script on User.com exports
# of growing size, side by side in one run, repeated. Prints one table row per measurement.
#
#   benches/usercom_scale.sh [SIZES] [REPEATS]
#   e.g. CARGO_TARGET_DIR=/work/target-perf benches/usercom_scale.sh "20000 100000 1000000" 2
#
# Environment: BIN (the crm-migrate binary; default: build release into $CARGO_TARGET_DIR),
# WORK (scratch directory for the exports, sandboxes and states; default /tmp/usercom_scale).
# Exports are generated once per size and kept in $WORK (the 1,000,000-user one is 1.7 GB).
#
# What is measured, per size and repeat, all with /usr/bin/time (wall seconds, peak RSS):
#   python   benches/python_baseline.py: csv module, normalisations, one SQLite insert per
#            row in one transaction (WAL, synchronous=FULL)
#   run      crm-migrate run --to sandbox:… with the durable journal (a fresh sandbox and
#            state directory each time)
#   dry-run  crm-migrate run --dry-run
#   discover crm-migrate discover (MB/s = export size / wall time)
set -euo pipefail

SIZES=${1:-"20000 100000"}
REPEATS=${2:-2}
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/usercom_scale}
mkdir -p "$WORK"

if [[ -z "${BIN:-}" ]]; then
  (cd "$HERE" && cargo build --release --quiet --bin crm-migrate)
  BIN="${CARGO_TARGET_DIR:-$HERE/target}/release/crm-migrate"
fi

# Runs "$@" under /usr/bin/time; prints "<wall s> <peak RSS MB>". Exit codes 0 and 3
# (done, needs a person: the sample carries rejects and a review queue by design) count as
# success.
measure() {
  local out="$WORK/time.txt" rc=0
  /usr/bin/time -f "%e %M" -o "$out" "$@" >"$WORK/last.out" 2>"$WORK/last.err" || rc=$?
  if [[ $rc -ne 0 && $rc -ne 3 ]]; then
    echo "FAILED (exit $rc): $*" >&2
    tail -5 "$WORK/last.err" >&2
    exit 1
  fi
  # The last line: /usr/bin/time writes "Command exited with non-zero status 3" first.
  tail -1 "$out" | awk '{ printf "%s %.0f\n", $1, $2 / 1024 }'
}

printf "%-9s %9s %6s %9s %9s %10s %9s\n" users lines MB step seconds "peak MB" "vs python"
for n in $SIZES; do
  dir="$WORK/export-$n"
  if [[ ! -f "$dir/users.csv" ]]; then
    "$BIN" sample usercom --records "$n" --out "$dir" >/dev/null
  fi
  rows=$(cat "$dir"/*.csv | wc -l)
  mb=$(cat "$dir"/*.csv | wc -c | awk '{ printf "%.0f", $1 / 1e6 }')
  map="$WORK/mapping-$n.toml"
  if [[ ! -f "$map" ]]; then
    # `map` exits 3 (a person must read the proposal) when it wrote one.
    "$BIN" map --from usercom --input "$dir" --to "sandbox:$WORK/map-$n.sqlite" --out "$map" >/dev/null 2>&1 || true
    [[ -f "$map" ]] || { echo "map wrote no $map" >&2; exit 1; }
  fi
  for r in $(seq "$REPEATS"); do
    rm -f "$WORK/py.sqlite" "$WORK"/py.sqlite-*
    read -r py_s py_mb < <(measure python3 "$HERE/benches/python_baseline.py" "$dir" "$WORK/py.sqlite")
    printf "%-9s %9s %6s %9s %9s %10s %9s\n" "$n" "$rows" "$mb" python "$py_s" "$py_mb" "1.00"

    rm -rf "$WORK/state" "$WORK/sandbox.sqlite" "$WORK"/sandbox.sqlite-*
    read -r s m < <(measure "$BIN" run --from usercom --input "$dir" --mapping "$map" \
      --to "sandbox:$WORK/sandbox.sqlite" --state "$WORK/state" \
      --sandbox-members "$dir/workspace_members.csv")
    printf "%-9s %9s %6s %9s %9s %10s %9s\n" "$n" "$rows" "$mb" run "$s" "$m" \
      "$(awk -v p="$py_s" -v s="$s" 'BEGIN { printf "%.2fx", p / s }')"

    rm -rf "$WORK/dry"
    read -r s m < <(measure "$BIN" run --from usercom --input "$dir" --mapping "$map" \
      --to "sandbox:$WORK/dry.sqlite" --state "$WORK/dry" --dry-run \
      --sandbox-members "$dir/workspace_members.csv")
    printf "%-9s %9s %6s %9s %9s %10s %9s\n" "$n" "$rows" "$mb" dry-run "$s" "$m" \
      "$(awk -v p="$py_s" -v s="$s" 'BEGIN { printf "%.2fx", p / s }')"

    rm -rf "$WORK/disc"
    read -r s m < <(measure "$BIN" discover --from usercom --input "$dir" --out "$WORK/disc")
    printf "%-9s %9s %6s %9s %9s %10s %9s\n" "$n" "$rows" "$mb" discover "$s" "$m" \
      "$(awk -v mb="$mb" -v s="$s" 'BEGIN { printf "%.0fMB/s", mb / s }')"
  done
done
