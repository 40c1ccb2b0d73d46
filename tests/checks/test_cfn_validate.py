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
from tests.conftest import CONTEXT, ROOT

# One process per case: the warm-up changes the process's jsii runtime (a lock around its pipe)
# and happens once per process. The tracer records every request with the thread that sent it.
_SCRIPT = r"""
import atexit, json, sys, threading
import jsii._kernel.providers.process as process

calls, active, overlaps, exit_code = [], [], [], []
send = process._NodeProcess.send

def traced(self, request, response_type):
    overlaps.extend(active)  # another thread's request still waiting for its response
    active.append(threading.current_thread().name)
    calls.append([threading.current_thread().name, type(request).__name__])
    try:
        return send(self, request, response_type)
    finally:
        active.remove(threading.current_thread().name)

process._NodeProcess.send = traced
# Registered first, so it runs last: how node ended, after every other exit hook.
atexit.register(lambda: exit_code and print(json.dumps({"node_returncode": exit_code[0].returncode}), flush=True))
import aws_cdk as cdk
from constructs_lib.checks import cfn_validate

mode, out = sys.argv[2], sys.argv[1]
if mode == "failing":
    cdk.CfnWaitConditionHandle = None  # only the warm-up uses it: its synth fails
started = [cfn_validate.start_validation_engine(), cfn_validate.start_validation_engine()] if mode != "cold" else []
if mode == "exit":  # the app stops early, the engine still being built
    node = cfn_validate._process()._process
    exit_code.append(node)
    children = open(f"/proc/{node.pid}/task/{node.pid}/children").read().split()
    print(json.dumps({"started": started, "pids": [node.pid, *map(int, children)]}), flush=True)
    sys.exit(3)
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
    try:
        app.synth()
        errors[name] = None
    except Exception:  # the findings are in the report the synth wrote
        report = json.load(open(f"{out}/{name}/validation-report.json"))
        errors[name] = sorted(
            f"{r['pluginName']}: {v['ruleName']} {v['severity']} {v['description']}"
            for r in report["pluginReports"] for v in r["violations"]
        )
warm_up = cfn_validate.wait_for_validation_engine()
print(json.dumps({
    "started": started, "errors": errors, "threads": sorted({c[0] for c in calls}), "imports": imports,
    "overlaps": overlaps, "warm_up_error": repr(warm_up) if warm_up else None,
}))
"""


def run(tmp_path: Path, mode: str, *, code: int = 0, **env: str) -> dict[str, Any]:
    script = tmp_path / "case.py"
    script.write_text(_SCRIPT)
    # As the CDK CLI runs an app: its context in CDK_CONTEXT_JSON, and no pytest variables (with
    # them aws-cdk-lib synthesizes differently).
    base = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "out"), mode],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**base, "PYTHONPATH": str(ROOT), "CDK_CONTEXT_JSON": json.dumps(CONTEXT), **env},
        timeout=120,
    )
    assert result.returncode == code, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return {k: v for line in lines for k, v in line.items()} | {"stderr": result.stderr}


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
    assert warm["overlaps"] == [], "a request went out while another thread's waited for its response"
    assert warm["errors"] == cold["errors"]
    assert warm["errors"]["good"] is None
    assert any("5 is less than the minimum of 60" in finding for finding in warm["errors"]["bad"]), warm["errors"]
    assert warm["warm_up_error"] is None, "the throwaway app failed (under the project's context, as the CLI runs it)"


def test_nothing_is_started_when_cdk_validation_is_off(tmp_path: Path) -> None:
    off = run(tmp_path, "warm", CDK_VALIDATION="false")
    assert off["started"] == [False, False]
    assert off["errors"] == {"good": None, "bad": None}, "the check is off, so the bad template is written"


def test_a_failed_warm_up_leaves_the_check_to_the_first_synth(tmp_path: Path, cold: dict[str, Any]) -> None:
    failed = run(tmp_path, "failing")
    assert failed["started"][0] is True
    assert "TypeError" in failed["warm_up_error"]
    assert failed["errors"] == cold["errors"], "the app's own synth still validates"


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
    assert stopped["node_returncode"] == -signal.SIGKILL, "ended, not waited for"
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
        assert children, "the shell started no child"
        monkeypatch.setattr(cfn_validate, "_BUILT", threading.Event())  # the engine still being built

        class Process:
            _process = shell

            def stop(self) -> None:
                raise AssertionError("jsii's stop would wait for node")

        process = Process()
        cfn_validate._stop_node_if_still_warming(process)
        assert shell.wait(timeout=5) == -signal.SIGKILL
        # The kernel ends the killed child asynchronously: on a loaded machine that takes a moment.
        for _ in range(100):
            if not [c for c in children if _running(int(c))]:
                break
            threading.Event().wait(0.05)
        assert [int(c) for c in children if _running(int(c))] == []
        process.stop()  # now a no-op: jsii's __del__ calls it
    finally:
        shell.kill()


def test_the_exit_hook_leaves_node_to_jsii_once_the_engine_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    built = threading.Event()
    built.set()
    monkeypatch.setattr(cfn_validate, "_BUILT", built)

    class Process:
        def stop(self) -> None: ...

    process = Process()
    cfn_validate._stop_node_if_still_warming(process)
    assert "stop" not in vars(process), "jsii's own exit hook stays in charge"


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's wait is missing
