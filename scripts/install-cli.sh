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
completions="${JUNCTION_COMPLETIONS_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/bash-completion/completions}"
mkdir -p "$completions"
cp "$ROOT/scripts/junction-completion.bash" "$completions/junction"
echo "installed bash completion in $completions/junction (new shells; this one: source $completions/junction)"
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "add it to your PATH: export PATH=\"$bin:\$PATH\"" ;;
esac
