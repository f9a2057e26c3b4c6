#!/usr/bin/env bash
# The documentation's checks: the API reference of the public headers builds without a
# warning (Doxyfile: every public class and function documented), README.md stays short, and
# the user documents speak to users (no issue numbers or commit hashes: the git log is the
# history). Usage: tools/check-docs.sh   (needs doxygen; writes build/doxygen/)
set -euo pipefail
cd "$(dirname "$0")/.."
status=0

mkdir -p build/doxygen
if ! doxygen Doxyfile 2> build/doxygen/warnings.log; then
  echo "doxygen failed:"; cat build/doxygen/warnings.log; status=1
elif [ -s build/doxygen/warnings.log ]; then
  echo "doxygen warnings:"; cat build/doxygen/warnings.log; status=1
fi

lines=$(wc -l < README.md)
if [ "$lines" -gt 250 ]; then
  echo "README.md has $lines lines; at most 250 (move details to docs/)"; status=1
fi

docs=(README.md benchmarks/README.md docs/*.md)
if grep -n '[Ii]ssue [0-9]' "${docs[@]}"; then
  echo "issue numbers in user documents (above)"; status=1
fi
# A commit hash: 7 to 40 hex digits with at least one letter and one digit, as a whole word.
if grep -nP '(?<![\w#])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}(?!\w)' "${docs[@]}"; then
  echo "commit hashes in user documents (above)"; status=1
fi

[ "$status" -eq 0 ] && echo "docs OK: API reference in build/doxygen/html/index.html"
exit "$status"
