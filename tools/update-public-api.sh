#!/usr/bin/env bash
# Adds the public symbols the PublicApiAnalyzers report as undeclared (RS0016) to each project's PublicAPI.Unshipped.txt
# and removes the ones reported as gone (RS0017). Review the diff: every line is a public API promise.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for project in runtime/Workbooks.Runtime runtime/Workbooks.Engagement runtime/Workbooks.Extensions.DependencyInjection runtime/Workbooks.Mirror emulator/Workbooks.Emulator; do
  dotnet build "$project" -c Release --no-incremental > "$log" 2>&1 || true
  python3 - "$project/PublicAPI.Unshipped.txt" "$log" <<'PY'
import re, sys
path, log = sys.argv[1], open(sys.argv[2]).read()
added = set(re.findall(r"RS0016: Symbol '(.+?)' is not part of the declared public API", log))
removed = set(re.findall(r"RS0017: Symbol '(.+?)' is part of the declared API, but is either not public or could not be found", log))
lines = [l for l in open(path).read().splitlines() if l and l != '#nullable enable']
lines = sorted((set(lines) | added) - removed, key=lambda l: l)
open(path, 'w').write('#nullable enable\n' + ''.join(l + '\n' for l in lines))
print(f"{path}: +{len(added)} -{len(removed)}")
PY
done
