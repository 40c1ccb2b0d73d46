"""From a checked factory file to stacks: keys, factory stacks, destinations, StackSet, consumers.

Stack layout:

- ``GoldenAmiKeys-<region>``: the distribution key of each region (when AMIs are copied or shared);
  the home region's also encrypts the recipes' volumes.
- ``GoldenAmiFactory``, ``GoldenAmiFactory2``, ...: the pipelines, each holding its status where
  ``golden-ami-revoke`` writes it (:class:`PipelineHolds`) (and, in the first, the revoke
  command's role ``GoldenAmiRevoker``), at most
  :data:`PIPELINES_PER_STACK` per stack (about 9 resources each with shared build resources, under CloudFormation's
  500). Which stack an image is in is recorded in the version lock, so adding, removing or
  reordering images never moves an existing one (which would replace its resources).
- ``GoldenAmiDestination-<account>``: the role Image Builder assumes in each destination account, and
  the KMS grants its Auto Scaling needs on each region's key.
- ``GoldenAmiMemberAccounts``: the StackSet that puts that role in every account of the OUs.
- ``GoldenAmiConsumers-<region>``: launch templates, fleets and rollouts of each region, in the
  factory account; ``GoldenAmiConsumers-<account>-<region>`` the same in a destination account.
- ``GoldenAmiNotifications`` (with ``notifications:``): the topic and the bus other regions and
  accounts forward to, in the home region; every stack with rules on it deploys after it.
"""

from __future__ import annotations

import dataclasses
import difflib
from pathlib import Path
from typing import Final

import aws_cdk as cdk
from aws_cdk import CfnResource
from aws_cdk import aws_sns as sns

from .._core.targets import RegionTarget
from ..bake.version_lock import VersionLock
from ..checks.acknowledge import acknowledge
from ..distribute.destination import DistributionAccountRole
from ..distribute.key import DistributionKey, alias_name
from ..distribute.key_grant import AutoScalingKeyGrants
from ..distribute.stackset import DistributionAccountStackSet
from ..launch.consumer_stack import ConsumerFleet, ConsumerStack
from ..launch.dashboard import FactoryDashboard
from ..launch.labeller import VersionLabeller
from ..launch.notice_forwarder import NotificationForwarder
from ..launch.pins import parse_pins, pin_for
from ..pipeline.build_metrics import BuildMetrics
from ..pipeline.family import ImageFamily
from ..pipeline.image_pipeline import GoldenImagePipeline
from ..pipeline.notifications import FactoryNotifications, bus_arn
from ..retire.revoker_role import RevokerRole
from .acknowledge_specs import AcknowledgementSpec
from .bases import made_bases
from .model import FactoryModel
from .placement import place_images
from .status_reader_role import StatusReaderRole

PIPELINES_PER_STACK: Final = 20
RESOURCES_MAX: Final = 500


@dataclasses.dataclass(frozen=True, kw_only=True)
class Factory:
    """What :func:`build_factory` made."""

    model: FactoryModel
    family: ImageFamily
    stacks: list[cdk.Stack]
    factory_stacks: list[cdk.Stack]
    consumer_stacks: dict[str, ConsumerStack]
    """By region for the factory account's, by ``<account>-<region>`` for a destination account's."""
    account: str = ""
    """The factory account the stacks were made for (the file's, else the caller's, else a placeholder)."""

    @property
    def pipelines(self) -> list[GoldenImagePipeline]:
        return self.family.all_pipelines


def _acknowledge(app: cdk.App, first: cdk.Stack, entries: list[AcknowledgementSpec]) -> None:
    """Record the file's acknowledgements where the checks read them: a ``GA-`` finding by its
    path (its construct may be gone: a deleted fleet), a construct's warning on that construct."""
    # Walking the app's tree crosses into jsii for every construct: only for a construct warning.
    constructs = (
        {c.node.path: c for c in app.node.find_all()} if any(not e.id.startswith("GA-") for e in entries) else {}
    )
    for n, entry in enumerate(entries):
        if entry.id.startswith("GA-"):
            acknowledge(first, entry.id, entry.reason, path=entry.path)
        elif entry.path in constructs:
            acknowledge(constructs[entry.path], entry.id, entry.reason)
        else:
            near = difflib.get_close_matches(entry.path, list(constructs), n=3, cutoff=0.6)
            raise ValueError(
                f"acknowledge[{n}].path: {entry.path!r} names no construct of this factory; give the path the "
                "warning prints" + (f"; did you mean {', '.join(near)}?" if near else "")
            )


def _factory_stack_name(index: int) -> str:
    return "GoldenAmiFactory" if index == 0 else f"GoldenAmiFactory{index + 1}"


def _notifications(
    app: cdk.App, model: FactoryModel, env: cdk.Environment, family: ImageFamily
) -> FactoryNotifications | None:
    """The factory's notifications (``notifications:``) in a stack of their own, watching every pipeline."""
    spec = model.notifications
    if spec is None:
        return None
    stack = cdk.Stack(
        app,
        "GoldenAmiNotifications",
        env=env,
        description="Golden AMI factory: the notifications topic and the bus other regions and accounts forward to",
    )
    topic = sns.Topic.from_topic_arn(stack, "NamedTopic", spec.topic_arn) if spec.topic_arn else None
    notices = FactoryNotifications(
        stack,
        "Notifications",
        emails=spec.emails,
        topic=topic,
        sender_accounts=sorted({c.account for c in model.consumers if c.account and c.account != env.account}),
    )
    for pipeline in family.all_pipelines:
        notices.watch(pipeline)
    return notices


def build_factory(
    app: cdk.App,
    model: FactoryModel,
    *,
    base_dir: Path,
    lock: VersionLock,
    account: str,
    pin: str | None = None,
) -> Factory:
    """Add the stacks of ``model`` to ``app``. ``account`` is used when the file names none;
    ``pin`` (``<image or consumer>=<image version label>[,...]``, see :mod:`launch.pins`)
    overrides the named consumers' pins."""
    pins = parse_pins(pin) if pin is not None else {}
    known = {c.name for c in model.consumers if c.name} | {c.image for c in model.consumers}
    unknown = sorted(set(pins) - known)
    if unknown:
        raise ValueError(
            f"pin: {', '.join(map(repr, unknown))} is no consumer or consumed image of this factory; "
            f"known: {', '.join(sorted(known))}"
        )
    account = model.account or account
    home = model.home_region
    regions = model.all_regions
    env = cdk.Environment(account=account, region=home)
    destinations = tuple(model.accounts.destinations)
    sharing = model.sharing.to_permission()
    imports = [i for i in model.images if i.base is not None and i.base.import_ is not None]
    needs_keys = bool(destinations) or not sharing.is_owner_only or bool(imports)

    keys: list[cdk.Stack] = []
    home_key: DistributionKey | None = None
    if needs_keys:
        for region in regions:
            stack = cdk.Stack(
                app,
                f"GoldenAmiKeys-{region}",
                env=cdk.Environment(account=account, region=region),
                description=f"Golden AMI factory: the key that encrypts AMI copies in {region}",
            )
            key = DistributionKey(
                stack,
                "DistributionKey",
                accounts=destinations,
                launch_permission=dataclasses.replace(sharing, public=False),
                # The pipelines' execution roles, named by CloudFormation after their stacks.
                builder_role_arns=[f"arn:{stack.partition}:iam::{account}:role/{_factory_stack_name(0)}*"],
            )
            home_key = key if region == home else home_key
            keys.append(stack)

    # Place each image's pipelines in a factory stack, stably.
    counts = {name: len(archs) for name, archs in model.architectures().items()}
    placement = place_images(model.images, counts, lock, PIPELINES_PER_STACK, _factory_stack_name)
    # Only stacks that hold an image: a lock file can place every image of a shrunk file in a later
    # stack, and an empty stack is an invalid template.
    by_index = {
        index: cdk.Stack(
            app,
            _factory_stack_name(index),
            env=env,
            description="Golden AMI factory: Image Builder pipelines" + (f" (group {index + 1})" if index else ""),
        )
        for index in sorted(set(placement.values()))
    }
    factory_stacks = list(by_index.values())
    for stack in factory_stacks:
        for key_stack in keys:
            stack.add_stack_dependency(key_stack, "the distribution configuration names each region's key by alias")

    bases = made_bases(
        model, {name: by_index[index] for name, index in placement.items()}, lock=lock, home_key=home_key
    )
    platforms = model.platforms()
    specs = [
        image.to_spec(base_dir, bases.get(image.name), platforms[image.name], model.home_region)
        for image in model.images
    ]

    targets = [
        RegionTarget(
            region=region,
            kms_key_arn=DistributionKey.alias_arn(account, region) if needs_keys else None,
            target_accounts=destinations,
            parameter_accounts=destinations,
            launch_permission=sharing,
        )
        for region in regions
    ]
    family = ImageFamily(
        factory_stacks[0],
        "Images",
        images=specs,
        distributions=targets,
        version_lock=lock,
        lifecycle=model.lifecycle.to_lifecycle(),
        build_on_deploy=model.build_on_deploy,
        build_network=model.build_network.to_network() if model.build_network else None,
        tags=model.tags,
        scopes={name: by_index[index] for name, index in placement.items()},
        # The AMI built at home is shared there and copied from: the recipe encrypts it with the
        # home key, as the distribution's key covers only the copies.
        recipe_key_alias=alias_name() if needs_keys else None,
        hold_status=True,
    )
    parameters = tuple(p.ami_parameter_name for p in family.all_pipelines)
    if not model.build_on_deploy:
        for pipeline in family.all_pipelines:
            cdk.Annotations.of(pipeline).add_info(
                f"{pipeline.image_name}: build_on_deploy is off, so a region or account this deploy adds has no "
                f"image (nor latest-AMI parameter) until the next build; to distribute one now, after the deploy run: "
                f"{pipeline.start_command}"
            )
    stacks: list[cdk.Stack] = [*keys, *factory_stacks]
    # golden-ami-revoke's role, which every destination's GoldenAmiRevoke trusts; accounts reached
    # through the StackSet are not known here, so then any account's GoldenAmiRevoke.
    RevokerRole(
        factory_stacks[0],
        "Revoker",
        parameter_names=parameters,
        destination_accounts=None if model.accounts.stackset is not None or not destinations else destinations,
    )

    # golden-ami-status's role, which every destination's read-only GoldenAmiStatus trusts.
    StatusReaderRole(
        factory_stacks[0],
        "StatusReader",
        parameter_names=parameters,
        destination_accounts=None if model.accounts.stackset is not None or not destinations else destinations,
    )

    # Image version labels on every parameter a new image wrote, in every region and account.
    VersionLabeller(
        factory_stacks[0],
        "Labeller",
        parameter_names=parameters,
        image_names=[p.image_name for p in family.all_pipelines],
        destination_accounts=None if model.accounts.stackset is not None else destinations,
    )

    receivers: dict[str, cdk.Stack] = {}
    for destination in destinations:
        receiver = cdk.Stack(
            app,
            f"GoldenAmiDestination-{destination}",
            env=cdk.Environment(account=destination, region=home),
            description="Golden AMI factory: lets the factory account copy AMIs into this account",
        )
        DistributionAccountRole(
            receiver,
            "ImageBuilderAccess",
            factory_account=account,
            parameter_names=parameters,
            lifecycle_role=destination not in model.accounts.lifecycle_role_exists,
        )
        # Its Auto Scaling launches copies encrypted with the factory's keys: a grant per region.
        AutoScalingKeyGrants(receiver, "AutoScalingKeyGrants", factory_account=account, regions=regions)
        for key_stack in keys:
            receiver.add_stack_dependency(key_stack, "the Auto Scaling grants are made on the factory's keys")
        for stack in factory_stacks:
            stack.add_stack_dependency(receiver, "Image Builder assumes the destination role when it distributes")
        receivers[destination] = receiver
        stacks.append(receiver)

    if model.accounts.stackset is not None:
        members = cdk.Stack(
            app,
            "GoldenAmiMemberAccounts",
            env=env,
            description="Golden AMI factory: the destination role in every account of the organizational units",
        )
        DistributionAccountStackSet(
            members,
            "DistributionAccess",
            factory_account=account,
            organizational_units=tuple(model.accounts.stackset.organizational_units),
            parameter_names=parameters,
            call_as=model.call_as,
            management_account=model.management_account,
            exclude_accounts=destinations,
            lifecycle_role=model.accounts.stackset.lifecycle_role,
        )
        stacks.append(members)

    notices = _notifications(app, model, env, family)
    if notices is not None:
        stacks.append(cdk.Stack.of(notices))

    by_pipeline = {p.image_name: p for p in family.all_pipelines}
    consumer_stacks: dict[str, ConsumerStack] = {}
    # Fleets run in the factory account or a destination account (the loader refuses any other):
    # Image Builder writes the latest-AMI parameter in each, and their launch templates read it there.
    for runs_in in dict.fromkeys([account, *(c.account for c in model.consumers if c.account)]):
        for region in regions:
            fleets = [
                ConsumerFleet(
                    image=by_pipeline[c.image],
                    name=c.name,
                    instance_type=c.instance_type,
                    min_capacity=c.min_capacity,
                    max_capacity=c.max_capacity,
                    refresh=None if c.refresh == "off" else c.refresh.to_refresh(),
                    pin=pin_for(pins, consumer=c.name, image=c.image) or c.pin,
                    network=c.networks[region].to_network() if region in c.networks else None,
                )
                for c in model.consumers
                if region in (c.regions or regions) and (c.account or account) == runs_in
            ]
            if not fleets:
                continue
            # Factory-account stacks keep the names they have always had; others carry the account.
            suffix = region if runs_in == account else f"{runs_in}-{region}"
            consumer = ConsumerStack(
                app,
                f"GoldenAmiConsumers-{suffix}",
                fleets=fleets,
                env=cdk.Environment(account=runs_in, region=region),
                description=f"Golden AMI factory: launch templates, fleets and rollouts in {region}"
                + ("" if runs_in == account else f" of account {runs_in}"),
            )
            for stack in factory_stacks:
                consumer.add_stack_dependency(stack, "the fleets launch the images the factory publishes")
            if runs_in in receivers:
                consumer.add_stack_dependency(
                    receivers[runs_in], "its Auto Scaling needs the grant on the factory's key before the first launch"
                )
            if notices is not None and (runs_in, region) == (account, home):
                consumer.notify(notices.target_in(consumer))
            elif notices is not None:
                forwarder = NotificationForwarder(
                    consumer, "NotificationForwarder", bus_arn=bus_arn(consumer.partition, account, home)
                )
                consumer.notify(forwarder.target)
                consumer.add_stack_dependency(cdk.Stack.of(notices), "its rules forward to the notifications bus")
            consumer_stacks[suffix] = consumer
            stacks.append(consumer)

    if notices is not None and model.notifications is not None and model.notifications.dashboard:
        hub, names = cdk.Stack.of(notices), [p.image_name for p in family.all_pipelines]
        BuildMetrics(hub, "BuildMetrics", image_names=names)
        followed = [
            (s.region, f.launch_template.parameter_name)
            for s in consumer_stacks.values()
            if s.account == account
            for f in s.fleets
            if f.refresh is not None
        ]
        elsewhere = sorted({c.account for c in model.consumers if c.account and c.account != account})
        FactoryDashboard(hub, "Dashboard", image_names=names, followed=followed, elsewhere=elsewhere)

    for stack in stacks:
        count = sum(1 for c in stack.node.find_all() if isinstance(c, CfnResource))
        if count > RESOURCES_MAX:
            raise ValueError(
                f"stacks: {stack.stack_name} would hold {count} resources, over CloudFormation's {RESOURCES_MAX}; "
                "lower PIPELINES_PER_STACK or split the consumers"
            )
    _acknowledge(app, factory_stacks[0], model.acknowledge)
    return Factory(
        model=model,
        family=family,
        stacks=stacks,
        factory_stacks=factory_stacks,
        consumer_stacks=consumer_stacks,
        account=account,
    )
