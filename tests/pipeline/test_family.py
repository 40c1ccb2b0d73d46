from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest

from constructs_lib import (
    Architecture,
    BaseImage,
    Component,
    GoldenImagePipeline,
    ImageFamily,
    ImageSpec,
    OperatingSystem,
    RegionTarget,
    RootVolume,
    VersionLock,
    build_order,
)
from tests.conftest import lint_errors, make_stack, synth_with_nag, template

AL2023 = BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2023)
UPDATE = (Component.aws_managed("update-linux"),)
X86, ARM = Architecture.X86_64, Architecture.ARM64


def spec(name: str, parent: str | None = None, **kwargs: Any) -> ImageSpec:
    if parent is None:
        kwargs.setdefault("base_image", AL2023)
    return ImageSpec(name=name, parent=parent, components=UPDATE, **kwargs)


def resources(stack: cdk.Stack, kind: str) -> dict[str, dict[str, Any]]:
    found = template(stack).find_resources(kind)
    return {r["Properties"]["Name"]: r["Properties"] for r in found.values()}


def test_chain_of_three_layers_each_on_its_parent(stack: cdk.Stack, lock: VersionLock) -> None:
    family = ImageFamily(
        stack, "Images", version_lock=lock, images=[spec("app", "runtime"), spec("runtime", "base"), spec("base")]
    )
    assert [p.image_name for p in family.all_pipelines] == ["base", "runtime", "app"]
    recipes = resources(stack, "AWS::ImageBuilder::ImageRecipe")
    assert recipes["base"]["ParentImage"] == "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    assert recipes["runtime"]["ParentImage"] == "arn:aws:imagebuilder:eu-west-1:111111111111:image/base/x.x.x"
    assert recipes["app"]["ParentImage"] == "arn:aws:imagebuilder:eu-west-1:111111111111:image/runtime/x.x.x"
    pipelines = resources(stack, "AWS::ImageBuilder::ImagePipeline")
    for layer in ("runtime", "app"):
        schedule = pipelines[layer]["Schedule"]
        assert schedule["PipelineExecutionStartCondition"] == "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE"
        assert schedule["ScheduleExpression"] == "cron(0 */6 * * ? *)"
    # Layers build only when their parent changes: weekly, like the base, not every 6 hours.
    assert family.pipeline("app").builds_per_month == family.pipeline("base").builds_per_month
    assert not lint_errors(template(stack).to_json())


def test_cycle_is_an_error_naming_its_images() -> None:
    with pytest.raises(
        ValueError, match=r"images: app -> runtime -> web -> app form a cycle \(each is layered on the next\)"
    ):
        build_order([spec("app", "runtime"), spec("web", "app"), spec("runtime", "web"), spec("base")])


def test_unknown_parent_suggests_the_closest_name() -> None:
    with pytest.raises(
        ValueError, match=r"images\[web\].parent: 'bse' is not an image of the family; did you mean 'base'\?"
    ):
        build_order([spec("base"), spec("web", "bse")])


def test_both_architectures_get_distinct_pipelines_parameters_and_instance_types(
    stack: cdk.Stack, lock: VersionLock
) -> None:
    family = ImageFamily(
        stack,
        "Images",
        version_lock=lock,
        images=[spec("base", architectures=(X86, ARM)), spec("web", "base")],
    )
    names = [p.image_name for p in family.all_pipelines]
    assert names == ["base-x86-64", "base-arm64", "web-x86-64", "web-arm64"]
    arm_web = family.pipeline("web", ARM)
    assert arm_web.ami_parameter_name == "/golden-ami/web-arm64/latest"
    assert arm_web.architecture is ARM
    recipes = resources(stack, "AWS::ImageBuilder::ImageRecipe")
    assert recipes["base-arm64"]["ParentImage"].endswith("al2023-ami-kernel-default-arm64")
    assert recipes["web-arm64"]["ParentImage"].endswith(":image/base-arm64/x.x.x")
    infra = resources(stack, "AWS::ImageBuilder::InfrastructureConfiguration")
    assert infra["web-arm64"]["InstanceTypes"] == ["m7g.large", "m6g.large"]
    assert infra["web-x86-64"]["InstanceTypes"] == ["m7i.large", "m6i.large"]
    with pytest.raises(ValueError, match=r"pipeline: 'web' is built for x86_64, arm64; name the architecture"):
        family.pipeline("web")


def test_layer_cannot_ask_for_an_architecture_its_parent_lacks(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(
        ValueError, match=r"images\[web\].architectures: arm64 is not built by its parent 'base' \(x86_64\)"
    ):
        ImageFamily(
            stack, "Images", version_lock=lock, images=[spec("base"), spec("web", "base", architectures=(ARM,))]
        )


def test_a_layer_takes_its_parents_root_volume_and_may_not_shrink_it(stack: cdk.Stack, lock: VersionLock) -> None:
    """The layer's build starts from the parent's AMI; a root volume smaller than its snapshot fails
    only at build time (InvalidBlockDeviceMapping), so it is refused here and left out, inherited."""
    big = RootVolume(size_gib=80)
    family = ImageFamily(
        stack,
        "Images",
        version_lock=lock,
        images=[
            spec("base", root_volume=big),
            spec("web", "base"),
            spec("app", "web", root_volume=RootVolume(size_gib=100)),
        ],
    )
    assert family.pipeline("web").root_volume.size_gib == 80
    assert family.pipeline("app").root_volume.size_gib == 100
    sizes = {
        name: props["BlockDeviceMappings"][0]["Ebs"]["VolumeSize"]
        for name, props in resources(stack, "AWS::ImageBuilder::ImageRecipe").items()
    }
    assert sizes == {"base": 80, "web": 80, "app": 100}


def test_a_layer_root_volume_smaller_than_its_parents_is_refused(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(
        ValueError,
        match=r"images\[web\].root_volume.size_gib: 30 GiB is smaller than the root volume of its parent 'base' \(80 GiB\)",
    ):
        ImageFamily(
            stack,
            "Images",
            version_lock=lock,
            images=[spec("base", root_volume=RootVolume(size_gib=80)), spec("web", "base", root_volume=RootVolume())],
        )


def test_fixed_base_cannot_serve_another_architecture(stack: cdk.Stack, lock: VersionLock) -> None:
    ami = BaseImage.from_ami_id("ami-0123456789abcdef0", architecture=X86)
    with pytest.raises(
        ValueError,
        match=r"architectures: AMI ami-0123456789abcdef0 is x86_64, so it cannot be the base of an arm64 image",
    ):
        ImageFamily(stack, "Images", version_lock=lock, images=[spec("base", base_image=ami, architectures=(X86, ARM))])


def test_wrong_instance_type_for_a_layer_names_types_that_fit(stack: cdk.Stack, lock: VersionLock) -> None:
    family = ImageFamily(stack, "Images", version_lock=lock, images=[spec("base", architectures=(ARM,))])
    base = BaseImage.from_pipeline(family.pipeline("base"))
    with pytest.raises(
        ValueError,
        match=r"instance_types: 'm7i.large' is an x86_64 instance type but the image is arm64; use arm64 types such as m7g.large, m6g.large",
    ):
        GoldenImagePipeline(
            stack,
            "Web",
            image_name="web",
            base_image=base,
            components=UPDATE,
            version_lock=lock,
            instance_types=["m7i.large"],
        )


def test_layer_must_be_in_its_parents_region(stack: cdk.Stack, lock: VersionLock) -> None:
    family = ImageFamily(stack, "Images", version_lock=lock, images=[spec("base")])
    east = make_stack(region="us-east-1")
    with pytest.raises(
        ValueError,
        match=r"base_image: golden image base \(newest version\) is built in eu-west-1, but 'web' builds in us-east-1",
    ):
        GoldenImagePipeline(
            east,
            "Web",
            image_name="web",
            base_image=BaseImage.from_pipeline(family.pipeline("base")),
            components=UPDATE,
            version_lock=lock,
        )


def test_build_on_deploy_builds_parents_first(stack: cdk.Stack, lock: VersionLock) -> None:
    ImageFamily(stack, "Images", version_lock=lock, build_on_deploy=True, images=[spec("base"), spec("web", "base")])
    t = template(stack).to_json()["Resources"]
    images = {k: v for k, v in t.items() if v["Type"] == "AWS::ImageBuilder::Image"}
    assert len(images) == 2
    web_recipe = next(
        v for v in t.values() if v["Type"] == "AWS::ImageBuilder::ImageRecipe" and v["Properties"]["Name"] == "web"
    )
    base_image = next(k for k in images if "base" in k)
    assert base_image in web_recipe["DependsOn"]
    synth_with_nag(stack)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "base", "components": UPDATE}, r"images\[base\]: give exactly one of base_image= .* or parent="),
        (
            {"name": "base", "components": UPDATE, "base_image": AL2023, "parent": "x"},
            r"images\[base\]: give exactly one",
        ),
        ({"name": "b", "components": UPDATE, "base_image": AL2023}, r"images.name: 'b'"),
        ({"name": "base", "components": UPDATE, "base_image": AL2023, "architectures": ()}, r"architectures: empty"),
        (
            {"name": "base", "components": UPDATE, "base_image": AL2023, "architectures": (X86, X86)},
            r"'x86_64' is listed twice",
        ),
    ],
)
def test_spec_rejects_bad_input(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ImageSpec(**kwargs)


def test_family_rejects_duplicates_empty_and_shared_parameter_names(stack: cdk.Stack, lock: VersionLock) -> None:
    with pytest.raises(ValueError, match=r"images.name: 'base' is listed twice"):
        build_order([spec("base"), spec("base")])
    with pytest.raises(ValueError, match=r"images: none given"):
        ImageFamily(stack, "Empty", images=[])
    with pytest.raises(
        ValueError, match=r"distributions\[us-east-1\].parameter_name: a family shares its region targets"
    ):
        ImageFamily(
            stack,
            "Shared",
            version_lock=lock,
            images=[spec("base")],
            distributions=[RegionTarget(region="us-east-1", parameter_name="/golden-ami/x")],
        )


def test_parameter_name_tests_and_scanning_per_image(stack: cdk.Stack, lock: VersionLock) -> None:
    family = ImageFamily(
        stack,
        "Images",
        version_lock=lock,
        distributions=[RegionTarget(region="us-east-1")],
        images=[
            ImageSpec(
                name="base",
                base_image=AL2023,
                components=UPDATE,
                architectures=(X86, ARM),
                parameter_name="/platform/base",
                image_tests=False,
                image_scanning=False,
            )
        ],
    )
    arm = family.pipeline("base", ARM)
    assert arm.parameter_names == {"us-east-1": "/platform/base-arm64", "eu-west-1": "/platform/base-arm64"}
    pipelines = resources(stack, "AWS::ImageBuilder::ImagePipeline")
    assert pipelines["base-x86-64"]["ImageTestsConfiguration"]["ImageTestsEnabled"] is False
    assert pipelines["base-x86-64"]["ImageScanningConfiguration"] == {"ImageScanningEnabled": False}


def test_pipelines_of_a_scope_share_build_resources_and_lifecycle_role(stack: cdk.Stack, lock: VersionLock) -> None:
    ImageFamily(
        stack, "Images", version_lock=lock, images=[spec("base", architectures=(X86, ARM)), spec("web", "base")]
    )
    t = template(stack)
    assert len(t.find_resources("AWS::S3::Bucket")) == 1
    assert len(t.find_resources("AWS::IAM::InstanceProfile")) == 1
    infra = resources(stack, "AWS::ImageBuilder::InfrastructureConfiguration")
    assert len({json.dumps(i["InstanceProfileName"]) for i in infra.values()}) == 1
    lifecycle_roles = {
        json.dumps(p["ExecutionRole"]) for p in resources(stack, "AWS::ImageBuilder::LifecyclePolicy").values()
    }
    assert len(lifecycle_roles) == 1
    # The shared build role may write each pipeline's log prefix, in one statement.
    statements = [
        s
        for policy in t.find_resources("AWS::IAM::Policy").values()
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if "s3:PutObject" in s["Action"]
    ]
    (logs,) = statements
    prefixes = sorted(r["Fn::Join"][1][-1] for r in logs["Resource"])
    assert prefixes == ["/base-arm64/*", "/base-x86-64/*", "/web-arm64/*", "/web-x86-64/*"]
    synth_with_nag(stack)


def test_sharing_can_be_turned_off(stack: cdk.Stack, lock: VersionLock) -> None:
    ImageFamily(
        stack, "Images", version_lock=lock, share_build_resources=False, images=[spec("base"), spec("web", "base")]
    )
    assert len(template(stack).find_resources("AWS::S3::Bucket")) == 2


def test_spec_rejects_on_demand_with_a_schedule() -> None:
    from constructs_lib import Schedule

    with pytest.raises(ValueError, match=r"images\[base\]: on_demand=True and a schedule; give one of them"):
        spec("base", on_demand=True, schedule=Schedule())


def test_removing_an_image_leaves_a_policy_retiring_its_amis(lock: VersionLock) -> None:
    """The removed image's AMIs outlive its pipeline: its lifecycle policy and the role it runs
    with leave the template as retained resources, so they keep retiring those AMIs."""

    def synth(*names: str) -> dict[str, Any]:
        stack = make_stack()
        ImageFamily(stack, "Images", version_lock=lock, images=[spec(n) for n in names])
        resources: dict[str, Any] = template(stack).to_json()["Resources"]
        return resources

    before, after = synth("web", "api"), synth("web")
    left = {k: before[k] for k in before.keys() - after.keys()}
    retained = {k: r for k, r in left.items() if r.get("DeletionPolicy") == "Retain"}
    (policy,) = [r for r in retained.values() if r["Type"] == "AWS::ImageBuilder::LifecyclePolicy"]
    assert policy["Properties"]["ResourceSelection"] == {"Recipes": [{"Name": "api", "SemanticVersion": "x.x.x"}]}
    assert policy["UpdateReplacePolicy"] == "Retain"
    role_id = policy["Properties"]["ExecutionRole"]["Fn::GetAtt"][0]
    # The shared role stays in the template for the other images; either way it is retained.
    role = after.get(role_id) or retained[role_id]
    assert role["Type"] == "AWS::IAM::Role" and role["DeletionPolicy"] == "Retain"
