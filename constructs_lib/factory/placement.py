"""Which factory stack holds each image's pipelines: stable across edits (the lock file records it),
with every layer in its parent's stack or a later one, so that factory stacks never depend on each
other both ways.

A layer's recipe names its parent's image, and with ``build_on_deploy`` its image waits for the
parent's: a layer's stack depends on its parent's stack. CloudFormation cannot deploy two stacks
that each need the other (the CDK refuses the cycle at synth with a ``DependencyCycle``), so new
images are placed at or after their parents' stacks, and a lock file whose recorded placement
would still close a cycle is refused with the images to place again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from ..bake.version_lock import VersionLock


class _Image(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def parent(self) -> str | None: ...


def _parents_first(images: Sequence[_Image]) -> list[_Image]:
    by_name = {i.name: i for i in images}
    ordered: list[_Image] = []
    seen: set[str] = set()

    def visit(image: _Image, depth: int) -> None:
        if image.name in seen or depth > len(images):  # the model refuses parent cycles itself
            return
        parent = by_name.get(image.parent) if image.parent else None
        if parent is not None:
            visit(parent, depth + 1)
        if image.name not in seen:
            seen.add(image.name)
            ordered.append(image)

    for image in images:
        visit(image, 0)
    return ordered


def place_images(
    images: Sequence[_Image],
    pipelines: Mapping[str, int],
    lock: VersionLock,
    capacity: int,
    stack_name: Callable[[int], str],
) -> dict[str, int]:
    """Image name -> factory stack index. ``stack_name(index)`` names a stack in messages.
    Raises ``ValueError`` when the lock file's placement makes two stacks depend on each other."""
    placement: dict[str, int] = {}
    for image in _parents_first(images):
        floor = placement.get(image.parent, 0) if image.parent else 0
        placement[image.name] = lock.stack_for(image.name, pipelines[image.name], capacity, floor=floor)
    edges: dict[int, set[int]] = {}
    for image in images:
        if image.parent in placement and placement[image.parent] != placement[image.name]:
            edges.setdefault(placement[image.name], set()).add(placement[image.parent])
    cycle = _cycle(edges)
    if cycle:
        stacks = " -> ".join(stack_name(i) for i in cycle)
        crossing = sorted(
            i.name
            for i in images
            if i.parent in placement
            and placement[i.name] in cycle
            and placement[i.parent] in cycle
            and placement[i.name] < placement[i.parent]
        )
        raise ValueError(
            f"version_lock: the factory stacks would depend on each other ({stacks}): CloudFormation cannot deploy "
            f"stacks that each need the other. These images sit in an earlier stack than their parents: "
            f"{', '.join(crossing)}; "
            f"delete their entries under 'stacks' in {lock.path.name} so that synth places them again, after their "
            "parents (their pipelines then move to that stack and are created anew)"
        )
    return placement


def _cycle(edges: Mapping[int, set[int]]) -> list[int]:
    """One cycle of the stack graph as a closed path (first node repeated at the end), or []."""
    state: dict[int, str] = {}
    path: list[int] = []

    def visit(node: int) -> list[int]:
        state[node] = "visiting"
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "visiting":
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = "done"
        return []

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return []
