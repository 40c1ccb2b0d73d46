"""Networks named by ID: where build instances and fleets run, with no lookup at synth."""

from __future__ import annotations

import dataclasses
import re
from typing import Final

from .limits import check_unique, is_token

# Sources: AWS::EC2::Subnet SubnetId, AWS::EC2::SecurityGroup GroupId, AWS::EC2::VPC VpcId
# (the resource type prefix, then 8 or 17 hex digits).
_IDS: Final = {
    "subnet": re.compile(r"subnet-([0-9a-f]{8}|[0-9a-f]{17})", re.ASCII),
    "sg": re.compile(r"sg-([0-9a-f]{8}|[0-9a-f]{17})", re.ASCII),
    "vpc": re.compile(r"vpc-([0-9a-f]{8}|[0-9a-f]{17})", re.ASCII),
}


def check_id(field: str, kind: str, value: str) -> str:
    """Raise unless ``value`` is an ID of the ``kind`` of resource (``subnet``, ``sg``, ``vpc``)."""
    if is_token(value) or (isinstance(value, str) and _IDS[kind].fullmatch(value)):
        return value
    raise ValueError(
        f"{field}: {value!r} is not a {kind} ID; use '{kind}-' and 8 or 17 hex digits, "
        f"for example '{kind}-0123456789abcdef0'"
    )


def _check_groups(field: str, groups: tuple[str, ...]) -> None:
    if not groups:
        raise ValueError(f"{field}: none given; name at least one security group (sg-...) the instances get")
    check_unique(field, groups)
    for group in groups:
        check_id(field, "sg", group)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class BuildNetwork:
    """The subnet and security groups of a pipeline's build and test instances, by ID.

    Without one, Image Builder uses the account's default VPC
    (https://docs.aws.amazon.com/imagebuilder/latest/userguide/create-infra-config.html), which
    landing zones often delete. The subnet must reach Systems Manager, Amazon S3 and the package
    mirrors the components use (README: "Networks").

    Example::

        BuildNetwork(subnet_id="subnet-0123456789abcdef0", security_group_ids=("sg-0123456789abcdef0",))
    """

    subnet_id: str
    security_group_ids: tuple[str, ...]

    def __post_init__(self) -> None:
        check_id("build_network.subnet_id", "subnet", self.subnet_id)
        _check_groups("build_network.security_group_ids", tuple(self.security_group_ids))


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class FleetNetwork:
    """An existing VPC, its subnets and security groups for a fleet, by ID (one region's).

    Example::

        FleetNetwork(vpc_id="vpc-0123456789abcdef0", subnet_ids=("subnet-0123456789abcdef0",),
                     security_group_ids=("sg-0123456789abcdef0",))
    """

    vpc_id: str
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]

    def __post_init__(self) -> None:
        check_id("network.vpc_id", "vpc", self.vpc_id)
        subnets = tuple(self.subnet_ids)
        if not subnets:
            raise ValueError("network.subnet_ids: none given; name the subnets (subnet-...) the fleet launches into")
        check_unique("network.subnet_ids", subnets)
        for subnet in subnets:
            check_id("network.subnet_ids", "subnet", subnet)
        _check_groups("network.security_group_ids", tuple(self.security_group_ids))
