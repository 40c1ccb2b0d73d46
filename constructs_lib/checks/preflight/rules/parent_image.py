"""GA-P008: a layered recipe's parent image exists when the recipe is created.

A recipe whose ``ParentImage`` is an Image Builder image ARN of the factory account
(``.../image/<name>/x.x.x``) needs a version of that image to exist when CloudFormation creates
the recipe: an ``AWS::ImageBuilder::Image`` of the parent built on deploy, created before the
recipe (``DependsOn`` in the same stack, a stack dependency otherwise).

https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_CreateImageRecipe.html
("parentImage ... The base image for customizations specified in the image recipe"). Inconclusive:
no AWS page says in words that ``CreateImageRecipe`` refuses a parent ARN with no image yet; the
rule holds the order the factory itself writes (each layered recipe ``DependsOn`` its parent's
image built on deploy), so a recipe never points at an image that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._model import IMAGE_ARN, builds, listed
from ..assembly import Assembly
from ..finding import Finding, Rule


def check(assembly: Assembly) -> Iterator[Finding]:
    images: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for build in builds(assembly):
        recipe = assembly.resource(build.recipe) if build.recipe else None
        name = assembly.text(build.stack, (recipe or {}).get("Properties", {}).get("Name"))
        if build.on_deploy and name and build.stack.account and build.stack.region:
            images.setdefault((build.stack.account, build.stack.region, name), []).append(
                (build.stack.name, build.logical_id)
            )
    for stack, logical_id, resource in assembly.resources("AWS::ImageBuilder::ImageRecipe"):
        parent = assembly.text(stack, resource.get("Properties", {}).get("ParentImage"))
        match = IMAGE_ARN.fullmatch(parent) if parent else None
        if match is None or match.group(2) != stack.account:
            continue
        depends = set(listed(resource.get("DependsOn")))
        ready = [
            (s, lid)
            for s, lid in images.get((match.group(2), match.group(1), match.group(3)), [])
            if (s == stack.name and lid in depends) or (s != stack.name and assembly.depends_on(stack.name, s))
        ]
        if not ready:
            yield RULE.error(
                (f"{stack.name}/{logical_id}",),
                f"its parent {parent} has no image when the recipe is created (no AWS::ImageBuilder::Image of "
                f"{match.group(3)} built on deploy before it), so the deploy fails; build the parent on deploy "
                "(build_on_deploy: true) and make the recipe depend on that image",
            )


RULE = Rule(
    id="GA-P008",
    title="a layered recipe's parent exists when the recipe is created",
    citation="https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_CreateImageRecipe.html",
    check=check,
)
