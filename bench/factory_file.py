"""A factory file as `cdk synth` runs app.py: build, the four cdk-nag packs, report, synth."""

import json
import os
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ["CDK_OUTDIR"] = sys.argv[1]
context = json.loads((ROOT / "cdk.json").read_text())["context"]
context.update({"factory": str(ROOT / sys.argv[2]), "golden-ami:versionLockFrozen": "true"})
os.environ["CDK_CONTEXT_JSON"] = json.dumps(context)
sys.path.insert(0, str(ROOT))
sys.argv = [str(ROOT / "app.py")]
runpy.run_path(str(ROOT / "app.py"), run_name="__main__")
