"""The values the library derives from user input, and AWS's limit on each, in one table.

A user's value can be within its own rules and still overflow a value made from it further down
(an image name inside an AMI name, an S3 URL inside a function's description). Each entry below
renders that value (the constructs render it through the entry, so the check and the template
cannot drift apart) and checks it where the user's value is first seen: the Python API raises a
``ValueError`` naming the argument; the factory file's cross-field rules report the same message
at the offending key's line (``factory/cross_field.py``).
"""

from __future__ import annotations

import dataclasses
from typing import Final

from .limits import BUILD_DATE_PLACEHOLDER, NAME_MAX, TAG_VALUE_MAX, is_token

_BUILD_DATE: Final = BUILD_DATE_PLACEHOLDER.replace("{", "{{").replace("}", "}}")
"""The placeholder as a ``str.format`` pattern writes it: rendered, it is the placeholder itself."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Derived:
    """One derived value: how it is made (``template``, a ``str.format`` pattern over named user
    values), what AWS calls it, its maximum length and the page that sets it."""

    what: str
    template: str
    maximum: int
    source: str

    def render(self, **values: str) -> str:
        return self.template.format(**values)

    def check(self, field: str, given: str, **values: str) -> str:
        """Raise ``ValueError`` when the rendered value is too long, naming ``field`` (the user's
        argument or key, whose value is ``given``), the derived value, AWS's limit and how long
        ``given`` may be; returns the rendered value. Tokens are not judged."""
        if any(is_token(v) for v in values.values()):
            return self.template
        rendered = self.render(**values)
        if len(rendered) <= self.maximum:
            return rendered
        room = self.maximum - (len(rendered) - len(given))
        shown = given if len(given) <= 60 else f"{given[:28]}...{given[-28:]}"
        raise ValueError(
            f"{field}: {shown!r} ({len(given)} characters) makes {self.what} {len(rendered)} characters long, "
            f"over AWS's {self.maximum} ({self.source}); shorten it to at most {max(room, 0)} characters"
        )


# https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_AmiDistributionConfiguration.html
AMI_NAME: Final = Derived(
    what="the AMI name '<image>-{{ imagebuilder:buildDate }}'",
    template="{image}-" + _BUILD_DATE,
    maximum=127,
    source="Image Builder API, AmiDistributionConfiguration.name",
)
# https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_AmiDistributionConfiguration.html
AMI_DESCRIPTION: Final = Derived(
    what="the AMI description",
    template="{image} golden image, built " + _BUILD_DATE,
    maximum=1024,
    source="Image Builder API, AmiDistributionConfiguration.description",
)
# https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_CreateImageRecipe.html and
# https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_CreateImagePipeline.html
IMAGE_DESCRIPTION: Final = Derived(
    what="the image recipe's and pipeline's description",
    template="{description}",
    maximum=1024,
    source="Image Builder API, CreateImageRecipe and CreateImagePipeline, description",
)
# https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_ImportVmImage.html
IMPORT_NAME: Final = Derived(
    what="the imported image's Image Builder name",
    template="{image}-import",
    maximum=NAME_MAX,
    source="Image Builder API, ImportVmImage, name",
)
# https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html (the handler's name in
# parentheses is _waiter.py's suffix; is_complete is the longer)
IMPORT_FUNCTION_DESCRIPTION: Final = Derived(
    what="the VM import function's description",
    template="Imports {s3_url} as the golden AMI base {image} (is_complete)",
    maximum=256,
    source="Lambda API, CreateFunction, Description",
)
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
IMPORT_ROLE_DESCRIPTION: Final = Derived(
    what="the VM import function role's description",
    template="Imports {s3_url} as the golden AMI base {image}",
    maximum=1000,
    source="IAM API, CreateRole, Description",
)
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Tag.html
IMPORT_SOURCE_TAG: Final = Derived(
    what="the imported AMI's golden-ami:source tag value",
    template="{s3_url}",
    maximum=TAG_VALUE_MAX,
    source="EC2 API, Tag, Value",
)
# https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_CreateImageRecipe.html
IMPORT_BASE_DESCRIPTION: Final = Derived(
    what="the description of the imported base",
    template="VM image imported from {s3_url} (fixed parent)",
    maximum=1024,
    source="Image Builder API, CreateImageRecipe, description",
)
TABLE: Final = (
    AMI_NAME,
    AMI_DESCRIPTION,
    IMAGE_DESCRIPTION,
    IMPORT_NAME,
    IMPORT_FUNCTION_DESCRIPTION,
    IMPORT_ROLE_DESCRIPTION,
    IMPORT_SOURCE_TAG,
    IMPORT_BASE_DESCRIPTION,
)
"""Every derived value with a limit; a test renders each and checks it against its maximum."""


def check_image_name(field: str, image: str, *, given: str | None = None) -> None:
    """The values an image's pipeline name flows into: the AMI name and description. ``given`` is
    the user's name when ``image`` is a variant made from it (``<name>-x86-64``)."""
    AMI_NAME.check(field, given or image, image=image)
    AMI_DESCRIPTION.check(field, given or image, image=image)


def check_description(field: str, description: str | None) -> None:
    if description is not None:
        IMAGE_DESCRIPTION.check(field, description, description=description)


def check_import(s3_field: str, s3_url: str, name_field: str, image: str) -> None:
    """The values an imported disk's S3 URL and its image's name flow into."""
    IMPORT_NAME.check(name_field, image, image=image)
    IMPORT_SOURCE_TAG.check(s3_field, s3_url, s3_url=s3_url)
    for derived in (IMPORT_FUNCTION_DESCRIPTION, IMPORT_ROLE_DESCRIPTION, IMPORT_BASE_DESCRIPTION):
        derived.check(s3_field, s3_url, s3_url=s3_url, image=image)
