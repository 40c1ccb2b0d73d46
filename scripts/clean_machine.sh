#!/usr/bin/env bash
# The clean-machine contract: what a new user gets from a fresh clone, an empty HOME and empty
# pip and npm caches (the package registries reachable, nothing else of this machine's leftovers).
#   1. no tracked file is a symlink that leaves the repository;
#   2. the README's two commands, `make synth` and `make test`, pass;
#   3. the wheel builds, installs into an empty virtual environment, and every name in
#      constructs_lib.__all__ imports there (no botocore, no dev tools).
# Run by .ci/run as a stage of its own; exits non-zero on the first broken promise.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/clean-machine.XXXXXX")"
trap 'rm -rf "$work"' EXIT
started=$SECONDS
step() { echo "clean-machine [$((SECONDS - started)) s]: $*"; }

step "tracked symlinks stay inside the repository"
escaping=0
while IFS= read -r link; do
    target="$(readlink "$repo/$link")"
    resolved="$(realpath -m "$repo/$(dirname "$link")/$target")"
    if [[ "$target" == /* || "$resolved" != "$repo"/* ]]; then
        echo "  $link -> $target leaves the repository" >&2
        escaping=1
    fi
done < <(git -C "$repo" ls-files -s | awk '$1 == "120000" { sub(/^[^\t]*\t/, ""); print }')
[[ $escaping == 0 ]] || { echo "clean-machine: remove the symlinks above from the repository" >&2; exit 1; }

step "fresh clone of $(git -C "$repo" rev-parse --short HEAD) with an empty HOME and empty caches"
git clone --quiet --no-local "$repo" "$work/repo"
mkdir -p "$work/home" "$work/pip-cache" "$work/npm-cache"
export HOME="$work/home" PIP_CACHE_DIR="$work/pip-cache" npm_config_cache="$work/npm-cache"
unset VIRTUAL_ENV PYTHONPATH CDK_CONTEXT_JSON CDK_OUTDIR
cd "$work/repo"

step "make synth (the README's first command)"
make synth
step "make test (the README's second command)"
make test

step "build the wheel and import every public name in an empty virtual environment"
.venv/bin/pip wheel --quiet --no-deps --wheel-dir "$work/dist" . >/dev/null
python3 -m venv "$work/empty"
"$work/empty/bin/pip" install --quiet "$work"/dist/*.whl
(cd "$work" && "$work/empty/bin/python" - <<'PY'
import importlib
import constructs_lib

missing = [name for name in constructs_lib.__all__ if not hasattr(constructs_lib, name)]
assert not missing, f"cannot import {missing}"
for module in ("constructs_lib.factory.app", "constructs_lib.factory.loader"):
    importlib.import_module(module)
try:
    import botocore  # noqa: F401
except ImportError:
    pass
else:
    raise SystemExit("botocore is installed with the library; it belongs to the command-line extra")
# The replacement guard reads its create-only table from the package, without cfn-lint.
from constructs_lib.checks.preflight.replacement import create_only

try:
    import cfnlint  # noqa: F401
except ImportError:
    pass
else:
    raise SystemExit("cfn-lint is installed with the library; it is a development tool")
assert create_only("AWS::EC2::LaunchTemplate") == ("/properties/LaunchTemplateName",), "create_only.json not packaged"
print(f"imported {len(constructs_lib.__all__)} public names from {constructs_lib.__file__}")
PY
)
step "passed"
