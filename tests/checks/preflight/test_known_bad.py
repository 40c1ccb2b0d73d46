"""The known-bad fixtures (what commit a13cec7 synthesized before "Deployable on AWS"): the
preflight reports each defect of that issue by rule ID."""

from __future__ import annotations

from pathlib import Path

import pytest

from constructs_lib.checks.preflight import Finding, Severity, preflight

KNOWN_BAD = Path(__file__).resolve().parents[2] / "fixtures" / "preflight" / "known_bad"


@pytest.fixture(scope="module")
def default() -> list[Finding]:
    return preflight(KNOWN_BAD / "default")


@pytest.fixture(scope="module")
def multi_account() -> list[Finding]:
    return preflight(KNOWN_BAD / "multi-account")


def found(findings: list[Finding], rule: str, severity: Severity = Severity.ERROR) -> list[Finding]:
    return [f for f in findings if f.rule == rule and f.severity is severity]


def test_item_1_home_region_ami_on_the_default_ebs_key(default: list[Finding], multi_account: list[Finding]) -> None:
    assert {f.resources[0] for f in found(default, "GA-P001")} == {
        "GoldenAmiFactory/baseal2023x8664Recipe7405A158",
        "GoldenAmiFactory/baseal2023arm64Recipe2B2D20AD",
        "GoldenAmiFactory/webserverx8664Recipe959B4BBF",
    }
    assert [f.resources[0] for f in found(multi_account, "GA-P001")] == [
        "GoldenAmiFactory/baseubuntux8664Recipe473D89BD"
    ]


def test_item_2_auto_scaling_cannot_use_the_distribution_keys(
    default: list[Finding], multi_account: list[Finding]
) -> None:
    for findings, regions in ((default, ("us-east-1", "ap-southeast-2")), (multi_account, ("us-west-2", "eu-west-1"))):
        factory = [f for f in found(findings, "GA-P002") if "Auto Scaling cannot launch" in f.message]
        assert {f.resources for f in factory} == {(f"GoldenAmiKeys-{r}/DistributionKey7E662550",) for r in regions}
        assert any(
            "no stack of account 222222222222 grants its AWSServiceRoleForAutoScaling" in f.message
            for f in found(findings, "GA-P002")
        )


def test_item_3_ou_sharing_without_its_key_statement(default: list[Finding], multi_account: list[Finding]) -> None:
    assert len(found(default, "GA-P003")) == 6  # three images, two copy regions each
    assert len(found(multi_account, "GA-P003")) == 2
    assert all("ou-ab12-cdefgh34" in f.message for f in found(default, "GA-P003"))


def test_item_4_stackset_role_collides_with_a_destination_role(
    default: list[Finding], multi_account: list[Finding]
) -> None:
    assert [f.resources for f in found(default, "GA-P004")] == [
        (
            "GoldenAmiMemberAccounts/DistributionAccess57CD084B",
            "GoldenAmiDestination-222222222222/ImageBuilderAccess1AC4DB3E",
        )
    ]
    assert len(found(multi_account, "GA-P004")) == 2


def test_item_5_call_as_contradicts_the_management_account(
    default: list[Finding], multi_account: list[Finding]
) -> None:
    assert [f.resources for f in found(default, "GA-P010")] == [("GoldenAmiMemberAccounts/DistributionAccess57CD084B",)]
    assert found(multi_account, "GA-P010") == []  # the example chose SELF


def test_item_6_builds_assume_the_default_vpc(default: list[Finding], multi_account: list[Finding]) -> None:
    assert len(found(default, "GA-P009", Severity.WARNING)) == 3
    assert len(found(multi_account, "GA-P009", Severity.WARNING)) == 1


def test_item_7_consumers_lose_their_parameter_when_a_region_is_added(default: list[Finding]) -> None:
    assert {f.resources[0] for f in found(default, "GA-P007")} == {
        f"GoldenAmiConsumers-{r}/webserverLaunchTemplateDB3CAC2B" for r in ("eu-west-1", "us-east-1", "ap-southeast-2")
    }


def test_item_8_removing_an_image_orphans_its_amis(default: list[Finding], multi_account: list[Finding]) -> None:
    assert len(found(default, "GA-P012")) == 3
    assert len(found(multi_account, "GA-P012")) == 1


def test_item_9_destination_role_lacks_documented_kms_actions(default: list[Finding]) -> None:
    assert {f.resources for f in found(default, "GA-P013")} == {
        ("GoldenAmiDestination-222222222222/ImageBuilderAccess1AC4DB3E",),
        ("GoldenAmiMemberAccounts/DistributionAccess57CD084B",),
    }
    assert len(found(default, "GA-P013", Severity.WARNING)) == 2  # kms:ResourceAliases on another account's keys


def test_reserved_concurrency_is_refused(default: list[Finding]) -> None:
    assert len(found(default, "GA-P011", Severity.ERROR)) == 3 and not found(default, "GA-P011", Severity.WARNING)


def test_nothing_false_on_the_known_bad_default(default: list[Finding]) -> None:
    assert {f.rule for f in default if f.severity is Severity.ERROR} == {
        "GA-P001",
        "GA-P002",
        "GA-P003",
        "GA-P004",
        "GA-P007",
        "GA-P010",
        "GA-P011",
        "GA-P012",
        "GA-P013",
        # Not a defect of that issue, but one all the same: the destination accounts had no lifecycle
        # role, so their copies were never retired (issue "Fleets in workload accounts").
        "GA-P019",
    }


def test_copies_in_destination_accounts_were_never_retired(default: list[Finding]) -> None:
    assert [f.message.split(",")[0] for f in found(default, "GA-P019")] == [
        "copies AMIs into account 222222222222"
    ] * len(found(default, "GA-P019"))
    assert found(default, "GA-P019")
