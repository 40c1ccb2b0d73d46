"""``golden-ami-revoke``: take a bad image version out of circulation wherever it went.

Dry run by default (``--execute`` acts). For the image build version it asks Image Builder where
the AMIs went (``GetImage`` output resources: region and account), and in each place:

1. refuses when a launch template there is still pinned to the version (tagged ``golden-ami:pinned``
   with its label, or reading the parameter at a version or label that names the revoked AMI), or
   when the parameter never named another AMI (the only version);
2. writes the latest-AMI parameter anew with the last good AMI of its history (one that still
   exists, is not deprecated and not revoked), so the fleets reconcile onto it;
3. deprecates the revoked AMI now and tags it ``golden-ami:revoked`` with who, when and why.

It runs as the factory account's ``GoldenAmiRevoker`` (``RevokerRole``, made by the factory;
``--role-arn`` assumes it first). In destination accounts it assumes ``GoldenAmiRevoke`` (made
with the destination role, trusting only ``GoldenAmiRevoker``). One
unreachable place is reported and left unchanged; the others go on, and a rerun completes it
(every step checks first). Finally it disables the image's pipeline, else its next build would
publish the same components again, and holds it disabled across deploys (:mod:`.hold`: its status
parameter, ``/golden-ami/<pipeline>/status``, says ``DISABLED``). Once a new version of one of its
components is out, ``golden-ami-revoke --image <image> --lift --execute`` enables it again.

Descendants (images built on the revoked one) are not revoked: their parent is recorded only as
given to the recipe (a parameter or an ``x.x.x`` ARN), not as the AMI resolved at build time,
so lineage cannot be told reliably. ``--with-descendants`` is refused with that reason.

boto3 is an optional extra (``pip install golden-ami-factory[cli]``), imported only in ``main``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, Final

from .._core.revoke_names import PIN_TAG, REVOKE_ROLE_NAME, REVOKED_TAG, REVOKER_ROLE_NAME
from .._core.sessions import sessions_by_account
from .._core.ssm_reference import names_parameter, split_reference
from .hold import check_sdk, hold, lift

_VERSION: Final = re.compile(r"[0-9]{1,9}\.[0-9]{1,9}\.[0-9]{1,9}/[0-9]{1,9}", re.ASCII)
_ROLE_ARN: Final = re.compile(r"arn:aws[-a-z]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}", re.ASCII)
_IMAGE: Final = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9 ._-]{0,127}", re.ASCII)
DESCENDANTS_REFUSED: Final = (
    "--with-descendants: not offered. An image records its parent only as given to the recipe (an SSM "
    "parameter or an x.x.x ARN, tag golden-ami:base-image), not the AMI resolved at build time: Image Builder "
    "has no placeholder for it in distribution AMI tags, so lineage cannot be recorded reliably. Revoke each "
    "layer's affected version by name."
)


class RevokeError(Exception):
    """The revoke was refused as a whole; the message says why and what to do."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Place:
    """Where one AMI of the image version went."""

    region: str
    account: str
    ami: str


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Outcome:
    """What happened (or would happen) in one place."""

    place: Place
    status: str
    """``revoked``, ``would revoke``, ``already revoked``, ``refused``, ``unreachable`` (nothing
    changed there) or ``incomplete`` (some steps done, named in ``detail``)."""
    detail: str

    def line(self) -> str:
        p = self.place
        return f"{p.region} {p.account} {p.ami}: {self.status}: {self.detail}"


def check_version(version: str) -> str:
    """An image build version as Image Builder writes it: ``1.2.3/4``."""
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise ValueError(f"--version: {version!r} is not an image build version; write it as 1.2.3/4")
    return version


def check_role_arn(arn: str) -> str:
    """An IAM role ARN, for ``--role-arn``."""
    if not isinstance(arn, str) or not _ROLE_ARN.fullmatch(arn):
        raise ValueError(
            f"--role-arn: {arn!r} is not an IAM role ARN; write it as "
            f"arn:aws:iam::111111111111:role/{REVOKER_ROLE_NAME}"
        )
    return arn


def assume(session: Any, role_arn: str, region: str | None) -> Any:
    """A session acting as ``role_arn`` (``GoldenAmiRevoker``), assumed with ``session``."""
    import boto3

    creds = session.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="golden-ami-revoke")["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region or session.region_name,
    )


def version_label(version: str) -> str:
    """The parameter label the rollout function gives this version: ``1.2.3/4`` -> ``v1.2.3-4``."""
    return "v" + check_version(version).replace("/", "-")


def find_places(imagebuilder: Any, arn: str, factory_account: str) -> tuple[list[Place], str | None]:
    """The image version's AMIs by region and account, and the pipeline that built it."""
    try:
        image = imagebuilder.get_image(imageBuildVersionArn=arn)["image"]
    except Exception as error:
        if "ResourceNotFound" in type(error).__name__ or "ResourceNotFound" in str(error):
            raise RevokeError(
                f"--version: {arn} is not a known build; list them with "
                "'aws imagebuilder list-image-build-versions --image-version-arn <image ARN>/<version>'"
            ) from None
        raise
    amis = image.get("outputResources", {}).get("amis", [])
    places = [Place(region=a["region"], account=a.get("accountId") or factory_account, ami=a["image"]) for a in amis]
    if not places:
        raise RevokeError(
            f"--version: {arn} produced no AMI (state {image.get('state', {}).get('status')}); nothing to revoke"
        )
    return places, image.get("sourcePipelineArn")


def _images(ec2: Any, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    found = ec2.describe_images(Filters=[{"Name": "image-id", "Values": list(ids)}])["Images"]
    return {i["ImageId"]: i for i in found}


def _usable(image: dict[str, Any] | None, now: dt.datetime) -> bool:
    if image is None or any(t["Key"] == REVOKED_TAG for t in image.get("Tags", [])):
        return False
    deprecated = image.get("DeprecationTime")
    return not deprecated or dt.datetime.fromisoformat(deprecated.replace("Z", "+00:00")) > now


def pinned_templates(ssm: Any, ec2: Any, parameter: str, ami: str, label: str) -> list[str]:
    """The launch templates here pinned to ``ami``: tagged ``golden-ami:pinned`` with this version's
    label, or whose default or latest version reads ``resolve:ssm:<parameter>:<pin>`` with a pin (a
    parameter version or any label) that names ``ami`` now."""
    found: list[str] = []
    pages = ec2.get_paginator("describe_launch_templates").paginate(Filters=[{"Name": "tag-key", "Values": [PIN_TAG]}])
    for template in (t for page in pages for t in page["LaunchTemplates"]):
        template_id = template["LaunchTemplateId"]
        if any(tag["Key"] == PIN_TAG and tag["Value"] == label for tag in template.get("Tags", [])):
            found.append(template_id)
            continue
        versions = ec2.describe_launch_template_versions(LaunchTemplateId=template_id, Versions=["$Default", "$Latest"])
        for version in versions["LaunchTemplateVersions"]:
            name, pin = split_reference(version.get("LaunchTemplateData", {}).get("ImageId", ""))
            if pin is None or not names_parameter(name, parameter):
                continue
            if ssm.get_parameter(Name=f"{parameter}:{pin}")["Parameter"]["Value"] == ami:
                found.append(template_id)
                break
    return found


def plan(ssm: Any, ec2: Any, parameter: str, place: Place, label: str, now: dt.datetime) -> tuple[str, str, str]:
    """``(status, detail, last good AMI)`` for one place without changing it, or a refusal."""
    pinned = pinned_templates(ssm, ec2, parameter, place.ami, label)
    if pinned:
        return "refused", f"still pinned by launch template {', '.join(pinned)}; unpin (PIN) before revoking", ""
    history: list[str] = []
    for page in ssm.get_paginator("get_parameter_history").paginate(Name=parameter):
        history.extend(p["Value"] for p in page["Parameters"])
    others = [v for v in dict.fromkeys(reversed(history)) if v != place.ami]
    if not others:
        return "refused", f"{parameter} never named another AMI: {place.ami} is the only version", ""
    images = _images(ec2, [place.ami, *others])
    good = next((v for v in others if _usable(images.get(v), now)), None)
    if good is None:
        return "refused", f"no earlier AMI of {parameter} still exists undeprecated; build a fixed image first", ""
    current = history[-1]
    revoked = not _usable(images.get(place.ami), now)
    if current != place.ami and revoked:
        return "already revoked", f"{parameter} names {current}; {place.ami} is deprecated or tagged revoked", good
    detail = f"write {parameter} = {good} (was {current}), deprecate {place.ami} now, tag it {REVOKED_TAG}"
    return "revoke", detail, good


class _Incomplete(Exception):
    """A step of :func:`apply` failed after the ones in ``done`` changed the place."""

    def __init__(self, done: list[str], error: Exception) -> None:
        super().__init__(f"{'; '.join(done)}; then {type(error).__name__}: {error}" if done else str(error))
        self.done, self.error = done, error


def apply(ssm: Any, ec2: Any, parameter: str, place: Place, good: str, reason: str, who: str, now: dt.datetime) -> str:
    """Carry out the plan of one place; each step is safe to repeat. A failure after a step that
    changed the place raises :class:`_Incomplete` saying what was done."""
    done: list[str] = []
    try:
        current = ssm.get_parameter(Name=parameter)["Parameter"]["Value"]
        if current == place.ami:
            ssm.put_parameter(Name=parameter, Value=good, Type="String", DataType="aws:ec2:image", Overwrite=True)
            done.append(f"{parameter} = {good}")
        # DeprecateAt may not be in the past, and EC2 rounds to the minute: the next whole minute.
        at = (now + dt.timedelta(minutes=1)).replace(second=0, microsecond=0)
        ec2.enable_image_deprecation(ImageId=place.ami, DeprecateAt=at)
        done.append(f"{place.ami} deprecated at {at.isoformat()}")
        note = f"{who} at {now.strftime('%Y-%m-%dT%H:%M:%SZ')}: {reason}"[:256]
        ec2.create_tags(Resources=[place.ami], Tags=[{"Key": REVOKED_TAG, "Value": note}])
    except Exception as error:
        if done:
            raise _Incomplete(done, error) from error
        raise
    return f"{parameter} = {good}, {place.ami} deprecated at {at.isoformat()} and tagged"


Connect = Callable[[str, str], tuple[Any, Any]]
"""``(account, region) -> (ssm, ec2)`` clients acting in that place."""


def revoke(
    *,
    places: Sequence[Place],
    parameter: str,
    version: str,
    reason: str,
    who: str,
    connect: Connect,
    execute: bool,
    now: dt.datetime,
    progress: Callable[[str], None] = print,
) -> list[Outcome]:
    """Plan every place first; refuse the whole revoke if one refuses; then act where planned."""
    label = version_label(version)
    planned: list[tuple[Place, str, str, str, Any]] = []
    outcomes: list[Outcome] = []
    for place in places:
        try:
            ssm, ec2 = connect(place.account, place.region)
            status, detail, good = plan(ssm, ec2, parameter, place, label, now)
            planned.append((place, status, detail, good, (ssm, ec2)))
        except Exception as error:  # unreachable: report, change nothing here, go on
            outcomes.append(Outcome(place=place, status="unreachable", detail=f"{type(error).__name__}: {error}"))
            progress(outcomes[-1].line())
    refusals = [Outcome(place=p, status=s, detail=d) for p, s, d, _, _ in planned if s == "refused"]
    if refusals:
        raise RevokeError("revoke refused; nothing changed:\n" + "\n".join(o.line() for o in refusals))
    for place, status, detail, good, (ssm, ec2) in planned:
        if status == "already revoked":
            outcome = Outcome(place=place, status=status, detail=detail)
        elif not execute:
            outcome = Outcome(place=place, status="would revoke", detail=detail)
        else:
            try:
                outcome = Outcome(
                    place=place, status="revoked", detail=apply(ssm, ec2, parameter, place, good, reason, who, now)
                )
            except _Incomplete as error:  # changed in part: say what, a rerun finishes it
                outcome = Outcome(place=place, status="incomplete", detail=str(error))
            except Exception as error:
                outcome = Outcome(place=place, status="unreachable", detail=f"{type(error).__name__}: {error}")
        outcomes.append(outcome)
        progress(outcome.line())
    return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    """The ``golden-ami-revoke`` command. Exit 0 when done (or planned), 1 when a place was
    unreachable (rerun to complete), 2 when refused."""
    parser = argparse.ArgumentParser(prog="golden-ami-revoke", description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", required=True, help="the image name, e.g. web-server")
    parser.add_argument("--version", help="the image build version to revoke, e.g. 1.2.3/4")
    parser.add_argument("--reason", help="why; recorded on the AMI")
    parser.add_argument(
        "--lift",
        action="store_true",
        help="enable the image's pipeline again and let deploys keep it enabled (after a new version of one of "
        "its components is published); revoked AMIs stay revoked",
    )
    parser.add_argument("--region", help="the factory's home region. Default: the AWS CLI's region")
    parser.add_argument("--parameter", help="Default: /golden-ami/<image>/latest")
    parser.add_argument(
        "--role-arn",
        help=f"assume this factory-account role first, e.g. arn:aws:iam::<factory>:role/{REVOKER_ROLE_NAME} "
        "(made by the factory; the destination accounts trust only it). Default: act as the caller, "
        "who must then be that role",
    )
    parser.add_argument("--execute", action="store_true", help="act; without it, only show what would change")
    parser.add_argument("--with-descendants", action="store_true", help="refused; see the message")
    args = parser.parse_args(argv)
    if args.with_descendants:
        print(DESCENDANTS_REFUSED, file=sys.stderr)
        return 2
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        print("golden-ami-revoke: needs boto3; pip install 'golden-ami-factory[cli]'", file=sys.stderr)
        return 2
    try:
        if args.lift and (args.version or args.reason):
            raise ValueError("--lift: takes neither --version nor --reason; it lifts the hold on the image's pipeline")
        if not args.lift:
            if not args.version or not args.reason:
                raise ValueError("--version and --reason: both required to revoke (or give --lift)")
            check_version(args.version)
        if not _IMAGE.fullmatch(args.image):
            raise ValueError(f"--image: {args.image!r} is not an image name; e.g. web-server")
        import boto3  # the [cli] extra

        session = boto3.session.Session(region_name=args.region)
        if args.role_arn:
            session = assume(session, check_role_arn(args.role_arn), args.region)
        identity = session.client("sts").get_caller_identity()
        factory, partition = identity["Account"], identity["Arn"].split(":")[1]
        slug = args.image.lower().replace(" ", "-")
        home = session.region_name
        arn = f"arn:{partition}:imagebuilder:{home}:{factory}:image/{slug}/{args.version}"
        imagebuilder = session.client("imagebuilder")
        check_sdk(imagebuilder)  # before anything changes: an old SDK would reset pipeline settings
        if args.lift:
            pipeline_arn = f"arn:{partition}:imagebuilder:{home}:{factory}:image-pipeline/{slug}"
            print(lift(session.client("ssm"), imagebuilder, pipeline_arn, args.execute))
            if not args.execute:
                print("dry run: nothing changed; add --execute to lift")
            return 0
        places, pipeline = find_places(imagebuilder, arn, factory)
        outcomes = revoke(
            places=places,
            parameter=args.parameter or f"/golden-ami/{slug}/latest",
            version=args.version,
            reason=args.reason,
            who=identity["Arn"],
            connect=sessions(session, factory, partition),
            execute=args.execute,
            now=dt.datetime.now(dt.UTC),
        )
        if pipeline:
            print(hold(session.client("ssm"), imagebuilder, pipeline, args.execute))
    except (ValueError, RevokeError) as error:
        print(error, file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as error:  # no credentials, or a call of the factory account refused
        print(
            f"golden-ami-revoke: {error}; nothing after that call was done. Check the credentials (the factory "
            "account, or --role-arn) and run it again: every step checks first",
            file=sys.stderr,
        )
        return 1
    unreachable = [o for o in outcomes if o.status == "unreachable"]
    incomplete = [o for o in outcomes if o.status == "incomplete"]
    if unreachable or incomplete:
        print(
            f"{len(unreachable)} place(s) unreachable and unchanged, {len(incomplete)} changed in part; "
            "rerun to complete",
            file=sys.stderr,
        )
        return 1
    if not args.execute:
        print("dry run: nothing changed; add --execute to revoke")
    return 0


def sessions(session: Any, factory: str, partition: str) -> Connect:
    """Clients per place: the caller's own in the factory account, ``GoldenAmiRevoke`` elsewhere."""
    of = sessions_by_account(session, factory, partition, REVOKE_ROLE_NAME, "golden-ami-revoke")

    def connect(account: str, region: str) -> tuple[Any, Any]:
        chosen = of(account)
        return chosen.client("ssm", region_name=region), chosen.client("ec2", region_name=region)

    return connect
