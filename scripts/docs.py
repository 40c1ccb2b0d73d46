"""Regenerate what the repository carries about the default factory: the JSON schema of the
factory file and the README's diagram. `make docs` runs it; tests fail when either is stale."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import aws_cdk as cdk

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import app as factory_app  # noqa: E402
from constructs_lib.factory.loader import json_schema  # noqa: E402
from constructs_lib.factory.report import diagram  # noqa: E402

# The README draws the sample factory from the suite's fixture, so a team's edits to factory.yaml
# never make the README (or the test that keeps it current) stale.
SAMPLE_FACTORY = ROOT / "tests" / "fixtures" / "default" / "factory.yaml"
START, END = "<!-- factory-diagram:start -->", "<!-- factory-diagram:end -->"


def default_diagram() -> str:
    """The Mermaid diagram of the sample factory, as the README shows it."""
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    app = cdk.App(context={**context, "golden-ami:versionLockFrozen": "true", "factory": str(SAMPLE_FACTORY)})
    return diagram(factory_app.build(app))


def readme_with(text: str, mermaid: str) -> str:
    block = f"{START}\n```mermaid\n{mermaid}\n```\n{END}"
    return re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)


def main() -> None:
    (ROOT / "factory.schema.json").write_text(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n")
    readme = ROOT / "README.md"
    readme.write_text(readme_with(readme.read_text(), default_diagram()))
    print("wrote factory.schema.json and the README diagram")


if __name__ == "__main__":
    main()
