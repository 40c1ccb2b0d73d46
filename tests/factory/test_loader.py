"""The factory file: one model, every error reported with file, line, key path, value and fix."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from constructs_lib.factory.app import Factory
from constructs_lib.factory.loader import FactoryFileError, json_schema, load_factory
from constructs_lib.factory.report import diagram
from tests.conftest import ROOT

MINIMAL = """\
images:
  - name: base
    base: {os: amazon-linux-2023}
    components: [{aws: update-linux}]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "factory.yaml"
    path.write_text(text)
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(FactoryFileError) as caught:
        load_factory(write(tmp_path, text))
    return caught.value.problems


def test_minimal_file_has_defaults(tmp_path: Path) -> None:
    model = load_factory(write(tmp_path, MINIMAL))
    assert model.home_region == "eu-west-1" and model.all_regions == ["eu-west-1"]
    assert model.pipeline_names() == ["base"]
    assert model.sharing.to_permission().is_owner_only
    assert model.lifecycle.to_lifecycle() is not None


def test_typo_is_refused_by_name_with_the_closest_key_and_its_line(tmp_path: Path) -> None:
    found = problems(tmp_path, "regoins: [us-east-1]\n" + MINIMAL)
    assert found == [f"{tmp_path / 'factory.yaml'}:1: regoins: unknown key 'regoins'; did you mean 'regions'?"]


def test_nested_typo_points_at_its_line(tmp_path: Path) -> None:
    text = MINIMAL + "    volumes: {root_gb: 40}\n"
    (problem,) = problems(tmp_path, text)
    assert problem.endswith(":5: images[0].volumes.root_gb: unknown key 'root_gb'; did you mean 'root_gib'?")


def test_every_error_at_once_with_value_and_fix(tmp_path: Path) -> None:
    text = """\
home_region: eu-west-9
regions: [us-east-1, us-east-1]
accounts:
  destinations: ["12345"]
images:
  - name: base
    base: {os: amazon-linux-2023}
    components: [{aws: update-linux}]
    schedule: {cron: "cron(0 4 * * *)"}
  - base: {os: windows}
    components: []
"""
    found = problems(tmp_path, text)
    joined = "\n".join(found)
    assert ":1: home_region: 'eu-west-9' is not an AWS region; did you mean eu-west-" in joined
    assert ":2: regions: 'us-east-1' is listed twice" in joined
    assert ":4: accounts.destinations: '12345' is not an AWS account ID; use exactly 12 digits" in joined
    assert ":9: images[0].schedule.cron: 'cron(0 4 * * *)' is not a six-field cron expression" in joined
    assert ":10: images[1].name: required key 'name' is missing; add it" in joined
    assert (
        ":10: images[1].base.os: Input should be 'amazon-linux-2023', 'amazon-linux-2', 'ubuntu-24.04', "
        "'ubuntu-22.04', 'rhel-9', 'sles-15', 'windows-server-2022' or 'windows-server-2025' (got 'windows')" in joined
    )
    assert ":11: images[1].components: List should have at least 1 item after validation" in joined
    assert len(found) == 7


def test_wrong_type_names_the_value(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, "build_on_deploy: maybe\n" + MINIMAL)
    assert problem.endswith(
        ":1: build_on_deploy: Input should be a valid boolean, unable to interpret input (got 'maybe')"
    )


def test_cross_image_rules(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + """\
  - name: web
    parent: bse
    components: [{aws: update-linux}]
"""
    )
    (problem,) = problems(tmp_path, text)
    assert problem.endswith(":6: images[1].parent: 'bse' is not an image of this file; did you mean 'base'?")
    cycle = (
        MINIMAL
        + """\
  - {name: app, parent: web, components: [{aws: update-linux}]}
  - {name: web, parent: app, components: [{aws: update-linux}]}
"""
    )
    (problem,) = problems(tmp_path, cycle)
    assert ":5: images[1].parent: app -> web -> app form a cycle" in problem


def test_consumer_rules(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + """\
consumers:
  - {image: bsae}
"""
    )
    (problem,) = problems(tmp_path, text)
    assert "consumers[0].image: 'bsae' is not an image of this file; did you mean 'base'?" in problem
    region = MINIMAL + "consumers:\n  - {image: base, regions: [us-west-2]}\n"
    (problem,) = problems(tmp_path, region)
    assert "consumers[0].regions: 'us-west-2' is not a region the factory distributes to (eu-west-1)" in problem
    pin = MINIMAL + "consumers:\n  - {image: base, pin: aws-latest}\n"
    (problem,) = problems(tmp_path, pin)
    assert (
        "consumers[0].pin: 'aws-latest' is not an image version label; write v<major>.<minor>.<patch>-<build>"
        in problem
    )


def test_component_files_are_read_relative_to_the_factory_file(tmp_path: Path) -> None:
    text = MINIMAL.replace("[{aws: update-linux}]", "[{file: missing.yaml}]")
    (problem,) = problems(tmp_path, text)
    assert problem.endswith(
        f":4: images[0].components[0].file: 'missing.yaml' does not exist in {tmp_path}; component paths are "
        "relative to the directory of the factory file"
    )


def test_public_sharing_is_refused_with_the_reason(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, "sharing: {public: true}\n" + MINIMAL)
    assert "sharing.public: the factory file encrypts every image, and AWS cannot make encrypted AMIs public" in problem


def test_not_yaml_and_not_a_mapping(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, "images: [\n")
    assert "not valid YAML" in problem
    (problem,) = problems(tmp_path, "- a\n- b\n")
    assert problem.endswith(":1: the file must be a mapping with at least 'images'")


def test_committed_schema_is_current() -> None:
    committed = json.loads((ROOT / "factory.schema.json").read_text())
    assert committed == json.loads(json.dumps(json_schema())), "run 'make docs' and commit factory.schema.json"


def test_readme_diagram_is_the_default_factorys(default_factory: Factory) -> None:
    from scripts.docs import readme_with

    readme = (ROOT / "README.md").read_text()
    assert readme_with(readme, diagram(default_factory)) == readme, "run 'make docs' and commit README.md"
    assert "<!-- factory-diagram:start -->" in readme


def test_schema_describes_keys_and_forbids_unknown_ones() -> None:
    schema = json_schema()
    assert schema["additionalProperties"] is False
    assert "images" in schema["required"]
    assert schema["properties"]["home_region"]["description"] == "Where the pipelines run."


def test_app_reports_a_bad_file_without_a_traceback(tmp_path: Path) -> None:
    bad = write(tmp_path, "regoins: [us-east-1]\n" + MINIMAL)
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    result = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env={**env, "CDK_CONTEXT_JSON": json.dumps({"factory": str(bad)}), "CDK_OUTDIR": str(tmp_path / "out")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "The factory file has 1 problem(s):" in result.stderr
    assert "regoins: unknown key 'regoins'; did you mean 'regions'?" in result.stderr


def test_file_sets_parameter_tests_and_scanning(tmp_path: Path) -> None:
    model = load_factory(
        write(tmp_path, MINIMAL + "    parameter: /platform/base/latest\n    tests: false\n    scanning: false\n")
    )
    spec = model.images[0].to_spec(tmp_path)
    assert (spec.parameter_name, spec.image_tests, spec.image_scanning) == ("/platform/base/latest", False, False)
    (problem,) = problems(tmp_path, MINIMAL + "    parameter: latest\n")
    assert "images[0].parameter: 'latest' is not an SSM parameter name" in problem


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        (
            "    base: {os: amazon-linux-2023, ami: ami-0123456789abcdef0}\n",
            r"images\[1\].base: give exactly one of os, ami, marketplace, ssm, import, instance \(2 given\)",
        ),
        (
            "    base: {os: amazon-linux-2023}\n    components: [{aws: update-linux, file: x.yaml}]\n",
            r"images\[1\].components\[0\]: give exactly one of aws, marketplace, file, inline \(2 given\)",
        ),
        (
            "    base: {os: amazon-linux-2023}\n    components: [{inline: 'phases: []'}]\n",
            r"images\[1\].components\[0\]: an inline component needs a name",
        ),
    ],
)
def test_one_of_rules_in_images(tmp_path: Path, snippet: str, message: str) -> None:
    text = MINIMAL + "  - name: second\n" + snippet
    if "components" not in snippet:
        text += "    components: [{aws: update-linux}]\n"
    found = "\n".join(problems(tmp_path, text))
    assert re.search(message, found), found


def test_lifecycle_takes_one_style(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, "lifecycle: {preset: standard, keep_last: 3}\n" + MINIMAL)
    assert problem.endswith(":1: lifecycle: give one of preset, keep_last, rules (preset, keep_last given)")


def test_two_fleets_of_one_image_in_a_region_need_names(tmp_path: Path) -> None:
    text = MINIMAL + "consumers:\n  - {image: base}\n  - {image: base}\n"
    (problem,) = problems(tmp_path, text)
    assert (
        ":7: consumers[1]: a second fleet named 'base' in eu-west-1 (consumers[0] is the first); give one of them a name"
        in problem
    )
    named = MINIMAL + "consumers:\n  - {image: base}\n  - {image: base, name: batch}\n"
    assert [c.name for c in load_factory(write(tmp_path, named)).consumers] == [None, "batch"]


def test_architectures_follow_parent_then_base(tmp_path: Path) -> None:
    text = """\
images:
  - {name: web, parent: base, components: [{aws: update-linux}]}
  - name: base
    base: {os: amazon-linux-2023}
    architectures: [x86_64, arm64]
    components: [{aws: update-linux}]
  - name: legacy
    base: {ami: ami-0123456789abcdef0, architecture: arm64}
    components: [{aws: update-linux}]
"""
    model = load_factory(write(tmp_path, text))
    assert {k: [a.value for a in v] for k, v in model.architectures().items()} == {
        "web": ["x86_64", "arm64"],
        "base": ["x86_64", "arm64"],
        "legacy": ["arm64"],
    }
    assert sorted(model.pipeline_names()) == ["base-arm64", "base-x86-64", "legacy", "web-arm64", "web-x86-64"]


def test_stackset_call_as_is_derived_from_the_sharing_arns_or_required(tmp_path: Path) -> None:
    stackset = "accounts:\n  stackset: {organizational_units: [ou-ab12-cdefgh34]}\n"
    (problem,) = problems(tmp_path, stackset + MINIMAL)
    assert "accounts.stackset.call_as: not given, and no organization or OU ARN under sharing" in problem
    assert "AWS requires SELF when the StackSet is created from the organization's management account" in problem
    sharing = "sharing: {organizations: ['arn:aws:organizations::999999999999:organization/o-exampleorg1']}\n"
    model = load_factory(write(tmp_path, stackset + sharing + MINIMAL))
    assert model.management_account == "999999999999" and model.call_as is None


NETWORKS = """\
regions: [us-east-1]
build_network: {subnet: subnet-0123456789abcdef0, security_groups: [sg-0123456789abcdef0]}
images:
  - name: base
    base: {os: amazon-linux-2023}
    components: [{aws: update-linux}]
  - name: web
    parent: base
    components: [{aws: update-linux}]
    build_network: {subnet: subnet-0123456789abcdef1, security_groups: [sg-0123456789abcdef1]}
consumers:
  - image: web
    networks:
      us-east-1: {vpc: vpc-0123456789abcdef0, subnets: [subnet-0123456789abcdef2], security_groups: [sg-0123456789abcdef2]}
"""


def test_build_and_fleet_networks_are_named_by_id(tmp_path: Path) -> None:
    import aws_cdk as cdk

    from constructs_lib import VersionLock
    from constructs_lib.factory.app import build_factory

    model = load_factory(write(tmp_path, NETWORKS))
    app = cdk.App(outdir=str(tmp_path / "out"))
    built = build_factory(
        app, model, base_dir=tmp_path, lock=VersionLock.at(tmp_path / "lock.json"), account="111111111111"
    )
    infra = {p.image_name: p.infrastructure.resource for p in built.pipelines}
    assert (infra["base"].subnet_id, infra["base"].security_group_ids) == (
        "subnet-0123456789abcdef0",
        ["sg-0123456789abcdef0"],
    )
    assert (infra["web"].subnet_id, infra["web"].security_group_ids) == (
        "subnet-0123456789abcdef1",
        ["sg-0123456789abcdef1"],
    )
    east = cdk.assertions.Template.from_stack(built.consumer_stacks["us-east-1"]).to_json()["Resources"]
    (group,) = [r["Properties"] for r in east.values() if r["Type"] == "AWS::AutoScaling::AutoScalingGroup"]
    assert group["VPCZoneIdentifier"] == ["subnet-0123456789abcdef2"]
    # eu-west-1 names no network: the consumer there gets the new isolated VPC.
    home = cdk.assertions.Template.from_stack(built.consumer_stacks["eu-west-1"]).to_json()["Resources"]
    assert any(r["Type"] == "AWS::EC2::VPC" for r in home.values())


def test_networks_are_refused_with_the_reason(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, NETWORKS.replace("subnet: subnet-0123456789abcdef0", "subnet: subnet-nope"))
    assert re.search(r":\d+: build_network\.subnet: ", problem), problem
    assert problem.endswith(
        "build_network.subnet: 'subnet-nope' is not a subnet ID; "
        "use 'subnet-' and 8 or 17 hex digits, for example 'subnet-0123456789abcdef0'"
    )
    (problem,) = problems(tmp_path, NETWORKS.replace("us-east-1: {vpc", "ap-southeast-2: {vpc"))
    assert "consumers[0].networks: 'ap-southeast-2' is not a region of this consumer (eu-west-1, us-east-1)" in problem


def test_without_build_on_deploy_synth_says_what_to_run_for_a_new_region(tmp_path: Path) -> None:
    import aws_cdk as cdk

    from constructs_lib import VersionLock
    from constructs_lib.factory.app import build_factory

    model = load_factory(write(tmp_path, "regions: [us-east-1]\n" + MINIMAL))
    app = cdk.App(outdir=str(tmp_path / "out"))
    built = build_factory(
        app, model, base_dir=tmp_path, lock=VersionLock.at(tmp_path / "lock.json"), account="123456789012"
    )
    infos = cdk.assertions.Annotations.from_stack(built.factory_stacks[0]).find_info(
        "*", cdk.assertions.Match.any_value()
    )
    (info,) = [str(i.entry.data) for i in infos if "build_on_deploy is off" in str(i.entry.data)]
    assert info.endswith(
        "aws imagebuilder start-image-pipeline-execution --region eu-west-1 "
        "--image-pipeline-arn arn:aws:imagebuilder:eu-west-1:123456789012:image-pipeline/base"
    )


def test_what_the_constructs_would_refuse_is_refused_with_its_line(tmp_path: Path) -> None:
    """Cases the long fuzz run found accepted by the loader and refused only by a construct (a
    ValueError without file or line): each is a file error at its own entry now."""
    twice = MINIMAL.replace("[{aws: update-linux}]", "[{aws: update-linux}, {file: c/update-linux.yaml}]")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "update-linux.yaml").write_text(
        "name: u\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n"
        "      - name: s\n        action: ExecuteBash\n        inputs: {commands: [echo]}\n"
    )
    (problem,) = problems(tmp_path, twice)
    assert problem.endswith(
        ":4: images[0].components: 'update-linux' is listed twice (components[0] and components[1]); "
        "a recipe takes each component once: drop one"
    )
    arch = (
        MINIMAL + "  - {name: app, parent: base, architectures: [x86_64, arm64], components: [{aws: update-linux}]}\n"
    )
    (problem,) = problems(tmp_path, arch)
    assert problem.endswith(
        ":5: images[1].architectures: arm64 is not built by its parent 'base' (x86_64); add it to the parent's "
        "architectures or drop it here"
    )
    units = (
        MINIMAL + "accounts:\n  stackset:\n    organizational_units: [ou-ab12-cdefgh34, stable]\n    call_as: SELF\n"
    )
    (problem,) = problems(tmp_path, units)
    assert problem.endswith(
        ":7: accounts.stackset.organizational_units: 'stable' is not an OU or root ID; use for example "
        "'ou-ab12-cdefgh34'"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "components: [{aws: update-linux}]\n",
            "components: [{aws: update-linux}]\n    architectures: [arm64, arm64]\n",
            r":5: images\[0\]\.architectures: 'arm64' is listed twice; list each once",
        ),
        (
            "components: [{aws: update-linux}]\n",
            "components: [{aws: update-linux}]\n    volumes: {data: [{device: /dev/xvdf, size_gib: 8}, "
            "{device: /dev/xvdf, size_gib: 9}]}\n",
            r":5: images\[0\]\.volumes\.data: device '/dev/xvdf' is used twice \(the root volume is /dev/xvda\)",
        ),
        (
            "base: {os: amazon-linux-2023}",
            "base: {instance: {id: i-0123456789abcdef0, keep_devices: [/dev/xvdf]}}",
            r":3: images\[0\]\.base\.instance\.keep_devices: /dev/xvdf leaves out the root device /dev/xvda; add it",
        ),
        (
            "components: [{aws: update-linux}]\n",
            "components: [{aws: update-linux}]\naccounts: {destinations: ['222222222222', '222222222222']}\n",
            r":5: accounts\.destinations: '222222222222' is listed twice; list each once",
        ),
    ],
    ids=["architectures", "devices", "keep-devices", "destinations"],
)
def test_lists_the_constructs_take_once_are_refused_with_their_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    """Found by the long fuzz run (each was a construct's ValueError, without file or line)."""
    (problem,) = problems(tmp_path, MINIMAL.replace(old, new))
    assert re.search(message, problem), problem


@pytest.mark.parametrize(
    ("capacity", "expected"),
    [
        ("max_capacity: 123456789012", ":7: consumers[0].max_capacity: 123456789012 is outside"),
        ("min_capacity: 3", ":7: consumers[0].min_capacity: 3 is above max_capacity (2); a group cannot keep more"),
    ],
)
def test_consumer_capacity_is_refused_at_its_entry(tmp_path: Path, capacity: str, expected: str) -> None:
    text = MINIMAL + f"consumers:\n  - image: base\n    {capacity}\n"
    (problem,) = problems(tmp_path, text)
    assert expected in problem, problem


@pytest.mark.parametrize("bare", ["7", "'7'", "7.0"])
def test_a_consumer_pin_that_is_a_bare_parameter_version_is_refused_at_its_line(tmp_path: Path, bare: str) -> None:
    text = MINIMAL + f"consumers:\n  - image: base\n    pin: {bare}\n"
    (problem,) = problems(tmp_path, text)
    line = text.splitlines().index(f"    pin: {bare}") + 1
    assert re.fullmatch(
        rf".*factory\.yaml:{line}: consumers\[0\]\.pin: .* is a bare parameter version, which names a different image "
        r"in each region and for each image; pin an image version label instead, e\.g\. v1\.2\.3-4 for image version "
        r"1\.2\.3/4",
        problem,
    ), problem


def test_a_consumer_pin_names_an_image_version_label(tmp_path: Path) -> None:
    model = load_factory(write(tmp_path, MINIMAL + "consumers:\n  - {image: base, pin: v1.2.3-4}\n"))
    assert model.consumers[0].pin == "v1.2.3-4"


def test_a_layer_root_volume_smaller_than_its_parents_is_refused_at_its_line(tmp_path: Path) -> None:
    text = """\
images:
  - name: base
    base: {os: amazon-linux-2023}
    components: [{aws: update-linux}]
    volumes: {root_gib: 80}
  - name: web
    parent: base
    components: [{aws: update-linux}]
  - name: app
    parent: web
    components: [{aws: update-linux}]
    volumes:
      root_gib: 40
"""
    (problem,) = problems(tmp_path, text)
    assert problem.endswith(
        ":13: images[2].volumes.root_gib: 40 GiB is smaller than the root volume of its parent 'web' (80 GiB), "
        "whose snapshot the layer is built from; EC2 needs at least the snapshot's size: use 80 or more, or "
        "leave it out to take the parent's"
    ), problem


def test_a_layer_without_root_gib_takes_its_parents(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "components: [{aws: update-linux}]", "components: [{aws: update-linux}]\n    volumes: {root_gib: 80}"
    )
    text += "  - name: web\n    parent: base\n    components: [{aws: update-linux}]\n"
    model = load_factory(write(tmp_path, text))
    (base, web) = model.images
    assert (base.volumes.root_gib, web.volumes.root_gib) == (80, None)
    assert web.to_spec(tmp_path).root_volume is None  # the family gives it the parent's


def test_acknowledgements_name_a_known_finding_and_a_reason(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + """\
acknowledge:
  - {id: GA-C002, path: GoldenAmiConsumers-eu-west-1/web/Fleet, reason: the web fleet moves to its own account}
  - {id: GA-C009, path: GoldenAmiFactory, reason: a rule that does not exist}
  - {id: GA-P009, path: GoldenAmiFactory, reason: ok}
  - {id: golden-ami:default-vpc, path: /, reason: the account keeps its default VPC for builds}
"""
    )
    found = problems(tmp_path, text)
    assert len(found) == 3, found
    assert found[0].endswith(
        ":7: acknowledge[1].id: 'GA-C009' is no finding this library reports; give a replacement guard rule (GA-C001, GA-C002, GA-C003), a preflight rule (GA-P001 ... GA-P021) or a construct warning's ID (golden-ami:default-vpc, golden-ami:never-builds, PublicAmi), as the finding prints it"
    )
    assert found[1].endswith(
        ":8: acknowledge[2].reason: 'ok' is too short to tell a reviewer why; say in a sentence why this change is wanted"
    )
    assert found[2].endswith(
        ":9: acknowledge[3].path: empty; give the construct path the finding prints (Stack/Construct/...)"
    )
    model = load_factory(write(tmp_path, text.split("  - {id: GA-C009")[0]))
    assert [(a.id, a.path) for a in model.acknowledge] == [("GA-C002", "GoldenAmiConsumers-eu-west-1/web/Fleet")]


LAYERED_WITH_FLEET = """\
account: '123456789012'
images:
  - name: base
    base: {os: amazon-linux-2023}
    components: [{aws: update-linux}]
  - name: app
    parent: base
    components: [{aws: aws-cli-version-2-linux}]
consumers:
  - {image: app, instance_type: m7i.large, min_capacity: 1, max_capacity: 2}
"""


def test_a_file_with_layers_and_fleets_builds_on_deploy_unless_it_says_otherwise(tmp_path: Path) -> None:
    assert load_factory(write(tmp_path, LAYERED_WITH_FLEET)).build_on_deploy is True
    assert load_factory(write(tmp_path, MINIMAL)).build_on_deploy is False  # nothing needs a built image


def test_a_layered_file_with_fleets_and_no_build_on_deploy_synthesizes_clean(tmp_path: Path) -> None:
    import aws_cdk as cdk

    from constructs_lib import VersionLock
    from constructs_lib.checks.preflight import Severity, preflight
    from constructs_lib.factory.app import build_factory

    model = load_factory(write(tmp_path, LAYERED_WITH_FLEET))
    app = cdk.App(outdir=str(tmp_path / "out"), context={"aws:cdk:enable-path-metadata": True})
    build_factory(app, model, base_dir=tmp_path, lock=VersionLock.at(tmp_path / "lock.json"), account="123456789012")
    found = preflight(Path(app.synth().directory))
    assert [str(f) for f in found if f.severity is Severity.ERROR] == []


def test_build_on_deploy_false_with_fleets_and_layers_is_refused_at_its_line(tmp_path: Path) -> None:
    assert problems(tmp_path, "build_on_deploy: false\n" + LAYERED_WITH_FLEET) == [
        f"{tmp_path / 'factory.yaml'}:1: build_on_deploy: a fleet launches its image's latest-AMI parameter, which "
        "Image Builder writes only when the image is built, so its stack would fail to create; set build_on_deploy: "
        "true (each image is built once while the factory deploys, 20 to 60 minutes each)",
        f"{tmp_path / 'factory.yaml'}:1: build_on_deploy: a layer's recipe names its parent's image, which exists "
        "only once the parent is built, so the layer's recipe would fail to create; set build_on_deploy: true "
        "(parents are built first)",
    ]


def test_a_bad_cron_and_a_bad_time_zone_are_both_reported(tmp_path: Path) -> None:
    text = MINIMAL + '    schedule: {cron: "cron(0 99 ? * SUN *)", time_zone: "Mars/Olympus"}\n'
    path = tmp_path / "factory.yaml"
    assert problems(tmp_path, text) == [
        f"{path}:5: images[0].schedule.cron: hour field '99' in 'cron(0 99 ? * SUN *)': value 99 is outside 0-23; "
        "use for example cron(0 4 ? * SUN *) for 04:00 every Sunday",
        f"{path}:5: images[0].schedule.time_zone: 'Mars/Olympus' is not an IANA time zone; use an IANA name such as "
        "'Europe/Berlin'",
    ]


def test_keep_last_zero_is_reported_at_the_key_the_file_wrote(tmp_path: Path) -> None:
    path = tmp_path / "factory.yaml"
    assert problems(tmp_path, "lifecycle: {keep_last: 0}\n" + MINIMAL) == [
        f"{path}:1: lifecycle.keep_last: 0 is outside AWS's range; use one from 1 to 1000"
    ]
    rules = "lifecycle:\n  rules:\n    - {action: deprecate, age: 30}\n    - {action: delete, keep_last: 0}\n"
    assert problems(tmp_path, rules + MINIMAL) == [
        f"{path}:4: lifecycle.rules[1].keep_last: 0 is outside AWS's range; use one from 1 to 1000"
    ]


def test_a_reference_to_an_image_whose_entry_is_broken_says_it_may_follow_from_that(tmp_path: Path) -> None:
    text = (
        "images:\n"
        "  - nmae: base\n"
        "    base: {os: amazon-linux-2023}\n"
        "    components: [{aws: update-linux}]\n"
        "  - name: web\n"
        "    parent: base\n"
        "    components: [{aws: update-linux}]\n"
    )
    found = problems(tmp_path, text)
    assert found[-1] == (
        f"{tmp_path / 'factory.yaml'}:6: images[1].parent: 'base' is not an image of this file; images are: web "
        "(this may follow from the problem at images[0]: fix that first)"
    )
    assert f"{tmp_path / 'factory.yaml'}:2: images[0].nmae: unknown key 'nmae'; did you mean 'name'?" in found


INLINE_DOCUMENT = (
    "          name: hello\n"
    "          schemaVersion: 1.0\n"
    "          phases:\n"
    "            - name: build\n"
    "              steps:\n"
    "                - name: Say\n"
    "                  action: ExecuteBashh\n"
    "                  inputs:\n"
    "                    commands: [echo hi]\n"
)


@pytest.mark.parametrize("inline", ["inline: |", "inline:"], ids=["block-scalar", "mapping"])
def test_a_problem_inside_an_inline_component_is_reported_at_the_files_line(tmp_path: Path, inline: str) -> None:
    text = MINIMAL.replace(
        "    components: [{aws: update-linux}]\n",
        f"    components:\n      - aws: update-linux\n      - name: hello\n        {inline}\n" + INLINE_DOCUMENT,
    )
    path = write(tmp_path, text)
    assert path.read_text().splitlines()[13].strip() == "action: ExecuteBashh"
    assert problems(tmp_path, text) == [
        f"{path}:14: images[0].components[1].inline: phases[0].steps[0].action: 'ExecuteBashh' is not an AWSTOE "
        "action module; did you mean 'ExecuteBash'?"
    ]


ACCOUNTS = """\
account: "111111111111"
accounts: {destinations: ["222222222222"]}
sharing: {accounts: ["333333333333"]}
"""


def test_a_consumer_in_a_destination_account_is_kept_with_its_account(tmp_path: Path) -> None:
    text = ACCOUNTS + MINIMAL + 'consumers:\n  - {image: base, account: "222222222222"}\n  - {image: base}\n'
    model = load_factory(write(tmp_path, text))
    assert [c.account for c in model.consumers] == ["222222222222", None]


@pytest.mark.parametrize(
    ("account", "expected"),
    [
        (
            "333333333333",
            "'333333333333' is only shared with (sharing.accounts): it gets no copy, so Image Builder writes no "
            "latest-AMI parameter there for the fleet's launch template to read; list it under accounts.destinations "
            "as well",
        ),
        (
            "444444444444",
            "'444444444444' is neither the factory account (111111111111) nor one of accounts.destinations",
        ),
        ("4444", "'4444' is not an AWS account ID; use exactly 12 digits"),
    ],
)
def test_a_consumer_in_an_account_without_a_copy_is_refused_at_its_line(
    tmp_path: Path, account: str, expected: str
) -> None:
    text = ACCOUNTS + MINIMAL + f'consumers:\n  - image: base\n    account: "{account}"\n'
    (problem,) = problems(tmp_path, text)
    line = text.splitlines().index(f'    account: "{account}"') + 1
    assert problem.startswith(f"{tmp_path / 'factory.yaml'}:{line}: consumers[0].account: "), problem
    assert expected in problem, problem


def test_two_fleets_of_one_name_may_run_in_one_region_of_two_accounts(tmp_path: Path) -> None:
    text = ACCOUNTS + MINIMAL + 'consumers:\n  - {image: base}\n  - {image: base, account: "222222222222"}\n'
    assert len(load_factory(write(tmp_path, text)).consumers) == 2


def test_a_destination_that_has_the_lifecycle_role_already_is_not_given_a_second(tmp_path: Path) -> None:
    import aws_cdk as cdk

    import app as factory_app
    from tests.conftest import CONTEXT

    text = 'account: "111111111111"\naccounts:\n  destinations: ["222222222222"]\n  lifecycle_role_exists: ["222222222222"]\n'
    path = write(tmp_path, text + MINIMAL)
    app = cdk.App(context={**CONTEXT, "factory": str(path), "golden-ami:versionLockFile": str(tmp_path / "l.json")})
    factory_app.build(app)
    resources = app.synth().get_stack_by_name("GoldenAmiDestination-222222222222").template["Resources"]
    names = [r["Properties"].get("RoleName") for r in resources.values() if r["Type"] == "AWS::IAM::Role"]
    assert "Ec2ImageBuilderCrossAccountLifecycleAccess" not in names
    # The preflight's GA-P019 reads that the account has it: the distribution role says so.
    assert any(r.get("Metadata", {}).get("golden-ami:lifecycle-role-exists") is True for r in resources.values())


def test_lifecycle_role_exists_names_only_destinations(tmp_path: Path) -> None:
    text = 'accounts:\n  destinations: ["222222222222"]\n  lifecycle_role_exists: ["333333333333"]\n'
    (problem,) = problems(tmp_path, text + MINIMAL)
    assert problem.endswith(
        ":3: accounts.lifecycle_role_exists: '333333333333' is not one of accounts.destinations; list only "
        "destinations (only their stacks would create the role)"
    ), problem


def test_a_written_size_above_the_volumes_is_refused_at_its_line(tmp_path: Path) -> None:
    text = (
        "images:\n  - name: base\n    base: {os: amazon-linux-2023}\n    components: [{aws: update-linux}]\n"
        "    volumes:\n      root_gib: 30\n      data: [{device: /dev/xvdf, size_gib: 20}]\n      used_gib: 60\n"
    )
    (problem,) = problems(tmp_path, text)
    assert problem.endswith(
        ":8: images[0].volumes.used_gib: 60.0 is not a written size of 50 GiB of volumes; give more than 0 and at most 50"
    ), problem
    ok = text.replace("used_gib: 60", "used_gib: 6")
    (image,) = load_factory(write(tmp_path, ok)).images
    assert image.volumes.used_gib == 6
