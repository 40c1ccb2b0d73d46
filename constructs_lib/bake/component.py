"""Build and test steps for an image: AWS-managed and AWS Marketplace components, and the team's
own documents, with the parameters a recipe sets on each."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import yaml

from .._core.enums import Platform
from .._core.limits import COMPONENT_DATA_MAX, check_version
from .._core.safe_yaml import read_bounded
from .toe_document import check_document

_MANAGED_NAME_RE: Final = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$", re.ASCII)
_OWN_NAME_RE: Final = re.compile(r"^[-_A-Za-z0-9]{1,100}$", re.ASCII)
_PRODUCT_ID_RE: Final = re.compile(r"prod-[a-z0-9]{8,64}", re.ASCII)
_PARAMETER_NAME_RE: Final = re.compile(r"[^\x00]{1,256}")
"""ComponentParameter name: 1 to 256 characters, no NUL
(https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_ComponentParameter.html)."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class DeclaredParameter:
    """A parameter an AWSTOE document declares: its name, its type, whether it has a default."""

    name: str
    type: str = "string"
    has_default: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Component:
    """One step list of an image recipe. Build one with a class method.

    An AWS-managed component (``Component.aws_managed("update-linux")``) is referenced by
    ARN. A document of the team's own (``Component.from_file`` or ``Component.from_inline``) is
    parsed and checked at synth and becomes an ``AWS::ImageBuilder::Component`` owned by the
    pipeline, named ``<image>-<name>``; its version comes from the version lock, starting at
    ``version`` and rising with every content change.
    """

    name: str
    description: str
    data: str | None = None
    version: str = "1.0.0"
    source: str = "inline"
    owner: str = "aws"
    """Owner node of a referenced component's ARN: ``aws`` or ``aws-marketplace``."""
    marketplace_product: str | None = None
    """The AWS Marketplace product ID of a Marketplace component."""
    declared: tuple[DeclaredParameter, ...] | None = None
    """The parameters the document declares; None when there is no document at synth."""
    parameters: tuple[tuple[str, str | tuple[str, ...]], ...] = ()
    """The values the recipe sets (``ComponentConfiguration.Parameters``), see :meth:`with_parameters`."""
    platform: Platform | None = None
    """The platform it runs on: the one an own document was checked for; for a referenced component
    the one its name says (``update-linux``, ``update-windows``); None when its name says neither."""

    @property
    def is_managed(self) -> bool:
        """True for a component referenced rather than created (AWS-managed or Marketplace)."""
        return self.data is None

    @property
    def arn_path(self) -> str:
        """The end of a referenced component's ARN: ``<owner>:component/<name>/<version>``.

        A Marketplace component's name carries its product ID (``<name>-<product ID>``), as in
        sellers' published ``aws imagebuilder list-components --owner AWSMarketplace`` output."""
        name = f"{self.name}-{self.marketplace_product}" if self.marketplace_product else self.name
        return f"{self.owner}:component/{name}/{self.version}"

    @classmethod
    def aws_managed(cls, name: str, version: str = "x.x.x") -> Component:
        """An AWS-managed component such as ``update-linux`` or ``aws-cli-version-2-linux``.

        Default version: ``x.x.x``, the newest AWS publishes, resolved at each build. Its
        parameters are not known at synth, so :meth:`with_parameters` passes them unchecked.
        """
        if not _MANAGED_NAME_RE.fullmatch(name):
            raise ValueError(
                f"components: {name!r} is not an AWS-managed component name; use the lowercase "
                "name the Image Builder console lists, for example 'update-linux'"
            )
        check_version(f"components[{name}].version", version, wildcards=True)
        return cls(
            name=name, description=f"AWS-managed {name}", version=version, source="aws", platform=platform_by_name(name)
        )

    @classmethod
    def from_marketplace(cls, name: str, product_id: str, version: str = "x.x.x") -> Component:
        """An AWS Marketplace component the account subscribes to, by its name and product ID:
        ``arn:<partition>:imagebuilder:<region>:aws-marketplace:component/<name>-<product ID>/<version>``.

        The owner node ``aws-marketplace`` is documented in "How Image Builder works with IAM"
        (https://docs.aws.amazon.com/imagebuilder/latest/userguide/security-iam-service-with-iam.html);
        the name followed by the product ID is how sellers' published listings show them (aws-imagebuilder-alpha's
        ``AwsMarketplaceComponent`` builds the same ARN). Inconclusive: whether the build instance's
        ``EC2InstanceProfileForImageBuilder`` policy covers ``imagebuilder:GetMarketplaceResource``
        was not found on an AWS page. Parameters pass unchecked (no document at synth).

        Default version: ``x.x.x``, the newest the seller publishes.
        """
        if not _MANAGED_NAME_RE.fullmatch(name) or name.endswith(product_id):
            raise ValueError(
                f"components: {name!r} is not a Marketplace component name; use the lowercase name without "
                "its product ID, for example 'datadog-agent-for-linux' with product_id 'prod-wwo2b4p7dgrkk'"
            )
        if not _PRODUCT_ID_RE.fullmatch(product_id):
            raise ValueError(
                f"components[{name}].product_id: {product_id!r} is not an AWS Marketplace product ID; use "
                "'prod-' followed by lowercase letters and digits, as the product's page shows it"
            )
        check_version(f"components[{name}].version", version, wildcards=True)
        return cls(
            name=name,
            description=f"AWS Marketplace {name} ({product_id})",
            version=version,
            source="aws-marketplace",
            owner="aws-marketplace",
            marketplace_product=product_id,
            platform=platform_by_name(name),
        )

    def with_parameters(self, values: Mapping[str, str | Sequence[str]]) -> Component:
        """The same component with the parameters this recipe sets on it
        (``ComponentConfiguration.Parameters`` of ``AWS::ImageBuilder::ImageRecipe``).

        For a document of the team's own they are checked now against its ``parameters:``
        section: a name it does not declare, a value that is not a string (AWSTOE's one
        parameter type is ``string``, "Use variables in your custom component document",
        https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-user-defined-variables.html),
        and a declared parameter without a default left unset are refused. For AWS-managed and
        Marketplace components there is no document at synth: names and values pass unchecked
        (a value is a string or a list of strings, as ``ComponentParameter.Value`` takes).
        """
        where = f"components[{self.name}].parameters"
        checked: list[tuple[str, str | tuple[str, ...]]] = []
        for key, value in values.items():
            if not isinstance(key, str) or not _PARAMETER_NAME_RE.fullmatch(key):
                raise ValueError(f"{where}: {key!r} cannot name a parameter; use 1 to 256 characters")
            checked.append((key, self._parameter_value(f"{where}.{key}", key, value)))
        configured = dataclasses.replace(self, parameters=tuple(checked))
        configured.check_required()
        return configured

    def _parameter_value(self, where: str, key: str, value: object) -> str | tuple[str, ...]:
        if self.declared is None:
            if isinstance(value, str):
                return value
            if isinstance(value, Sequence) and value and all(isinstance(v, str) for v in value):
                return tuple(value)
            raise ValueError(f"{where}: {value!r} is not a string or a list of strings; quote it, for example '8080'")
        names = [d.name for d in self.declared]
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"it declares {', '.join(names) or 'none'}"
            raise ValueError(f"{where}: {self.name!r} declares no parameter {key!r}; {hint}")
        if not isinstance(value, str):
            raise ValueError(
                f"{where}: {value!r} is a {type(value).__name__}, but {key!r} is of type string (AWSTOE's only "
                f"parameter type); quote it, for example {str(value)!r}"
            )
        return value

    def check_required(self) -> None:
        """Raise ``ValueError`` naming a declared parameter without a default that the recipe leaves unset."""
        given = {key for key, _ in self.parameters}
        missing = [d.name for d in self.declared or () if not d.has_default and d.name not in given]
        if missing:
            raise ValueError(
                f"components[{self.name}].parameters: {', '.join(repr(m) for m in missing)} has no default in the "
                f"document, so the recipe must set it; add {missing[0]!r} to the component's parameters"
            )

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        name: str | None = None,
        description: str | None = None,
        version: str = "1.0.0",
        platform: Platform = Platform.LINUX,
    ) -> Component:
        """A component document from a YAML file, read and checked now.

        Default name: the file name without extension. Default description: the document's
        ``description``, else ``name``. Default starting version: ``1.0.0``. Default platform:
        Linux (the document's action modules are checked against it).
        """
        file = Path(path)
        try:
            # Checked before reading: `/dev/zero` or a FIFO would otherwise be read without end.
            text = read_bounded(file, COMPONENT_DATA_MAX * 4)
        except OSError as error:
            raise ValueError(
                f"components: cannot read {str(file)!r} ({error.strerror}); check the path (a relative path "
                f"is taken from {Path.cwd()})"
            ) from None
        except ValueError as error:
            raise ValueError(f"components: {str(file)!r} {error}") from None
        return cls._parsed(name or file.stem, text, str(file), description, version, platform)

    @classmethod
    def from_inline(
        cls,
        name: str,
        document: str | Mapping[str, Any],
        *,
        description: str | None = None,
        version: str = "1.0.0",
        platform: Platform = Platform.LINUX,
    ) -> Component:
        """A component document given as YAML text or as a mapping, checked now for ``platform``."""
        text = document if isinstance(document, str) else yaml.safe_dump(dict(document), sort_keys=False)
        return cls._parsed(name, text, f"inline component {name!r}", description, version, platform)

    @classmethod
    def _parsed(
        cls, name: str, text: str, source: str, description: str | None, version: str, platform: Platform
    ) -> Component:
        if not _OWN_NAME_RE.fullmatch(name):
            raise ValueError(
                f"components.name: {name!r} cannot name a component; use up to 100 letters, digits, '-' "
                "and '_' (the pipeline prefixes it with the image name)"
            )
        check_version(f"components[{name}].version", version)
        document = parse_document(text, source, platform)
        summary = description or str(document.get("description") or name)
        return cls(
            name=name,
            description=summary[:1024],
            data=text,
            version=version,
            source=source,
            declared=declared_parameters(document),
            platform=platform,
        )


def platform_by_name(name: str) -> Platform | None:
    """The platform a referenced component's name says: AWS names its managed components per platform
    with a ``-linux`` or ``-windows`` part (``update-linux``, ``update-windows``,
    ``aws-cli-version-2-windows``, as the Image Builder console lists them); None when it says neither."""
    parts = set(name.split("-"))
    if "windows" in parts and "linux" not in parts:
        return Platform.WINDOWS
    if "linux" in parts and "windows" not in parts:
        return Platform.LINUX
    return None


def declared_parameters(document: Mapping[str, Any]) -> tuple[DeclaredParameter, ...]:
    """The ``parameters:`` section of a checked AWSTOE document, as :class:`DeclaredParameter`."""
    declared: list[DeclaredParameter] = []
    for entry in document.get("parameters") or ():
        (name, spec), *_ = entry.items()
        spec = spec if isinstance(spec, Mapping) else {}
        declared.append(DeclaredParameter(name=str(name), type=str(spec.get("type")), has_default="default" in spec))
    return tuple(declared)


def parse_document(text: str, source: str, platform: Platform = Platform.LINUX) -> dict[str, Any]:
    """Parse and check an Image Builder component document for ``platform`` (see
    :mod:`constructs_lib.bake.toe_document`); ``source`` names it in errors."""
    if not 1 <= len(text) <= COMPONENT_DATA_MAX:
        raise ValueError(
            f"components: {source} is {len(text)} characters; Image Builder accepts 1 to "
            f"{COMPONENT_DATA_MAX}, so split it into several components"
        )
    return check_document(text, source, platform)
