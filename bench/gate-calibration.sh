#!/usr/bin/env bash
# Calibrates `stress gate` on this machine (README, "Performance gate"): RUNS gate runs on an unchanged tree,
# each of which should pass (exit 0), then RUNS with a planted slowdown of the KPI computation, each of which
# should fail (exit 1). It works in a throwaway copy of this tree, committed in a repository of its own, so the
# base (HEAD) is always the unchanged engine; one line per run goes to stdout and to OUT/runs.log, and each
# run's table, progress and gate.json stay in OUT/<series>-<n>/.
#
#   bash bench/gate-calibration.sh [RUNS=10] [FRACTION=0.25] [gate flags, e.g. --quick]
#
# The planted slowdown: after every per-date sum the wasm kernel streams again over FRACTION of the same rows
# (an extra pass that reads the same bytes and changes no result); 0.25 costs about 20 % more CPU time.
set -uo pipefail
runs=${1:-10}
fraction=${2:-0.25}
shift $(( $# < 2 ? $# : 2 ))
if ! [[ $runs =~ ^[1-9][0-9]*$ && $fraction =~ ^(0|1)?\.[0-9]+$ ]]; then
  echo "usage: bash bench/gate-calibration.sh [RUNS=10] [FRACTION=0.25] [gate flags]: RUNS is a whole number, FRACTION a decimal such as 0.25 (got \"$runs\" \"$fraction\")" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$here/reports/gate-calibration}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
# the files git tracks or would track (so no node_modules, dist or reports), as they are in the working tree
git -C "$here" ls-files -z --cached --others --exclude-standard | tar -C "$here" --null -T - -cf - | tar -C "$work" -xf -
cd "$work"
git init -q && git add -A && git -c user.name=calibration -c user.email=calibration@localhost commit -qm base
# linked after the commit, so that the base's worktree does not carry the link (the gate links its own)
ln -s "$here/node_modules" "$work/node_modules"
npm run build > /dev/null || exit 2

series() { # label, then the gate's flags
  local label=$1 dir start i
  shift
  for i in $(seq 1 "$runs"); do
    dir="$out/$label-$i"
    mkdir -p "$dir"
    start=$(date +%s)
    node dist/cli/main.js gate --base HEAD "$@" --out "$dir" > "$dir/stdout.txt" 2> "$dir/stderr.txt"
    echo "$label $i exit=$? seconds=$(( $(date +%s) - start )) load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$out/runs.log"
  done
}

echo "# $(date -u +%FT%TZ) gate calibration, $runs runs a series, flags: ${*:-none}" >> "$out/runs.log"
series unchanged "$@"
node -e '
  const fs = require("fs"); const [file, fraction] = process.argv.slice(1);
  const call = "    this.kernels.sumByDate(layout.moneyOffsets[0]!, this.stride, layout.dateKeyOffset, rowStart, rowEnd, acc);\n";
  const text = fs.readFileSync(file, "utf8");
  if (text.split(call).length !== 2) { console.error("the kernel call to slow down was not found"); process.exit(2); }
  fs.writeFileSync(file, text.replace(call, call + `    this.kernels.stream(layout.moneyOffsets[0]!, this.stride, layout.dateKeyOffset, rowStart, rowStart + Math.floor((rowEnd - rowStart) * ${fraction}));\n`));
' src/engine/wasm-kernels.ts "$fraction" || exit 2
npm run build > /dev/null || exit 2
series planted "$@"
