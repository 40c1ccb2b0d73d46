"""CloudFormation Validate's engine built in the background: the same findings as without it, jsii
calls from the main thread during the warm-up still correct, and no jsii call at import time in
the library (which would wait for the engine and undo the overlap)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from constructs_lib.checks import cfn_validate
from tests.conftest import ROOT

# One process per case: the warm-up changes the process's jsii runtime (a lock around its pipe)
# and happens once per process. The tracer records every request with the thread that sent it.
_SCRIPT = r"""
import json, sys, threading
import jsii._kernel.providers.process as process

calls = []
send = process._NodeProcess.send

def traced(self, request, response_type):
    calls.append([threading.current_thread().name, type(request).__name__])
    return send(self, request, response_type)

process._NodeProcess.send = traced
import aws_cdk as cdk
from constructs_lib.checks import cfn_validate

mode, out = sys.argv[2], sys.argv[1]
if mode == "failing":
    cdk.App = None  # the warm-up's first step fails
started = [cfn_validate.start_validation_engine(), cfn_validate.start_validation_engine()] if mode != "cold" else []
if mode == "failing":
    try:
        cfn_validate.wait_for_validation_engine()
    except TypeError as error:
        print(json.dumps({"started": started, "error": str(error)}))
    sys.exit(0)
imports = []
if mode == "cold":  # nothing else talks to node here: every call of the imports is theirs
    import importlib, pkgutil, constructs_lib
    before = len(calls)
    for module in pkgutil.walk_packages(constructs_lib.__path__, "constructs_lib."):
        importlib.import_module(module.name)
    imports = calls[before:]
errors = {}
for name in ("good", "bad"):  # in warm mode the main thread works while the engine is built
    app = cdk.App(outdir=f"{out}/{name}", context={"@aws-cdk/core:validateAgainstDefaultRules": True})
    stack = cdk.Stack(app, "Queues")
    cdk.CfnResource(stack, "Good", type="AWS::SQS::Queue", properties={"MessageRetentionPeriod": 60})
    if name == "bad":
        cdk.CfnResource(stack, "Bad", type="AWS::SQS::Queue", properties={"MessageRetentionPeriod": 5})
    cfn_validate.wait_for_validation_engine()
    try:
        app.synth()
        errors[name] = None
    except Exception as failure:
        errors[name] = str(failure).replace(out, "<outdir>")
threads = sorted({c[0] for c in calls})
print(json.dumps({"started": started, "errors": errors, "threads": threads, "imports": imports}))
"""


def run(tmp_path: Path, mode: str, **env: str) -> dict[str, Any]:
    script = tmp_path / "case.py"
    script.write_text(_SCRIPT)
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "out"), mode],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        timeout=120,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def cold(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run(tmp_path_factory.mktemp("cold"), "cold")


def test_the_pinned_jsii_runtime_has_the_pipe_the_lock_wraps() -> None:
    import aws_cdk  # noqa: F401  (starts node)

    assert cfn_validate._process() is not None, "jsii's runtime changed shape: the warm-up would be skipped"


def test_a_warm_engine_finds_what_a_cold_one_finds(tmp_path: Path, cold: dict[str, Any]) -> None:
    warm = run(tmp_path, "warm")
    assert warm["started"] == [True, False], "started once a process"
    assert warm["threads"] == ["MainThread", "golden-ami-validation-engine"]
    assert warm["errors"] == cold["errors"]
    assert warm["errors"]["good"] is None
    assert "5 is less than the minimum of 60" in warm["errors"]["bad"]


def test_nothing_is_started_when_cdk_validation_is_off(tmp_path: Path) -> None:
    off = run(tmp_path, "warm", CDK_VALIDATION="false")
    assert off["started"] == [False, False]
    assert off["errors"] == {"good": None, "bad": None}, "the check is off, so the bad template is written"


def test_a_failed_warm_up_is_raised_on_the_main_thread(tmp_path: Path) -> None:
    failed = run(tmp_path, "failing")
    assert failed["started"][0] is True
    assert "not callable" in failed["error"]


def test_importing_the_library_makes_no_jsii_call(cold: dict[str, Any]) -> None:
    """A module-level jsii value (a Duration, a Lambda runtime) would be a request during import,
    which waits for the engine: everything jsii is made where it is used."""
    assert cold["imports"], "the tracer saw the imports' loads"
    assert [c for c in cold["imports"] if c[1] != "LoadRequest"] == []
