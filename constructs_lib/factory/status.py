"""``golden-ami-status``: what runs where, read-only, in one view.

For each pipeline of the factory account's home region (``ListImagePipelines``), its newest
available image (``ListImagePipelineImages``), that image's Inspector finding counts
(``ListImageScanFindingAggregations`` by ``imageBuildVersionArn``) and the places its distribution
writes a latest-AMI parameter (``GetImage``: region, and ``amiAccountId`` for another account,
https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_SsmParameterConfiguration.html).
In each place:

- the newest version: the parameter's value and the image version label on its newest version
  (``v1.2.3-4``, written by the labeller);
- each fleet following the parameter (Auto Scaling groups tagged ``golden-ami:rollout``), the
  versions its instances run and whether all run the newest (converged);
- pins: launch templates tagged ``golden-ami:pinned`` whose default version reads this parameter;
- deprecated and revoked versions among those the parameter's history names;
- the written size of the snapshots of those AMIs that still exist: ``FullSnapshotSizeInBytes``,
  "the full snapshot size ... not the incremental size"
  (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Snapshot.html), so an upper bound of
  the billed storage.

It runs as the caller in the factory account (or ``--role-arn``, ``GoldenAmiStatusReader``) and
assumes ``GoldenAmiStatus`` in each other account (:class:`StatusAccessRole`). A place it cannot
read is listed as unreachable with the error, never skipped; the exit code is then 1.

boto3 is an optional extra (``pip install golden-ami-factory[cli]``), imported only in ``main``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .._core.revoke_names import PIN_TAG, REVOKED_TAG
from .._core.sessions import sessions_by_account
from .._core.ssm_reference import names_parameter, split_reference
from .._core.status_names import STATUS_ROLE_NAME
from ..launch.rollout_function.tags import ROLLOUT_TAG

Connect = Callable[[str, str], tuple[Any, Any, Any]]
"""``(account, region) -> (ssm, ec2, autoscaling)`` clients there."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Fleet:
    group: str
    versions: list[str]
    """What its instances run: each AMI's version label where the history has one, else the AMI."""
    instances: int
    converged: bool


@dataclasses.dataclass(kw_only=True, slots=True)
class Place:
    region: str
    account: str
    parameter: str
    newest_ami: str | None = None
    newest_version: str | None = None
    fleets: list[Fleet] = dataclasses.field(default_factory=list)
    pins: dict[str, str] = dataclasses.field(default_factory=dict)
    """Launch template name -> the version label it is pinned to."""
    deprecated: list[str] = dataclasses.field(default_factory=list)
    revoked: list[str] = dataclasses.field(default_factory=list)
    kept_snapshot_bytes_upper_bound: int | None = None
    """Sum of ``FullSnapshotSizeInBytes`` of the existing AMIs' snapshots; None when EC2 gave none."""
    unreachable: str | None = None


@dataclasses.dataclass(kw_only=True, slots=True)
class ImageStatus:
    pipeline: str
    version: str | None
    """The newest available image build version (``1.2.3/4``), None when none is available."""
    findings: dict[str, int] | None
    places: list[Place]


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    return [item for page in client.get_paginator(operation).paginate(**kwargs) for item in page.get(key, [])]


def _listed(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    """All items of a list call paginated by ``nextToken`` (Image Builder has no paginators in some SDKs)."""
    items: list[Any] = []
    while True:
        page = getattr(client, operation)(**kwargs)
        items += page.get(key, [])
        if not page.get("nextToken"):
            return items
        kwargs["nextToken"] = page["nextToken"]


def newest_image(imagebuilder: Any, pipeline_arn: str) -> dict[str, Any] | None:
    """The pipeline's newest image in state ``AVAILABLE``, with its distribution (``GetImage``)."""
    images = _listed(imagebuilder, "list_image_pipeline_images", "imageSummaryList", imagePipelineArn=pipeline_arn)
    available = [i for i in images if i.get("state", {}).get("status") == "AVAILABLE"]
    if not available:
        return None
    newest = max(available, key=lambda i: str(i.get("dateCreated", "")))
    return dict(imagebuilder.get_image(imageBuildVersionArn=newest["arn"])["image"])


def findings(imagebuilder: Any, arn: str) -> dict[str, int] | None:
    """The image's Inspector finding counts by severity, None when Image Builder has none for it."""
    found = imagebuilder.list_image_scan_finding_aggregations(filter={"name": "imageBuildVersionArn", "values": [arn]})
    for response in found.get("responses", []):
        counts = response.get("imageAggregation", {}).get("severityCounts")
        if counts is not None:
            return {k: int(counts.get(k, 0)) for k in ("critical", "high", "medium", "all")}
    return None


def places_of(image: dict[str, Any], factory: str) -> list[Place]:
    """Each region and account the image's distribution writes a parameter in."""
    found: dict[tuple[str, str, str], Place] = {}
    for distribution in image.get("distributionConfiguration", {}).get("distributions", []):
        for config in distribution.get("ssmParameterConfigurations", []):
            key = (distribution["region"], config.get("amiAccountId") or factory, config["parameterName"])
            found.setdefault(key, Place(region=key[0], account=key[1], parameter=key[2]))
    return list(found.values())


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def read_place(place: Place, ssm: Any, ec2: Any, autoscaling: Any, now: dt.datetime) -> None:
    """Fill ``place`` from its account and region. A parameter not written yet (a region or account
    added since the last build) leaves the place empty, not unreachable."""
    try:
        versions = _pages(ssm, "get_parameter_history", "Parameters", Name=place.parameter)
    except Exception as error:
        if getattr(error, "response", {}).get("Error", {}).get("Code") == "ParameterNotFound":
            return
        raise
    history = sorted(versions, key=lambda v: int(v["Version"]))
    if not history:
        return
    labels: dict[str, str] = {}  # AMI -> its version label
    for version in history:
        for label in version.get("Labels", []):
            if label.startswith("v"):
                labels[version["Value"]] = label
    place.newest_ami = history[-1]["Value"]
    place.newest_version = labels.get(place.newest_ami)
    amis = list(dict.fromkeys(v["Value"] for v in history))
    images = _pages(ec2, "describe_images", "Images", Filters=[{"Name": "image-id", "Values": amis}])
    snapshots: list[str] = []
    for image in images:
        name = labels.get(image["ImageId"], image["ImageId"])
        if any(t["Key"] == REVOKED_TAG for t in image.get("Tags", [])):
            place.revoked.append(name)
        elif image.get("DeprecationTime") and _time(image["DeprecationTime"]) <= now:
            place.deprecated.append(name)
        snapshots += [
            m["Ebs"]["SnapshotId"] for m in image.get("BlockDeviceMappings", []) if "SnapshotId" in m.get("Ebs", {})
        ]
    if snapshots:
        sizes = [
            s.get("FullSnapshotSizeInBytes")
            for s in _pages(ec2, "describe_snapshots", "Snapshots", SnapshotIds=snapshots)
        ]
        place.kept_snapshot_bytes_upper_bound = sum(sizes) if sizes and None not in sizes else None
    groups = _pages(
        autoscaling,
        "describe_auto_scaling_groups",
        "AutoScalingGroups",
        Filters=[{"Name": f"tag:{ROLLOUT_TAG}", "Values": [place.parameter]}],
    )
    for group in groups:
        ids = [i["InstanceId"] for i in group.get("Instances", [])]
        running = (
            [
                i["ImageId"]
                for r in _pages(ec2, "describe_instances", "Reservations", InstanceIds=ids)
                for i in r["Instances"]
            ]
            if ids
            else []
        )
        place.fleets.append(
            Fleet(
                group=group["AutoScalingGroupName"],
                versions=sorted({labels.get(a, a) for a in running}),
                instances=len(running),
                converged=all(a == place.newest_ami for a in running),
            )
        )
    pinned = _pages(
        ec2, "describe_launch_templates", "LaunchTemplates", Filters=[{"Name": "tag-key", "Values": [PIN_TAG]}]
    )
    for template in pinned:
        versions = ec2.describe_launch_template_versions(
            LaunchTemplateId=template["LaunchTemplateId"], Versions=["$Default"]
        )["LaunchTemplateVersions"]
        reads = [split_reference(v.get("LaunchTemplateData", {}).get("ImageId", ""))[0] for v in versions]
        if any(names_parameter(name, place.parameter) for name in reads):  # this parameter's pins only
            place.pins[template["LaunchTemplateName"]] = next(
                t["Value"] for t in template.get("Tags", []) if t["Key"] == PIN_TAG
            )


def status(
    imagebuilder: Any, connect: Connect, factory: str, *, images: Sequence[str] = (), now: dt.datetime | None = None
) -> list[ImageStatus]:
    """The status of every pipeline of the home region (or those named ``images``)."""
    now = now or dt.datetime.now(dt.UTC)
    pipelines = _listed(imagebuilder, "list_image_pipelines", "imagePipelineList")
    unknown = sorted(set(images) - {p["name"] for p in pipelines})
    if unknown:
        known = ", ".join(sorted(p["name"] for p in pipelines)) or "none"
        raise ValueError(f"--image: {', '.join(unknown)} is no pipeline here; known: {known}")
    found: list[ImageStatus] = []
    for pipeline in sorted(pipelines, key=lambda p: p["name"]):
        if images and pipeline["name"] not in images:
            continue
        image = newest_image(imagebuilder, pipeline["arn"])
        if image is None:
            found.append(ImageStatus(pipeline=pipeline["name"], version=None, findings=None, places=[]))
            continue
        places = places_of(image, factory)
        for place in places:
            try:
                read_place(place, *connect(place.account, place.region), now)
            except Exception as error:  # one place unreadable: listed, the others read
                place.unreachable = f"{type(error).__name__}: {error}"
        version = "/".join(image["arn"].split("/")[-2:])
        found.append(
            ImageStatus(
                pipeline=pipeline["name"], version=version, findings=findings(imagebuilder, image["arn"]), places=places
            )
        )
    return found


def _gib(value: int | None) -> str:
    return "unknown" if value is None else f"{value / 2**30:.1f} GiB"


def table(statuses: Sequence[ImageStatus]) -> str:
    """The statuses as text, one block per image and one line per place and fleet."""
    lines: list[str] = []
    for image in statuses:
        counts = image.findings
        scan = ", ".join(f"{k} {counts[k]}" for k in ("critical", "high", "medium")) if counts else "no scan findings"
        lines.append(f"{image.pipeline} {image.version or '(no available image)'} [{scan}]")
        for p in image.places:
            where = f"  {p.region} {p.account} {p.parameter}"
            if p.unreachable:
                lines.append(f"{where}: unreachable ({p.unreachable})")
                continue
            newest = p.newest_version or p.newest_ami or "none"
            lines.append(
                f"{where}: newest {newest}; kept snapshots {_gib(p.kept_snapshot_bytes_upper_bound)} "
                "(written size, an upper bound of billed storage)"
                + (f"; deprecated {', '.join(p.deprecated)}" if p.deprecated else "")
                + (f"; revoked {', '.join(p.revoked)}" if p.revoked else "")
            )
            for f in p.fleets:
                state = "converged" if f.converged else "NOT converged"
                lines.append(f"    fleet {f.group}: {f.instances} instances on {', '.join(f.versions) or '-'}, {state}")
            for template, pin in sorted(p.pins.items()):
                lines.append(f"    pinned: launch template {template} at {pin}")
    return "\n".join(lines)


def as_json(statuses: Sequence[ImageStatus]) -> str:
    return json.dumps([dataclasses.asdict(s) for s in statuses], indent=2, sort_keys=True)


def sessions(session: Any, factory: str, partition: str) -> Connect:
    """Clients per place: the caller's own in the factory account, ``GoldenAmiStatus`` elsewhere."""
    of = sessions_by_account(session, factory, partition, STATUS_ROLE_NAME, "golden-ami-status")

    def connect(account: str, region: str) -> tuple[Any, Any, Any]:
        chosen = of(account)
        return tuple(chosen.client(s, region_name=region) for s in ("ssm", "ec2", "autoscaling"))

    return connect


def main(argv: Sequence[str] | None = None) -> int:
    """The ``golden-ami-status`` command. Exit 0 when every place was read, 1 when one was
    unreachable (listed), 2 on bad arguments."""
    parser = argparse.ArgumentParser(prog="golden-ami-status", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--image", action="append", default=[], help="a pipeline name; repeat for several. Default: all"
    )
    parser.add_argument(
        "--region", help="the factory's home region. Default: --factory's home_region, else the AWS CLI's region"
    )
    parser.add_argument("--factory", help="a factory file, to read its home_region (make status passes factory.yaml)")
    parser.add_argument(
        "--role-arn",
        help="assume this factory-account role first, e.g. arn:aws:iam::<factory>:role/GoldenAmiStatusReader",
    )
    parser.add_argument("--json", action="store_true", help="JSON for scripts instead of the table")
    args = parser.parse_args(argv)
    try:
        import boto3
    except ImportError:
        print("golden-ami-status: needs boto3; pip install 'golden-ami-factory[cli]'", file=sys.stderr)
        return 2
    from botocore.exceptions import BotoCoreError, ClientError

    from ..retire.revoke import assume, check_role_arn
    from .loader import load_factory

    try:
        region = args.region or (load_factory(Path(args.factory)).home_region if args.factory else None)
        session = boto3.session.Session(region_name=region)
        if args.role_arn:
            session = assume(session, check_role_arn(args.role_arn), region)
        identity = session.client("sts").get_caller_identity()
        factory, partition = identity["Account"], identity["Arn"].split(":")[1]
        found = status(
            session.client("imagebuilder"), sessions(session, factory, partition), factory, images=args.image
        )
    except ValueError as error:  # a FactoryFileError too: its problems, each at its line
        print(error, file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as error:  # no credentials, or the factory account refused
        print(
            f"golden-ami-status: {error}; run it with credentials of the factory account "
            "(or ROLE=<GoldenAmiStatusReader ARN>)",
            file=sys.stderr,
        )
        return 2
    if not found:
        print(
            f"golden-ami-status: no image pipeline in {session.region_name} of account {factory}; give the factory's "
            "home region (--region) and credentials of the factory account",
            file=sys.stderr,
        )
        return 2
    print(as_json(found) if args.json else table(found))
    return 1 if any(p.unreachable for s in found for p in s.places) else 0


if __name__ == "__main__":
    sys.exit(main())
