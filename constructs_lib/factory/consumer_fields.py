"""The factory file's rules across fields for its consumers: which image, instance type, regions,
networks and account each fleet names, on the file's raw data (see :mod:`cross_field`)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from .._core.enums import Architecture
from .._core.instance_types import check_instance_types
from ..pipeline.family import variant_names
from .cross_field_base import Loc, valid_region


def _consumer_account(data: Mapping[str, Any], n: int, account: object) -> list[tuple[Loc, str]]:
    """A fleet runs where its image's latest-AMI parameter is: the factory account, or an account
    Image Builder copies into, where it writes the parameter (``SsmParameterConfigurations`` with
    ``AmiAccountId``: "this account must be specified in distribution settings as a target account
    for the Region",
    https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_SsmParameterConfiguration.html).
    An account AMIs are only shared with holds no parameter: its launch template would have
    nothing to resolve when its stack is created
    (https://docs.aws.amazon.com/autoscaling/ec2/userguide/using-systems-manager-parameters.html)."""
    if not isinstance(account, str) or not (len(account) == 12 and account.isdigit()) or account == data.get("account"):
        return []  # a malformed ID has its field error
    accounts = data.get("accounts")
    destinations = accounts.get("destinations") if isinstance(accounts, Mapping) else None
    if isinstance(destinations, list) and account in destinations:
        return []
    sharing = data.get("sharing")
    shared = sharing.get("accounts") if isinstance(sharing, Mapping) else None
    where: Loc = ("consumers", n, "account")
    if isinstance(shared, list) and account in shared:
        return [
            (
                where,
                f"{account!r} is only shared with (sharing.accounts): it gets no copy, so Image Builder writes no "
                "latest-AMI parameter there for the fleet's launch template to read; list it under "
                "accounts.destinations as well",
            )
        ]
    factory = data.get("account")
    return [
        (
            where,
            f"{account!r} is neither the factory account"
            + (f" ({factory})" if isinstance(factory, str) else " (the file names none: set account:)")
            + " nor one of accounts.destinations; add it to accounts.destinations so it gets a copy and the "
            "latest-AMI parameter, or leave account out to run the fleet in the factory account",
        )
    ]


def consumer_problems(
    data: Mapping[str, Any],
    consumers: list[Any],
    archs: Mapping[str, list[str]],
    recorded: Mapping[str, Mapping[str, str]],
) -> list[tuple[Loc, str]]:
    """Each consumer's problems, at its own key path."""
    problems: list[tuple[Loc, str]] = []
    published = {
        variant: arch
        for name, found in archs.items()
        for arch, variant in variant_names(name, [Architecture(a) for a in found], recorded.get(name)).items()
    }
    home, regions = data.get("home_region", "eu-west-1"), data.get("regions") or []
    all_regions: list[str] | None = None
    if valid_region(home) and isinstance(regions, list) and all(valid_region(r) for r in regions):
        all_regions = [home, *[r for r in regions if r != home]]
    seen: list[tuple[str, str, str, int]] = []
    for n, consumer in enumerate(consumers):
        if not isinstance(consumer, Mapping):
            continue
        problems += _consumer_account(data, n, consumer.get("account"))
        if not isinstance(consumer.get("image"), str):
            continue
        image = consumer["image"]
        if image not in published:
            close = difflib.get_close_matches(image, sorted(published), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"images are: {', '.join(sorted(published))}"
            problems.append((("consumers", n, "image"), f"{image!r} is not an image of this file; {hint}"))
            continue
        instance_type = consumer.get("instance_type")
        if isinstance(instance_type, str):
            try:
                check_instance_types("instance_type", (instance_type,), published[image])
            except ValueError as error:
                message = str(error).removeprefix("instance_type: ")
                problems.append((("consumers", n, "instance_type"), message))
        own = consumer.get("regions")
        if all_regions is None or (own is not None and not (isinstance(own, list) and all(map(valid_region, own)))):
            continue
        networks = consumer.get("networks")
        if isinstance(networks, Mapping):
            runs_in = own or all_regions
            for region in networks:
                if region not in runs_in:
                    problems.append(
                        (
                            ("consumers", n, "networks"),
                            f"{region!r} is not a region of this consumer ({', '.join(runs_in)}); name a network "
                            "per region it runs in",
                        )
                    )
        fleet = consumer.get("name") or image
        account = str(consumer.get("account") or "")
        for region in own or all_regions:
            if region not in all_regions:
                problems.append(
                    (
                        ("consumers", n, "regions"),
                        f"{region!r} is not a region the factory distributes to ({', '.join(all_regions)}); "
                        "add it to regions",
                    )
                )
                continue
            twice = next((m for f, a, r, m in seen if f == fleet and a == account and r == region), None)
            if twice is not None:
                problems.append(
                    (
                        ("consumers", n),
                        f"a second fleet named {fleet!r} in {region}"
                        + (f" of account {account}" if account else "")
                        + f" (consumers[{twice}] is the first); give one of them a name",
                    )
                )
            seen.append((fleet, account, region, n))
    return problems
