"""Where an image goes: one region target per region, and who may launch the AMI there."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Mapping
from functools import cache
from typing import Final

from aws_cdk.region_info import Fact, RegionInfo

from .limits import check_ami_name, check_tags, check_unique, is_token

# Sources: AWS::ImageBuilder::DistributionConfiguration schema and the Image Builder API
# (TargetAccountIds 1..1536, LaunchPermissionConfiguration UserIds 1..1536,
# OrganizationArns and OrganizationalUnitArns 1..25, SsmParameterConfiguration.ParameterName).
ACCOUNTS_MAX: Final = 1536
ORGANIZATIONS_MAX: Final = 25
PARAMETER_NAME_MAX: Final = 1011
LAUNCH_TEMPLATES_MAX: Final = 100
# EC2 Fast Launch. MaxParallelLaunches: "Value must be 6 or greater" (EC2 API EnableFastLaunch,
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableFastLaunch.html; Image Builder's own
# schema says only >= 1). TargetResourceCount 1..10000 (Image Builder FastLaunchSnapshotConfiguration).
FAST_LAUNCH_PARALLEL_MIN: Final = 6
FAST_LAUNCH_SNAPSHOTS_MAX: Final = 10000
_SUBNET_RE: Final = re.compile(r"^subnet-[0-9a-f]{8,17}$", re.ASCII)
_LAUNCH_TEMPLATE_RE: Final = re.compile(r"^lt-[a-z0-9-_]{17}$", re.ASCII)
_ACCOUNT_RE: Final = re.compile(r"^\d{12}$", re.ASCII)
_ORG_RE: Final = re.compile(r"^arn:aws[-a-z]*:organizations::\d{12}:organization/o-[a-z0-9]{10,32}$", re.ASCII)
_OU_RE: Final = re.compile(
    r"^arn:aws[-a-z]*:organizations::\d{12}:ou/o-[a-z0-9]{10,32}/ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$",
    re.ASCII,
)
_PARAMETER_RE: Final = re.compile(r"^[a-zA-Z0-9_.\-/]+$", re.ASCII)
PARAMETER_PREFIX: Final = "/golden-ami"
"""Latest-AMI parameters are named ``/golden-ami/<image>/latest`` unless a target says otherwise."""


@cache
def _regions() -> frozenset[str]:
    # One jsii call: aws-cdk-lib's RegionInfo.regions is Fact.regions, each looked up, and reading
    # a name and a partition of every region costs two calls more each (about 90 in all).
    return frozenset(Fact.regions)


@cache
def partition_of(region: str) -> str:
    """The partition (``aws``, ``aws-cn``, ...) of a known region; ``KeyError`` for another."""
    if region not in _regions():
        raise KeyError(region)
    return RegionInfo.get(region).partition or "aws"


def check_region(field: str, region: str) -> str:
    """Raise unless ``region`` is a region AWS has, listing the close matches."""
    if is_token(region) or region in _regions():
        return region
    close = difflib.get_close_matches(region, list(_regions()), n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(sorted(_regions()))}"
    raise ValueError(f"{field}: {region!r} is not an AWS region; {hint}")


def check_account(field: str, account: str) -> str:
    """Raise unless ``account`` is a 12-digit AWS account ID."""
    if not is_token(account) and not (isinstance(account, str) and _ACCOUNT_RE.fullmatch(account)):
        raise ValueError(f"{field}: {account!r} is not an AWS account ID; use exactly 12 digits, quoted as a string")
    return account


def check_parameter_name(field: str, name: str) -> str:
    """Raise unless ``name`` is an SSM parameter name Image Builder can write."""
    if is_token(name):
        return name
    if not name.startswith("/") or not 2 <= len(name) <= PARAMETER_NAME_MAX or not _PARAMETER_RE.fullmatch(name):
        raise ValueError(
            f"{field}: {name!r} is not an SSM parameter name Image Builder accepts; start with '/', "
            f"use letters, digits and _ . - / only, at most {PARAMETER_NAME_MAX} characters"
        )
    if name.lower().startswith(("/aws", "/ssm")):
        raise ValueError(
            f"{field}: {name!r} starts with a prefix AWS reserves (/aws, /ssm); "
            f"use for example '{PARAMETER_PREFIX}/...'"
        )
    return name


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class LaunchPermission:
    """Who may launch the AMI besides its owner. Default: nobody (owner only).

    ``public=True`` shares with every AWS account; it is refused unless set explicitly, and the
    pipeline adds a warning because accounts block public AMI sharing by default.
    """

    accounts: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    organizational_units: tuple[str, ...] = ()
    public: bool = False

    def __post_init__(self) -> None:
        for account in check_unique("launch_permission.accounts", self.accounts):
            check_account("launch_permission.accounts", account)
        if len(self.accounts) > ACCOUNTS_MAX:
            raise ValueError(
                f"launch_permission.accounts: {len(self.accounts)} given; AWS allows at most {ACCOUNTS_MAX}, "
                "share with an organization or OU instead"
            )
        for field, values, pattern, example in (
            (
                "organizations",
                self.organizations,
                _ORG_RE,
                "arn:aws:organizations::111122223333:organization/o-exampleorgid",
            ),
            (
                "organizational_units",
                self.organizational_units,
                _OU_RE,
                "arn:aws:organizations::111122223333:ou/o-exampleorgid/ou-ab12-cdefgh34",
            ),
        ):
            if len(values) > ORGANIZATIONS_MAX:
                raise ValueError(
                    f"launch_permission.{field}: {len(values)} given; AWS allows at most {ORGANIZATIONS_MAX}"
                )
            for arn in check_unique(f"launch_permission.{field}", values):
                if not is_token(arn) and not pattern.fullmatch(arn):
                    raise ValueError(
                        f"launch_permission.{field}: {arn!r} is not an ARN of that kind; use for example {example!r}"
                    )

    @property
    def is_owner_only(self) -> bool:
        """True when nobody but the owning account may launch the AMI."""
        return not (self.accounts or self.organizations or self.organizational_units or self.public)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class LaunchTemplateTarget:
    """A launch template that Image Builder gives a new version with each new AMI.

    The alternative to ``resolve:ssm:`` launch templates: Image Builder writes the AMI ID into
    a new template version and, by default, makes it the default version. The template must
    exist already (by ID); if CloudFormation manages it, it reports drift after each build.
    ``account`` is for a template in a target account (which then needs
    ``DistributionAccountRole(launch_templates=True)`` and the template tagged for it).
    """

    launch_template_id: str
    account: str | None = None
    set_default_version: bool = True

    def __post_init__(self) -> None:
        if not is_token(self.launch_template_id) and not _LAUNCH_TEMPLATE_RE.fullmatch(self.launch_template_id):
            raise ValueError(
                f"launch_templates: {self.launch_template_id!r} is not a launch template ID; "
                "use 'lt-' and 17 characters, for example 'lt-0123456789abcdef0'"
            )
        if self.account is not None:
            check_account("launch_templates.account", self.account)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class FastLaunch:
    """EC2 Fast Launch for a Windows AMI in one region: EC2 keeps ``snapshots`` pre-provisioned
    snapshots of it (Sysprep and first boot done), made by up to ``max_parallel_launches`` instances.

    Image Builder enables it in the source account only ("Create and update AMI distribution
    configurations", https://docs.aws.amazon.com/imagebuilder/latest/userguide/cr-upd-ami-distribution-settings.html;
    EC2: "To change these settings, you must own the AMI"). Without a launch template EC2 launches
    the prep instances into the region's default VPC ("Prerequisites",
    https://docs.aws.amazon.com/AWSEC2/latest/WindowsGuide/win-start-fast-launch-prereqs.html): where
    there is none, name a template (``launch_template_id`` or ``_name``, with ``launch_template_version``,
    which EnableFastLaunch requires, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_FastLaunchLaunchTemplateSpecificationRequest.html)
    or, in the pipeline's home region, a ``subnet_id`` for which the pipeline makes one (IMDSv2
    required, no public IP). A template you name must be tagged ``CreatedBy: EC2 Image Builder``:
    Image Builder's managed policies allow ``ec2:EnableFastLaunch`` on launch templates only with that
    tag (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSServiceRoleForImageBuilder.html;
    an ID cannot be checked at synth). Defaults: 6 parallel launches (AWS's minimum), 5 snapshots (EC2's default
    launch frequency, https://docs.aws.amazon.com/AWSEC2/latest/WindowsGuide/win-ami-config-fast-launch.html),
    the default VPC, the source account.
    """

    max_parallel_launches: int = FAST_LAUNCH_PARALLEL_MIN
    snapshots: int = 5
    launch_template_id: str | None = None
    launch_template_name: str | None = None
    launch_template_version: str | None = None
    subnet_id: str | None = None
    account: str | None = None

    def __post_init__(self) -> None:
        for field, value, low, high in (
            ("max_parallel_launches", self.max_parallel_launches, FAST_LAUNCH_PARALLEL_MIN, None),
            ("snapshots", self.snapshots, 1, FAST_LAUNCH_SNAPSHOTS_MAX),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low or (high and value > high):
                bound = f"{low} to {high}" if high else f"{low} or more"
                raise ValueError(f"fast_launch.{field}: {value!r} is outside what EC2 accepts; use {bound}")
        named = [n for n in (self.launch_template_id, self.launch_template_name, self.subnet_id) if n is not None]
        if len(named) > 1:
            raise ValueError(
                "fast_launch: give one of launch_template_id, launch_template_name or subnet_id "
                f"({len(named)} given); EC2 takes a launch template by ID or by name, not both"
            )
        template_id = self.launch_template_id
        if template_id is not None and not is_token(template_id) and not _LAUNCH_TEMPLATE_RE.fullmatch(template_id):
            raise ValueError(
                f"fast_launch.launch_template_id: {template_id!r} is not a launch template ID; "
                "use 'lt-' and 17 characters, for example 'lt-0123456789abcdef0'"
            )
        if (self.launch_template_id or self.launch_template_name) and not self.launch_template_version:
            raise ValueError(
                "fast_launch.launch_template_version: EC2's EnableFastLaunch requires the template's version "
                "with a launch template; give it, for example '1'"
            )
        if self.launch_template_version is not None and self.subnet_id is not None:
            raise ValueError("fast_launch.launch_template_version: the pipeline makes the template for subnet_id")
        if self.subnet_id is not None and not is_token(self.subnet_id) and not _SUBNET_RE.fullmatch(self.subnet_id):
            raise ValueError(
                f"fast_launch.subnet_id: {self.subnet_id!r} is not a subnet ID; use for example "
                "'subnet-0123456789abcdef0'"
            )
        if self.account is not None:
            check_account("fast_launch.account", self.account)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class RegionTarget:
    """The AMI in one region: its name, tags, key, copies into other accounts and sharing.

    Defaults: AMI name ``<image>-{{ imagebuilder:buildDate }}``; no extra tags; encrypted with
    the account's default EBS key (set ``kms_key_arn`` to use a key of your own, required when
    copying into ``target_accounts``); shared with nobody; the newest AMI ID written to the SSM
    parameter ``/golden-ami/<image>/latest`` in this region (``parameter_name=None`` and
    ``publish_parameter=False`` to skip it), in the owning account and in each of
    ``parameter_accounts`` (which must also be target accounts). ``launch_templates`` get a new
    version with each AMI (see :class:`LaunchTemplateTarget`); default: none. ``fast_launch``
    turns on EC2 Fast Launch there, for Windows images (:class:`FastLaunch`); default: off.
    """

    region: str
    ami_name: str | None = None
    description: str | None = None
    ami_tags: Mapping[str, str] = dataclasses.field(default_factory=dict)
    kms_key_arn: str | None = None
    target_accounts: tuple[str, ...] = ()
    launch_permission: LaunchPermission = dataclasses.field(default_factory=LaunchPermission)
    parameter_name: str | None = None
    publish_parameter: bool = True
    parameter_accounts: tuple[str, ...] = ()
    launch_templates: tuple[LaunchTemplateTarget, ...] = ()
    fast_launch: FastLaunch | None = None

    def __post_init__(self) -> None:
        check_region("distributions.region", self.region)
        field = f"distributions[{self.region}]"
        if self.ami_name is not None:
            check_ami_name(f"{field}.ami_name", self.ami_name)
        check_tags(f"{field}.ami_tags", self.ami_tags)
        for account in check_unique(f"{field}.target_accounts", self.target_accounts):
            check_account(f"{field}.target_accounts", account)
        if len(self.target_accounts) > ACCOUNTS_MAX:
            raise ValueError(
                f"{field}.target_accounts: {len(self.target_accounts)} given; AWS allows at most {ACCOUNTS_MAX}"
            )
        if self.target_accounts and self.kms_key_arn is None:
            raise ValueError(
                f"{field}.kms_key_arn: copies into other accounts ({', '.join(self.target_accounts)}) are "
                f"encrypted and need a customer managed KMS key in {self.region} that those accounts may use; "
                "set kms_key_arn (the default EBS key cannot be shared)"
            )
        if self.parameter_name is not None:
            check_parameter_name(f"{field}.parameter_name", self.parameter_name)
        if len(self.launch_templates) > LAUNCH_TEMPLATES_MAX:
            raise ValueError(
                f"{field}.launch_templates: {len(self.launch_templates)} given; AWS allows at most "
                f"{LAUNCH_TEMPLATES_MAX} per region"
            )
        check_unique(f"{field}.launch_templates", tuple(t.launch_template_id for t in self.launch_templates))
        for template in self.launch_templates:
            if template.account is not None and template.account not in self.target_accounts:
                raise ValueError(
                    f"{field}.launch_templates: {template.launch_template_id} is in account {template.account!r}, "
                    f"which is not a target account of {self.region}; add it to target_accounts"
                )
        for account in self.parameter_accounts:
            check_account(f"{field}.parameter_accounts", account)
            if account not in self.target_accounts:
                raise ValueError(
                    f"{field}.parameter_accounts: {account!r} is not a target account of {self.region}; "
                    "Image Builder writes parameters only into accounts it copies the AMI into, "
                    "so add it to target_accounts"
                )
