#!/usr/bin/env bash
# Builds the `junction` command and puts a launcher for it in ~/.local/bin (or $JUNCTION_BIN_DIR).
#   scripts/install-cli.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_dotnet
ensure_cc
cd "$ROOT"
dotnet build src/Junction.Cli -c Release -nologo -v quiet -clp:ErrorsOnly
bin="${JUNCTION_BIN_DIR:-$HOME/.local/bin}"
mkdir -p "$bin"
cat > "$bin/junction" <<LAUNCHER
#!/bin/sh
exec dotnet "$ROOT/src/Junction.Cli/bin/Release/net10.0/junction.dll" "\$@"
LAUNCHER
chmod 755 "$bin/junction"
echo "installed $bin/junction"
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "add it to your PATH: export PATH=\"$bin:\$PATH\"" ;;
esac
