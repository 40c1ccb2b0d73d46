"""The package as a user installs it: nothing points outside the repository, synthesis needs no
boto3, and every pattern check matches whole values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import constructs_lib
from constructs_lib import LaunchPermission, RegionTarget, RootVolume

ROOT = Path(__file__).resolve().parent.parent


def test_no_tracked_symlink_leaves_the_repository() -> None:
    listing = subprocess.run(["git", "ls-files", "-s"], cwd=ROOT, capture_output=True, text=True, check=True)
    escaping = []
    for line in listing.stdout.splitlines():
        mode, _, rest = line.partition(" ")
        path = rest.split("\t", 1)[1]
        if mode == "120000":
            target = (ROOT / path).parent / Path(
                subprocess.run(
                    ["git", "cat-file", "-p", rest.split()[0]], cwd=ROOT, capture_output=True, text=True, check=True
                ).stdout
            )
            if not target.resolve().is_relative_to(ROOT):
                escaping.append(path)
    assert escaping == []


def test_public_api_imports_without_botocore() -> None:
    # A library install has no boto3: only the Lambda runtime and the [cli] extra do.
    code = (
        "import sys; sys.modules['botocore'] = None; sys.modules['boto3'] = None\n"
        "import constructs_lib\n"
        "for name in constructs_lib.__all__: getattr(constructs_lib, name)\n"
        "from constructs_lib.factory.app import build_factory\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_every_public_name_resolves() -> None:
    assert sorted(name for name in constructs_lib.__all__ if getattr(constructs_lib, name) is None) == []


@pytest.mark.parametrize(
    "make",
    [
        lambda: LaunchPermission(accounts=("333333333333\n",)),
        lambda: LaunchPermission(accounts=("\u0663" * 12,)),  # Arabic-Indic digits are not an account
        lambda: LaunchPermission(
            organizational_units=("arn:aws:organizations::111111111111:ou/o-exampleorg1/ou-ab12-cdefgh34\n",)
        ),
        lambda: RegionTarget(region="us-east-1", target_accounts=("222222222222\n",)),
        lambda: RootVolume(device_name="/dev/xvda\n"),
    ],
    ids=["account", "unicode-digits", "ou", "destination", "device"],
)
def test_rejects_values_with_a_trailing_newline_or_foreign_digits(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]
