# Bash completion for `junction`: junction completes itself (System.CommandLine's [suggest] directive, as dotnet-suggest
# would ask it). scripts/install-cli.sh installs this file; or: source scripts/junction-completion.bash
_junction() {
  local cur="${COMP_WORDS[COMP_CWORD]}"
  local line="${COMP_LINE:0:$COMP_POINT}"
  local args="${line#*junction}"
  args="${args# }"
  local suggestions
  suggestions=$(junction "[suggest:${#args}]" "$args" 2>/dev/null | grep -v '^/')
  local IFS=$'\n'
  COMPREPLY=($(compgen -W "$suggestions" -- "$cur"))
}
complete -F _junction junction
