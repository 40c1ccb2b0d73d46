"""Snapshot tests for apps built with the library: a frozen lock, a fixed environment and a
stack's template, in a call each.

The lock file maps component content to versions. In a test it must be the committed copy and
frozen: then a changed component fails the test, naming the file and how to refresh it, instead
of quietly taking a new version, and the file is never written (a path asked for frozen stays
frozen for the process, so constructs given ``VersionLock.at(path)`` explicitly get it frozen too).

Example (pytest with syrupy)::

    from constructs_lib.testing import ENVIRONMENT, snapshot_app, template_of

    def test_platform_matches_its_snapshot(snapshot):
        app = snapshot_app("tests/golden-ami.lock.json")
        stack = MyPlatformStack(app, "Platform", env=ENVIRONMENT)
        assert template_of(stack) == snapshot
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import aws_cdk as cdk
from aws_cdk.assertions import Template

from .bake.version_lock import VersionLock
from .pipeline.image_pipeline import LOCK_FILE_CONTEXT, LOCK_FROZEN_CONTEXT

ENVIRONMENT: Final = cdk.Environment(account="111111111111", region="eu-west-1")
"""A fixed account and region, so templates do not depend on who runs the test."""
_ASSET_HASH: Final = re.compile(r"[0-9a-f]{64}")


def snapshot_app(
    lock_file: str | Path,
    *,
    cdk_json: str | Path | None = "cdk.json",
    context: Mapping[str, Any] | None = None,
) -> cdk.App:
    """An app whose pipelines read ``lock_file`` frozen, with the context of ``cdk_json`` (the
    feature flags ``cdk synth`` uses; None for none) and ``context`` on top.

    :param lock_file: the committed lock file (``golden-ami.lock.json``); it must exist.
    :param cdk_json: the app's ``cdk.json``, relative to the working directory. Default: ``cdk.json``,
        skipped when absent.
    :param context: more context values. Default: none.
    """
    path = Path(lock_file)
    if not path.is_file():
        raise ValueError(
            f"lock_file: {str(path)!r} is not a file; give the lock file your synth writes and you commit "
            "(golden-ami.lock.json next to app.py by default), relative to the working directory"
        )
    found: dict[str, Any] = {}
    if cdk_json is not None and Path(cdk_json).is_file():
        found = dict(json.loads(Path(cdk_json).read_text(encoding="utf-8")).get("context", {}))
    VersionLock.at(path, frozen=True)
    return cdk.App(context={**found, **(context or {}), LOCK_FILE_CONTEXT: str(path), LOCK_FROZEN_CONTEXT: "true"})


def template_of(stack: cdk.Stack) -> Any:
    """``stack``'s template with asset hashes replaced by ``<asset-hash>``, so a snapshot follows
    what the template says, not the bytes of a bundled function."""
    text = json.dumps(Template.from_stack(stack).to_json(), sort_keys=True)
    return json.loads(_ASSET_HASH.sub("<asset-hash>", text))
