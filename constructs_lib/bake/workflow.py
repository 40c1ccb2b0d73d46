"""Image workflows: the build and test stages Image Builder runs for a pipeline, AWS-managed
(``build-image``, ``test-image``) or from a document of the team's own, with the parameters the
pipeline sets and, for the team's smoke test, a workflow made from its script.

AWS's rules this module holds ("Configure image pipeline workflows",
https://docs.aws.amazon.com/imagebuilder/latest/userguide/pipeline-workflows.html, and the API's
``WorkflowConfiguration``, https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_WorkflowConfiguration.html):

- an AWS-managed workflow is ``arn:<partition>:imagebuilder:<region>:aws:workflow/<type>/<name>/<version>``
  with ``x.x.x`` for the newest; the names are Image Builder's defaults ("Manage build and test
  workflows", https://docs.aws.amazon.com/imagebuilder/latest/userguide/manage-image-workflows.html,
  and aws-imagebuilder-alpha's ``AmazonManagedWorkflow``): ``build-image``, ``test-image``,
  ``build-container``, ``test-container``, ``distribute-image``, ``distribute-container``.
- parameter values are lists of strings, 1 to 128 characters a name (``WorkflowParameter``);
  ``onFailure`` (CONTINUE, ABORT) "can only be set for test workflows", and ``parallelGroup``
  "only applies for test workflows", ``^[A-Za-z0-9][A-Za-z0-9-_+#]{0,99}$``.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import yaml

from .._core.enums import Platform
from .._core.limits import check_version
from .._core.safe_yaml import read_bounded
from .workflow_document import WORKFLOW_DATA_MAX, WorkflowType, check_workflow_document

AWS_MANAGED_WORKFLOWS: Final[Mapping[str, WorkflowType]] = {
    "build-image": WorkflowType.BUILD,
    "test-image": WorkflowType.TEST,
    "build-container": WorkflowType.BUILD,
    "test-container": WorkflowType.TEST,
    "distribute-image": WorkflowType.DISTRIBUTION,
    "distribute-container": WorkflowType.DISTRIBUTION,
}
"""AWS-managed workflows by name and type (see the module docstring)."""
_OWN_NAME_RE: Final = re.compile(r"[-_A-Za-z0-9]{1,100}", re.ASCII)
_PARAMETER_NAME_RE: Final = re.compile(r"[^\x00]{1,128}")
_PARALLEL_GROUP_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_+#-]{0,99}", re.ASCII)
RUN_SCRIPT_DOCUMENTS: Final = {Platform.LINUX: "AWS-RunShellScript", Platform.WINDOWS: "AWS-RunPowerShellScript"}
"""The Systems Manager command document that runs a smoke test's script on each platform, taking
the script as ``commands`` ("Running commands using a specific document version",
https://docs.aws.amazon.com/systems-manager/latest/userguide/run-command-version.html)."""
SMOKE_TEST_TIMEOUT_MAX: Final = 12 * 3600


class WorkflowOnFailure(enum.Enum):
    """What the build does when a test workflow fails (``OnFailure``). Default: ABORT, the build fails."""

    ABORT = "ABORT"
    CONTINUE = "CONTINUE"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class WorkflowParameterDetail:
    """A parameter a workflow document declares: its name, type and whether it has a default."""

    name: str
    type: str = "string"
    has_default: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Workflow:
    """One build or test workflow of a pipeline. Build one with a class method.

    An AWS-managed workflow (``Workflow.aws_managed("test-image")``) is referenced by ARN. A
    document of the team's own (:meth:`from_file`, :meth:`from_inline`, :meth:`smoke_test`) is
    checked at synth and becomes an ``AWS::ImageBuilder::Workflow`` of the pipeline, named
    ``<image>-<name>``, its version from the version lock (a new one for every content change).
    """

    name: str
    type: WorkflowType
    description: str
    data: str | None = None
    version: str = "1.0.0"
    source: str = "inline"
    declared: tuple[WorkflowParameterDetail, ...] | None = None
    """The parameters the document declares; None for an AWS-managed workflow."""
    parameters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """The values the pipeline sets (``WorkflowConfiguration.Parameters``), see :meth:`with_parameters`."""
    on_failure: WorkflowOnFailure | None = None
    parallel_group: str | None = None
    command_documents: tuple[str, ...] = ()
    """The Systems Manager documents its ``RunCommand`` steps name, which the execution role may send."""

    @property
    def is_managed(self) -> bool:
        """True for an AWS-managed workflow (referenced, not created)."""
        return self.data is None

    @classmethod
    def aws_managed(cls, name: str, version: str = "x.x.x") -> Workflow:
        """An AWS-managed workflow by name, such as ``build-image`` or ``test-image``. Default
        version: ``x.x.x``, the newest AWS publishes, resolved at each build. Its parameters are not
        known at synth: :meth:`with_parameters` passes them unchecked."""
        if name not in AWS_MANAGED_WORKFLOWS:
            close = difflib.get_close_matches(name, list(AWS_MANAGED_WORKFLOWS), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(AWS_MANAGED_WORKFLOWS)}"
            raise ValueError(f"workflows: {name!r} is not an AWS-managed workflow; {hint}")
        check_version(f"workflows[{name}].version", version, wildcards=True)
        return cls(
            name=name,
            type=AWS_MANAGED_WORKFLOWS[name],
            description=f"AWS-managed {name}",
            version=version,
            source="aws",
        )

    @classmethod
    def from_file(
        cls, path: str | Path, *, type: WorkflowType, name: str | None = None, version: str = "1.0.0"
    ) -> Workflow:
        """A workflow document from a YAML file, read and checked now for ``type``. Default name:
        the file name without extension. Default starting version: ``1.0.0``."""
        file = Path(path)
        try:
            text = read_bounded(file, WORKFLOW_DATA_MAX * 4)
        except OSError as error:
            raise ValueError(
                f"workflows: cannot read {str(file)!r} ({error.strerror}); check the path (a relative path is "
                f"taken from {Path.cwd()})"
            ) from None
        except ValueError as error:
            raise ValueError(f"workflows: {str(file)!r} {error}") from None
        return cls._parsed(name or file.stem, text, str(file), type, version)

    @classmethod
    def from_inline(
        cls, name: str, document: str | Mapping[str, Any], *, type: WorkflowType, version: str = "1.0.0"
    ) -> Workflow:
        """A workflow document given as YAML text or as a mapping, checked now for ``type``."""
        text = document if isinstance(document, str) else yaml.safe_dump(dict(document), sort_keys=False)
        return cls._parsed(name, text, f"inline workflow {name!r}", type, version)

    @classmethod
    def smoke_test(
        cls, script: str, *, platform: Platform, name: str = "smoke-test", timeout_seconds: int = 3600
    ) -> Workflow:
        """A TEST workflow that runs the team's smoke-test ``script`` (the script's text) on the test
        instance Image Builder launches from the new image, before it is distributed: it launches the
        instance and waits for its SSM Agent (``LaunchInstance``), runs the script with Run Command
        (``RunCommand``, ``AWS-RunShellScript`` on Linux, ``AWS-RunPowerShellScript`` on Windows; a
        command that exits non-zero fails it) and terminates the instance (``TerminateInstance``).
        The steps follow "Supported step actions for your workflow document"
        (https://docs.aws.amazon.com/imagebuilder/latest/userguide/wfdoc-step-actions.html); the
        ``RunCommand`` inputs ``documentName``, ``instanceId`` and ``parameters`` mirror Run Command's
        ``SendCommand``. Inconclusive: that page's input table for ``RunCommand`` was not read in full,
        so the input names are not verified against it. Default timeout of the script: 3600 seconds
        (1 to 43200)."""
        commands = [line for line in script.splitlines() if line.strip()]
        if not commands:
            raise ValueError("smoke_test: the script is empty; give the commands of the smoke test, one a line")
        if platform not in RUN_SCRIPT_DOCUMENTS:
            raise ValueError(f"smoke_test: Run Command scripts run on Linux or Windows, not on {platform.value}")
        if isinstance(timeout_seconds, bool) or not 1 <= timeout_seconds <= SMOKE_TEST_TIMEOUT_MAX:
            raise ValueError(
                f"smoke_test.timeout_seconds: {timeout_seconds!r} is out of range; use 1 to {SMOKE_TEST_TIMEOUT_MAX}"
            )
        instance = "$.stepOutputs.LaunchTestInstance.instanceId"
        document = {
            "name": name,
            "description": "Runs the team's smoke test on the test instance before the image is distributed",
            "schemaVersion": 1.0,
            "steps": [
                {"name": "LaunchTestInstance", "action": "LaunchInstance", "onFailure": "Abort",
                 "inputs": {"waitFor": "ssmAgent"}},
                {"name": "RunSmokeTest", "action": "RunCommand", "onFailure": "Abort",
                 "timeoutSeconds": timeout_seconds,
                 "inputs": {"documentName": RUN_SCRIPT_DOCUMENTS[platform], "instanceId.$": instance,
                            "parameters": {"commands": commands}}},
                {"name": "TerminateTestInstance", "action": "TerminateInstance", "onFailure": "Continue",
                 "inputs": {"instanceId.$": instance}},
            ],
        }  # fmt: skip
        return cls.from_inline(name, document, type=WorkflowType.TEST)

    @classmethod
    def _parsed(cls, name: str, text: str, source: str, kind: WorkflowType, version: str) -> Workflow:
        if not _OWN_NAME_RE.fullmatch(name):
            raise ValueError(
                f"workflows.name: {name!r} cannot name a workflow; use up to 100 letters, digits, '-' and '_' "
                "(the pipeline prefixes it with the image name)"
            )
        if not isinstance(kind, WorkflowType):
            raise ValueError(f"workflows[{name}].type: {kind!r} is not a WorkflowType; use WorkflowType.BUILD or TEST")
        check_version(f"workflows[{name}].version", version)
        document = check_workflow_document(text, source, kind)
        declared = tuple(
            WorkflowParameterDetail(name=str(p["name"]), type=str(p["type"]), has_default="default" in p)
            for p in document.get("parameters") or ()
        )
        documents = tuple(
            str(step["inputs"]["documentName"])
            for step in document["steps"]
            if step.get("action") == "RunCommand"
            and isinstance(step.get("inputs"), Mapping)
            and isinstance(step["inputs"].get("documentName"), str)
        )
        summary = str(document.get("description") or name)[:1024]
        return cls(
            name=name,
            type=kind,
            description=summary,
            data=text,
            version=version,
            source=source,
            declared=declared,
            command_documents=documents,
        )

    def with_parameters(self, values: Mapping[str, object]) -> Workflow:
        """The same workflow with the parameters the pipeline sets on it. For a document of the
        team's own each is checked against its ``parameters:`` (a name it declares, a value of the
        declared type: string, integer, boolean or stringList), and a declared parameter without a
        default must be set. AWS-managed workflows take strings or lists of strings, unchecked."""
        where = f"workflows[{self.name}].parameters"
        checked: list[tuple[str, tuple[str, ...]]] = []
        for key, value in values.items():
            if not isinstance(key, str) or not _PARAMETER_NAME_RE.fullmatch(key):
                raise ValueError(f"{where}: {key!r} cannot name a parameter; use 1 to 128 characters")
            checked.append((key, self._value(f"{where}.{key}", key, value)))
        configured = dataclasses.replace(self, parameters=tuple(checked))
        configured.check_required()
        return configured

    def with_test_options(
        self, *, on_failure: WorkflowOnFailure | None = None, parallel_group: str | None = None
    ) -> Workflow:
        """The same test workflow with what a failure does (``CONTINUE`` logs it and goes on) and
        the parallel group it runs in. Refused on a build workflow: both apply to test workflows only."""
        if self.type is not WorkflowType.TEST:
            raise ValueError(
                f"workflows[{self.name}]: on_failure and parallel_group apply to test workflows only, and this is a "
                f"{self.type.value} workflow; leave them unset"
            )
        if parallel_group is not None and not _PARALLEL_GROUP_RE.fullmatch(parallel_group):
            raise ValueError(
                f"workflows[{self.name}].parallel_group: {parallel_group!r} is not a group name; use a letter or "
                "digit, then up to 99 letters, digits and - _ + #"
            )
        return dataclasses.replace(self, on_failure=on_failure, parallel_group=parallel_group)

    def check_required(self) -> None:
        """Raise ``ValueError`` naming a declared parameter without a default that is left unset."""
        given = {key for key, _ in self.parameters}
        missing = [d.name for d in self.declared or () if not d.has_default and d.name not in given]
        if missing:
            raise ValueError(
                f"workflows[{self.name}].parameters: {', '.join(repr(m) for m in missing)} has no default in the "
                f"document, so the pipeline must set it; add {missing[0]!r} to the workflow's parameters"
            )

    def _value(self, where: str, key: str, value: object) -> tuple[str, ...]:
        if self.declared is None:
            if isinstance(value, str):
                return (value,)
            if isinstance(value, Sequence) and value and all(isinstance(v, str) for v in value):
                return tuple(value)
            raise ValueError(f"{where}: {value!r} is not a string or a list of strings; quote it, for example '8080'")
        kinds = {d.name: d.type for d in self.declared}
        if key not in kinds:
            close = difflib.get_close_matches(key, list(kinds), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"it declares {', '.join(kinds) or 'none'}"
            raise ValueError(f"{where}: {self.name!r} declares no parameter {key!r}; {hint}")
        kind = kinds[key]
        if kind == "boolean" and isinstance(value, bool):
            return ("true" if value else "false",)
        if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
            return (str(value),)
        if kind == "string" and isinstance(value, str):
            return (value,)
        if kind == "stringList" and isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise ValueError(f"{where}: {value!r} is not of the type {key!r} declares ({kind}); give a {kind} value")

    def arn_path(self) -> str:
        """The end of an AWS-managed workflow's ARN: ``aws:workflow/<type>/<name>/<version>``."""
        return f"aws:workflow/{self.type.value.lower()}/{self.name}/{self.version}"
