"""The rules across a pipeline's arguments (instance types, parent region, region targets), as pure functions."""

from __future__ import annotations

from collections.abc import Sequence

from .._core.enums import Architecture, Platform
from .._core.instance_types import DEFAULT_INSTANCE_TYPES, check_instance_types
from .._core.limits import is_token
from .._core.targets import RegionTarget, check_region, partition_of
from ..bake.base_image import BaseImage


def instance_types_for(instance_types: Sequence[str] | None, architecture: Architecture | None) -> tuple[str, ...]:
    """The given build instance types, checked against the base's architecture, else the defaults."""
    types = (
        tuple(instance_types)
        if instance_types is not None
        else DEFAULT_INSTANCE_TYPES[architecture or Architecture.X86_64]
    )
    check_instance_types("instance_types", types, architecture)
    return types


def check_base_region(base_image: BaseImage, image_name: str, region: str) -> None:
    """A layer builds where its parent was built."""
    if base_image.region is not None and base_image.region != region:
        raise ValueError(
            f"base_image: {base_image.description} is built in {base_image.region}, but "
            f"{image_name!r} builds in {region}; a layer must be in its parent's region (and account)"
        )


def check_targets(
    given: tuple[RegionTarget, ...], *, home: str, include_home: bool, encrypted: bool, home_key: bool
) -> tuple[RegionTarget, ...]:
    """The pipeline's targets, the home region first unless listed or excluded; raises
    ``ValueError`` for a region listed twice, no region at all, or a target :func:`check_target`
    refuses."""
    regions = [t.region for t in given]
    for region in regions:
        if regions.count(region) > 1:
            raise ValueError(
                f"distributions: region {region!r} is listed twice; merge its settings into one RegionTarget"
            )
    if include_home and home not in regions:
        given = (RegionTarget(region=check_region("home region", home)), *given)
    if not given:
        raise ValueError("distributions: no region left (include_home_region=False and none listed); list at least one")
    for target in given:
        check_target(target, home=home, encrypted=encrypted, home_key=home_key)
    return given


def check_target(target: RegionTarget, *, home: str, encrypted: bool, home_key: bool) -> None:
    """One target against the pipeline: the home partition, no public sharing of encrypted
    snapshots, and no sharing or copying into other accounts of AMIs on the account's default EBS
    key. A home key (``home_key``, the recipe's) is needed whenever the AMI is shared in the home
    region or copied into other accounts; a target's ``kms_key_arn`` when it is shared elsewhere."""
    field = f"distributions[{target.region}]"
    partition = partition_of(home)
    if partition_of(target.region) != partition:
        raise ValueError(
            f"{field}.region: {target.region!r} is outside the home region's partition {partition!r}; "
            "AMIs cannot be copied across partitions"
        )
    permission = target.launch_permission
    if permission.public:
        if encrypted or target.kms_key_arn:
            raise ValueError(
                f"{field}.launch_permission.public: AWS cannot make an AMI with encrypted snapshots public, "
                "and this image's volumes are encrypted; pass encrypt_volumes=False to the pipeline (no "
                "kms_key_arn on the target, and EBS encryption by default off in the account), or share "
                "with accounts, organizations or OUs instead"
            )
        return
    if (
        encrypted
        and not home_key
        and (target.target_accounts or (target.region == home and not permission.is_owner_only))
    ):
        # The distribution's key encrypts only the copies; the AMI built at home, which is shared
        # there and is the source of every copy into another account, is encrypted by the recipe
        # (https://docs.aws.amazon.com/imagebuilder/latest/userguide/cr-upd-ami-distribution-settings.html).
        what = "copied into other accounts" if target.target_accounts else "shared with other accounts"
        raise ValueError(
            f"kms_key: the AMI is {what} in {target.region} but the recipe's volumes use the account's "
            "default EBS key, which AWS lets no other account use and which the distribution's kms_key_arn "
            "does not replace for the AMI built in the home region; pass kms_key= a customer managed key in "
            f"the home region {home} (for example the home DistributionKey)"
        )
    if not permission.is_owner_only and encrypted and target.kms_key_arn is None and target.region != home:
        raise ValueError(
            f"{field}.kms_key_arn: the AMI is shared with other accounts but encrypted with the "
            "account's default EBS key, which AWS does not let other accounts use; set kms_key_arn to a "
            f"customer managed key in {target.region} those accounts may use "
            "(DistributionKey.alias_arn(...) for a DistributionKey)"
        )


def check_fast_launch(target: RegionTarget, *, home: str, account: str, platform: Platform) -> None:
    """Fast Launch only for Windows images (EC2 Fast Launch is a Windows feature,
    https://docs.aws.amazon.com/AWSEC2/latest/WindowsGuide/win-ami-config-fast-launch.html), only in the
    source account (the distribution's ``FastLaunchConfigurations`` are documented for the AMI the
    pipeline's account owns; EC2 itself accepts "Windows AMIs that you own or that have been shared
    with you", https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableFastLaunch.html, but
    AWS's pages do not say Image Builder enables it on a copy another account owns),
    and a subnet (for which the pipeline makes the launch template) only in the home region."""
    given = target.fast_launch
    if given is None:
        return
    field = f"distributions[{target.region}].fast_launch"
    if platform is not Platform.WINDOWS:
        raise ValueError(
            f"{field}: EC2 Fast Launch pre-provisions Windows AMIs only, and this image is {platform.value}; "
            "drop fast_launch"
        )
    if given.account is not None and not is_token(account) and given.account != account:
        raise ValueError(
            f"{field}.account: {given.account!r} is not the pipeline's account {account}; the library lets Image "
            "Builder enable Fast Launch only on the AMI the source account owns (AWS's pages do not say it can on "
            "a copy another account owns, which that account may enable itself), so drop account or give the "
            "source account"
        )
    if given.subnet_id is not None and target.region != home:
        raise ValueError(
            f"{field}.subnet_id: the pipeline makes the launch template for a subnet in its own region "
            f"{home} only; in {target.region}, create a launch template with the subnet there and give "
            "launch_template_id and launch_template_version"
        )


def public_warning(path: str, region: str) -> str:
    """What to do before AMIs shared publicly can be launched: AWS blocks public sharing by default."""
    return (
        f"{path}: AMIs in {region} are shared publicly. AWS accounts block public AMI "
        "sharing by default; it must be allowed per region (EC2 console > Data protection and security > "
        "Block public access for AMIs, or 'aws ec2 disable-image-block-public-access')."
    )
