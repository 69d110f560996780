#!/usr/bin/env bash
# Installs what is missing, builds Junction and starts it on its embedded SQLite database.
#   scripts/run.sh [junction serve options...]     e.g. --urls http://127.0.0.1:9090 --data ./data
#   scripts/run.sh --dev [--urls URL]              dev mode: known credentials, a built-in Kafka cluster, an echo webhook
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_dotnet
ensure_cc
cd "$ROOT"
dotnet build src/Junction.Cli -c Release -nologo -v quiet -clp:ErrorsOnly
if [ "${1:-}" = "--dev" ]; then
  shift
  exec dotnet src/Junction.Cli/bin/Release/net10.0/junction.dll dev "$@"
fi
exec dotnet src/Junction.Cli/bin/Release/net10.0/junction.dll serve --config "$ROOT/config/quickstart.json" "$@"
