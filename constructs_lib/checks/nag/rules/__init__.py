"""The rules of the GoldenAmi pack, one per module."""

from __future__ import annotations

from ..rule import Rule
from . import (
    build_imdsv2,
    build_logs_to_s3,
    build_terminate_on_failure,
    cross_account_copies_encrypted,
    image_scanning_enabled,
    image_tests_enabled,
    launch_template_imdsv2,
    launch_template_no_public_ip,
    launch_template_volumes_encrypted,
    no_public_launch_permission,
    pipeline_auto_disable,
    pipeline_log_groups_protected,
    recipe_lifecycle_covered,
    recipe_volumes_encrypted,
    vm_import_encrypted,
    vm_import_role_scoped,
)

RULES: tuple[Rule, ...] = tuple(
    module.RULE
    for module in (
        recipe_volumes_encrypted,
        build_imdsv2,
        build_terminate_on_failure,
        build_logs_to_s3,
        image_tests_enabled,
        image_scanning_enabled,
        cross_account_copies_encrypted,
        no_public_launch_permission,
        recipe_lifecycle_covered,
        launch_template_imdsv2,
        launch_template_volumes_encrypted,
        launch_template_no_public_ip,
        pipeline_auto_disable,
        pipeline_log_groups_protected,
        vm_import_encrypted,
        vm_import_role_scoped,
    )
)
