"""The bases the factory makes itself: VM images imported from S3 and instances captured as AMIs."""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk

from .._core.enums import Architecture
from ..bake.base_image import BaseImage
from ..bake.capture import InstanceCapture
from ..bake.version_lock import VersionLock
from ..bake.vm_import import VmImportImage
from ..bake.vm_import_role import VmImportRole
from ..distribute.key import DistributionKey
from .model import FactoryModel


def made_bases(
    model: FactoryModel,
    stacks: Mapping[str, cdk.Stack],
    *,
    lock: VersionLock,
    home_key: DistributionKey | None,
) -> dict[str, BaseImage]:
    """Each import or instance base of ``model``, made in the stack of the image it is the base
    of; one VM Import role for the factory, in the first stack that needs it."""
    bases: dict[str, BaseImage] = {}
    role: VmImportRole | None = None
    imports = [i for i in model.images if i.base is not None and i.base.import_ is not None]
    for n, image in enumerate(model.images):
        base = image.base
        if base is None or not base.made_by_construct:
            continue
        scope = stacks[image.name]
        arch = base.arch or Architecture.X86_64
        tags = dict(model.tags)
        if base.import_ is not None:
            spec = base.import_
            disk = spec.disk()
            if spec.out_of_band:
                bases[image.name] = _recorded(lock, image.name, disk.s3_url, arch, base.root_device or "/dev/sda1", n)
                continue
            assert home_key is not None  # the factory makes keys whenever it imports
            if role is None:
                role = VmImportRole(
                    scope,
                    "VmImportRole",
                    buckets=[i.base.import_.disk().bucket for i in imports if i.base and i.base.import_],
                    kms_key_arn=home_key.key_arn,
                )
            boot_mode, license_type, platform = spec.options()
            made = VmImportImage(
                scope,
                f"Import-{image.name}",
                image_name=image.name,
                disk=disk,
                role=role,
                kms_key_arn=home_key.key_arn,
                version=spec.version,
                architecture=arch,
                boot_mode=boot_mode,
                license_type=license_type,
                platform=platform,
                root_device_name=base.root_device or "/dev/sda1",
                tags=tags,
                remove_on_delete=spec.remove_on_delete,
            )
            bases[image.name] = made.base_image
        else:
            capture = base.capture()
            bases[image.name] = InstanceCapture(
                scope,
                f"Capture-{image.name}",
                image_name=image.name,
                instance_id=capture.id,
                keep_devices=tuple(capture.keep_devices),
                no_reboot=capture.no_reboot,
                architecture=arch,
                root_device_name=base.root_device or "/dev/xvda",
                tags=tags,
                remove_on_delete=capture.remove_on_delete,
            ).base_image
    if role is None and any(i.base and i.base.import_ and i.base.import_.out_of_band for i in imports):
        # golden-ami-import needs the role even when no import runs at deploy.
        assert home_key is not None
        first = next(i for i in imports)
        VmImportRole(
            stacks[first.name],
            "VmImportRole",
            buckets=[i.base.import_.disk().bucket for i in imports if i.base and i.base.import_],
            kms_key_arn=home_key.key_arn,
        )
    return bases


def _recorded(lock: VersionLock, image: str, source: str, arch: Architecture, device: str, n: int) -> BaseImage:
    """The AMI ``golden-ami-import`` recorded for ``image``; refused when missing or for another disk."""
    entry = lock.imported(image)
    hint = (
        f"run 'golden-ami-import --image {image} --s3 {source} --kms-key <the factory key ARN> "
        f"--lock {lock.path.name}' and commit {lock.path.name}"
    )
    if entry is None:
        raise ValueError(f"images[{n}].base.import.out_of_band: no AMI is recorded for {image!r}; {hint}")
    if entry["source"] != source:
        raise ValueError(
            f"images[{n}].base.import.out_of_band: {lock.path.name} records {entry['source']!r} for {image!r}, "
            f"not {source!r}; {hint}"
        )
    base = BaseImage.from_ami_id(entry["ami"], architecture=arch, root_device_name=device)
    return BaseImage(
        parent_image=base.parent_image,
        description=f"VM image imported out of band from {source} ({entry['ami']}, fixed parent)",
        architecture=arch,
        root_device_name=device,
    )
