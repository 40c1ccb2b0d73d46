"""The GoldenAmi pack inside cdk-nag: it reports a deliberately insecure stack, rule by rule and
with each rule's explanation, and it stays quiet on what the library builds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from cdk_nag import NagPack
from constructs import Construct

from constructs_lib import GoldenAmiChecks, GoldenLaunchTemplate, PipelineLogGroups, VersionLock
from constructs_lib.checks.nag import RULES
from tests.conftest import make_pipeline

_Recipe = imagebuilder.CfnImageRecipe
_Infra = imagebuilder.CfnInfrastructureConfiguration
_Pipeline = imagebuilder.CfnImagePipeline


def report(app: cdk.App) -> dict[str, list[dict[str, Any]]]:
    """Rule name -> violations of the GoldenAmi pack, after a synth that may fail."""
    cdk.Validations.of(app).add_plugins(GoldenAmiChecks(app, verbose=True))
    try:
        directory = app.synth().directory
    except RuntimeError:
        directory = app.outdir
    data = json.loads((Path(directory) / "validation-report.json").read_text())
    found: dict[str, list[dict[str, Any]]] = {}
    for plugin in data["pluginReports"]:
        for violation in plugin.get("violations", []):
            found.setdefault(violation["ruleName"], []).append(violation)
    return found


def insecure_stack(tmp_path: Path) -> cdk.App:
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Insecure", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    _Recipe(
        stack,
        "Recipe",
        name="open",
        version="1.0.0",
        parent_image="ami-0123456789abcdef0",
        components=[
            _Recipe.ComponentConfigurationProperty(
                component_arn="arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x"
            )
        ],
        block_device_mappings=[
            _Recipe.InstanceBlockDeviceMappingProperty(
                device_name="/dev/xvda", ebs=_Recipe.EbsInstanceBlockDeviceSpecificationProperty(encrypted=False)
            )
        ],
    )
    infra = _Infra(
        stack,
        "Infra",
        name="open",
        instance_profile_name="profile",
        instance_metadata_options=_Infra.InstanceMetadataOptionsProperty(http_tokens="optional"),
        terminate_instance_on_failure=False,
    )
    dist = imagebuilder.CfnDistributionConfiguration(
        stack,
        "Dist",
        name="open",
        distributions=[
            imagebuilder.CfnDistributionConfiguration.DistributionProperty(
                region="eu-west-1",
                ami_distribution_configuration={
                    "Name": "open-{{ imagebuilder:buildDate }}",
                    "TargetAccountIds": ["222222222222"],
                    "LaunchPermissionConfiguration": {"UserGroups": ["all"]},
                },
            )
        ],
    )
    _Pipeline(
        stack,
        "Pipeline",
        name="open",
        image_recipe_arn="arn:aws:imagebuilder:eu-west-1:111111111111:image-recipe/open/1.0.0",
        infrastructure_configuration_arn=infra.attr_arn,
        distribution_configuration_arn=dist.attr_arn,
        image_tests_configuration=_Pipeline.ImageTestsConfigurationProperty(image_tests_enabled=False),
        schedule=_Pipeline.ScheduleProperty(schedule_expression="cron(0 4 ? * SUN *)"),
        # Image Builder would create this group itself: no key, logs kept forever.
        logging_configuration=_Pipeline.PipelineLoggingConfigurationProperty(
            image_log_group_name="/aws/imagebuilder/open"
        ),
    )
    cdk.CfnResource(
        stack,
        "Import",
        type="Custom::GoldenAmiVmImport",
        properties={"ServiceToken": "arn:aws:lambda:eu-west-1:111111111111:function:x", "Encrypted": "false"},
    )
    iam.CfnRole(
        stack,
        "VmImportRole",
        assume_role_policy_document={
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "vmie.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ]
        },
        policies=[
            iam.CfnRole.PolicyProperty(
                policy_name="all",
                policy_document={"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]},
            )
        ],
    )
    ec2.CfnLaunchTemplate(
        stack,
        "Template",
        launch_template_data=ec2.CfnLaunchTemplate.LaunchTemplateDataProperty(
            metadata_options=ec2.CfnLaunchTemplate.MetadataOptionsProperty(http_tokens="optional"),
            network_interfaces=[
                ec2.CfnLaunchTemplate.NetworkInterfaceProperty(device_index=0, associate_public_ip_address=True)
            ],
            block_device_mappings=[
                ec2.CfnLaunchTemplate.BlockDeviceMappingProperty(
                    device_name="/dev/xvda", ebs=ec2.CfnLaunchTemplate.EbsProperty(encrypted=False)
                )
            ],
        ),
    )
    return app


def test_an_insecure_stack_breaks_every_rule_with_its_explanation(tmp_path: Path) -> None:
    found = report(insecure_stack(tmp_path))
    assert set(found) == {f"GoldenAmi-{rule.id}" for rule in RULES}
    for rule in RULES:
        (violation,) = found[f"GoldenAmi-{rule.id}"]
        assert rule.explanation in violation["description"], rule.id


def test_insecure_stack_fails_the_synth(tmp_path: Path) -> None:
    app = insecure_stack(tmp_path)
    cdk.Validations.of(app).add_plugins(GoldenAmiChecks(app))
    with pytest.raises(RuntimeError, match=r"ValidationFailed"):
        app.synth()


def test_what_the_library_builds_passes(tmp_path: Path, lock: VersionLock) -> None:
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Good", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    pipeline = make_pipeline(stack, lock)
    GoldenLaunchTemplate(stack, "Template", image=pipeline, instance_type="m7i.large")
    assert report(app) == {}


def test_an_acknowledged_finding_is_not_reported(tmp_path: Path) -> None:
    app = insecure_stack(tmp_path)
    template = app.node.find_child("Insecure").node.find_child("Template")
    cdk.Validations.of(template).acknowledge(
        cdk.Acknowledgment(id="GoldenAmi-LaunchTemplateNoPublicIp", reason="A bastion host, on purpose.")
    )
    assert "GoldenAmi-LaunchTemplateNoPublicIp" not in report(app)


def test_property_overrides_are_judged_as_synthesized(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Overridden", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    template = ec2.CfnLaunchTemplate(
        stack,
        "Template",
        launch_template_data=ec2.CfnLaunchTemplate.LaunchTemplateDataProperty(
            metadata_options=ec2.CfnLaunchTemplate.MetadataOptionsProperty(http_tokens="required"),
            block_device_mappings=[
                ec2.CfnLaunchTemplate.BlockDeviceMappingProperty(
                    device_name="/dev/xvda", ebs=ec2.CfnLaunchTemplate.EbsProperty(encrypted=True)
                )
            ],
        ),
    )
    template.add_property_override("LaunchTemplateData.MetadataOptions.HttpTokens", "optional")
    assert set(report(app)) == {"GoldenAmi-LaunchTemplateImdsv2"}


def test_validate_scope_judges_a_tree_that_was_not_synthesized(tmp_path: Path) -> None:
    app = insecure_stack(tmp_path / "never-written")
    result = GoldenAmiChecks().validate_scope(app)
    names = {v.rule_name for v in result.violations}
    assert names == {f"GoldenAmi-{rule.id}" for rule in RULES}


def test_pipeline_log_groups_the_library_makes_pass(tmp_path: Path, lock: VersionLock) -> None:
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Logged", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    PipelineLogGroups(stack, "Logs", pipeline=make_pipeline(stack, lock))
    assert report(app) == {}


class _Walking(GoldenAmiChecks):
    """The pack as cdk-nag runs it: the tree walked in node, each resource called back."""

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        return NagPack.validate(self, context)


def _open_infra(scope: Construct, name: str) -> None:
    """Build infrastructure that breaks three rules: IMDSv1, kept on failure, no S3 logs."""
    _Infra(
        scope,
        "Infra",
        name=name.lower(),
        instance_profile_name="profile",
        instance_metadata_options=_Infra.InstanceMetadataOptionsProperty(http_tokens="optional"),
        terminate_instance_on_failure=False,
    )


def _layered_app(tmp_path: Path) -> cdk.App:
    """Findings in a stage and at the top, acknowledged on a resource, on a construct above one, on
    a stack, on a stage and on the app, so that each level of acknowledgement is exercised."""
    app = insecure_stack(tmp_path)
    insecure = app.node.find_child("Insecure")
    cdk.Validations.of(insecure.node.find_child("Template")).acknowledge(
        cdk.Acknowledgment(id="GoldenAmi-LaunchTemplateNoPublicIp", reason="A bastion host, on purpose.")
    )
    cdk.Validations.of(app).acknowledge(cdk.Acknowledgment(id="GoldenAmi-VmImportEncrypted", reason="test"))
    stage = cdk.Stage(app, "Staged")
    for name in ("Quiet", "Loud"):
        stack = cdk.Stack(stage, name, env=cdk.Environment(account="111111111111", region="eu-west-1"))
        group = Construct(stack, "Group")
        _open_infra(group, name)
        if name == "Quiet":
            cdk.Validations.of(group).acknowledge(
                cdk.Acknowledgment(id="GoldenAmi-BuildInstancesImdsv2", reason="test")
            )
            cdk.Validations.of(stack).acknowledge(
                cdk.Acknowledgment(id="GoldenAmi-BuildInstancesTerminateOnFailure", reason="test")
            )
    cdk.Validations.of(stage).acknowledge(cdk.Acknowledgment(id="GoldenAmi-BuildLogsToS3", reason="test"))
    return app


def _not_called_back(self: GoldenAmiChecks, node: object) -> None:
    raise AssertionError("cdk-nag called the pack back: the written assembly was not judged")


def _plugin_reports(app: cdk.App, pack: GoldenAmiChecks, scope: Construct | None = None) -> list[dict[str, Any]]:
    cdk.Validations.of(scope or app).add_plugins(pack)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    data = json.loads((Path(app.outdir) / "validation-report.json").read_text())
    return [p for p in data["pluginReports"] if p["pluginName"] == "GoldenAmi"]


@pytest.mark.parametrize("verbose", [False, True])
def test_judging_the_written_assembly_reports_what_the_walk_reports(
    tmp_path: Path, verbose: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    walked = _plugin_reports(_layered_app(tmp_path / "walked"), _Walking(verbose=verbose))

    monkeypatch.setattr(GoldenAmiChecks, "_check_resource", _not_called_back)
    written = _plugin_reports(_layered_app(tmp_path / "written"), GoldenAmiChecks(verbose=verbose))
    assert written == walked
    (report_,) = written
    paths = {v["ruleName"]: {c["constructPath"] for c in v["violatingConstructs"]} for v in report_["violations"]}
    # Acknowledged on the resource, on the app: reported nowhere.
    assert not paths.keys() & {"GoldenAmi-LaunchTemplateNoPublicIp", "GoldenAmi-VmImportEncrypted"}
    # Acknowledged on a construct above the resource, on its stack, on its stage.
    assert paths["GoldenAmi-BuildInstancesImdsv2"] == {"Insecure/Infra", "Staged/Loud/Group/Infra"}
    assert paths["GoldenAmi-BuildInstancesTerminateOnFailure"] == {"Insecure/Infra", "Staged/Loud/Group/Infra"}
    assert paths["GoldenAmi-BuildLogsToS3"] == {"Insecure/Infra"}
    explained = {
        rule.explanation in v["description"]
        for v in report_["violations"]
        for rule in RULES
        if v["ruleName"] == f"GoldenAmi-{rule.id}"
    }
    assert explained == {verbose}


def test_nested_stacks_are_left_to_the_walk(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    parent = cdk.Stack(app, "Parent", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    nested = cdk.NestedStack(parent, "Nested")
    _Infra(
        nested,
        "Infra",
        name="nested",
        instance_profile_name="profile",
        terminate_instance_on_failure=False,
        instance_metadata_options=_Infra.InstanceMetadataOptionsProperty(http_tokens="required"),
    )
    (report_,) = _plugin_reports(app, GoldenAmiChecks())
    (violation,) = [v for v in report_["violations"] if v["ruleName"] == "GoldenAmi-BuildInstancesTerminateOnFailure"]
    assert [c["constructPath"] for c in violation["violatingConstructs"]] == ["Parent/Nested/Infra"]


def _stage_first_app(tmp_path: Path) -> cdk.App:
    """A stage before the top-level stacks, and stacks named against the order they were made
    in: the walk's order is the tree's, not the file names' or the dependencies'."""
    app = cdk.App(outdir=str(tmp_path))
    stage = cdk.Stage(app, "Early")
    for scope, name in ((stage, "Zed"), (app, "Middle"), (app, "Alpha")):
        stack = cdk.Stack(scope, name, env=cdk.Environment(account="111111111111", region="eu-west-1"))
        _open_infra(stack, name)
    return app


def _public_template(scope: Construct, construct_id: str) -> ec2.CfnLaunchTemplate:
    return ec2.CfnLaunchTemplate(
        scope,
        construct_id,
        launch_template_data=ec2.CfnLaunchTemplate.LaunchTemplateDataProperty(
            metadata_options=ec2.CfnLaunchTemplate.MetadataOptionsProperty(http_tokens="required"),
            network_interfaces=[
                ec2.CfnLaunchTemplate.NetworkInterfaceProperty(device_index=0, associate_public_ip_address=True)
            ],
        ),
    )


def _edge_app(tmp_path: Path) -> cdk.App:
    """What the written assembly does not say as the tree does: logical-ID metadata off under one
    construct, an overridden logical ID, an overridden Type."""
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Edges", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    quiet = Construct(stack, "Quiet")
    quiet.node.set_context("aws:cdk:disable-logicalId-metadata", True)
    _public_template(quiet, "Unmapped")
    renamed = _public_template(stack, "Renamed")
    renamed.override_logical_id("Lt")
    renamed.add_property_override("LaunchTemplateData.NetworkInterfaces.0.AssociatePublicIpAddress", False)
    _public_template(stack, "Retyped").add_override("Type", "Custom::NotALaunchTemplate")
    return app


@pytest.mark.parametrize(
    ("build", "on_stage", "fast"),
    [
        pytest.param(_stage_first_app, False, True, id="tree order"),
        pytest.param(_layered_app, True, False, id="plugin on a stage"),
        pytest.param(_edge_app, False, False, id="metadata off, overridden ID and type"),
    ],
)
def test_the_written_assembly_and_the_walk_agree_in_order_and_in_what_they_see(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, build: Any, on_stage: bool, fast: bool
) -> None:
    def reports(app: cdk.App, pack: GoldenAmiChecks) -> list[dict[str, Any]]:
        scope = app.node.find_child("Staged") if on_stage else app
        return _plugin_reports(app, pack, scope)

    walked = reports(build(tmp_path / "walked"), _Walking())
    if fast:
        monkeypatch.setattr(GoldenAmiChecks, "_check_resource", _not_called_back)
    written = reports(build(tmp_path / "written"), GoldenAmiChecks())
    assert written == walked
    (report_,) = written
    found = {v["ruleName"]: [c["constructPath"] for c in v["violatingConstructs"]] for v in report_["violations"]}
    if build is _stage_first_app:
        assert found["GoldenAmi-BuildInstancesImdsv2"] == ["Early/Zed/Infra", "Middle/Infra", "Alpha/Infra"]
    if build is _edge_app:
        # Judged as synthesized (the renamed one's override), by the construct's type (the retyped one).
        assert found["GoldenAmi-LaunchTemplateNoPublicIp"] == ["Edges/Quiet/Unmapped", "Edges/Retyped"]
