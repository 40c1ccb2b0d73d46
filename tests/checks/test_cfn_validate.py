"""CloudFormation Validate's engine built in the background: the same findings as without it, jsii
calls from the main thread during the warm-up still correct, and no jsii call at import time in
the library (which would wait for the engine and undo the overlap)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
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
if mode == "exit":  # the app stops early, the engine still being built
    node = cfn_validate._process()._process
    children = open(f"/proc/{node.pid}/task/{node.pid}/children").read().split()
    print(json.dumps({"started": started, "pids": [node.pid, *map(int, children)]}), flush=True)
    sys.exit(3)
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


def run(tmp_path: Path, mode: str, *, code: int = 0, **env: str) -> dict[str, Any]:
    script = tmp_path / "case.py"
    script.write_text(_SCRIPT)
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "out"), mode],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        timeout=120,
    )
    assert result.returncode == code, result.stderr
    return {**json.loads(result.stdout.strip().splitlines()[-1]), "stderr": result.stderr}


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


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads node's children from Linux's /proc")
def test_an_app_that_stops_during_the_warm_up_ends_node_and_leaves_quietly(tmp_path: Path) -> None:
    """jsii's exit hook would wait for node to finish the engine; the app's error (a bad factory
    file) would come seconds late. Both node processes are gone when the app has exited."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    stopped = run(tmp_path, "exit", code=3, TMPDIR=str(scratch))
    assert stopped["started"][0] is True and len(stopped["pids"]) == 2
    assert sorted(p.name for p in scratch.iterdir() if p.name.startswith("golden-ami-")) == [], "left behind"
    assert [pid for pid in stopped["pids"] if _running(pid)] == []
    assert "Traceback" not in stopped["stderr"] and "Exception" not in stopped["stderr"]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the children from Linux's /proc")
def test_the_exit_hook_kills_node_and_its_child_instead_of_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in for jsii's node: a shell that waits on a child, as jsii-runtime.js waits on the
    kernel's process; the hook must end both, not wait for them."""
    shell = subprocess.Popen(["sh", "-c", "sleep 600 & wait"], stdin=subprocess.PIPE)
    try:
        for _ in range(200):  # the shell starts its child
            children = Path(f"/proc/{shell.pid}/task/{shell.pid}/children").read_text().split()
            if children:
                break
            threading.Event().wait(0.01)
        warming = threading.Thread(target=threading.Event().wait, args=(600,), daemon=True)
        warming.start()
        monkeypatch.setattr(cfn_validate, "_STARTED", [warming])

        class Process:
            _process = shell

            def stop(self) -> None:
                raise AssertionError("jsii's stop would wait for node")

        process = Process()
        cfn_validate._stop_node_if_still_warming(process)
        assert shell.wait(timeout=5) == -signal.SIGKILL
        assert [int(c) for c in children if _running(int(c))] == []
        process.stop()  # now a no-op: jsii's __del__ calls it
    finally:
        shell.kill()


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's wait is missing
