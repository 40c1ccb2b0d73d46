"""Values resolved in Python are what node's Stack.resolve returns, and what only node can resolve
is handed to node."""

from __future__ import annotations

import enum
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs

from constructs_lib import (
    BaseImage,
    Component,
    FastLaunch,
    LaunchPermission,
    LaunchTemplateTarget,
    OperatingSystem,
    RegionTarget,
    VersionLock,
)
from constructs_lib._core.plain import NeedsNode, plain
from constructs_lib.factory.app import Factory
from constructs_lib.pipeline.image import digest_of, distribution_digest
from tests.conftest import ACCOUNT, make_pipeline

_Dist = imagebuilder.CfnDistributionConfiguration


def test_structs_dicts_and_lists_come_out_as_node_resolves_them(stack: cdk.Stack) -> None:
    value = [
        _Dist.DistributionProperty(
            region="eu-west-1",
            ami_distribution_configuration={"Name": "x", "AmiTags": {"a": "b"}, "TargetAccountIds": ["1", "2"]},
            ssm_parameter_configurations=[_Dist.SsmParameterConfigurationProperty(parameter_name="/p", data_type="t")],
            fast_launch_configurations=[
                _Dist.FastLaunchConfigurationProperty(
                    enabled=True,
                    max_parallel_launches=6,
                    snapshot_configuration=_Dist.FastLaunchSnapshotConfigurationProperty(target_resource_count=5),
                )
            ],
        ),
        {"Nested": [{"Deep": True}], "Empty": []},
        ["a", 1, False],
    ]
    assert plain(value) == stack.resolve(value)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(lambda s: [sqs.Queue(s, "Q").queue_arn], id="string token"),
        pytest.param(lambda s: {"Ids": cdk.Token.as_list(cdk.Fn.split(",", cdk.Fn.ref("L")))}, id="list token"),
        pytest.param(lambda s: cdk.Token.as_number(cdk.Fn.ref("N")), id="number token"),
        pytest.param(lambda s: cdk.Token.as_any(cdk.Fn.ref("X")), id="resolvable"),
        pytest.param(lambda s: {"Key": None}, id="null in a map"),
        pytest.param(lambda s: ["a", None], id="null in a list"),
        pytest.param(lambda s: ("a",), id="tuple"),
        pytest.param(lambda s: 1.5, id="float"),
        pytest.param(lambda s: {cdk.Fn.join("-", ["team", cdk.Aws.REGION]): "yes"}, id="token as a map key"),
        pytest.param(
            lambda s: [f"{cdk.CfnParameter(s, 'P', type='Number').value_as_number}"], id="number token in a string"
        ),
        pytest.param(lambda s: [2**53 + 1], id="an int a JavaScript number rounds"),
        pytest.param(lambda s: [enum.IntEnum("E", "A").A], id="int enum"),
        pytest.param(
            lambda s: _Dist.FastLaunchConfigurationProperty(snapshot_configuration={"targetResourceCount": 3}),  # type: ignore[arg-type]
            id="a dict where a struct goes",
        ),
    ],
)
def test_what_only_node_can_resolve_is_left_to_node(stack: cdk.Stack, value: Any) -> None:
    with pytest.raises(NeedsNode):
        plain(value(stack))


def _digest_by_node(pipeline: Any) -> str:
    return digest_of(cdk.Stack.of(pipeline).resolve(pipeline.distribution_entries))


def test_every_pipeline_of_the_default_factory_gets_the_digest_node_gives(default_factory: Factory) -> None:
    assert default_factory.pipelines
    for pipeline in default_factory.pipelines:
        plain(pipeline.distribution_entries)  # resolved in Python: nothing here needs node
        assert distribution_digest(pipeline) == _digest_by_node(pipeline), pipeline.image_name


@pytest.mark.parametrize("prep_subnet", [False, True], ids=["resolved in Python", "a token: node resolves"])
def test_accounts_launch_templates_and_fast_launch_get_the_digest_node_gives(
    stack: cdk.Stack, lock: VersionLock, prep_subnet: bool
) -> None:
    # A subnet's prep template is made in the stack: its ID is a token, and node resolves it.
    home = FastLaunch(subnet_id="subnet-0123456789abcdef0") if prep_subnet else FastLaunch()
    pipeline = make_pipeline(
        stack,
        lock,
        image_name="win",
        base_image=BaseImage.aws_managed(OperatingSystem.WINDOWS_SERVER_2022),
        components=[Component.aws_managed("update-windows")],
        kms_key=kms.Alias.from_alias_name(stack, "HomeKey", "alias/golden-ami/distribution"),
        distributions=[
            RegionTarget(
                region="eu-central-1",
                fast_launch=FastLaunch(max_parallel_launches=8, snapshots=3),
                launch_permission=LaunchPermission(accounts=("222222222222",)),
                target_accounts=("333333333333",),
                kms_key_arn=f"arn:aws:kms:eu-central-1:{ACCOUNT}:alias/golden-ami/distribution",
                parameter_accounts=("333333333333",),
                launch_templates=(LaunchTemplateTarget(launch_template_id="lt-0123456789abcdef0"),),
            ),
            RegionTarget(region="eu-west-1", fast_launch=home),
        ],
    )
    if prep_subnet:
        with pytest.raises(NeedsNode):
            plain(pipeline.distribution_entries)
    else:
        plain(pipeline.distribution_entries)
    assert distribution_digest(pipeline) == _digest_by_node(pipeline)
