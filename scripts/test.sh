#!/usr/bin/env bash
# Installs what is missing and runs every test: .NET unit, API and integration tests, then the conformance
# tests that drive a real Junction process through the clouds' official SDKs, then the operator console in headless
# Chromium. Ends with "N passed, N failed".
#   scripts/test.sh          everything (the README's test command, and CI's)
#   scripts/test.sh --fast   the inner loop: unit and API tests only — no PostgreSQL, no junction processes, no Node
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

fast=0
[ "${1:-}" = "--fast" ] && fast=1

ensure_dotnet
ensure_cc
if [ "$fast" -eq 0 ]; then
  ensure_node
  ensure_chromium
  ensure_postgres
  # systemd-analyze checks the unit of docs/operations.md (nothing is started).
  command -v systemd-analyze >/dev/null 2>&1 || apt_install systemd
fi
cd "$ROOT"

if [ "$fast" -eq 1 ]; then
  dotnet build Junction.slnx -c Release -nologo -v quiet -clp:ErrorsOnly
  exec dotnet test Junction.slnx -c Release --no-build -nologo --filter "Category!=Process&Category!=Postgres"
fi

results="$ROOT/artifacts/test-results"
rm -rf "$results" && mkdir -p "$results"

echo "== build"
dotnet build Junction.slnx -c Release -nologo -v quiet -clp:ErrorsOnly

echo "== .NET tests"
set +e
dotnet test Junction.slnx -c Release --no-build -nologo --logger "trx" --results-directory "$results" 2>&1 | tee "$results/dotnet.log"
dotnet_status=${PIPESTATUS[0]}
set -e

# A node:test suite in its folder: installs its packages, runs it (its reporter writes results.json), answers its status.
node_suite() {
  local status
  pushd "$1" >/dev/null
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
  rm -f results.json
  set +e
  npm test --silent
  status=$?
  set -e
  popd >/dev/null
  return $status
}

echo "== conformance tests (official SDKs against a real Junction process)"
node_status=0; node_suite tests/conformance || node_status=$?

echo "== browser tests (the operator console in Debian's Chromium, headless; screenshots in artifacts/console)"
browser_status=0; node_suite tests/browser || browser_status=$?

# Counts: from every .trx file (one per test assembly) and from the conformance reporter.
read -r dn_passed dn_failed < <(python3 - "$results" <<'PY' 2>/dev/null || echo "0 0"
import sys, glob, re
passed = failed = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    text = open(path, encoding="utf-8").read()
    m = re.search(r'<Counters [^>]*', text)
    if m:
        attrs = dict(re.findall(r'(\w+)="(\d+)"', m.group(0)))
        passed += int(attrs.get("passed", 0))
        failed += int(attrs.get("failed", 0)) + int(attrs.get("error", 0)) + int(attrs.get("timeout", 0)) + int(attrs.get("aborted", 0))
print(passed, failed)
PY
)
if [ -f tests/conformance/results.json ]; then
  read -r node_passed node_failed < <(node -e 'const r=require("./tests/conformance/results.json");console.log(r.passed, r.failed)')
else
  node_passed=0; node_failed=1
fi
if [ -f tests/browser/results.json ]; then
  read -r browser_passed browser_failed < <(node -e 'const r=require("./tests/browser/results.json");console.log(r.passed, r.failed)')
else
  browser_passed=0; browser_failed=1
fi

# The failed .NET tests by name with the first line of their message, at the end where CI's tail shows them.
python3 - "$results" <<'PY' 2>/dev/null || true
import sys, glob, re, html
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    text = open(path, encoding="utf-8").read()
    for m in re.finditer(r'<UnitTestResult [^>]*testName="([^"]*)"[^>]*outcome="(Failed|Error|Timeout|Aborted)"[^>]*>(.*?)</UnitTestResult>', text, re.S):
        msg = re.search(r'<Message>(.*?)</Message>', m.group(3), re.S)
        first = html.unescape(msg.group(1)).strip().splitlines()[0][:300] if msg else ""
        print(f"FAILED {html.unescape(m.group(1))}: {first}")
PY

passed=$((dn_passed + node_passed + browser_passed))
failed=$((dn_failed + node_failed + browser_failed))
if [ "$dotnet_status" -ne 0 ] && [ "$dn_failed" -eq 0 ]; then failed=$((failed + 1)); echo "dotnet test exited with $dotnet_status" >&2; fi
if [ "$node_status" -ne 0 ] && [ "$node_failed" -eq 0 ]; then failed=$((failed + 1)); echo "conformance tests exited with $node_status" >&2; fi
if [ "$browser_status" -ne 0 ] && [ "$browser_failed" -eq 0 ]; then failed=$((failed + 1)); echo "browser tests exited with $browser_status" >&2; fi

echo
echo "dotnet: $dn_passed passed, $dn_failed failed; conformance: $node_passed passed, $node_failed failed; browser: $browser_passed passed, $browser_failed failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
