"""The replacement guard: each resource classified create / update / replace / delete against the
last synth's record, replacements followed along references, and the preflight refusing to
replace or delete a fleet, launch template, key or unkept image unless the change is acknowledged."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from constructs_lib.bake.version_lock import VersionLock
from constructs_lib.checks.preflight import Assembly
from constructs_lib.checks.preflight.__main__ import main
from constructs_lib.checks.preflight.changes import record
from constructs_lib.checks.preflight.guard import covers, refusals
from constructs_lib.checks.preflight.replacement import (
    TABLE,
    Kind,
    classify,
    create_only,
    schema_create_only,
    stored,
)

PARAMETER = "resolve:ssm:/golden-ami/web/latest"
AMI = "ami-0123456789abcdef0"


def resource(kind: str, path: str, properties: dict[str, Any], **attributes: Any) -> dict[str, Any]:
    return {"Type": kind, "Properties": properties, "Metadata": {"aws:cdk:path": path}, **attributes}


def template(image: str = PARAMETER) -> dict[str, Any]:
    """A consumer's stack: its key, a component, recipe and image built at deploy (kept), a
    launch template reading ``image`` (the latest-AMI parameter) and the fleet launching from it.
    The command's tests give an AMI ID: the preflight's other rules want a whole factory around a
    parameter."""
    return {
        "Resources": {
            "Key": resource("AWS::KMS::Key", "App/Key/Resource", {"KeyPolicy": {}}, DeletionPolicy="Retain"),
            "Component": resource(
                "AWS::ImageBuilder::Component",
                "App/Web/Component",
                {"Name": "web-nginx", "Version": "1.0.0", "Platform": "Linux", "Data": "phases: []"},
            ),
            "Recipe": resource(
                "AWS::ImageBuilder::ImageRecipe",
                "App/Web/Recipe",
                {
                    "Name": "web",
                    "Version": "1.0.x",
                    "Description": "The web server",
                    "ParentImage": "ami-1",
                    "Components": [{"ComponentArn": {"Fn::GetAtt": ["Component", "Arn"]}}],
                },
            ),
            "Image": resource(
                "AWS::ImageBuilder::Image",
                "App/Web/FirstImage",
                {"ImageRecipeArn": {"Ref": "Recipe"}, "InfrastructureConfigurationArn": "arn:infra"},
                DeletionPolicy="Retain",
                UpdateReplacePolicy="Retain",
            ),
            "Distribution": resource(
                "AWS::ImageBuilder::DistributionConfiguration",
                "App/Web/Distribution",
                {
                    "Name": "web",
                    "Distributions": [
                        {
                            "Region": "eu-west-1",
                            "SsmParameterConfigurations": [{"ParameterName": "/golden-ami/web/latest"}],
                        }
                    ],
                },
            ),
            "Template": resource(
                "AWS::EC2::LaunchTemplate",
                "App/Web/LaunchTemplate/Resource",
                {"LaunchTemplateData": {"ImageId": image, "InstanceType": "m7i.large"}},
            ),
            "Fleet": resource(
                "AWS::AutoScaling::AutoScalingGroup",
                "App/Web/Fleet/ASG",
                {
                    "MinSize": "1",
                    "MaxSize": "2",
                    "LaunchTemplate": {
                        "LaunchTemplateId": {"Ref": "Template"},
                        "Version": {"Fn::GetAtt": ["Template", "LatestVersionNumber"]},
                    },
                },
            ),
        }
    }


def write(out: Path, body: dict[str, Any], acknowledged: dict[str, dict[str, str]] | None = None) -> Path:
    """A cloud assembly of the one stack ``App`` in ``out``, with ``acknowledged`` as CDK's
    ``Validations.acknowledge`` records it in the stack's metadata file."""
    out.mkdir(parents=True, exist_ok=True)
    artifact = {
        "type": "aws:cloudformation:stack",
        "environment": "aws://111111111111/eu-west-1",
        "properties": {"templateFile": "App.template.json"},
        "additionalMetadataFile": "App.metadata.json",
    }
    (out / "manifest.json").write_text(json.dumps({"artifacts": {"App": artifact}}))
    (out / "App.template.json").write_text(json.dumps(body))
    metadata = {
        f"/{path}": [{"type": "aws:cdk:acknowledged-rules", "data": {f"Annotation::{rule}": why}}]
        for path, rules in (acknowledged or {}).items()
        for rule, why in rules.items()
    }
    (out / "App.metadata.json").write_text(json.dumps(metadata))
    return out


def recorded(tmp_path: Path, body: dict[str, Any]) -> dict[str, Any]:
    return record(Assembly.from_directory(write(tmp_path / f"out{len(list(tmp_path.iterdir()))}", body)))


def kinds(tmp_path: Path, edit: dict[str, Any]) -> dict[str, tuple[Kind, str]]:
    changes = classify(recorded(tmp_path, template()), recorded(tmp_path, edit))
    return {c.logical_id: (c.kind, c.reason) for c in changes}


# The classifier


def test_an_unchanged_synth_changes_nothing(tmp_path: Path) -> None:
    assert kinds(tmp_path, template()) == {}


def test_a_create_only_property_replaces_and_the_replacement_follows_references(tmp_path: Path) -> None:
    edit = template()
    edit["Resources"]["Recipe"]["Properties"]["Description"] = "The web server, described anew"
    assert kinds(tmp_path, edit) == {
        "Recipe": (Kind.REPLACE, "Description cannot change in place (create-only)"),
        "Image": (Kind.REPLACE, "it names Recipe, which is replaced"),
    }


def test_a_component_change_replaces_component_recipe_and_image(tmp_path: Path) -> None:
    edit = template()
    edit["Resources"]["Component"]["Properties"].update(Version="1.0.1", Data="phases: [build]")
    found = kinds(tmp_path, edit)
    assert found["Component"] == (Kind.REPLACE, "Data, Version cannot change in place (create-only)")
    assert found["Recipe"] == (Kind.REPLACE, "it names Component, which is replaced")
    assert found["Image"][0] is Kind.REPLACE


def test_an_updatable_property_updates_in_place_and_what_names_it_stays(tmp_path: Path) -> None:
    edit = template()
    edit["Resources"]["Template"]["Properties"]["LaunchTemplateData"]["InstanceType"] = "m7i.xlarge"
    assert kinds(tmp_path, edit) == {"Template": (Kind.UPDATE, "properties change in place")}


def test_a_named_resource_moving_to_a_new_logical_id_is_replaced(tmp_path: Path) -> None:
    edit = template()
    edit["Resources"]["Fleet2"] = edit["Resources"].pop("Fleet")
    found = kinds(tmp_path, edit)
    assert found["Fleet"] == (Kind.REPLACE, "logical ID changes to Fleet2")
    assert found["Fleet2"] == (Kind.CREATE, "replaces Fleet")


def test_a_removed_resource_is_deleted_and_a_removed_stack_deletes_all(tmp_path: Path) -> None:
    edit = template()
    del edit["Resources"]["Fleet"]
    assert kinds(tmp_path, edit) == {"Fleet": (Kind.DELETE, "removed from the template")}
    gone = classify(recorded(tmp_path, template()), {})
    assert {c.kind for c in gone} == {Kind.DELETE} and len(gone) == 7


def test_a_replacing_update_policy_replaces_the_group_only_for_what_the_page_lists(tmp_path: Path) -> None:
    def replacing() -> dict[str, Any]:
        body = template()
        body["Resources"]["Fleet"]["UpdatePolicy"] = {"AutoScalingReplacingUpdate": {"WillReplace": True}}
        return body

    base = recorded(tmp_path, replacing())
    resized = replacing()
    resized["Resources"]["Fleet"]["Properties"]["MaxSize"] = "3"
    assert {c.logical_id: c.kind for c in classify(base, recorded(tmp_path, resized))} == {"Fleet": Kind.UPDATE}
    moved = replacing()
    moved["Resources"]["Fleet"]["Properties"]["VPCZoneIdentifier"] = ["subnet-1"]
    assert {c.logical_id: c.kind for c in classify(base, recorded(tmp_path, moved))} == {"Fleet": Kind.REPLACE}
    # A new launch template version (an instance type) reaches the group through LatestVersionNumber.
    bigger = replacing()
    bigger["Resources"]["Template"]["Properties"]["LaunchTemplateData"]["InstanceType"] = "m7i.xlarge"
    found = {c.logical_id: (c.kind, c.reason) for c in classify(base, recorded(tmp_path, bigger))}
    assert found == {
        "Template": (Kind.UPDATE, "properties change in place"),
        "Fleet": (Kind.REPLACE, "it names Template, which changes, under AutoScalingReplacingUpdate"),
    }


def test_a_custom_resource_is_replaced_by_any_change(tmp_path: Path) -> None:
    base, edit = template(), template()
    for body in (base, edit):
        body["Resources"]["Grant"] = resource("Custom::Grant", "App/Grant", {"Key": {"Ref": "Key"}, "N": 1})
    edit["Resources"]["Grant"]["Properties"]["N"] = 2
    changes = classify(recorded(tmp_path, base), recorded(tmp_path, edit))
    assert [(c.logical_id, c.kind, c.reason) for c in changes] == [
        ("Grant", Kind.REPLACE, "a custom resource: any update may replace it")
    ]


@pytest.mark.parametrize(
    ("kind", "metadata", "changed", "expected"),
    [
        # The library's own providers (PROVIDERS): what gives a new physical ID replaces, the rest updates.
        ("Custom::PipelineHold", {}, {"Pipeline": "web server"}, (Kind.UPDATE, "properties change in place")),
        (
            "Custom::PipelineHold",
            {},
            {"Name": "/golden-ami/x/status"},
            (Kind.REPLACE, "Name cannot change in place (create-only)"),
        ),
        (
            "Custom::AutoScalingKeyGrant",
            {},
            {"RetiringPrincipal": "arn:r"},
            (Kind.REPLACE, "RetiringPrincipal cannot change in place (create-only)"),
        ),
        # CloudFormation refuses to update a ServiceToken: never counted as in place.
        (
            "Custom::PipelineHold",
            {},
            {"ServiceToken": "arn:new"},
            (Kind.REPLACE, "ServiceToken cannot change in place (create-only)"),
        ),
        (
            "Custom::Grant",
            {"golden-ami:createOnly": ["Name"]},
            {"ServiceToken": "arn:new"},
            (Kind.REPLACE, "ServiceToken cannot change in place (create-only)"),
        ),
        ("Custom::PipelineHold", {}, {"Watch": {"Schedule": "x"}}, (Kind.UPDATE, "properties change in place")),
        (
            "Custom::AutoScalingKeyGrant",
            {},
            {"GrantName": "g2"},
            (Kind.REPLACE, "GrantName cannot change in place (create-only)"),
        ),
        # Any other provider says so in the resource's metadata.
        ("Custom::Grant", {"golden-ami:createOnly": ["Name"]}, {"N": 2}, (Kind.UPDATE, "properties change in place")),
        (
            "Custom::Grant",
            {"golden-ami:createOnly": ["Name"]},
            {"Name": "b"},
            (Kind.REPLACE, "Name cannot change in place (create-only)"),
        ),
    ],
)
def test_a_custom_resource_whose_provider_says_what_replaces_it_is_updated_by_the_rest(
    tmp_path: Path, kind: str, metadata: dict[str, Any], changed: dict[str, Any], expected: tuple[Kind, str]
) -> None:
    properties = {
        "ServiceToken": "arn:old",
        "Name": "/golden-ami/web/status",
        "Pipeline": "web",
        "GrantName": "g",
        "N": 1,
    }
    base, edit = template(), template()
    for body in (base, edit):
        body["Resources"]["Custom"] = resource(kind, "App/Custom", dict(properties))
        body["Resources"]["Custom"]["Metadata"].update(metadata)
    edit["Resources"]["Custom"]["Properties"].update(changed)
    changes = classify(recorded(tmp_path, base), recorded(tmp_path, edit))
    assert [(c.logical_id, c.kind, c.reason) for c in changes] == [("Custom", *expected)]


def test_a_custom_resource_recorded_before_its_provider_said_anything_is_still_replaced(tmp_path: Path) -> None:
    base, edit = template(), template()
    for body in (base, edit):
        body["Resources"]["Hold"] = resource("Custom::PipelineHold", "App/Hold", {"Name": "/a", "Pipeline": "a"})
    before = recorded(tmp_path, base)
    for entry in before.values():
        entry["Hold"].pop("create")  # a lock file written before PROVIDERS knew the type
    edit["Resources"]["Hold"]["Properties"]["Pipeline"] = "b"
    changes = classify(before, recorded(tmp_path, edit))
    assert [(c.logical_id, c.kind) for c in changes] == [("Hold", Kind.REPLACE)]


def test_deletion_policy_guards_what_leaves_the_template_and_update_replace_policy_a_replacement(
    tmp_path: Path,
) -> None:
    kept_on_delete = template()
    del kept_on_delete["Resources"]["Image"]["UpdateReplacePolicy"]
    kept_on_delete["Resources"]["Image"]["DeletionPolicy"] = "RetainExceptOnCreate"
    before = recorded(tmp_path, kept_on_delete)
    moved = copy.deepcopy(kept_on_delete)
    moved["Resources"]["Image2"] = moved["Resources"].pop("Image")  # a new logical ID: deleted, kept
    after = recorded(tmp_path, moved)
    assert refusals(classify(before, after), before, after) == []
    rebuilt = copy.deepcopy(kept_on_delete)
    rebuilt["Resources"]["Recipe"]["Properties"]["Description"] = "new"  # replaced in place: not kept
    after = recorded(tmp_path, rebuilt)
    assert [(r.rule, r.change.logical_id) for r in refusals(classify(before, after), before, after)] == [
        ("GA-C001", "Image")
    ]


def test_a_record_from_before_the_guard_classifies_by_name_alone(tmp_path: Path) -> None:
    # Lock files written before the guard keep type and name of a few types only: nothing is
    # taken as replaced for want of a fingerprint, nothing unrecorded as new, and a rename is a
    # replacement.
    from constructs_lib.checks.preflight.changes import NAMES

    old = {
        s: {k: {"type": v["type"], "name": v.get("name")} for k, v in r.items() if v["type"] in NAMES}
        for s, r in recorded(tmp_path, template()).items()
    }
    assert set(old["App"]) == {"Template", "Fleet", "Key", "Component", "Recipe", "Image", "Distribution"}
    assert classify(old, recorded(tmp_path, template())) == []
    renamed = template()
    renamed["Resources"]["Recipe"]["Properties"]["Name"] = "web2"
    assert [(c.logical_id, c.kind, c.reason) for c in classify(old, recorded(tmp_path, renamed))] == [
        ("Image", Kind.REPLACE, "it names Recipe, which is replaced"),
        ("Recipe", Kind.REPLACE, "renamed 'web' -> 'web2'"),
    ]
    # Such a record does not say whether the image is kept; the images that replace it do.
    moved = template()
    moved["Resources"]["Image2"] = moved["Resources"].pop("Image")
    after = recorded(tmp_path, moved)
    assert {c.logical_id: c.kind for c in classify(old, after)} == {"Image": Kind.DELETE, "Image2": Kind.CREATE}
    assert refusals(classify(old, after), old, after) == []
    del moved["Resources"]["Image2"]["DeletionPolicy"]
    after = recorded(tmp_path, moved)
    assert [r.rule for r in refusals(classify(old, after), old, after)] == ["GA-C002"]


# The guard


def test_the_guard_refuses_what_replaces_or_deletes_a_fleet_template_key_or_unkept_image(tmp_path: Path) -> None:
    edit = template()
    edit["Resources"]["Template"]["Properties"]["LaunchTemplateName"] = "web"  # create-only
    del edit["Resources"]["Key"]
    edit["Resources"]["Recipe"]["Properties"]["Description"] = "new"  # the image is kept (Retain)
    before, after = recorded(tmp_path, template()), recorded(tmp_path, edit)
    found = {(r.rule, r.change.logical_id) for r in refusals(classify(before, after), before, after)}
    # The fleet names the template in an updatable property: it is updated onto the new one.
    assert found == {("GA-C001", "Template"), ("GA-C002", "Key")}
    unkept = template()
    del unkept["Resources"]["Image"]["UpdateReplacePolicy"]
    edited = copy.deepcopy(unkept)
    edited["Resources"]["Recipe"]["Properties"]["Description"] = "new"
    before, after = recorded(tmp_path, unkept), recorded(tmp_path, edited)
    assert [(r.rule, r.change.logical_id) for r in refusals(classify(before, after), before, after)] == [
        ("GA-C001", "Image")
    ]


def test_a_launch_template_switching_parameter_is_refused(tmp_path: Path) -> None:
    edit = template()
    edit["Resources"]["Template"]["Properties"]["LaunchTemplateData"]["ImageId"] = (
        "resolve:ssm:/golden-ami/web-x86-64/latest"
    )
    before, after = recorded(tmp_path, template()), recorded(tmp_path, edit)
    (refusal,) = refusals(classify(before, after), before, after)
    assert refusal.rule == "GA-C003"
    assert refusal.message == (
        "App/Web/LaunchTemplate/Resource: the launch template would read resolve:ssm:/golden-ami/web-x86-64/latest "
        "instead of resolve:ssm:/golden-ami/web/latest: its fleet launches whatever the new parameter holds (nothing, "
        "in a region or account no build has reached) and the old parameter's pins stop applying. Keep the image's "
        "name and architectures, or accept it on purpose with a reason: in the factory file 'acknowledge: [{id: "
        "GA-C003, path: App/Web/LaunchTemplate/Resource, reason: ...}]', in Python acknowledge(scope, 'GA-C003', "
        "reason, path='App/Web/LaunchTemplate/Resource')"
    )


def test_a_replaced_launch_template_is_refused_with_the_path_the_cause_and_the_way_out(tmp_path: Path) -> None:
    edit = template()
    edit["Resources"]["Template"]["Properties"]["LaunchTemplateName"] = "web"
    before, after = recorded(tmp_path, template()), recorded(tmp_path, edit)
    (refusal,) = refusals(classify(before, after), before, after)
    assert refusal.message == (
        "App/Web/LaunchTemplate/Resource: this deploy would replace the launch template (its versions, and any pin "
        "on them, are lost): LaunchTemplateName cannot change in place (create-only). Undo the edit that causes it, "
        "or accept it on purpose with a reason: in the factory file 'acknowledge: [{id: GA-C001, path: "
        "App/Web/LaunchTemplate/Resource, reason: ...}]', in Python acknowledge(scope, 'GA-C001', reason, "
        "path='App/Web/LaunchTemplate/Resource')"
    )


def test_a_launch_template_reading_a_parameter_through_a_stack_parameter_is_guarded_too(tmp_path: Path) -> None:
    # MachineImage.from_ssm_parameter: ImageId is a Ref to an SSM-typed stack parameter.
    def reading(name: str) -> dict[str, Any]:
        body = template()
        body["Parameters"] = {"Latest": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": name}}
        body["Resources"]["Template"]["Properties"]["LaunchTemplateData"]["ImageId"] = {"Ref": "Latest"}
        return body

    before = recorded(tmp_path, reading("/golden-ami/web/latest"))
    after = recorded(tmp_path, reading("/golden-ami/web-x86-64/latest"))
    assert [r.rule for r in refusals(classify(before, after), before, after)] == ["GA-C003"]


def test_an_acknowledgement_covers_its_construct_and_children_or_a_named_path() -> None:
    on_construct = {"App/Web": {"GA-C001": "moved to new subnets"}}
    assert covers(on_construct, "GA-C001", "App/Web/Fleet/ASG") == "moved to new subnets"
    assert covers(on_construct, "GA-C002", "App/Web/Fleet/ASG") is None
    assert covers(on_construct, "GA-C001", "App/Other/Fleet") is None
    named = {"Factory": {"GA-C002[App/Web/Fleet]": "fleet retired"}}
    assert covers(named, "GA-C002", "App/Web/Fleet/ASG") == "fleet retired"
    assert covers(named, "GA-C002", "App/Web/FleetTwo/ASG") is None


# The command


def test_make_synth_refuses_with_the_construct_path_and_accepts_an_acknowledged_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = tmp_path / "golden-ami.lock.json"
    assert main([str(write(tmp_path / "first", template(AMI))), "--lock", str(lock)]) == 0
    first = json.loads(lock.read_text())["resources"]
    assert not any(k.startswith("_") for r in first["App"].values() for k in r)
    assert first["App"]["Recipe"]["create"]["Description"]
    capsys.readouterr()

    edit = template(AMI)
    del edit["Resources"]["Fleet"]
    VersionLock._open.clear()
    assert main([str(write(tmp_path / "second", edit)), "--lock", str(lock)]) == 1
    err = capsys.readouterr().err
    assert "error GA-C002: App/Web/Fleet/ASG: this deploy would delete the fleet" in err
    assert "acknowledge: [{id: GA-C002, path: App/Web/Fleet/ASG" in err
    assert json.loads(lock.read_text())["resources"] == first  # a refused synth is not recorded

    VersionLock._open.clear()
    acknowledged = {"App/Key": {"GA-C002[App/Web/Fleet]": "the web fleet moves to its own account"}}
    assert main([str(write(tmp_path / "third", edit, acknowledged)), "--lock", str(lock)]) == 0
    out = capsys.readouterr().out
    assert "accepted GA-C002 App/Web/Fleet/ASG: the web fleet moves to its own account" in out
    assert "Fleet" not in json.loads(lock.read_text())["resources"]["App"]


def test_a_frozen_lock_is_compared_but_never_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lock = tmp_path / "golden-ami.lock.json"
    main([str(write(tmp_path / "first", template(AMI))), "--lock", str(lock)])
    before = lock.read_text()
    edit = template(AMI)
    edit["Resources"]["Template"]["Properties"]["LaunchTemplateData"]["InstanceType"] = "m7i.xlarge"
    VersionLock._open.clear()
    assert main([str(write(tmp_path / "second", edit)), "--lock", str(lock), "--frozen"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("golden-ami.lock.json: 1 update")
    assert lock.read_text() == before


# The table of create-only properties


def test_the_packaged_table_agrees_with_the_resource_schemas() -> None:
    table = json.loads(TABLE.read_text())
    assert len(table) > 30
    for kind, pointers in table.items():
        assert tuple(pointers) == schema_create_only(kind), kind


def check_create_only_table(out: Path) -> None:
    """Every resource type of the assembly ``out`` has its create-only properties in the
    package's table (scripts/create_only.py adds a type): the guard must not need cfn-lint."""
    table = json.loads(TABLE.read_text())
    for stack in Assembly.from_directory(out).stacks.values():
        for body in stack.resources.values():
            kind = body["Type"]
            if not kind.startswith("Custom::"):
                assert kind in table, f"{kind}: run 'python scripts/create_only.py {kind}'"


def test_a_type_outside_the_table_is_read_from_the_schemas() -> None:
    assert create_only("AWS::DynamoDB::Table") == schema_create_only("AWS::DynamoDB::Table")
    assert create_only("AWS::DynamoDB::Table")
    assert create_only("Custom::Nothing") is None


def test_stored_drops_what_only_this_synth_needs(tmp_path: Path) -> None:
    current = recorded(tmp_path, template())
    assert current["App"]["Fleet"]["_refs"] == ["Template"]
    assert "_refs" not in stored(current)["App"]["Fleet"]


# The Python API


def test_acknowledge_records_where_the_preflight_reads_it(tmp_path: Path) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_sqs as sqs

    from constructs_lib import acknowledge

    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "App")
    queue = sqs.Queue(stack, "Queue")
    acknowledge(queue, "GA-P009", "this account keeps its default VPC for builds")
    acknowledge(stack, "GA-C002", "the web fleet moves to its own account", path="/Consumers/web/Fleet/")
    acknowledged = Assembly.from_directory(app.synth().directory).acknowledged()
    assert covers(acknowledged, "GA-P009", "App/Queue/Resource") == "this account keeps its default VPC for builds"
    assert covers(acknowledged, "GA-C002", "Consumers/web/Fleet/ASG") == "the web fleet moves to its own account"


KNOWN = (
    "give a replacement guard rule (GA-C001, GA-C002, GA-C003), a preflight rule (GA-P001 ... GA-P021) or a "
    "construct warning's ID (golden-ami:default-vpc, golden-ami:never-builds, PublicAmi), as the finding prints it"
)


@pytest.mark.parametrize(
    ("rule", "reason", "path", "message"),
    [
        ("GA-C004", "a long enough reason", None, f"rule: 'GA-C004' is no finding this library reports; {KNOWN}"),
        (
            "golden-ami:typo",
            "a long enough reason",
            None,
            f"rule: 'golden-ami:typo' is no finding this library reports; {KNOWN}",
        ),
        (
            "AwsSolutions-IAM5",
            "a long enough reason",
            None,
            f"rule: 'AwsSolutions-IAM5' is no finding this library reports; {KNOWN}",
        ),
        (
            "GA-C001",
            "because",
            None,
            "reason: 'because' is too short to tell a reviewer why; say in a sentence why this change is wanted",
        ),
        (
            "golden-ami:default-vpc",
            "a long enough reason",
            "App/Queue",
            "path: 'App/Queue' given for the construct warning 'golden-ami:default-vpc'; acknowledge a construct's "
            "warning on the construct itself (or a parent), without path=",
        ),
        (
            "GA-C001",
            "a long enough reason",
            "/",
            "path: empty; give the construct path the finding prints (Stack/Construct/...)",
        ),
    ],
)
def test_acknowledge_refuses_what_no_check_would_read(rule: str, reason: str, path: str | None, message: str) -> None:
    from constructs_lib.checks.acknowledge import check_acknowledgement

    with pytest.raises(ValueError) as raised:
        check_acknowledgement(rule, reason, path)
    assert str(raised.value) == message
