"""GA-P012: an image's AMIs keep a lifecycle policy when the image is removed.

AMIs and snapshots outlive the pipeline that made them. A lifecycle policy that selects them by
recipe, deleted with the image (its stack resources removed from the template), leaves them never
retired; so does deleting the role it runs as. A policy that survives the image is retained
(``DeletionPolicy: Retain`` on the policy and its role), or selects the factory's images by tag
(``ResourceSelection.TagMap``, which every image of the factory carries).

https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-prerequisites.html
(the policy runs as its IAM role) and
https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_LifecyclePolicyResourceSelection.html
("recipes ... tagMap ... used as selection criteria").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._model import builds
from ..assembly import Assembly, Reference, Stack
from ..finding import Finding, Rule


def _retained(assembly: Assembly, stack: Stack, resource: Mapping[str, Any]) -> bool:
    if resource.get("DeletionPolicy") != "Retain":
        return False
    role = assembly.resolve(stack, resource.get("Properties", {}).get("ExecutionRole"))
    if isinstance(role, Reference):
        return (assembly.resource(role) or {}).get("DeletionPolicy") == "Retain"
    return True


def _tags(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, list):
        return {str(t.get("Key")): t.get("Value") for t in value if isinstance(t, Mapping)}
    return {}


def check(assembly: Assembly) -> Iterator[Finding]:
    policies = list(assembly.resources("AWS::ImageBuilder::LifecyclePolicy"))
    seen = set()
    for build in builds(assembly):
        recipe = assembly.resource(build.recipe) if build.recipe else None
        name = assembly.text(build.stack, (recipe or {}).get("Properties", {}).get("Name"))
        if name is None or name in seen:
            continue
        seen.add(name)
        tags = _tags(build.resource.get("Properties", {}).get("Tags"))
        selecting, surviving = [], False
        for stack, logical_id, policy in policies:
            if (stack.account, stack.region) != (build.stack.account, build.stack.region):
                continue
            selection = policy.get("Properties", {}).get("ResourceSelection", {})
            tag_map = _tags(selection.get("TagMap"))
            if tag_map and tag_map.items() <= tags.items():
                surviving = True
            elif any(r.get("Name") == name for r in selection.get("Recipes", [])):
                selecting.append(f"{stack.name}/{logical_id}")
                surviving = surviving or _retained(assembly, stack, policy)
        if selecting and not surviving:
            yield RULE.error(
                tuple(selecting),
                f"the AMIs of {name} are retired only by a policy that goes with the image: remove the image "
                "and its AMIs and snapshots are never retired; retain the policy and its role (DeletionPolicy: "
                "Retain) or select the factory's images by tag",
            )


RULE = Rule(
    id="GA-P012",
    title="AMIs keep a lifecycle policy when their image is removed",
    citation="https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_LifecyclePolicyResourceSelection.html",
    check=check,
)
