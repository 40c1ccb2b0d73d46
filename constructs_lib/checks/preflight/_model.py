"""What the rules share: the builds of the assembly (pipelines and deploy-time images) with
their recipe, distribution and execution role, the AMI copies each distribution makes, and the
consumers that read a latest-AMI parameter."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from .assembly import Assembly, Reference, Stack

BUILD_TYPES = ("AWS::ImageBuilder::ImagePipeline", "AWS::ImageBuilder::Image")
SSM_IMAGE = re.compile(r"resolve:ssm:(/?[A-Za-z0-9_.\-/]+?)(?::[A-Za-z0-9_.\-]+)?")
IMAGE_ARN = re.compile(r"arn:aws[-a-z]*:imagebuilder:([a-z0-9-]+):([0-9]{12}):image/([a-z0-9_\-]+)/.+")


def member_stacks(assembly: Assembly) -> Iterator[tuple[str, Stack]]:
    """``(path of the StackSet, its member template as a stack)`` for every StackSet of the
    assembly whose ``TemplateBody`` is JSON; a member's account and region are unknown (each
    member account deploys it)."""
    for stack, logical_id, resource in assembly.resources("AWS::CloudFormation::StackSet"):
        try:
            body = json.loads(resource.get("Properties", {}).get("TemplateBody", "{}"))
        except (TypeError, ValueError):
            continue
        if isinstance(body, dict):
            path = f"{stack.name}/{logical_id}"
            yield path, Stack(name=path, account=None, region=None, template=body)


def listed(value: Any) -> list[Any]:
    """A CloudFormation "string or list" value as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Build:
    """An ``AWS::ImageBuilder::ImagePipeline`` or ``AWS::ImageBuilder::Image``: what builds AMIs."""

    stack: Stack
    logical_id: str
    resource: Mapping[str, Any]
    recipe: Reference | None
    distribution: Reference | None
    execution_role: Reference | str | None

    @property
    def path(self) -> str:
        return f"{self.stack.name}/{self.logical_id}"

    @property
    def on_deploy(self) -> bool:
        """True for an image CloudFormation builds while the stack deploys."""
        return self.resource.get("Type") == "AWS::ImageBuilder::Image"


def builds(assembly: Assembly) -> Iterator[Build]:
    for stack, logical_id, resource in assembly.resources(*BUILD_TYPES):
        properties = resource.get("Properties", {})

        def ref(key: str, stack: Stack = stack, properties: Mapping[str, Any] = properties) -> Any:
            return assembly.resolve(stack, properties.get(key))

        recipe, distribution = ref("ImageRecipeArn"), ref("DistributionConfigurationArn")
        role = ref("ExecutionRole")
        yield Build(
            stack=stack,
            logical_id=logical_id,
            resource=resource,
            recipe=recipe if isinstance(recipe, Reference) else None,
            distribution=distribution if isinstance(distribution, Reference) else None,
            execution_role=role if isinstance(role, (Reference, str)) else None,
        )


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Copy:
    """One AMI a distribution leaves in a region of an account, the key that encrypts it, and who
    it is shared with there."""

    distribution: Reference
    region: str
    account: str
    home: bool
    key: Any
    user_ids: tuple[str, ...]
    organizations: tuple[str, ...]
    organizational_units: tuple[str, ...]


def recipe_keys(assembly: Assembly, build: Build) -> list[Any]:
    """The key of each encrypted volume of the build's recipe (None for the account's default
    EBS key), in device order."""
    recipe = assembly.resource(build.recipe) if build.recipe else None
    if recipe is None or build.recipe is None:
        return []
    stack = assembly.stacks[build.recipe.stack]
    keys = []
    for mapping in recipe.get("Properties", {}).get("BlockDeviceMappings", []):
        ebs = mapping.get("Ebs", {})
        if ebs.get("Encrypted") in (True, "true"):
            key = ebs.get("KmsKeyId")
            keys.append(assembly.key(stack, key) if key is not None else None)
    return keys


def copies(assembly: Assembly, build: Build) -> list[Copy]:
    """Every AMI the build's distribution leaves: the home-region AMI (encrypted by the recipe's
    key), each region's copy in the factory account and each copy into a target account."""
    distribution = assembly.resource(build.distribution) if build.distribution else None
    if distribution is None or build.distribution is None:
        return []
    stack = assembly.stacks[build.distribution.stack]
    if stack.account is None:
        return []
    account: str = stack.account
    home_keys = recipe_keys(assembly, build)
    result = []
    for entry in distribution.get("Properties", {}).get("Distributions", []):
        ami = entry.get("AmiDistributionConfiguration", {})
        region = assembly.text(stack, entry.get("Region"))
        if region is None:
            continue
        launch = ami.get("LaunchPermissionConfiguration", {})
        home = region == stack.region
        entry_key = assembly.key(stack, ami["KmsKeyId"]) if ami.get("KmsKeyId") is not None else None
        own_key = (home_keys[0] if home_keys else None) if home else entry_key
        shared = {
            "user_ids": tuple(str(u) for u in launch.get("UserIds", [])),
            "organizations": tuple(str(o) for o in launch.get("OrganizationArns", [])),
            "organizational_units": tuple(str(o) for o in launch.get("OrganizationalUnitArns", [])),
        }
        result.append(
            Copy(distribution=build.distribution, region=region, account=account, home=home, key=own_key, **shared)
        )
        for target in ami.get("TargetAccountIds", []):
            result.append(
                Copy(
                    distribution=build.distribution,
                    region=region,
                    account=str(target),
                    home=False,
                    key=entry_key,
                    user_ids=(),
                    organizations=(),
                    organizational_units=(),
                )
            )
    return result


def parameters_written(assembly: Assembly, stack: Stack, distribution: Mapping[str, Any]) -> set[tuple[str, str, str]]:
    """(region, account, name) of every latest-AMI parameter the distribution writes."""
    written = set()
    for entry in distribution.get("Properties", {}).get("Distributions", []):
        region = assembly.text(stack, entry.get("Region"))
        for parameter in entry.get("SsmParameterConfigurations", []):
            account = assembly.text(stack, parameter.get("AmiAccountId")) or stack.account
            name = assembly.text(stack, parameter.get("ParameterName"))
            if region and account and name:
                written.add((region, account, name))
    return written


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Consumer:
    """A resource that reads a latest-AMI parameter when its stack deploys."""

    stack: Stack
    logical_id: str
    parameter: str

    @property
    def path(self) -> str:
        return f"{self.stack.name}/{self.logical_id}"


def consumers(assembly: Assembly) -> Iterator[Consumer]:
    """Launch templates whose image is ``resolve:ssm:<name>``, and stack parameters of type
    ``AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>`` with their default name."""
    for stack, logical_id, resource in assembly.resources("AWS::EC2::LaunchTemplate"):
        image = resource.get("Properties", {}).get("LaunchTemplateData", {}).get("ImageId")
        match = SSM_IMAGE.fullmatch(image) if isinstance(image, str) else None
        if match:
            yield Consumer(stack=stack, logical_id=logical_id, parameter=match.group(1))
    for stack in assembly.stacks.values():
        for name, parameter in stack.template.get("Parameters", {}).items():
            if parameter.get("Type") == "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>" and isinstance(
                parameter.get("Default"), str
            ):
                yield Consumer(stack=stack, logical_id=name, parameter=parameter["Default"])
