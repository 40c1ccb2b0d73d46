"""CDK's built-in template check, CloudFormation Validate, made ready while the app is still importing.

At every synth, aws-cdk-lib (2.275.0 here) runs its CloudFormation Validate plugin over the written
templates: "CDK ships with a CloudFormation template validation plugin that is enabled by
default", turned off by ``App(builtin_cloud_formation_validation=False)``, ``cdk synth
--no-validation`` or ``CDK_VALIDATION=false``, and replaced by registering a configured
instance (https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.AppProps.html). Its engine
(``@aws/cloudformation-validate``, WebAssembly, bundled in aws-cdk-lib's package) is built once
per process, at the first synth, as a singleton: read from aws-cdk-lib's own code
(``core/lib/validation/cloudformation-validate-plugin.js``), not from a documented promise. On
the bench machine that is 1.6-2.0 s of one core, most of an empty app's synth (BENCHMARKS.md).
Without a warm-up the two run one after the other: the app imports this library, pydantic and
the aws-cdk-lib modules while node idles, then waits for the engine at its first synth.

:func:`start_validation_engine` overlaps the two. It synthesizes a throwaway one-resource app in
a background thread: CDK builds its own engine (the same singleton every later synth of the
process uses, with the same default rules), while the main thread goes on importing and reading
its input. The rules and findings do not change; the app's own synth reports them. The warm-up
notices only ``CDK_VALIDATION=false``: an app that turns the check off otherwise
(``builtin_cloud_formation_validation=False``, its own ``CloudFormationValidatePlugin``) should
not call it, or it builds an engine nobody uses.

jsii's Python runtime talks to node over one pipe and is not written for threads, so from the
first warm-up on, each request and its response are one step under a lock: a jsii call from the
main thread during the warm-up waits for it (correct, only slower) instead of interleaving on
the pipe. That is enough only while the warm-up gets no callback from node (node waits for
callbacks as a stack, and two threads' callbacks could interleave): the throwaway app is made of
aws-cdk-lib classes alone, and a callback to the warm-up thread is refused.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from jsii._kernel.types import Callback

_LOCK: Final = threading.RLock()
_THREAD: Final = "golden-ami-validation-engine"
_STARTED: list[threading.Thread] = []
_ERRORS: list[BaseException] = []
_BUILT: Final = threading.Event()  # the throwaway synth returned: node no longer needs waiting for


def _process() -> Any | None:
    """jsii's node process, None where the runtime does not have the shape this module knows
    (an upgrade then costs the overlap, not correctness: tests/checks/test_cfn_validate.py pins it)."""
    from jsii import _runtime

    provider = getattr(_runtime.kernel, "provider", None)
    process = getattr(provider, "_process", None)
    return process if callable(getattr(process, "send", None)) else None


def _serialize(process: Any) -> None:
    """Make each request and its response one step under :data:`_LOCK` (once per process)."""
    if getattr(process, "_golden_ami_locked", False):
        return
    send: Callable[..., Any] = process.send

    def locked(request: Any, response_type: Any) -> Any:
        with _LOCK:
            response = send(request, response_type)
        if isinstance(response, Callback) and threading.current_thread().name == _THREAD:
            raise RuntimeError(
                "the validation engine's warm-up got a jsii callback; it must use aws-cdk-lib classes only"
            )
        return response

    process.send = locked
    process._golden_ami_locked = True


def _warm_up(outdir: str) -> None:
    """Synthesize a one-resource app of aws-cdk-lib classes only (no Python subclass, aspect,
    plugin or lazy value: nothing node would call back)."""
    import aws_cdk as cdk

    try:
        app = cdk.App(outdir=outdir, analytics_reporting=False, auto_synth=False)
        stack = cdk.Stack(app, "WarmUp", synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
        cdk.CfnWaitConditionHandle(stack, "Handle")  # one resource: an empty template is a finding (F0001)
        app.synth()
    except BaseException as error:  # best effort: the app's own synth builds the engine then
        _ERRORS.append(error)
    finally:
        _BUILT.set()
        shutil.rmtree(outdir, ignore_errors=True)


def _stop_node_if_still_warming(process: Any) -> None:
    """At exit while the warm-up still runs (the app stopped early, on a bad input file for one),
    leave at once: jsii's own exit hook would wait for node to finish the engine. jsii's runtime
    is a node process with a child that runs the kernel; both are ended where Linux lists the
    child (``/proc``), and elsewhere they end by themselves when the engine is built and they
    read the end of their input."""
    if _BUILT.is_set():  # registered only once a warm-up started
        return
    atexit.unregister(process.stop)
    process.stop = lambda: None  # jsii's __del__ calls it too
    node = process._process
    children = ""
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{node.pid}/task/{node.pid}/children").read_text()
    # Node first, then the children listed before: a child killed first lets node see it end and
    # exit on its own, a race that needs no winner but makes node's exit status depend on timing.
    # Each child is held by a process file descriptor first, so that a PID freed meanwhile and
    # given to another process is never signalled.
    held: list[tuple[int, int | None]] = []  # (pid, its descriptor, or None where pidfd is missing)
    for child in children.split():
        with contextlib.suppress(ValueError):
            pid, handle = int(child), None
            with contextlib.suppress(OSError, AttributeError):
                handle = os.pidfd_open(pid)
            held.append((pid, handle))
    with contextlib.suppress(OSError):
        node.kill()
        node.stdin.close()
    for pid, handle in held:
        with contextlib.suppress(OSError):
            if handle is None:
                os.kill(pid, signal.SIGKILL)  # a kernel before Linux 5.3
            else:
                signal.pidfd_send_signal(handle, signal.SIGKILL)
        if handle is not None:
            os.close(handle)
    with contextlib.suppress(subprocess.TimeoutExpired):
        node.wait(timeout=1)
    sink = getattr(process, "sink_thread", None)
    if sink is not None:
        sink.join(timeout=1)  # what node wrote to standard error before it ended still reaches the app's


def start_validation_engine() -> bool:
    """Start building CDK's CloudFormation Validate engine in the background; call it at the top
    of an app, right after ``import aws_cdk``, and before importing the rest.

    Returns whether a warm-up was started: not when ``CDK_VALIDATION=false`` turns the check off
    (there is nothing to build), not a second time in a process, and not when jsii's runtime has
    another shape than the pinned one. Default: not called, and the first synth builds the engine.
    Where later code makes a jsii call before the engine is ready, that call waits for it.
    """
    if _STARTED or os.environ.get("CDK_VALIDATION") == "false":
        return False
    import aws_cdk  # noqa: F401  (starts node and loads aws-cdk-lib before the thread needs them)

    process = _process()
    if process is None:
        return False
    try:
        outdir = tempfile.mkdtemp(prefix="golden-ami-warm-up-")
    except OSError:  # no writable temporary directory: the app's own synth builds the engine
        return False
    _serialize(process)
    # Exit hooks run last registered first: node is stopped, then the throwaway app's directory
    # removed (an app that exits early leaves the thread no time to), then jsii's own hook.
    atexit.register(shutil.rmtree, outdir, ignore_errors=True)
    atexit.register(_stop_node_if_still_warming, process)
    thread = threading.Thread(target=_warm_up, args=(outdir,), name=_THREAD, daemon=True)
    _STARTED.append(thread)
    thread.start()
    return True


def wait_for_validation_engine() -> BaseException | None:
    """Wait for :func:`start_validation_engine`'s warm-up; return what it raised, None when it
    succeeded or none was started. The warm-up is best effort: when it fails, the app's own first
    synth builds the engine (and reports a real failure of it), so an app need not call this."""
    for thread in _STARTED:
        thread.join()
    return _ERRORS[0] if _ERRORS else None
