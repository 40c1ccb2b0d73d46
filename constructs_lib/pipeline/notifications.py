"""Where a factory tells people what needs them: one encrypted SNS topic in the factory account's
home region, and the event bus that other regions and accounts forward their events to.

Why one topic and a bus, not a topic per region: an EventBridge rule's targets are in the rule's
own region ("The targets you associate with a rule must be in the same Region as the rule",
https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification), and Auto Scaling
and CloudWatch send their events to the default bus of the fleet's own account and region. A
topic per region would give every subscriber one confirmation mail per region and account and
scatter the subscriptions; instead each region's rules send their events to this bus, "an event
bus in a different account or Region" as a rule target
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html), and one rule
here publishes what arrives to the topic. Image Builder's own events happen where the pipelines
run, the home region, and go to the topic directly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from aws_cdk import Annotations, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from .._core.limits import is_token
from .._core.targets import check_account
from ._events import PipelineEvents

TOPIC_NAME: Final = "golden-ami-notifications"
BUS_NAME: Final = "golden-ami-notifications"
FORWARDED_SOURCES: Final = ("aws.autoscaling", "aws.cloudwatch")
"""The sources of the events other regions and accounts forward: instance refreshes and alarms."""
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def topic_arn(partition: str, account: str, region: str, name: str = TOPIC_NAME) -> str:
    """The ARN of the notifications topic ``name`` of ``account`` in ``region``."""
    return f"arn:{partition}:sns:{region}:{account}:{name}"


def bus_arn(partition: str, account: str, region: str, name: str = BUS_NAME) -> str:
    """The ARN of the notifications bus ``name`` of ``account`` in ``region``."""
    return f"arn:{partition}:events:{region}:{account}:event-bus/{name}"


def check_emails(name: str, emails: Sequence[str]) -> list[str]:
    """``emails`` as given, or ValueError naming the first malformed or repeated one."""
    for n, email in enumerate(emails):
        if not isinstance(email, str) or not _EMAIL.match(email):
            raise ValueError(f"{name}[{n}]: {email!r} is not an email address; write it as name@example.com")
        if email in emails[:n]:
            raise ValueError(f"{name}[{n}]: {email!r} is listed twice; list each address once")
    return list(emails)


class FactoryNotifications(Construct):
    """The factory's notifications: an SNS topic encrypted with its own customer managed key, the
    email subscriptions, and the bus ``golden-ami-notifications`` that other regions' and
    accounts' rules forward their events to (:class:`launch.NotificationForwarder`).

    - The key lets ``events.amazonaws.com`` use it (``kms:GenerateDataKey*`` and
      ``kms:Decrypt``), as SNS requires for an AWS service publishing to an encrypted topic
      ("Enable compatibility between event sources from AWS services and encrypted topics",
      https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
    - The topic policy lets ``events.amazonaws.com`` publish, with no condition: "You can't use
      Condition blocks in Amazon SNS topic policies for EventBridge"
      (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions).
      The statement names the topic, so rules of any stack of this account and region can target
      it by ARN, without a cross-stack export.
    - The bus accepts ``events:PutEvents`` from each of ``sender_accounts``' roots, the resource
      policy a bus needs to receive events from another account
      (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html); other
      regions of this account need none (their role's own policy names the bus).

    An email subscription is pending until its address confirms it: SNS sends the confirmation
    mail when the stack creates it (https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html).

    Example::

        notifications = FactoryNotifications(stack, "Notifications", emails=["platform@example.com"])
        notifications.watch(pipeline)
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        emails: Sequence[str] = (),
        topic: sns.ITopic | None = None,
        sender_accounts: Sequence[str] = (),
    ) -> None:
        """
        :param emails: addresses subscribed to the topic. Default: none.
        :param topic: an existing topic of this account and region to use instead of a new one;
            its key policy must let ``events.amazonaws.com`` use its key, and its topic policy let
            it publish (the two statements above). Default: a new topic ``golden-ami-notifications``.
        :param sender_accounts: other accounts whose rules forward events to the bus (those of
            fleets). Default: none.
        """
        super().__init__(scope, id)
        stack = Stack.of(self)
        check_emails("emails", emails)
        for n, account in enumerate(sender_accounts):
            check_account(f"sender_accounts[{n}]", account)
        self.key: kms.Key | None = None
        if topic is None:
            self.key = kms.Key(
                self,
                "TopicKey",
                enable_key_rotation=True,
                description="Encrypts the golden AMI factory's notifications topic",
            )
            self.key.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="EventBridgePublishesToTheTopic",
                    principals=[iam.ServicePrincipal("events.amazonaws.com")],
                    actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                    resources=["*"],
                )
            )
            owned = sns.Topic(
                self,
                "Topic",
                topic_name=TOPIC_NAME,
                display_name="Golden AMI factory",
                master_key=self.key,
                enforce_ssl=True,
            )
            owned.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="EventBridgeRulesOfThisAccount",
                    principals=[iam.ServicePrincipal("events.amazonaws.com")],
                    actions=["sns:Publish"],
                    resources=[owned.topic_arn],
                )
            )
            topic = owned
        self.topic: sns.ITopic = topic
        self._imported: dict[str, sns.ITopic] = {}
        for n, email in enumerate(emails):
            sns.Subscription(self, f"Email{n}", topic=topic, protocol=sns.SubscriptionProtocol.EMAIL, endpoint=email)
        self.bus = events.EventBus(self, "Bus", event_bus_name=BUS_NAME)
        senders = sorted({a for a in sender_accounts if a != stack.account or is_token(stack.account)})
        if senders:
            # The bus's own Policy property: EventBus.add_to_resource_policy renders an
            # AWS::Events::EventBusPolicy through a property CDK has deprecated.
            self.bus.node.default_child.add_property_override(  # type: ignore[union-attr]
                "Policy",
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "FleetAccountsForwardTheirEvents",
                            "Effect": "Allow",
                            "Principal": {"AWS": [f"arn:{stack.partition}:iam::{a}:root" for a in senders]},
                            "Action": "events:PutEvents",
                            "Resource": bus_arn(stack.partition, stack.account, stack.region),
                        }
                    ],
                },
            )
        self.forwarded_rule = events.Rule(
            self,
            "Forwarded",
            event_bus=self.bus,
            description="Events other regions and accounts of the golden AMI factory forwarded, to the topic",
            event_pattern=events.EventPattern(source=list(FORWARDED_SOURCES)),
            targets=[self.target_in(self)],
        )
        Annotations.of(self.forwarded_rule).acknowledge_warning(
            "@aws-cdk/aws-events:ruleUnresolvedEnvironment",
            "The target is this stack's own topic, named by its Ref so that the topic policy holds one statement "
            "for EventBridge; rule and topic are in one account and region.",
        )
        self.sender_accounts = senders

    def target_in(self, scope: Construct) -> targets.SnsTopic:
        """The topic as a rule target for rules in ``scope``'s stack, which must be of this account
        and region. Another stack names the topic by its ARN, so that no stack exports it, and
        deploys after this one."""
        here, there = Stack.of(self), Stack.of(scope)
        if (here.account, here.region) != (there.account, there.region):
            raise ValueError(
                f"scope: {there.stack_name} is in {there.account}/{there.region}, the topic in "
                f"{here.account}/{here.region}; forward the events to the bus (NotificationForwarder) instead"
            )
        key = there.node.path
        if key not in self._imported:
            arn = self.topic.topic_arn
            if there is not here:
                there.add_stack_dependency(here, "its rules publish to the factory's notifications topic")
                if self.key is not None:  # the topic made here, by its fixed name
                    arn = topic_arn(there.partition, there.account, there.region)
            # Imported even in its own stack: a target on the topic itself would add a second
            # statement for EventBridge to the topic policy the constructor wrote.
            self._imported[key] = sns.Topic.from_topic_arn(there, f"{self.node.id}Topic", arn)
        return targets.SnsTopic(self._imported[key])

    def watch(self, pipeline: PipelineEvents) -> list[events.Rule]:
        """Rules on ``pipeline`` that publish to the topic: a build that failed, the pipeline
        disabled by Image Builder, and (for a held pipeline) a revoke or lift of its status."""
        assert isinstance(pipeline, Construct)
        target = self.target_in(pipeline)
        rules = [
            pipeline.on_build_failed("BuildFailedNotice", target=target),
            pipeline.on_automatically_disabled("DisabledNotice", target=target),
        ]
        if pipeline.status_parameter is not None:
            rules.append(pipeline.on_status_changed("StatusChangedNotice", target=target))
        return rules
