"""A component of an image in the factory file: AWS-managed, from AWS Marketplace, or a document
of the team's own (a file or inline), with the parameters the image's recipe sets on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationInfo, model_validator

from .._core.enums import Platform
from ..bake.component import Component
from ._base import _Model


class MarketplaceSpec(_Model):
    """An AWS Marketplace component the account subscribes to."""

    name: str
    """The component's name without its product ID, for example datadog-agent-for-linux."""
    product_id: str
    """The AWS Marketplace product ID, prod-..."""


class ComponentSpec(_Model):
    """One component: exactly one of aws (an AWS-managed component), marketplace, file, inline."""

    aws: str | None = None
    """Name of an AWS-managed component, for example update-linux."""
    marketplace: MarketplaceSpec | None = None
    """An AWS Marketplace component, by name and product ID."""
    file: str | None = None
    """A component document, relative to the factory file."""
    inline: str | dict[str, Any] | None = None
    """A component document written here."""
    name: str | None = None
    """Name of a file or inline component. Default for a file: its name without extension."""
    version: str | None = None
    """AWS-managed and Marketplace: the version to pin (default x.x.x). Own: the lowest version to issue
    (default 1.0.0)."""
    parameters: dict[str, Any] | None = None
    """Values for the document's parameters, set by this image's recipe. Checked against a file or inline
    document (declared names, string values, every parameter without a default set); passed unchecked to
    AWS-managed and Marketplace components."""

    @model_validator(mode="after")
    def _one(self, info: ValidationInfo) -> ComponentSpec:
        given = [k for k in ("aws", "marketplace", "file", "inline") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of aws, marketplace, file, inline ({len(given)} given)")
        if self.inline is not None and not self.name:
            raise ValueError("an inline component needs a name")
        base_dir = (info.context or {}).get("base_dir", Path("."))
        if self.file is not None:
            try:
                found = (base_dir / self.file).exists()
            except OSError as error:  # a name too long for the file system, for one
                raise ValueError(f"file: {self.file[:80]!r} cannot be a path here ({error.strerror})") from None
            if not found:
                raise ValueError(
                    f"file: {self.file!r} does not exist in {base_dir}; component paths are relative to the "
                    "directory of the factory file"
                )
        self.to_component(base_dir)
        return self

    @property
    def component_name(self) -> str:
        """The name the recipe knows this component by (as :meth:`to_component` gives it)."""
        if self.marketplace is not None:
            return self.marketplace.name
        return self.aws or self.name or Path(self.file or "").stem

    def to_component(self, base_dir: Path, platform: Platform | None = None) -> Component:
        """The component, an own document checked for ``platform`` (the image's). Without one (the
        file's own check, before the image's platform is known) a document passes when it is valid
        for Linux or for Windows; the image's platform is checked across fields."""
        # Checked even when no parameters are given: a declared one without a default must be set.
        if platform is not None:
            return self._component(base_dir, platform).with_parameters(self.parameters or {})
        try:
            return self._component(base_dir, Platform.LINUX).with_parameters(self.parameters or {})
        except ValueError as linux:
            try:
                return self._component(base_dir, Platform.WINDOWS).with_parameters(self.parameters or {})
            except ValueError:
                raise linux from None

    def _component(self, base_dir: Path, platform: Platform) -> Component:
        if self.aws is not None:
            return Component.aws_managed(self.aws, self.version or "x.x.x")
        if self.marketplace is not None:
            return Component.from_marketplace(
                self.marketplace.name, self.marketplace.product_id, self.version or "x.x.x"
            )
        if self.file is not None:
            return Component.from_file(
                base_dir / self.file, name=self.name, version=self.version or "1.0.0", platform=platform
            )
        assert self.inline is not None and self.name is not None
        return Component.from_inline(self.name, self.inline, version=self.version or "1.0.0", platform=platform)
