"""The factory account's image version labeller: one function that labels every latest-AMI
parameter a new image wrote, in every region and account, when the image becomes available."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from aws_cdk import Duration, Stack, Token
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from constructs import Construct

from .._core.event_target import function_target, target_dead_letters
from .._core.function import Handler, event_function_exemptions, package_functions
from .._core.label_names import LABEL_ACTIONS, LABEL_ROLE_NAME, LABELLER_ROLE_NAME
from .._core.limits import check_unique
from .._core.nag import acknowledge_resources, as_in_finding, parameter_wildcards
from .._core.targets import check_account, check_parameter_name

FUNCTION_CODE: Final = Path(__file__).parent / "rollout_function"
IMAGE_STATE_CHANGE: Final = "EC2 Image Builder Image State Change"
"""The event Image Builder sends when an image changes state
(https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-imagebuilder.html)."""


class VersionLabeller(Construct):
    """Labels the latest-AMI parameters with image versions (``v1.2.3-4``) wherever an image wrote
    them: every region, and every account it was copied into (through ``GoldenAmiLabels`` there,
    :class:`LabelAccessRole`), so that a pin (``pin: v1.2.3-4``) means the same AMI everywhere.

    An EventBridge rule runs the function (``rollout_function/labeller.py``) when an image of this
    account becomes ``AVAILABLE``, which it does after its distribution wrote the parameters. The
    function labels a parameter's newest version only while it still holds that image's AMI, and
    keeps labels on the newest 90 versions only, so that labels never block Image Builder's writes.
    The rollout function of a consumer stack labels its own region's parameter as well; both write
    the same label on the same version. Its role has the fixed name ``GoldenAmiLabeller``, which
    the destination accounts' ``GoldenAmiLabels`` trust: one labeller per account.

    Example::

        VersionLabeller(stack, "Labeller", parameter_names=["/golden-ami/web/latest"],
                        destination_accounts=["222222222222"])
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        parameter_names: Sequence[str],
        destination_accounts: Sequence[str] | None = (),
        image_names: Sequence[str] = (),
    ) -> None:
        """
        :param parameter_names: the latest-AMI parameters to label; at least one.
        :param image_names: the images whose builds to label (their names as the pipelines give
            them); the rule then runs the function for those images only. Default: every image
            of this account and region (the function still labels only ``parameter_names``).
        :param destination_accounts: accounts whose ``GoldenAmiLabels`` it may assume; None for any
            account (members of a StackSet are not known here). Default: none.
        """
        super().__init__(scope, id)
        names = check_unique("parameter_names", tuple(parameter_names))
        if not names:
            raise ValueError("parameter_names: none given; the labeller needs the parameters it labels")
        for name in names:
            check_parameter_name("parameter_names", name)
        for account in destination_accounts or ():
            check_account("destination_accounts", account)
        stack = Stack.of(self)
        partition, account = stack.partition, stack.account
        reach = ["*"] if destination_accounts is None else list(destination_accounts)
        statements = [
            iam.PolicyStatement(
                sid="ReadTheNewImage",
                actions=["imagebuilder:GetImage"],
                resources=[f"arn:{partition}:imagebuilder:{stack.region}:{account}:image/*"],
            ),
            iam.PolicyStatement(
                sid="LabelLatestAmiParametersHere",
                actions=list(LABEL_ACTIONS),
                resources=[f"arn:{partition}:ssm:*:{account}:parameter{n}" for n in names],
            ),
        ]
        if reach:
            statements.append(
                iam.PolicyStatement(
                    sid="LabelInDestinationAccounts",
                    actions=["sts:AssumeRole"],
                    resources=[f"arn:{partition}:iam::{a}:role/{LABEL_ROLE_NAME}" for a in reach],
                )
            )
        self.target_dead_letters = target_dead_letters(self)
        made = package_functions(
            self,
            code=FUNCTION_CODE,
            handlers=(
                Handler(
                    id="Function",
                    entry="labeller.handler",
                    description="Labels latest-AMI parameters with image versions in every region and account",
                ),
            ),
            role_description="Labels the golden AMI factory's latest-AMI parameters with image versions",
            role_name=LABELLER_ROLE_NAME,
            statements=statements,
            exemptions=event_function_exemptions(
                outside_vpc="Calls only AWS APIs (Image Builder, SSM, STS); inside a VPC it would need endpoints in "
                "every region and gain no isolation.",
                environment="The environment holds a role name and parameter names, no secret; Lambda encrypts it "
                "at rest.",
            ),
            timeout=Duration.minutes(5),
            # Only the factory's parameters: another image of this account is left alone.
            environment={"LABEL_ROLE": LABEL_ROLE_NAME, "PARAMETER_NAMES": ",".join(names)},
            plain_logs="One line per parameter labelled (name, region, account, label), no data; CloudWatch Logs "
            "encrypts it at rest, and a key of its own would cost more than what it protects.",
        )
        self.log_group, self.role, (self.function,) = made.log_group, made.role, made.functions
        finding_arn = f"arn:{as_in_finding(partition, 'Partition')}"
        here = as_in_finding(account, "AccountId")
        acknowledge_resources(
            self.role,
            (
                f"{finding_arn}:imagebuilder:{as_in_finding(stack.region, 'Region')}:{here}:image/*",
                "The image is known only when its event arrives; only this account's images of this region.",
            ),
            *parameter_wildcards(partition, account, names),
            *(
                (
                    (
                        f"{finding_arn}:iam::*:role/{LABEL_ROLE_NAME}",
                        "StackSet member accounts are not known at synth; only the one role name, which trusts this "
                        "role alone.",
                    ),
                )
                if destination_accounts is None
                else ()
            ),
        )
        self.rule = events.Rule(
            self,
            "OnImageAvailable",
            description="An image of this account became available: label its latest-AMI parameters",
            event_pattern=events.EventPattern(
                source=["aws.imagebuilder"],
                detail_type=[IMAGE_STATE_CHANGE],
                detail={"state": {"status": ["AVAILABLE"]}},
                # The image build version ARN, .../image/<name>/<version>/<build>, names written lowercase.
                resources=Token.as_list(
                    events.Match.any_of(
                        *(
                            events.Match.prefix(
                                f"arn:{partition}:imagebuilder:{stack.region}:{account}:image/"
                                f"{n.lower().replace(' ', '-')}/"
                            )
                            for n in image_names
                        )
                    )
                )
                if image_names
                else None,
            ),
            targets=[function_target(self.function, self.target_dead_letters)],
        )
        self.parameter_names = names
