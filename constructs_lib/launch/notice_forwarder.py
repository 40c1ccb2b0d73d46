"""Forwarding a fleet region's notifications to the factory's bus in its home region and account."""

from __future__ import annotations

from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from constructs import Construct

from .._core.event_target import target_dead_letters
from .._core.nag import INLINE_POLICY_REASON, acknowledge_compliance


class NotificationForwarder(Construct):
    """A rule target that sends this account and region's events to the factory's notifications
    bus (:class:`pipeline.notifications.FactoryNotifications`), in another region or account.

    EventBridge delivers to "an event bus in a different account or Region" given as a rule's
    target (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html) and
    recommends "always using IAM roles when the target of a rule is an event bus"
    (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html): the role
    here may put events on that one bus only. Events EventBridge could not deliver after its
    retries wait in a dead-letter queue for 14 days.

    Example::

        forwarder = NotificationForwarder(stack, "Notices", bus_arn=bus_arn(partition, factory, home))
        fleet.on_refresh_failed("RefreshFailedNotice", target=forwarder.target)
    """

    def __init__(self, scope: Construct, id: str, *, bus_arn: str) -> None:
        """:param bus_arn: the factory's notifications bus."""
        super().__init__(scope, id)
        if not bus_arn.startswith("arn:") or ":event-bus/" not in bus_arn:
            raise ValueError(
                f"bus_arn: {bus_arn!r} is not an event bus ARN; give arn:<partition>:events:<region>:<account>:"
                "event-bus/<name> (pipeline.notifications.bus_arn)"
            )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("events.amazonaws.com"),
            description="Lets EventBridge forward the golden AMI fleets' events to the factory's notifications bus",
        )
        self.role.add_to_policy(iam.PolicyStatement(actions=["events:PutEvents"], resources=[bus_arn]))
        acknowledge_compliance(self.role, "IAMNoInlinePolicy", INLINE_POLICY_REASON)
        self.dead_letters = target_dead_letters(self)
        bus = events.EventBus.from_event_bus_arn(self, "Bus", bus_arn)
        self.target = targets.EventBus(bus, role=self.role, dead_letter_queue=self.dead_letters)
        self.bus_arn = bus_arn
