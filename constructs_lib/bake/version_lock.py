"""Committed versions for component content, so every content change deploys as a new version.

Image Builder components are immutable and named ``name/major.minor.patch``: deploying new
content under a version that exists fails with "... already exists". The lock file records,
per component, the digest of its content and the version issued for it. At synth the library
reuses the version while the digest is unchanged (the template stays byte-identical) and, when
the digest is new, issues the next patch above the last one, so newer content always gets a
higher version and ``x.x.x`` consumers pick it. Commit the file with the change that made it.

It also records each image's pipeline names per architecture (``variants``), so that adding or
dropping an architecture renames nothing already deployed (:func:`pipeline.family.variant_names`),
and the identity of each image built at deploy (``images``), so that a tags-only edit builds no
new image (:meth:`VersionLock.image_suffix`).

The file also keeps the preflight's record of the last synth (``resources``: per stack, the
replace-sensitive resources), against which ``make synth`` reports what a deploy would replace.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, ClassVar

DEFAULT_LOCK_FILE = "golden-ami.lock.json"
"""Name of the lock file used when none is given, taken relative to the working directory."""


IMAGE_SUFFIXES_KEPT = 10
"""Build bases remembered per image (:meth:`VersionLock.image_suffix`)."""


def _suffixes(value: Any) -> dict[str, str]:
    """An ``images`` entry: ``{basis: suffix}``; the first form, ``{"basis": b, "suffix": s}``, read as ``{b: s}``."""
    entry = dict(value)
    if set(entry) == {"basis", "suffix"}:
        return {str(entry["basis"]): str(entry["suffix"])}
    return {str(k): str(v) for k, v in entry.items()}


def content_digest(properties: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of everything that makes a component version."""
    canonical = json.dumps(properties, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class VersionLock:
    """A version lock file. Get one with :meth:`at`, which shares one object per path.

    ``frozen`` locks refuse to issue new versions and raise instead, and never write; CI uses that
    to prove the committed file matches the code. Default: not frozen. A path asked for frozen
    once stays frozen for the process, whoever opened it first, so a test that freezes a fixture
    cannot have it written by code that opens the same file unfrozen.
    """

    _open: ClassVar[dict[Path, VersionLock]] = {}

    def __init__(self, path: Path, *, frozen: bool = False) -> None:
        self.path = path
        self.frozen = frozen
        self._entries: dict[str, dict[str, str]] = {}
        self._stacks: dict[str, dict[str, int]] = {}
        self._resources: dict[str, Any] | None = None
        self._imports: dict[str, dict[str, str]] = {}
        self._variants: dict[str, dict[str, str]] = {}
        self._images: dict[str, dict[str, str]] = {}
        """Per pipeline, its image's logical-ID suffix per build basis (:meth:`image_suffix`)."""
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                self._entries = {str(k): dict(v) for k, v in data.get("components", {}).items()}
                self._stacks = {
                    str(k): {"stack": int(v["stack"]), "pipelines": int(v["pipelines"])}
                    for k, v in data.get("stacks", {}).items()
                }
                resources = data.get("resources")
                self._resources = dict(resources) if resources is not None else None
                self._imports = {
                    str(k): {"ami": str(v["ami"]), "source": str(v["source"]), "task": str(v["task"])}
                    for k, v in data.get("imports", {}).items()
                }
                self._variants = {
                    str(k): {str(a): str(n) for a, n in dict(v).items()} for k, v in data.get("variants", {}).items()
                }
                self._images = {str(k): _suffixes(v) for k, v in data.get("images", {}).items()}
            except (ValueError, AttributeError, TypeError) as error:
                raise ValueError(
                    f"version_lock: {str(path)!r} is not a valid lock file ({error}); restore it from version control"
                ) from None

    @classmethod
    def at(cls, path: str | Path, *, frozen: bool = False) -> VersionLock:
        """The lock file at ``path``, one shared object per path within a process; frozen from
        the first time anyone asks for it frozen."""
        resolved = Path(path).resolve()
        if resolved not in cls._open:
            cls._open[resolved] = cls(resolved, frozen=frozen)
        lock = cls._open[resolved]
        lock.frozen = lock.frozen or frozen
        return lock

    def _refresh(self) -> str:
        """How to bring the frozen file up to date, in any repository."""
        try:
            shown = str(self.path.relative_to(Path.cwd()))
        except ValueError:
            shown = str(self.path)
        return (
            f"{shown} is frozen; synthesize once with it unfrozen ('make synth' in the factory's repository, "
            f"'cdk synth' in your own app, which writes the lock file its context names; for a test's copy, copy "
            f"that file over it) and commit {shown}"
        )

    def version_for(self, component: str, digest: str, floor: str) -> str:
        """The version of ``component`` whose content has ``digest``.

        ``floor`` is the lowest version the caller wants: raising it (``1.1.0``) starts a new
        minor line even for unchanged content.
        """
        from .._core.limits import parse_version  # loads aws-cdk-lib: not needed to read the record

        wanted = parse_version(f"components[{component}].version", floor)
        entry = self._entries.get(component)
        if entry is not None:
            current = parse_version(f"version_lock[{component}]", entry["version"])
            if entry["sha256"] == digest and current >= wanted:
                return entry["version"]
            bumped = (current[0], current[1], current[2] + 1)
            wanted = max(wanted, bumped)
        version = ".".join(str(part) for part in wanted)
        if self.frozen:
            raise ValueError(
                f"version_lock: component {component!r} changed (sha256 {digest[:12]}) but {self._refresh()} "
                f"(it will record version {version})"
            )
        self._entries[component] = {"sha256": digest, "version": version}
        self._write()
        return version

    def stack_for(self, image: str, pipelines: int, capacity: int, *, floor: int = 0) -> int:
        """The factory stack (0, 1, ...) that holds ``image``'s ``pipelines``.

        Once recorded, an image stays in its stack, so adding or reordering images never moves
        (and so replaces) one. A new image goes to the first stack from ``floor`` on with room for
        it under ``capacity`` pipelines (a layer's floor is its parent's stack).
        """
        entry = self._stacks.get(image)
        if entry is not None and entry["pipelines"] == pipelines:
            return entry["stack"]
        load: dict[int, int] = {}
        for name, placed in self._stacks.items():
            if name != image:
                load[placed["stack"]] = load.get(placed["stack"], 0) + placed["pipelines"]
        if entry is not None and load.get(entry["stack"], 0) + pipelines <= capacity:
            stack = entry["stack"]
        else:
            stack = next(
                n
                for n in range(floor, max([floor, *load]) + 2)
                if load.get(n, 0) + pipelines <= max(capacity, pipelines)
            )
        if self.frozen:
            raise ValueError(
                f"version_lock: image {image!r} has no place in the lock file (it would go to stack {stack}) but "
                f"{self._refresh()}"
            )
        self._stacks[image] = {"stack": stack, "pipelines": pipelines}
        self._write()
        return stack

    def all_variants(self) -> dict[str, dict[str, str]]:
        """Every image's recorded pipeline names (the factory file's loader checks consumers against them)."""
        return {k: dict(v) for k, v in self._variants.items()}

    def variants(self, image: str) -> dict[str, str]:
        """The pipeline names recorded for ``image``'s architectures (architecture value -> name);
        empty before its first synth."""
        return dict(self._variants.get(image, {}))

    def record_variants(self, image: str, names: dict[str, str]) -> None:
        """Record ``image``'s pipeline names. A name once recorded is kept for good (an architecture
        dropped and added again gets its old name back). A frozen lock records nothing: it names a
        new architecture by the same rule, so CI's synth matches the next local one, which writes."""
        merged = {**self._variants.get(image, {}), **names}
        if merged != self._variants.get(image) and not self.frozen:
            self._variants[image] = merged
            self._write()

    def image_suffix(self, pipeline: str, *, basis: str, today: str) -> str:
        """The suffix of ``pipeline``'s image built at deploy (:class:`pipeline.image.GoldenImage`).

        The lock keeps the suffix used for each ``basis`` (the distributions without their tags,
        which decide whether a new build is worth it), the last :data:`IMAGE_SUFFIXES_KEPT`: a
        tags-only edit keeps the suffix, and an edit undone (after a refused synth, say) gets its
        suffix back. A basis seen for the first time takes ``today`` (the digest with tags, as
        before tags were left out), so a lock written before keeps its images' logical IDs. A
        frozen lock records nothing."""
        suffixes = self._images.get(pipeline, {})
        suffix = suffixes.get(basis, today)
        kept = {b: v for b, v in suffixes.items() if b != basis}
        kept[basis] = suffix  # the most recent last
        kept = dict(list(kept.items())[-IMAGE_SUFFIXES_KEPT:])
        if list(kept.items()) != list(suffixes.items()) and not self.frozen:
            self._images[pipeline] = kept
            self._write()
        return suffix

    @property
    def resources(self) -> dict[str, Any] | None:
        """The preflight's record of the last synth, None before the first."""
        return self._resources

    def record_resources(self, record: dict[str, Any]) -> None:
        """Keep ``record`` as the last synth's resources (the preflight's change report reads it)."""
        if self.frozen:
            raise ValueError(f"version_lock: it keeps the record of the last synth, but {self._refresh()}")
        if record != self._resources:
            self._resources = record
            self._write()

    def imported(self, image: str) -> dict[str, str] | None:
        """What the out-of-band import recorded for ``image``: ``ami``, ``source`` (the disk
        image's S3 URL) and ``task`` (the import task), or None when nothing was imported."""
        entry = self._imports.get(image)
        return dict(entry) if entry else None

    def record_import(self, image: str, *, ami: str, source: str, task: str) -> None:
        """Record that ``source`` was imported as ``ami`` for ``image`` (``golden-ami-import``)."""
        if self.frozen:
            raise ValueError(
                f"version_lock: {self.path.name} is frozen; record imports with a lock file that is not frozen"
            )
        self._imports[image] = {"ami": ami, "source": source, "task": task}
        self._write()

    def _write(self) -> None:
        body: dict[str, object] = {
            "comment": "Written by constructs_lib at synth; commit it. Maps component content to versions, "
            "images to factory stacks and architectures to pipeline names.",
            "components": dict(sorted(self._entries.items())),
        }
        if self._stacks:
            body["stacks"] = dict(sorted(self._stacks.items()))
        if self._resources is not None:
            body["resources"] = self._resources
        if self._imports:
            body["imports"] = dict(sorted(self._imports.items()))
        if self._images:
            body["images"] = dict(sorted(self._images.items()))
        if self._variants:
            body["variants"] = {k: dict(sorted(v.items())) for k, v in sorted(self._variants.items())}
        self.path.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")
