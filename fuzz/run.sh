#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser that takes outside input (SharpFuzz + AFL++).
#   fuzz/run.sh [seconds-per-target] [target...]
# Targets: scenario expectation selector duration api-proxy api-toxic (default: all).
# CI runs 15 s per target; a local run of 600+ s per target passes a million executions on each.
# Exits 1 when any target found a crash; crashing inputs are copied to fuzz/crashes/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-15}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(scenario expectation selector duration api-proxy api-toxic)

if ! command -v afl-fuzz >/dev/null; then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends afl++
fi
tools=$PWD/.tools
[ -x "$tools/sharpfuzz" ] || dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null

out=$PWD/out
rm -rf "$out"
dotnet build -c Release -o "$out" --nologo -v quiet >/dev/null

# Seed corpora: the hand-written seeds, plus every scenario in the repository for the scenario reader.
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
for target in "${targets[@]}"; do
  mkdir -p "$corpus/$target"
  cp seeds/"$target"/* "$corpus/$target"/
  if [ "$target" = scenario ]; then
    find ../scenarios ../tests -name '*.yaml' -size -8k -not -path '*/bin/*' -exec cp --backup=numbered -t "$corpus/$target" {} +
    cp ../scenarios/examples/*.json "$corpus/$target"/
  fi
  dotnet "$out/Chaos.Fuzz.dll" "$target" "$corpus/$target"/*    # the seeds must pass before instrumenting
done

for assembly in Chaos.Scenarios.dll chaos.dll YamlDotNet.dll; do
  "$tools/sharpfuzz" "$out/$assembly" >/dev/null
done

# AFL++ inside containers: no CPU governor, core dumps may be piped elsewhere, other jobs own the cores.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1

findings=$PWD/findings
status=0
mkdir -p "$findings"
printf '%-12s %12s %8s %6s %6s\n' target executions exec/s crashes hangs
for target in "${targets[@]}"; do
  rm -rf "${findings:?}/$target"
  afl-fuzz -V "$seconds" -t 5000 -m none -i "$corpus/$target" -o "$findings/$target" -- dotnet "$out/Chaos.Fuzz.dll" "$target" >"$findings/$target.log" 2>&1 || true
  stats=$findings/$target/default/fuzzer_stats
  execs=$(awk -F' *: *' '$1=="execs_done"{print $2}' "$stats")
  speed=$(awk -F' *: *' '$1=="execs_per_sec"{print $2}' "$stats")
  crashes=$(awk -F' *: *' '$1=="saved_crashes"{print $2}' "$stats")
  hangs=$(awk -F' *: *' '$1=="saved_hangs"{print $2}' "$stats")
  printf '%-12s %12s %8s %6s %6s\n' "$target" "$execs" "$speed" "$crashes" "$hangs"
  if [ "${crashes:-0}" != 0 ]; then
    status=1
    mkdir -p "crashes/$target"
    cp "$findings/$target"/default/crashes/id:* "crashes/$target"/
  fi
done
exit "$status"
