#!/usr/bin/env bash
# Soak test of the real `chaos serve` on loopback (not in CI): bench/soak/run.sh [--minutes N] [--workers W] [--misbehaving M]
# Default 3 minutes. Prints the figures and ends with SOAK PASSED or SOAK FAILED (exit 1).
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet build -c Release -o "$out/chaos" ../../src/Proxy --nologo -v quiet >/dev/null
dotnet build -c Release -o "$out/soak" --nologo -v quiet >/dev/null
dotnet "$out/soak/Chaos.Soak.dll" --chaos "$out/chaos/chaos.dll" "$@"
