"""The default factory as `make synth` builds it: snapshot, cfn-lint, cdk-nag, lock, summary."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from app import build, compliance_packs, young_generation
from constructs_lib.checks.preflight import Assembly, Severity, run
from scripts.summary import summarize
from tests.conftest import DEFAULT_LOCK
from tests.conftest import lint_errors as errors_and_warnings

_ASSET_HASH = re.compile(r"[0-9a-f]{64}")


def scrubbed(template: dict[str, Any]) -> Any:
    """The template with asset hashes replaced, so snapshots track content, not hashes."""
    return json.loads(_ASSET_HASH.sub("<asset-hash>", json.dumps(template, sort_keys=True)))


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def test_default_factory_matches_its_snapshot(
    default_templates: dict[str, Any], snapshot_json: SnapshotAssertion
) -> None:
    assert scrubbed(default_templates) == snapshot_json


def by_name(default_templates: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    resources = default_templates["GoldenAmiFactory"]["Resources"].values()
    return {r["Properties"]["Name"]: r["Properties"] for r in resources if r["Type"] == kind}


def test_default_factory_has_a_layered_family_in_both_architectures(default_templates: dict[str, Any]) -> None:
    pipelines = by_name(default_templates, "AWS::ImageBuilder::ImagePipeline")
    assert list(pipelines) == ["base-al2023-x86-64", "base-al2023-arm64", "web-server"]
    recipes = by_name(default_templates, "AWS::ImageBuilder::ImageRecipe")
    assert recipes["base-al2023-arm64"]["ParentImage"].endswith("al2023-ami-kernel-default-arm64")
    # The web server is layered on the x86_64 base and rebuilt when the base has a new version.
    assert recipes["web-server"]["ParentImage"] == (
        "arn:aws:imagebuilder:eu-west-1:111111111111:image/base-al2023-x86-64/x.x.x"
    )
    assert pipelines["web-server"]["Schedule"]["PipelineExecutionStartCondition"] == (
        "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE"
    )
    assert [m["DeviceName"] for m in recipes["web-server"]["BlockDeviceMappings"]] == ["/dev/xvda", "/dev/xvdf"]
    infra = by_name(default_templates, "AWS::ImageBuilder::InfrastructureConfiguration")
    assert infra["base-al2023-arm64"]["InstanceTypes"] == ["m7g.large", "m6g.large"]
    policies = by_name(default_templates, "AWS::ImageBuilder::LifecyclePolicy")
    assert {r["Name"] for p in policies.values() for r in p["ResourceSelection"]["Recipes"]} == set(recipes)


def test_default_factory_distributes_to_three_regions_another_account_an_ou_and_an_account(
    default_templates: dict[str, Any],
) -> None:
    dist = by_name(default_templates, "AWS::ImageBuilder::DistributionConfiguration")["web-server"]
    assert [d["Region"] for d in dist["Distributions"]] == ["eu-west-1", "us-east-1", "ap-southeast-2"]
    for d in dist["Distributions"]:
        ami = d["AmiDistributionConfiguration"]
        assert ami["TargetAccountIds"] == ["222222222222"]
        assert ami["KmsKeyId"] == f"arn:aws:kms:{d['Region']}:111111111111:alias/golden-ami/distribution"
        assert ami["LaunchPermissionConfiguration"] == {
            "UserIds": ["333333333333"],
            "OrganizationalUnitArns": ["arn:aws:organizations::444444444444:ou/o-exampleorg1/ou-ab12-cdefgh34"],
        }
        assert "{{ imagebuilder:buildDate }}" in ami["Name"]
        assert set(ami["AmiTags"]) >= {
            "golden-ami:pipeline",
            "golden-ami:recipe",
            "golden-ami:base-image",
            "golden-ami:components",
        }
        assert d["SsmParameterConfigurations"] == [
            {"ParameterName": "/golden-ami/web-server/latest", "DataType": "aws:ec2:image"},
            {
                "ParameterName": "/golden-ami/web-server/latest",
                "DataType": "aws:ec2:image",
                "AmiAccountId": "222222222222",
            },
        ]
    # Each region's key exists, in the factory account, and names both other accounts.
    for region in ("eu-west-1", "us-east-1", "ap-southeast-2"):
        keys = default_templates[f"GoldenAmiKeys-{region}"]["Resources"]
        alias = next(r["Properties"] for r in keys.values() if r["Type"] == "AWS::KMS::Alias")
        assert alias["AliasName"] == "alias/golden-ami/distribution"
        policy = json.dumps(next(r for r in keys.values() if r["Type"] == "AWS::KMS::Key")["Properties"]["KeyPolicy"])
        assert ":iam::222222222222:root" in policy and ":iam::333333333333:root" in policy
        # "*" only for the OU the AMIs are shared with, bounded by its organization and path.
        statements = json.loads(policy)["Statement"]
        stars = [s for s in statements if s["Principal"] == {"AWS": "*"}]
        assert stars and all(
            s["Condition"]["StringEquals"]["aws:PrincipalOrgID"] == ["o-exampleorg1"]
            and s["Condition"]["ForAnyValue:StringLike"]
            == {"aws:PrincipalOrgPaths": ["o-exampleorg1/*/ou-ab12-cdefgh34/*"]}
            for s in stars
        )
        sids = {s.get("Sid") for s in statements}
        assert {
            "ImageBuilderServiceLinkedRoleUse",
            "AutoScalingServiceLinkedRoleUse",
            "PipelineExecutionRolesUse",
        } <= sids


def test_default_factory_recipes_encrypt_with_the_home_key(default_templates: dict[str, Any]) -> None:
    """The AMI built at home is shared there and copied into 222222222222: its volumes are on the
    home region's distribution key, not the account's default EBS key."""
    recipes = by_name(default_templates, "AWS::ImageBuilder::ImageRecipe")
    assert set(recipes) == {"base-al2023-x86-64", "base-al2023-arm64", "web-server"}
    for recipe in recipes.values():
        for mapping in recipe["BlockDeviceMappings"]:
            assert mapping["Ebs"]["Encrypted"] is True
            assert mapping["Ebs"]["KmsKeyId"] == "arn:aws:kms:eu-west-1:111111111111:alias/golden-ami/distribution"
    resources = default_templates["GoldenAmiFactory"]["Resources"].values()
    uses = [
        s
        for r in resources
        if r["Type"] == "AWS::IAM::Policy"
        for s in r["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Sid") == "UseRecipeKey"
    ]
    assert len(uses) == 3  # each pipeline's execution role


def test_default_factory_includes_the_destination_role_and_the_stackset(
    default_assembly: cdk.cx_api.CloudAssembly,
) -> None:
    destination = default_assembly.get_stack_by_name("GoldenAmiDestination-222222222222")
    assert destination.environment.account == "222222222222"
    roles = [r["Properties"] for r in destination.template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    names = [r.get("RoleName") for r in roles]
    assert sorted(n for n in names if n) == [
        "EC2ImageBuilderDistributionCrossAccountRole",
        "Ec2ImageBuilderCrossAccountLifecycleAccess",
        "GoldenAmiLabels",
        "GoldenAmiRevoke",
        "GoldenAmiStatus",
    ]
    assert names.count(None) == 1
    named = {r["RoleName"]: r for r in roles if r.get("RoleName")}
    assert ":iam::111111111111:root" in json.dumps(
        named["EC2ImageBuilderDistributionCrossAccountRole"]["AssumeRolePolicyDocument"]
    )
    assert ":iam::111111111111:role/GoldenAmiRevoker" in json.dumps(
        named["GoldenAmiRevoke"]["AssumeRolePolicyDocument"]
    )
    assert ":iam::111111111111:role/GoldenAmiStatusReader" in json.dumps(
        named["GoldenAmiStatus"]["AssumeRolePolicyDocument"]
    )
    # Its Auto Scaling gets a grant on each region's key, after the keys exist.
    grants = [
        r["Properties"]
        for r in destination.template["Resources"].values()
        if r["Type"] == "Custom::AutoScalingKeyGrant"
    ]
    assert sorted(g["Region"] for g in grants) == ["ap-southeast-2", "eu-west-1", "us-east-1"]
    assert {d.id for d in destination.dependencies} >= {
        f"GoldenAmiKeys-{r}" for r in ("eu-west-1", "us-east-1", "ap-southeast-2")
    }
    members = default_assembly.get_stack_by_name("GoldenAmiMemberAccounts").template["Resources"]
    (stack_set,) = [r["Properties"] for r in members.values() if r["Type"] == "AWS::CloudFormation::StackSet"]
    # The destination has the role from its own stack: the StackSet leaves it out (the same role
    # name twice would fail).
    assert stack_set["StackInstancesGroup"][0]["DeploymentTargets"] == {
        "OrganizationalUnitIds": ["ou-ab12-cdefgh34"],
        "Accounts": ["222222222222"],
        "AccountFilterType": "DIFFERENCE",
    }
    # The sample builds in a member account: its OU ARN names another management account.
    assert stack_set["CallAs"] == "DELEGATED_ADMIN"
    factory = default_assembly.get_stack_by_name("GoldenAmiFactory")
    assert {d.id for d in factory.dependencies} >= {
        "GoldenAmiKeys-eu-west-1",
        "GoldenAmiKeys-us-east-1",
        "GoldenAmiKeys-ap-southeast-2",
        "GoldenAmiDestination-222222222222",
    }


def test_every_region_the_factory_reaches_has_a_consumer_stack(
    default_assembly: cdk.cx_api.CloudAssembly, default_templates: dict[str, Any]
) -> None:
    resources = default_templates["GoldenAmiFactory"]["Resources"]
    dist = by_name(default_templates, "AWS::ImageBuilder::DistributionConfiguration")["web-server"]
    for region in [d["Region"] for d in dist["Distributions"]]:
        consumer = default_assembly.get_stack_by_name(f"GoldenAmiConsumers-{region}")
        assert consumer.environment.region == region
        types = {r["Type"] for r in consumer.template["Resources"].values()}
        assert {"AWS::EC2::LaunchTemplate", "AWS::AutoScaling::AutoScalingGroup", "AWS::Lambda::Function"} <= types
        assert "GoldenAmiFactory" in {d.id for d in consumer.dependencies}
    images = [r for r in resources.values() if r["Type"] == "AWS::ImageBuilder::Image"]
    assert len(images) == 3 and all(i["DeletionPolicy"] == "Retain" for i in images), "first images built at deploy"


def test_pin_context_pins_the_named_image_to_one_version_label(tmp_path: Path) -> None:
    from tests.conftest import CONTEXT

    context = {**CONTEXT, "pin": "web-server=v1.2.3-4", "golden-ami:versionLockFrozen": "true"}
    app = cdk.App(context=context, outdir=str(tmp_path))
    stacks = build(app).stacks
    templates = [s for s in stacks if s.stack_name.startswith("GoldenAmiConsumers-")]
    assert len(templates) == 3
    for stack in templates:
        lt = next(
            r
            for r in cdk.assertions.Template.from_stack(stack).to_json()["Resources"].values()
            if r["Type"] == "AWS::EC2::LaunchTemplate"
        )
        assert lt["Properties"]["LaunchTemplateData"]["ImageId"] == "resolve:ssm:/golden-ami/web-server/latest:v1.2.3-4"


@pytest.mark.parametrize(
    ("pin", "message"),
    [
        ("3", r"pin: '3' names no image or consumer \(a bare parameter version pins a different image in each region"),
        ("web-server=3", r"pin: web-server='3' is not an image version label"),
        ("nothing=v1.0.0-1", r"pin: 'nothing' is no consumer or consumed image of this factory; known: .*web-server"),
    ],
)
def test_pin_context_refuses_a_bare_number_a_bad_label_and_an_unknown_name(
    tmp_path: Path, pin: str, message: str
) -> None:
    from tests.conftest import CONTEXT

    app = cdk.App(context={**CONTEXT, "pin": pin, "golden-ami:versionLockFrozen": "true"}, outdir=str(tmp_path))
    with pytest.raises(ValueError, match=message):
        build(app)


def test_makefile_passes_pin_quoted_from_the_environment() -> None:
    import subprocess

    hostile = "web-server=v1.0.0-1; touch /tmp/pwned"
    shown = subprocess.run(
        ["make", "-n", "--no-print-directory", "diff", f"PIN={hostile}"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    ).stdout
    assert '-c "pin=$PIN"' in shown
    assert hostile not in shown


def test_every_template_passes_cfn_lint(default_assembly: cdk.cx_api.CloudAssembly) -> None:
    for stack in default_assembly.stacks:
        assert errors_and_warnings(stack.template, stack.environment.region) == [], stack.stack_name


def test_default_factory_passes_the_preflight(default_assembly: cdk.cx_api.CloudAssembly) -> None:
    findings = run(Assembly.from_directory(default_assembly.directory))
    assert [str(f) for f in findings if f.severity is Severity.ERROR] == []


def test_cfn_lint_would_catch_a_wrong_key() -> None:
    bad = {
        "Resources": {
            "D": {
                "Type": "AWS::ImageBuilder::DistributionConfiguration",
                "Properties": {
                    "Name": "web",
                    "Distributions": [{"Region": "eu-west-1", "AmiDistributionConfiguration": {"amiTags": {}}}],
                },
            }
        }
    }
    assert errors_and_warnings(bad, "eu-west-1"), "cfn-lint accepted a camelCase key"


def test_app_passes_four_cdk_nag_packs_with_nothing_unacknowledged(
    default_assembly: cdk.cx_api.CloudAssembly,
) -> None:
    # default_assembly synthesizes under compliance_packs and would have raised on any finding.
    assert [p.name for p in compliance_packs(cdk.App())] == [
        "AwsSolutions",
        "NIST.800.53.R5",
        "HIPAA.Security",
        "GoldenAmi",
    ]
    report = json.loads((Path(default_assembly.directory) / "validation-report.json").read_text())
    assert all(not p.get("violations") for p in report["pluginReports"])


def test_cdk_nag_runs_and_fails_on_an_unacknowledged_finding(tmp_path: Path) -> None:
    from aws_cdk import aws_s3 as s3
    from cdk_nag import AwsSolutionsChecks

    app = cdk.App(outdir=str(tmp_path))
    s3.Bucket(cdk.Stack(app, "Bad"), "Open")
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(RuntimeError, match="ValidationFailed: ERROR The S3 Bucket has server access logs disabled"):
        app.synth()


def test_committed_version_lock_is_current(default_assembly: cdk.cx_api.CloudAssembly) -> None:
    # default_assembly synthesizes with a frozen lock: it would have raised on stale content.
    lock = json.loads(DEFAULT_LOCK.read_text())
    component = next(
        r["Properties"]
        for r in default_assembly.get_stack_by_name("GoldenAmiFactory").template["Resources"].values()
        if r["Type"] == "AWS::ImageBuilder::Component"
    )
    assert lock["components"][component["Name"]]["version"] == component["Version"]


def test_summary_names_stacks_pipelines_and_regions(default_assembly: cdk.cx_api.CloudAssembly) -> None:
    lines = summarize(Path(default_assembly.directory))
    assert lines[0] == "factory account: 111111111111"  # the placeholder app.py uses without credentials
    stacks = [line.split(" (")[0] for line in lines if line.startswith("stack ")]
    assert stacks == [
        "stack GoldenAmiConsumers-ap-southeast-2",
        "stack GoldenAmiConsumers-eu-west-1",
        "stack GoldenAmiConsumers-us-east-1",
        "stack GoldenAmiDestination-222222222222",
        "stack GoldenAmiFactory",
        "stack GoldenAmiKeys-ap-southeast-2",
        "stack GoldenAmiKeys-eu-west-1",
        "stack GoldenAmiKeys-us-east-1",
        "stack GoldenAmiMemberAccounts",
    ]
    # A stack of another account names it.
    assert any(
        line.startswith("stack GoldenAmiDestination-222222222222 (eu-west-1 of account 222222222222)") for line in lines
    )
    assert any(line.startswith("stack GoldenAmiFactory (eu-west-1): ") for line in lines)
    assert "  pipeline base-al2023-arm64: cron(0 4 ? * SUN *) Etc/UTC" in lines  # with its time zone
    assert "  pipeline web-server: cron(0 */6 * * ? *) Etc/UTC, when a parent or component has a new version" in lines
    assert "  distribution web-server: eu-west-1, us-east-1, ap-southeast-2" in lines
    assert (
        "    us-east-1: copied into 222222222222; launchable by 1 account, 1 OU besides this account; "
        "customer managed key; latest AMI in /golden-ami/web-server/latest"
    ) in lines
    # By hand: 30 GiB root + 20 GiB data = 50 GiB; 3 regions x (owner + 1 destination) = 6 copies;
    # weekly builds (the layer follows its weekly base), deleted after 180 days, keep the newest 3:
    # 27 versions. 27 x 50 x 6 = 8100 GiB at $0.05. Each base: 27 x 30 x 6 = 4860 GiB, $243.
    # Expected, from the written sizes factory.yaml gives (used_gib 6 and 3), each version full in
    # each place: 27 x 6 x 6 = 972 GiB, $48.60; each base 27 x 3 x 6 = 486 GiB, $24.30.
    assert (
        "    snapshots at steady state: 27 versions, 972 GiB written, about $48.60/month expected; "
        "8100 GiB, about $405.00/month (upper bound)"
    ) in lines
    assert (
        lines.count(
            "    snapshots at steady state: 27 versions, 486 GiB written, about $24.30/month expected; "
            "4860 GiB, about $243.00/month (upper bound)"
        )
        == 2
    )
    assert "  lifecycle web-server: 2 rules" in lines
    assert lines.count("  launch template: image resolve:ssm:/golden-ami/web-server/latest") == 3
    assert lines.count("  fleet: 1 to 2 m7i.large instances, rolls onto each new image") == 3
    assert (
        "  stackset golden-ami-distribution-access: every account of ou-ab12-cdefgh34 except 222222222222 "
        "in eu-west-1 (DELEGATED_ADMIN)"
    ) in lines
    # $48.60 + 2 x $24.30 = $97.20 expected; $405 + 2 x $243 = $891 upper bound.
    assert lines[-2] == (
        "snapshot storage only (no instances, scans or transfer): about $97.20/month expected; "
        "$891.00/month upper bound (every volume full)"
    )
    assert lines[-1] == "next: make policies and make bootstrap once per account (DEPLOYING.md), then make deploy"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("", "--max-semi-space-size=1"),
        ("--stack-trace-limit=20", "--stack-trace-limit=20 --max-semi-space-size=1"),
        ("--max-semi-space-size=8", "--max-semi-space-size=8"),
        ("--max_semi_space_size=8", "--max_semi_space_size=8"),  # node's other spelling
    ],
)
def test_young_generation_is_added_unless_node_options_set_it(given: str, expected: str) -> None:
    assert young_generation(given) == expected


def test_node_runs_the_app_with_a_small_young_generation_and_importing_it_changes_nothing(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    seen = tmp_path / "node-options"
    wrapper = tmp_path / "node"  # jsii starts node through JSII_NODE: this one writes down what it got
    wrapper.write_text(f'#!/bin/sh\nprintf "%s" "$NODE_OPTIONS" > {seen}\nexec node "$@"\n')
    wrapper.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "NODE_OPTIONS"}
    env |= {"JSII_NODE": str(wrapper), "CDK_CONTEXT_JSON": json.dumps({"factory": str(tmp_path / "missing.yaml")})}
    ran = subprocess.run([sys.executable, "app.py"], cwd=root, env=env, capture_output=True, text=True, check=False)
    assert ran.returncode == 1 and "missing.yaml" in ran.stderr  # a file it cannot read: reported, exit 1
    assert seen.read_text() == "--max-semi-space-size=1"
    imported = subprocess.run(
        [sys.executable, "-c", "import app, os; print(os.environ.get('NODE_OPTIONS'))"],
        cwd=root,
        env={k: v for k, v in env.items() if k != "JSII_NODE"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.strip() == "None"


def test_default_factory_resource_types_are_in_the_replacement_guards_table(
    default_assembly: cdk.cx_api.CloudAssembly,
) -> None:
    from tests.checks.preflight.test_replacement import check_create_only_table

    check_create_only_table(Path(default_assembly.directory))


def test_default_factory_deploy_policies_cover_every_resource_type(default_assembly: cdk.cx_api.CloudAssembly) -> None:
    from tests.factory.test_deploy_policies import check_policies

    found = check_policies(Path(default_assembly.directory))
    names = {(p.account, p.name) for p in found}
    assert ("222222222222", "GoldenAmiDestinationDeploy") in names and ("111111111111", "GoldenAmiDeploy") in names
    # Independently of the schema reader: the calls that create what the templates hold.
    factory = {a for p in found if p.account == "111111111111" for s in p.body()["Statement"] for a in s["Action"]}
    assert {
        "autoscaling:CreateAutoScalingGroup",
        "imagebuilder:CreateImagePipeline",
        "imagebuilder:CreateImageRecipe",
        "kms:CreateKey",
        "lambda:CreateFunction",
        "iam:CreateRole",
        "iam:PassRole",
        "cloudformation:CreateStackSet",
    } <= factory


def test_destroy_dry_run_lists_every_retained_resource_of_the_default_factory(
    default_assembly: cdk.cx_api.CloudAssembly,
) -> None:
    import json

    from constructs_lib.factory.teardown import plan, report

    out = Path(default_assembly.directory)
    lines = report(plan(out), executed=False)
    retained = [
        f"  {template.stem.removesuffix('.template')}/{logical_id} {resource['Type']}"
        for template in sorted(out.glob("*.template.json"))
        for logical_id, resource in json.loads(template.read_text())["Resources"].items()
        if resource.get("DeletionPolicy") == "Retain"
    ]
    assert len(retained) > 10  # keys, log groups, lifecycle policies, images, the bucket
    assert sorted(line for line in lines if line in retained) == sorted(retained)
