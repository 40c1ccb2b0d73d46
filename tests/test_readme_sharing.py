"""The README's key policy table says what the sample factory's key policies grant, row by row."""

from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_lib import DistributionKey, LaunchPermission
from constructs_lib.factory.app import Factory
from tests.conftest import ROOT, template

SECTION = (ROOT / "README.md").read_text().split("## Distribution and sharing", 1)[1].split("\n## ", 1)[0]
HEADER = "| principal | Sid prefix | may | bound |"
# What each word of the "may" column means as key policy statements (README, under the table).
USE = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
LAUNCH = ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*"]


def table() -> list[dict[str, str]]:
    lines = SECTION.split(HEADER, 1)[1].strip().splitlines()[1:]  # skip the | --- | line
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        principal, sid, may, bound = (cell.strip() for cell in line.strip("|").split("|"))
        rows.append({"principal": principal, "sid": sid.strip("`"), "may": may, "bound": bound})
    return rows


def key_policies(default_templates: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Region -> Sid -> statement of each region's distribution key."""
    found = {}
    for name, body in default_templates.items():
        if name.startswith("GoldenAmiKeys-"):
            (key,) = [r for r in body["Resources"].values() if r["Type"] == "AWS::KMS::Key"]
            statements = key["Properties"]["KeyPolicy"]["Statement"]
            found[name.removeprefix("GoldenAmiKeys-")] = {s.get("Sid", "<administration>"): s for s in statements}
    return found


def test_the_table_is_there() -> None:
    assert len(table()) == 7


def check(statements: dict[str, dict[str, Any]], rows: list[dict[str, str]]) -> None:
    """``statements`` (Sid -> statement) are exactly what ``rows`` of the table say."""
    expected = {"<administration>"}
    for row in rows:
        sid, may = row["sid"], [w.strip() for w in row["may"].split(",")]
        use = statements[f"{sid}Use"]
        assert sorted(use["Action"]) == (USE if may[0] == "use" else LAUNCH), sid
        expected.add(f"{sid}Use")
        assert "grants for AWS resources" in may
        grants = statements[f"{sid}GrantsForAwsResources"]
        assert grants["Action"] == "kms:CreateGrant" and grants["Condition"]["Bool"] == {
            "kms:GrantIsForAWSResource": "true"
        }
        expected.add(f"{sid}GrantsForAwsResources")
        if "Auto Scaling grant" in may:
            auto_scaling = statements[f"{sid}GrantsForAutoScaling"]["Condition"]
            grantees = next(v["kms:GranteePrincipal"] for v in auto_scaling.values() if "kms:GranteePrincipal" in v)
            assert all(g.endswith("/AWSServiceRoleForAutoScaling") for g in grantees)
            assert "kms:GrantOperations" in auto_scaling["ForAllValues:StringEquals"]
            expected.add(f"{sid}GrantsForAutoScaling")
        # The bound column names exactly the condition keys of the statement, and "*" rows are
        # exactly the statements with principal "*".
        keys = {k for operator in use.get("Condition", {}).values() for k in operator}
        assert keys == set(re.findall(r"`([\w:]+)`", row["bound"])), sid
        assert (use["Principal"] == {"AWS": "*"}) == row["principal"].startswith("`*`"), sid
    assert set(statements) == expected


@pytest.mark.parametrize("region", ["eu-west-1", "us-east-1", "ap-southeast-2"])
def test_sample_factory_key_policies_match_the_readme_table(
    default_factory: Factory, default_templates: dict[str, Any], region: str
) -> None:
    # The sample shares with an OU, not a whole organization: every other row applies to it.
    assert default_factory.model.sharing.organizations == []
    check(key_policies(default_templates)[region], [r for r in table() if r["sid"] != "Organizations"])


def test_a_key_shared_with_everything_matches_every_row_of_the_table(stack: cdk.Stack) -> None:
    DistributionKey(
        stack,
        "DistributionKey",
        accounts=("222222222222",),
        launch_permission=LaunchPermission(
            accounts=("333333333333",),
            organizations=("arn:aws:organizations::111111111111:organization/o-exampleorg1",),
            organizational_units=("arn:aws:organizations::111111111111:ou/o-exampleorg1/ou-ab12-cdefgh34",),
        ),
        builder_role_arns=("arn:aws:iam::111111111111:role/GoldenAmiFactory*",),
    )
    (key,) = template(stack).find_resources("AWS::KMS::Key").values()
    check({s.get("Sid", "<administration>"): s for s in key["Properties"]["KeyPolicy"]["Statement"]}, table())
