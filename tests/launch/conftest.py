"""The rollout function's test region (``rollout_world.World``), shared by its test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from tests.launch.rollout_world import REGION, World


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield World()
