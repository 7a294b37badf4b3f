#!/usr/bin/env bash
# Runs the fault-engine benchmark (bench/toxics) in Release: dotnet run -c Release --project bench/toxics.
#
#   bench/toxics/run.sh                    # every section: latency, throughput, churn (under 3 minutes on 2 cores)
#   bench/toxics/run.sh latency churn      # only those sections
#   CHAOS_REF=HEAD bench/toxics/run.sh     # build the engine (src/) from this commit instead of the working tree
#   IN_PLACE=1 bench/toxics/run.sh         # build in the working tree itself (bin/ and obj/ next to the sources)
#
# By default the sources are copied to a temporary directory first (src/ from the working tree or CHAOS_REF,
# bench/toxics from the working tree), so the Release build neither races nor disturbs builds that others
# run in the working tree at the same time.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
CHAOS_REF=${CHAOS_REF:-}

echo "load average before: $(cat /proc/loadavg)"
if [[ -n ${IN_PLACE:-} ]]; then
  cd "$REPO"
  dotnet run -c Release --project bench/toxics -- "$@"
else
  WORK=$(mktemp -d /tmp/chaos-toxics-bench.XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
  if [[ -n $CHAOS_REF ]]; then
    echo "engine from commit $(git -C "$REPO" rev-parse --short "$CHAOS_REF^{commit}")"
    git -C "$REPO" archive --format=tar "$CHAOS_REF" src Directory.Build.props Directory.Packages.props | tar -C "$WORK" -xf -
  else
    echo "engine from the working tree of $REPO (commit $(git -C "$REPO" rev-parse --short HEAD) plus local changes)"
    (cd "$REPO" && tar --exclude=bin --exclude=obj -cf - \
        $(ls -d Directory.Build.props Directory.Packages.props .editorconfig global.json NuGet.config nuget.config 2>/dev/null) src) \
      | tar -C "$WORK" -xf -
  fi
  mkdir -p "$WORK/bench"
  (cd "$REPO/bench" && tar --exclude=bin --exclude=obj -cf - toxics) | tar -C "$WORK/bench" -xf -
  if ! dotnet build "$WORK/bench/toxics" -c Release >"$WORK/build.log" 2>&1; then
    grep -E ' error ' "$WORK/build.log" | sort -u | head -20 >&2 || true
    echo "build failed (try CHAOS_REF=HEAD while others are mid-edit)" >&2
    exit 1
  fi
  cd "$WORK"
  dotnet run --no-build -c Release --project bench/toxics -- "$@"
fi
echo "load average after: $(cat /proc/loadavg)"
