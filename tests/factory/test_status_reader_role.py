"""StatusReaderRole: what golden-ami-status may do at home, and whose GoldenAmiStatus it may assume."""

from __future__ import annotations

import json

import pytest

from constructs_lib.factory.status_reader_role import StatusReaderRole
from tests.conftest import make_stack, synth_with_nag, template


def _statements(**props: object) -> dict[str, dict[str, object]]:
    stack = make_stack()
    StatusReaderRole(stack, "Status", parameter_names=["/golden-ami/web/latest"], **props)  # type: ignore[arg-type]
    synth_with_nag(stack)
    (policy,) = template(stack).find_resources("AWS::IAM::Policy").values()
    return {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}


def test_assumes_only_the_status_roles_of_the_destinations_given() -> None:
    found = _statements(destination_accounts=["222222222222"])
    assert found["ReadInDestinationAccounts"]["Resource"] == "arn:aws:iam::222222222222:role/GoldenAmiStatus"
    anywhere = _statements()
    assert ":iam::*:role/GoldenAmiStatus" in json.dumps(anywhere["ReadInDestinationAccounts"]["Resource"])


def test_reads_images_of_this_account_only_and_changes_nothing() -> None:
    found = _statements(destination_accounts=["222222222222"])
    assert found["ReadImages"]["Action"] == "imagebuilder:GetImage"
    assert ":imagebuilder:*:" in json.dumps(found["ReadImages"]["Resource"])
    actions = [a for s in found.values() for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert all(a.split(":")[1].startswith(("Get", "List", "Describe", "AssumeRole")) for a in actions), actions


def test_refuses_no_parameters() -> None:
    with pytest.raises(ValueError, match=r"parameter_names: \(\) names no parameter"):
        StatusReaderRole(make_stack(), "Status", parameter_names=[])
