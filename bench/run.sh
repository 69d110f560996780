#!/usr/bin/env bash
# Runs every benchmark of docs/performance.md; installs what is missing (wrk, a C compiler, PostgreSQL) first.
#   bench/run.sh [http|verification|storage|routing|delivery|eb-delivery|auth-flood|console ...]   (default: all eight)
# Results are Markdown tables on standard output; progress goes to standard error.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
ensure_dotnet
apt_install wrk
ensure_cc
ensure_postgres
cd "$ROOT"
dotnet build -c Release -nologo -v quiet Junction.slnx >&2
scenarios=("$@")
[ ${#scenarios[@]} -eq 0 ] && scenarios=(http verification storage routing delivery eb-delivery auth-flood console)
for scenario in "${scenarios[@]}"; do
  echo "## $scenario"
  dotnet run -c Release --no-build --project bench/Junction.Bench -- "$scenario"
  echo
done
