"""Every example factory file synthesizes like the default one: the four cdk-nag packs, cfn-lint
in each stack's region, checkov, and CloudFormation's limits (the large fleet above all)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

import app as factory_app
from constructs_lib import VersionLock
from constructs_lib.checks.preflight import Assembly, Severity, run
from tests.conftest import CONTEXT, ROOT, lint_errors
from tests.test_checkov import checkov, failed_by_directory

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
SMALL = [p.stem for p in EXAMPLES if p.stem != "large-fleet"]
TEMPLATE_MAX = 1_048_576  # bytes: CloudFormation's limit for a template uploaded through S3
RESOURCES_MAX = 500


def synth_example(name: str, outdir: Path) -> cdk.cx_api.CloudAssembly:
    """Synthesize examples/<name>.yaml as CI does: frozen lock, the four cdk-nag packs."""
    app = cdk.App(
        context={**CONTEXT, "factory": str(ROOT / "examples" / f"{name}.yaml"), "golden-ami:versionLockFrozen": "true"},
        outdir=str(outdir),
    )
    factory_app.build(app)
    cdk.Validations.of(app).add_plugins(*factory_app.compliance_packs(app))
    return app.synth()  # raises on any unacknowledged finding of the four packs


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, cdk.cx_api.CloudAssembly]:
    """Every example but the large fleet, synthesized once for the module."""
    return {name: synth_example(name, tmp_path_factory.mktemp(name)) for name in SMALL}


@pytest.fixture(params=SMALL)
def example(request: pytest.FixtureRequest, examples: dict[str, cdk.cx_api.CloudAssembly]) -> cdk.cx_api.CloudAssembly:
    return examples[request.param]


@pytest.fixture(scope="module")
def checkov_failures(examples: dict[str, cdk.cx_api.CloudAssembly]) -> dict[Path, list[str]]:
    """checkov's failed checks of every example, from one checkov run over all of them."""
    directories = [Path(a.directory) for a in examples.values()]
    (report,) = checkov(*directories)
    return failed_by_directory(report, directories)


def test_examples_cover_the_major_features() -> None:
    assert {p.stem for p in EXAMPLES} >= {
        "minimal",
        "layered",
        "multi-account",
        "consumers",
        "lifecycle",
        "large-fleet",
        "vm-import",
        "capture",
        "windows",
    }


def check_lint(assembly: cdk.cx_api.CloudAssembly) -> None:
    for stack in assembly.stacks:
        assert lint_errors(stack.template, stack.environment.region) == [], stack.stack_name


def check_checkov(assembly: cdk.cx_api.CloudAssembly) -> None:
    (report,) = checkov(Path(assembly.directory))
    assert [c["check_id"] for c in report["results"]["failed_checks"]] == []


def check_limits(assembly: cdk.cx_api.CloudAssembly) -> None:
    for stack in assembly.stacks:
        template: dict[str, Any] = stack.template
        assert len(template["Resources"]) <= RESOURCES_MAX, stack.stack_name
        size = (Path(assembly.directory) / stack.template_file).stat().st_size
        assert size <= TEMPLATE_MAX, f"{stack.stack_name}: {size} bytes"


def test_example_passes_cfn_lint_in_every_region(example: cdk.cx_api.CloudAssembly) -> None:
    check_lint(example)


def test_example_passes_checkov(example: cdk.cx_api.CloudAssembly, checkov_failures: dict[Path, list[str]]) -> None:
    assert checkov_failures[Path(example.directory)] == []


def test_example_stays_within_cloudformation_limits(example: cdk.cx_api.CloudAssembly) -> None:
    check_limits(example)


def check_preflight(assembly: cdk.cx_api.CloudAssembly) -> None:
    errors = [str(f) for f in run(Assembly.from_directory(assembly.directory)) if f.severity is Severity.ERROR]
    assert errors == []


def test_example_passes_the_preflight(example: cdk.cx_api.CloudAssembly) -> None:
    check_preflight(example)


def test_windows_example_smoke_tests_in_powershell_logs_its_first_build_and_names_fast_launch(
    examples: dict[str, cdk.cx_api.CloudAssembly],
) -> None:
    from scripts.summary import summarize

    assembly = examples["windows"]
    resources = {k: v for s in assembly.stacks for k, v in s.template["Resources"].items()}
    (smoke,) = [r for r in resources.values() if r["Type"] == "AWS::ImageBuilder::Workflow"]
    assert "AWS-RunPowerShellScript" in smoke["Properties"]["Data"]
    assert "AWS-RunShellScript" not in smoke["Properties"]["Data"]
    images = [r for r in resources.values() if r["Type"] == "AWS::ImageBuilder::Image"]
    assert {"LogGroupName": "/aws/imagebuilder/iis"} in [r["Properties"].get("LoggingConfiguration") for r in images]
    lines = summarize(Path(assembly.directory))
    assert (
        "    eu-west-1: no copies; launchable by this account only; default EBS key; EC2 Fast Launch (5 snapshots, up to 6 "
        "launches); latest AMI in /golden-ami/iis/latest" in lines
    )
    assert "  launch template: no image of its own (the launching AMI's, as for EC2 Fast Launch)" in lines
    assert "  launch template: image resolve:ssm:/golden-ami/iis/latest" in lines


@pytest.mark.parametrize("name", SMALL)
def test_example_keeps_every_resource_its_lock_file_records(
    name: str, examples: dict[str, cdk.cx_api.CloudAssembly]
) -> None:
    # The lock file's record is the last clean `make synth FACTORY=examples/<name>.yaml`: a change
    # to the library that would replace or delete one of an example's resources fails here.
    from constructs_lib.checks.preflight.changes import record
    from constructs_lib.checks.preflight.replacement import Kind, classify

    recorded = VersionLock.at(ROOT / "examples" / f"{name}.lock.json", frozen=True).resources
    assert recorded, f"examples/{name}.lock.json has no record; run make synth FACTORY=examples/{name}.yaml"
    changes = classify(recorded, record(Assembly.from_directory(examples[name].directory)))
    assert [str(c) for c in changes if c.kind in (Kind.REPLACE, Kind.DELETE)] == []


def test_example_resource_types_are_in_the_replacement_guards_table(example: cdk.cx_api.CloudAssembly) -> None:
    from tests.checks.preflight.test_replacement import check_create_only_table

    check_create_only_table(Path(example.directory))


def test_example_deploy_policies_cover_every_resource_type(example: cdk.cx_api.CloudAssembly) -> None:
    from tests.factory.test_deploy_policies import check_policies

    assert check_policies(Path(example.directory))


def test_multi_account_example_gets_one_bootstrap_per_stack_environment(
    examples: dict[str, cdk.cx_api.CloudAssembly],
) -> None:
    from constructs_lib.factory.bootstrap import bootstraps

    assembly = examples["multi-account"]
    environments = {(s.environment.account, s.environment.region) for s in assembly.stacks}
    found = bootstraps(Path(assembly.directory))
    assert sorted((b.account, b.region) for b in found) == sorted(environments)
    home = next(s.environment.account for s in assembly.stacks if s.stack_name == "GoldenAmiFactory")
    assert len({b.account for b in found}) > 1  # the example reaches another account
    assert all((b.trust is None) == (b.account == home) for b in found)
    assert all(b.policies for b in found)


def test_multi_account_examples_notifications_reach_the_topic_from_every_region_and_account(
    examples: dict[str, cdk.cx_api.CloudAssembly],
) -> None:
    """The example with notifications: (linted, scanned, nagged and preflighted above) holds the topic,
    the bus, the build metrics' function and the dashboard, and a rule to the topic or the bus in the
    factory stack and every consumer stack, whatever its account and region."""
    assembly = examples["multi-account"]
    hub = assembly.get_stack_by_name("GoldenAmiNotifications").template["Resources"].values()
    kinds = sorted(r["Type"] for r in hub)
    for kind in ("AWS::SNS::Topic", "AWS::Events::EventBus", "AWS::Lambda::Function", "AWS::CloudWatch::Dashboard"):
        assert kinds.count(kind) == 1, kind
    topic = "arn:aws:sns:us-east-1:111111111111:golden-ami-notifications"
    bus = "arn:aws:events:us-east-1:111111111111:event-bus/golden-ami-notifications"
    expected = {
        "GoldenAmiFactory": topic,
        "GoldenAmiConsumers-us-east-1": topic,
        "GoldenAmiConsumers-us-west-2": bus,
        "GoldenAmiConsumers-222222222222-us-east-1": bus,
        "GoldenAmiConsumers-222222222222-eu-west-1": bus,
    }
    for name, target in expected.items():
        rules = assembly.get_stack_by_name(name).template["Resources"].items()
        notices = {
            t["Arn"]
            for k, r in rules
            if r["Type"] == "AWS::Events::Rule" and "Notice" in k
            for t in r["Properties"]["Targets"]
        }
        assert notices == {target}, name


def test_multi_account_example_runs_a_fleet_in_a_destination_account_on_that_accounts_parameter(
    examples: dict[str, cdk.cx_api.CloudAssembly],
) -> None:
    assembly = examples["multi-account"]
    factory = assembly.get_stack_by_name("GoldenAmiFactory")
    workload = {s.stack_name: s for s in assembly.stacks if s.stack_name.startswith("GoldenAmiConsumers-2222")}
    assert sorted(workload) == [
        "GoldenAmiConsumers-222222222222-eu-west-1",
        "GoldenAmiConsumers-222222222222-us-east-1",
    ]
    (distribution,) = [
        r for r in factory.template["Resources"].values() if r["Type"] == "AWS::ImageBuilder::DistributionConfiguration"
    ]
    for stack in workload.values():
        assert stack.environment.account == "222222222222"
        (template,) = [r for r in stack.template["Resources"].values() if r["Type"] == "AWS::EC2::LaunchTemplate"]
        image = template["Properties"]["LaunchTemplateData"]["ImageId"]
        assert image == "resolve:ssm:/golden-ami/base-ubuntu/latest"
        # Image Builder writes that name in that account and region, as a target account of the region.
        (entry,) = [d for d in distribution["Properties"]["Distributions"] if d["Region"] == stack.environment.region]
        assert "222222222222" in entry["AmiDistributionConfiguration"]["TargetAccountIds"]
        assert {"ParameterName": "/golden-ami/base-ubuntu/latest", "AmiAccountId": "222222222222"}.items() <= next(
            p for p in entry["SsmParameterConfigurations"] if p.get("AmiAccountId") == "222222222222"
        ).items()
        # Its Auto Scaling's grants on the factory's keys come first, and the pipelines before it.
        needs = {d.id for d in stack.dependencies}
        assert {"GoldenAmiDestination-222222222222", "GoldenAmiFactory"} <= needs


def test_every_account_that_receives_copies_holds_the_lifecycle_role(
    examples: dict[str, cdk.cx_api.CloudAssembly],
) -> None:
    from tests.distribute.test_destination import check_lifecycle_role

    assembly = examples["multi-account"]
    factory = assembly.get_stack_by_name("GoldenAmiFactory").environment.account
    destinations = [s for s in assembly.stacks if s.stack_name.startswith("GoldenAmiDestination-")]
    assert sorted(s.environment.account for s in destinations) == ["222222222222", "444444444444"]
    for stack in destinations:
        check_lifecycle_role(stack.template["Resources"], factory, stack.environment.account)
    (stackset,) = [
        r
        for r in assembly.get_stack_by_name("GoldenAmiMemberAccounts").template["Resources"].values()
        if r["Type"] == "AWS::CloudFormation::StackSet"
    ]
    member = json.loads(stackset["Properties"]["TemplateBody"])
    check_lifecycle_role(member["Resources"], factory, {"Ref": "AWS::AccountId"})


def check_trusts(assembly: cdk.cx_api.CloudAssembly) -> None:
    """No trust policy of ``assembly`` lacks its documented conditions, and every iam:PassRole
    names its service (tests/test_trust_policies.py)."""
    from tests.test_trust_policies import pass_role_problems, trust_problems

    templates = {s.stack_name: s.template for s in assembly.stacks}
    accounts = {s.stack_name: s.environment.account for s in assembly.stacks}
    assert list(trust_problems(templates, accounts)) == []
    assert list(pass_role_problems(templates)) == []


def test_no_trust_policy_of_an_example_lacks_its_documented_conditions(example: cdk.cx_api.CloudAssembly) -> None:
    check_trusts(example)


def test_a_destination_accounts_label_role_may_label_exactly_the_factorys_parameter(
    examples: dict[str, cdk.cx_api.CloudAssembly],
) -> None:
    assembly = examples["multi-account"]
    factory = assembly.get_stack_by_name("GoldenAmiFactory").environment.account
    resources = assembly.get_stack_by_name("GoldenAmiDestination-222222222222").template["Resources"]
    (role_id,) = [k for k, r in resources.items() if r["Properties"].get("RoleName") == "GoldenAmiLabels"]
    (trust,) = resources[role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": f"arn:aws:iam::{factory}:root"}
    assert trust["Condition"] == {"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{factory}:role/GoldenAmiLabeller"}}
    statements = [
        s
        for r in resources.values()
        if r["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in r["Properties"]["Roles"]
        for s in r["Properties"]["PolicyDocument"]["Statement"]
    ]
    labelling = [s for s in statements if "ssm:LabelParameterVersion" in s["Action"]]
    (statement,) = labelling
    # Exactly that parameter, in any region it is written in, and nothing else.
    assert statement["Resource"] == "arn:aws:ssm:*:222222222222:parameter/golden-ami/base-ubuntu/latest"
    assert sorted(statement["Action"]) == [
        "ssm:GetParameter",
        "ssm:GetParameterHistory",
        "ssm:LabelParameterVersion",
        "ssm:UnlabelParameterVersion",
    ]
