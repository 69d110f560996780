# Shared by run.sh and test.sh: install what is missing on a Debian/Ubuntu machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1; fi
}

APT_UPDATED=0
apt_install() {
  # apt_install PACKAGE... : installs the Debian packages that are not installed yet.
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "missing packages ${missing[*]} and no apt-get to install them" >&2; return 1
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  echo "installing ${missing[*]}" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_dotnet() {
  if command -v dotnet >/dev/null 2>&1 && dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then return 0; fi
  # Ubuntu ships the .NET SDK in its own archive; Debian needs Microsoft's package feed, which this script does not add.
  if apt-cache show dotnet-sdk-10.0 >/dev/null 2>&1 || { as_root apt-get update -qq && apt-cache show dotnet-sdk-10.0 >/dev/null 2>&1; }; then
    apt_install dotnet-sdk-10.0
  else
    echo "The .NET 10 SDK is required and no Debian package for it is reachable: https://learn.microsoft.com/dotnet/core/install/linux" >&2
    return 1
  fi
}

ensure_node() {
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then return 0; fi
  apt_install nodejs npm
}

ensure_chromium() {
  # Debian's Chromium for the console's browser tests (Playwright drives it; its own browser download does not work here).
  if command -v chromium >/dev/null 2>&1; then return 0; fi
  apt_install chromium
}

ensure_cc() {
  # A C compiler for the build: Junction.Runtime compiles its small librdkafka egress plugin (src/Junction.Runtime/Kafka/
  # Native). librdkafka itself comes with the librdkafka.redist NuGet package; no system Kafka library is needed.
  if command -v cc >/dev/null 2>&1; then return 0; fi
  apt_install gcc libc6-dev
}

ensure_postgres() {
  # The PostgreSQL server binaries (initdb, pg_ctl) for the storage and multi-node tests; nothing is started here:
  # the tests start throwaway clusters of their own on loopback ports.
  if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then return 0; fi
  apt_install postgresql
}
