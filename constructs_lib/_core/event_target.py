"""A Lambda function as an EventBridge rule's target, with the dead-letter queue of events
EventBridge could not deliver to it: one queue per construct, however many rules it has."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from .nag import acknowledge, skip_checkov


def target_dead_letters(scope: Construct) -> sqs.Queue:
    """``TargetDeadLetters`` in ``scope``: kept 14 days, TLS only, SQS-managed encryption (EventBridge
    could not use a customer key without a grant in that key's policy), with the checkov and
    cdk-nag findings that come with it accepted for their reasons."""
    queue = sqs.Queue(
        scope,
        "TargetDeadLetters",
        retention_period=Duration.days(14),
        enforce_ssl=True,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
    )
    skip_checkov(
        queue.node.default_child,  # type: ignore[arg-type]
        "CKV_AWS_27",
        "Encrypted with SQS-managed keys (SqsManagedSseEnabled), which checkov does not read; a customer key "
        "would need a grant to EventBridge in that key's policy.",
    )
    acknowledge(
        queue,
        "AwsSolutions-SQS3",
        "This queue is the dead-letter queue of the EventBridge targets (their DeadLetterConfig); a queue "
        "behind it would only repeat it.",
    )
    return queue


def function_target(function: lambda_.IFunction, dead_letters: sqs.IQueue) -> targets.LambdaFunction:
    """``function`` as a target: two retries within two hours, then ``dead_letters``."""
    return targets.LambdaFunction(
        function, retry_attempts=2, max_event_age=Duration.hours(2), dead_letter_queue=dead_letters
    )
