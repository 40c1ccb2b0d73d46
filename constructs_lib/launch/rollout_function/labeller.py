"""Image version labels on every latest-AMI parameter a new image wrote, in every region and
account it reached, so that ``pin: v1.2.3-4`` names the same AMI everywhere.

Run by EventBridge when an image of the factory account becomes ``AVAILABLE`` ("EC2 Image Builder
Image State Change", https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-imagebuilder.html);
an image ends in ``AVAILABLE`` after its distribution, which writes the parameters
(https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_ImageState.html). ``GetImage``
gives what the image wrote: its distribution configuration (each region's
``ssmParameterConfigurations``, with ``amiAccountId`` for another account) and its output AMIs
per region and account (``outputResources.amis``,
https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_GetImage.html). The label comes
from the image's own ARN, not from a tag of the copy: AWS does not document which tags the copies
in other accounts carry.

In another account the function assumes ``LABEL_ROLE`` there (``GoldenAmiLabels``). For each
parameter it labels the newest version only if that version still holds this image's AMI (a newer
image or a revoke may have moved it on), under the rules of ``labels.py``: labels stay on the newest
90 versions, so they never block Image Builder's next write. One place failing does not stop the
others; the run fails at the end, naming each, so Lambda's error metric counts it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import boto3
from botocore.exceptions import ClientError

try:  # in the package (tests, synthesis)
    from . import labels, tags
except ImportError:  # in Lambda, where this file is a top-level module
    import labels  # type: ignore[no-redef,import-not-found]
    import tags  # type: ignore[no-redef,import-not-found]

Place = tuple[str, str, str]
"""(account, region, parameter name)."""
SsmFor = Callable[[str, str], Any]
"""(account, region) -> an SSM client acting there."""


def places(image: dict[str, Any], own_account: str) -> dict[Place, str | None]:
    """Every parameter the image's distribution writes, with the AMI it wrote there (None when
    the image reports no AMI for that region and account)."""
    amis = {
        (str(a.get("accountId") or own_account), str(a["region"])): str(a["image"])
        for a in image.get("outputResources", {}).get("amis", [])
        if a.get("region") and a.get("image")
    }
    found: dict[Place, str | None] = {}
    for distribution in image.get("distributionConfiguration", {}).get("distributions", []):
        region = distribution["region"]
        for parameter in distribution.get("ssmParameterConfigurations", []):
            account = str(parameter.get("amiAccountId") or own_account)
            found[(account, region, parameter["parameterName"])] = amis.get((account, region))
    return found


def label_everywhere(
    imagebuilder: Any, ssm_for: SsmFor, image_arn: str, own_account: str, names: frozenset[str] | None = None
) -> list[str]:
    """Label each parameter the image wrote (of ``names`` only, when given: an image of this
    account that is not the factory's is left alone); return the problems (empty when all went well)."""
    label = tags.version_label(image_arn)
    if label is None:
        return [f"{image_arn} is no image build version ARN; nothing labelled"]
    image = imagebuilder.get_image(imageBuildVersionArn=image_arn)["image"]
    problems: list[str] = []
    for (account, region, name), ami in sorted(places(image, own_account).items()):
        if names is not None and name not in names:
            continue
        where = f"{name} in {region} of account {account}"
        if ami is None:
            _log(parameter=name, region=region, account=account, outcome="no AMI of this image there")
            continue
        try:
            ssm = ssm_for(account, region)
            current = ssm.get_parameter(Name=name)["Parameter"]
            if current["Value"] != ami:
                _log(parameter=name, region=region, account=account, outcome="moved on", value=current["Value"])
                continue
            tidied = labels.keep_labels(ssm, None, name, current, label=label)
            problems.extend(f"{where}: {p}" for p in tidied.problems)
            _log(parameter=name, region=region, account=account, outcome="labelled", label=label)
        except ClientError as error:
            problems.append(f"{where}: {error}")
    return problems


def handler(event: dict[str, Any], context: Any, clients: tuple[Any, SsmFor] | None = None) -> dict[str, Any]:
    image_arn = event["resources"][0]
    own_account = str(event.get("account") or image_arn.split(":")[4])
    if clients is None:
        imagebuilder, ssm_for = boto3.client("imagebuilder"), _ssm_for(own_account, image_arn.split(":")[1])
    else:
        imagebuilder, ssm_for = clients
    listed = os.environ.get("PARAMETER_NAMES")
    names = frozenset(listed.split(",")) if listed else None
    problems = label_everywhere(imagebuilder, ssm_for, image_arn, own_account, names)
    if problems:
        raise RuntimeError("; ".join(problems))
    return {"image": image_arn, "problems": problems}


def _ssm_for(own_account: str, partition: str) -> SsmFor:
    role = os.environ["LABEL_ROLE"]
    sessions: dict[str, Any] = {}

    def ssm_for(account: str, region: str) -> Any:
        if account == own_account:
            return boto3.client("ssm", region_name=region)
        if account not in sessions:
            credentials = boto3.client("sts").assume_role(
                RoleArn=f"arn:{partition}:iam::{account}:role/{role}", RoleSessionName="golden-ami-labels"
            )["Credentials"]
            sessions[account] = boto3.Session(
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["SessionToken"],
            )
        return sessions[account].client("ssm", region_name=region)

    return ssm_for


def _log(**fields: Any) -> None:
    print(json.dumps(fields, default=str))
