"""Write ``constructs_lib/checks/preflight/create_only.json``: for each resource type the library
creates, the properties CloudFormation cannot change in place (``createOnlyProperties`` of its
resource provider schema, as cfn-lint ships them). The package carries the table so that the
replacement guard works where cfn-lint is not installed; tests/checks/preflight/test_replacement.py
fails when the table and cfn-lint's schemas disagree, or when a synthesized example holds a type
the table lacks.

    python scripts/create_only.py [TYPE ...]   # TYPEs added to those already in the table
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from constructs_lib.checks.preflight.replacement import TABLE, schema_create_only


def main(argv: list[str]) -> int:
    current: dict[str, list[str]] = json.loads(TABLE.read_text(encoding="utf-8")) if TABLE.exists() else {}
    types = sorted(set(current) | set(argv))
    table = {}
    for kind in types:
        found = schema_create_only(kind)
        if found is None:
            print(f"{kind}: no resource schema in cfn-lint's data", file=sys.stderr)
            return 1
        table[kind] = list(found)
    TABLE.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{Path(TABLE).name}: {len(table)} resource types")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
