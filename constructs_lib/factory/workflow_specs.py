"""An image's workflows in the factory file: AWS-managed by name or documents of the team's own,
and the smoke test, each checked by the library's own functions (the same messages as in Python)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationInfo, model_validator

from .._core.enums import Platform
from .._core.safe_yaml import read_bounded
from ..bake.workflow import Workflow, WorkflowOnFailure
from ..bake.workflow_document import WORKFLOW_DATA_MAX, WorkflowType
from ._base import _Model


def _base_dir(info: ValidationInfo) -> Path:
    return Path((info.context or {}).get("base_dir", "."))


class WorkflowSpec(_Model):
    """One build or test workflow: exactly one of aws (an AWS-managed workflow), file, inline."""

    aws: str | None = None
    """Name of an AWS-managed workflow: build-image or test-image."""
    file: str | None = None
    """A workflow document, relative to the factory file."""
    inline: str | dict[str, Any] | None = None
    """A workflow document written here."""
    name: str | None = None
    """Name of a file or inline workflow. Default for a file: its name without extension."""
    type: Literal["build", "test"] | None = None
    """The stage a file or inline workflow runs in."""
    version: str | None = None
    """AWS-managed: the version to pin (default x.x.x). Own: the lowest version to issue (default 1.0.0)."""
    parameters: dict[str, Any] | None = None
    """Values for the workflow's parameters, checked against an own document's declared types."""
    on_failure: Literal["abort", "continue"] | None = None
    """Test workflows: continue logs a failure and goes on. Default: abort, the build fails."""
    parallel_group: str | None = None
    """Test workflows: the named group it runs in, at the same time as the others of the group."""

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> WorkflowSpec:
        given = [k for k in ("aws", "file", "inline") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of aws, file, inline ({len(given)} given)")
        if self.aws is None and self.type is None:
            raise ValueError("type: a file or inline workflow needs type: build or type: test")
        if self.aws is not None and self.type is not None:
            raise ValueError("type: an AWS-managed workflow has its own type; leave type out")
        if self.inline is not None and not self.name:
            raise ValueError("name: an inline workflow needs a name")
        self.to_workflow(_base_dir(info))
        return self

    @property
    def workflow_name(self) -> str:
        return self.aws or self.name or Path(self.file or "").stem

    def to_workflow(self, base_dir: Path) -> Workflow:
        kind = WorkflowType[self.type.upper()] if self.type else None
        if self.aws is not None:
            workflow = Workflow.aws_managed(self.aws, self.version or "x.x.x")
        elif self.file is not None:
            assert kind is not None
            workflow = Workflow.from_file(
                base_dir / self.file, type=kind, name=self.name, version=self.version or "1.0.0"
            )
        else:
            assert kind is not None and self.inline is not None and self.name is not None
            workflow = Workflow.from_inline(self.name, self.inline, type=kind, version=self.version or "1.0.0")
        workflow = workflow.with_parameters(self.parameters or {})
        if self.on_failure is not None or self.parallel_group is not None:
            failure = WorkflowOnFailure[self.on_failure.upper()] if self.on_failure else None
            workflow = workflow.with_test_options(on_failure=failure, parallel_group=self.parallel_group)
        return workflow


class SmokeTestSpec(_Model):
    """The team's smoke test, run on the test instance before the image is distributed: exactly one
    of file (a script, relative to the factory file) or script (its commands, one a line)."""

    file: str | None = None
    script: str | None = None

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> SmokeTestSpec:
        if (self.file is None) == (self.script is None):
            raise ValueError("give exactly one of file (a script next to the factory file) or script")
        # Checks the script only; the image's platform picks the Run Command document at synth.
        Workflow.smoke_test(self.to_script(_base_dir(info)), platform=Platform.LINUX)
        return self

    def to_script(self, base_dir: Path) -> str:
        if self.script is not None:
            return self.script
        assert self.file is not None
        try:
            return read_bounded(base_dir / self.file, WORKFLOW_DATA_MAX)
        except OSError as error:
            raise ValueError(
                f"file: cannot read {self.file!r} ({error.strerror}); smoke-test paths are relative to the "
                "directory of the factory file"
            ) from None
        except ValueError as error:
            raise ValueError(f"file: {self.file!r} {error}") from None
