#!/usr/bin/env bash
# docs/openapi.yaml parses, covers every endpoint of the API contract with its
# method, resolves every internal $ref, and maps every discriminator value to a
# schema that exists.
# Usage: openapi_test.sh REPO_ROOT
set -euo pipefail
root="$1"
spec="$root/docs/openapi.yaml"

# PyYAML: Debian's python3-yaml (scripts/packages/test.txt) for /usr/bin/python3,
# or whatever python3 comes first on PATH when it has yaml.
python=""
for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import yaml' 2>/dev/null; then
        python="$candidate"
        break
    fi
done
if [[ -z "$python" ]]; then
    echo "no python3 with PyYAML (install python3-yaml)" >&2
    exit 1
fi

# Every "METHOD PATH" of the API contract (API.md).
expected="
get /healthz
get /readyz
get /metrics
get /v1/agents
post /v1/sessions
get /v1/sessions
get /v1/sessions/{id}
patch /v1/sessions/{id}
delete /v1/sessions/{id}
get /v1/sessions/{id}/messages
post /v1/sessions/{id}/messages
post /v1/sessions/{id}/interrupt
get /v1/sessions/{id}/events
get /v1/sessions/{id}/todos
get /v1/search
get /v1/ws
get /v1/models
post /v1/chat/completions
"

"$python" - "$spec" "$expected" <<'PY'
import sys
import yaml

spec_path, expected = sys.argv[1], sys.argv[2]
with open(spec_path, encoding="utf-8") as handle:
    spec = yaml.safe_load(handle)

problems = []
if not str(spec.get("openapi", "")).startswith("3.1"):
    problems.append(f"openapi is {spec.get('openapi')!r}, not 3.1.x")

paths = spec.get("paths") or {}
for line in expected.split("\n"):
    if not line.strip():
        continue
    method, path = line.split()
    if path not in paths:
        problems.append(f"missing path {path}")
    elif method not in paths[path]:
        problems.append(f"missing {method.upper()} {path}")


def resolve(pointer):
    if not pointer.startswith("#/"):
        return True  # external references are not used; accept them as written
    node = spec
    for part in pointer[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def walk(node, where):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not resolve(ref):
            problems.append(f"{where}: unresolved $ref {ref}")
        mapping = (node.get("discriminator") or {}).get("mapping") or {}
        for value, target in mapping.items():
            if not resolve(target):
                problems.append(f"{where}: discriminator {value!r} maps to missing {target}")
        for key, child in node.items():
            walk(child, f"{where}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            walk(child, f"{where}/{index}")


walk(spec, "#")

schemas = (spec.get("components") or {}).get("schemas") or {}
for required in ("Session", "Message", "Todo", "SearchHit", "Agent", "Error", "Event",
                 "WsClientFrame", "WsServerFrame", "ChatCompletion", "ChatCompletionChunk"):
    if required not in schemas:
        problems.append(f"missing components/schemas/{required}")
schemes = (spec.get("components") or {}).get("securitySchemes") or {}
if not any(s.get("type") == "http" and s.get("scheme") == "bearer" for s in schemes.values()):
    problems.append("no bearer security scheme")
if not any(s.get("type") == "apiKey" and s.get("in") == "query" and s.get("name") == "access_token"
           for s in schemes.values()):
    problems.append("no access_token query security scheme")

if problems:
    for problem in problems:
        print(f"{spec_path}: {problem}", file=sys.stderr)
    sys.exit(1)
print(f"ok: {spec_path} ({len(paths)} paths)")
PY
