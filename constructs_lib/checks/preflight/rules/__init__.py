"""The preflight's rules, one per module, in the order they report."""

from __future__ import annotations

from ..finding import Rule
from . import (
    build_network,
    consumer_key,
    consumer_parameter,
    cross_region_reference,
    default_ebs_key,
    destination_role,
    fast_launch_key,
    import_role_key,
    key_principals,
    launch_template_volumes,
    lifecycle_role,
    lifecycle_survives,
    notification_route,
    org_sharing_key,
    parent_image,
    pipeline_hold,
    reserved_concurrency,
    revoker_trust,
    role_names,
    stack_order,
    stackset_call_as,
)

RULES: tuple[Rule, ...] = tuple(
    module.RULE
    for module in (
        default_ebs_key,
        key_principals,
        org_sharing_key,
        role_names,
        cross_region_reference,
        stack_order,
        consumer_parameter,
        parent_image,
        build_network,
        stackset_call_as,
        reserved_concurrency,
        lifecycle_survives,
        destination_role,
        launch_template_volumes,
        import_role_key,
        revoker_trust,
        fast_launch_key,
        pipeline_hold,
        lifecycle_role,
        consumer_key,
        notification_route,
    )
)
