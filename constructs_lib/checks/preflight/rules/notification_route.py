"""GA-P021: every notification reaches the topic: a rule that forwards to an event bus of another
account or region is let in by that bus, with a role, after the bus exists; a rule that publishes to
an encrypted topic of the assembly may use the topic's key.

- An event bus receives events from another account only when its resource policy allows that
  account ``events:PutEvents``
  (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html), and AWS
  recommends "always using IAM roles when the target of a rule is an event bus" (same page).
- An AWS service publishing to an encrypted topic needs ``kms:GenerateDataKey*`` and
  ``kms:Decrypt`` on its key, granted to the service principal in the key policy
  (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services),
  and ``sns:Publish`` in the topic policy
  (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions).

A rule whose target is created by a later stack is not refused by CloudFormation; its events are
lost until then, so the rule's stack must deploy after the target's. Buses and topics outside the
assembly are not judged.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from .._model import listed
from .._policy import statements
from ..assembly import Assembly, Reference, Stack
from ..finding import Finding, Rule

EVENTS: Final = "events.amazonaws.com"
BUS_ARN: Final = re.compile(r"arn:aws[-a-z]*:events:([a-z0-9-]+):([0-9]{12}):event-bus/(.+)")
TOPIC_ARN: Final = re.compile(r"arn:aws[-a-z]*:sns:([a-z0-9-]+):([0-9]{12}):(.+)")
KEY_ACTIONS: Final = ("kms:GenerateDataKey", "kms:Decrypt")


def _named(assembly: Assembly, kind: str, name_key: str, account: str, region: str, name: str) -> Any:
    """The (stack, logical ID, resource) of the ``kind`` named ``name`` in ``account`` and ``region``."""
    for stack in assembly.in_environment(account, region):
        for logical_id, resource in stack.resources.items():
            given = resource.get("Properties", {}).get(name_key)
            if resource.get("Type") == kind and assembly.text(stack, given) == name:
                return stack, logical_id, resource
    return None


def _allows(document: Any, principal: Any, action: str) -> bool:
    """A statement of ``document`` allows ``action`` to a principal ``principal`` accepts."""
    for statement in statements(document):
        actions = [str(a).lower() for a in listed(statement.get("Action"))]
        if not any(fnmatch.fnmatchcase(action.lower(), a) for a in actions):
            continue
        given = statement.get("Principal")
        values = listed(given.get("AWS")) + listed(given.get("Service")) if isinstance(given, Mapping) else [given]
        if any(principal(v) for v in values):
            return True
    return False


def _ordered(assembly: Assembly, rule_stack: Stack, target_stack: Stack) -> bool:
    return rule_stack.name == target_stack.name or assembly.depends_on(rule_stack.name, target_stack.name)


def _bus(assembly: Assembly, stack: Stack, target: Mapping[str, Any], arn: str) -> Iterator[str]:
    region, account, name = BUS_ARN.fullmatch(arn).groups()  # type: ignore[union-attr]
    if (account, region) == (stack.account, stack.region):
        return
    found = _named(assembly, "AWS::Events::EventBus", "Name", account, region, name)
    if found is None:
        return
    bus_stack, _, bus = found
    if target.get("RoleArn") is None:
        yield f"forwards to the event bus {arn} without a role; give the target a role allowed events:PutEvents on it"
    sender = str(stack.account)
    policy = assembly.resolve(bus_stack, bus.get("Properties", {}).get("Policy"))
    if account != sender and not _allows(
        policy, lambda v: isinstance(v, str) and (v == sender or v.endswith(f":{sender}:root")), "events:PutEvents"
    ):
        yield (
            f"forwards to the event bus {arn}, whose policy does not let account {sender} put events, so every event "
            f"is refused; allow arn:aws:iam::{sender}:root events:PutEvents in {bus_stack.name}'s bus policy"
        )
    if not _ordered(assembly, stack, bus_stack):
        yield f"forwards to the event bus {arn} of {bus_stack.name} but may deploy first; make it depend on that stack"


def _topic(assembly: Assembly, stack: Stack, value: Any, arn: str | None) -> Iterator[str]:
    resolved = assembly.resolve(stack, value)
    if isinstance(resolved, Reference):
        topic_stack, topic = assembly.stacks[resolved.stack], assembly.resource(resolved) or {}
        logical_id = resolved.logical_id
    elif arn is not None:
        region, account, name = TOPIC_ARN.fullmatch(arn).groups()  # type: ignore[union-attr]
        found = _named(assembly, "AWS::SNS::Topic", "TopicName", account, region, name)
        if found is None:
            return
        topic_stack, logical_id, topic = found
    else:
        return
    if topic.get("Type") != "AWS::SNS::Topic":
        return
    label = f"the topic {topic_stack.name}/{logical_id}"
    events = lambda v: v == EVENTS  # noqa: E731
    policies = [
        r.get("Properties", {}).get("PolicyDocument")
        for r in topic_stack.resources.values()
        if r.get("Type") == "AWS::SNS::TopicPolicy"
        and any(
            assembly.resolve(topic_stack, t) == Reference(stack=topic_stack.name, logical_id=logical_id)
            for t in listed(r.get("Properties", {}).get("Topics"))
        )
    ]
    if not any(_allows(p, events, "sns:Publish") for p in policies):
        yield f"publishes to {label}, whose policy does not let {EVENTS} publish; add that statement, with no condition"
    key = assembly.key(topic_stack, topic.get("Properties", {}).get("KmsMasterKeyId"))
    if isinstance(key, Reference):
        document = (assembly.resource(key) or {}).get("Properties", {}).get("KeyPolicy")
        missing = [a for a in KEY_ACTIONS if not _allows(document, events, a)]
        if missing:
            yield (
                f"publishes to {label}, encrypted with {key.path}, whose key policy does not allow {EVENTS} "
                f"{' and '.join(missing)}, so SNS refuses every event; add kms:GenerateDataKey* and kms:Decrypt for it"
            )
    if not _ordered(assembly, stack, topic_stack):
        yield f"publishes to {label} but may deploy first; make it depend on {topic_stack.name}"


def check(assembly: Assembly) -> Iterator[Finding]:
    for stack, logical_id, rule in assembly.resources("AWS::Events::Rule"):
        path = stack.path_of(logical_id) or f"{stack.name}/{logical_id}"
        for target in listed(rule.get("Properties", {}).get("Targets")):
            if not isinstance(target, Mapping):
                continue
            arn = assembly.text(stack, target.get("Arn"))
            if arn is not None and BUS_ARN.fullmatch(arn):
                problems = list(_bus(assembly, stack, target, arn))
            elif arn is None or TOPIC_ARN.fullmatch(arn):
                problems = list(_topic(assembly, stack, target.get("Arn"), arn))
            else:
                continue
            for problem in problems:
                yield RULE.error((path,), problem)


RULE = Rule(
    id="GA-P021",
    title="every notification rule can deliver to its bus or topic",
    citation="https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html",
    check=check,
)
