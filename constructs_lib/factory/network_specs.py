"""The factory file's networks: where build instances and consumer fleets run, named by ID."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from .._core.network import BuildNetwork, FleetNetwork
from ._base import _Model


class BuildNetworkSpec(_Model):
    """Where build and test instances run, by ID (synthesis looks nothing up). They must reach
    Systems Manager, Amazon S3 and the package mirrors the components use (README: Networks)."""

    subnet: str
    """A subnet of the home region, for example subnet-0123456789abcdef0."""
    security_groups: Annotated[list[str], Field(min_length=1)]
    """Security groups of the build instances (sg-...)."""

    @model_validator(mode="after")
    def _check(self) -> BuildNetworkSpec:
        self.to_network()
        return self

    def to_network(self) -> BuildNetwork:
        return BuildNetwork(subnet_id=self.subnet, security_group_ids=tuple(self.security_groups))


class FleetNetworkSpec(_Model):
    """An existing VPC of one region for a consumer's fleet, by ID."""

    vpc: str
    """The VPC, for example vpc-0123456789abcdef0."""
    subnets: Annotated[list[str], Field(min_length=1)]
    """Subnets the fleet launches into (subnet-...)."""
    security_groups: Annotated[list[str], Field(min_length=1)]
    """Security groups of the instances (sg-...)."""

    @model_validator(mode="after")
    def _check(self) -> FleetNetworkSpec:
        self.to_network()
        return self

    def to_network(self) -> FleetNetwork:
        return FleetNetwork(
            vpc_id=self.vpc, subnet_ids=tuple(self.subnets), security_group_ids=tuple(self.security_groups)
        )
