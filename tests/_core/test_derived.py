"""The table of values derived from user input (``_core/derived.py``): each entry's limit, its
message, and that the constructs render the values through it."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Template

from constructs_lib import DiskImage, RegionTarget, VersionLock, VmImportImage, VmImportRole
from constructs_lib._core import derived
from tests.conftest import make_pipeline, make_stack

KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize("entry", derived.TABLE, ids=lambda e: e.what)
def test_every_entry_accepts_its_maximum_and_refuses_one_more(entry: derived.Derived) -> None:
    fixed = len(entry.render(**dict.fromkeys(("image", "description", "s3_url"), "")))
    fits = "x" * (entry.maximum - fixed)
    values = dict.fromkeys(("image", "description", "s3_url"), fits)
    # Only one named value varies in each check: the others are empty.
    name = next(k for k in ("image", "description", "s3_url") if "{" + k + "}" in entry.template)
    others = {k: "" for k in ("image", "description", "s3_url") if k != name}
    assert len(entry.check(name, fits, **{**others, name: fits})) == entry.maximum
    with pytest.raises(ValueError, match=rf"^{name}: '.*' \({len(fits) + 1} characters\) makes .* over AWS's "):
        entry.check(name, fits + "x", **{**others, name: fits + "x"})
    assert values  # every entry names at least one user value


def test_the_message_names_the_argument_the_derived_value_the_limit_its_page_and_the_room() -> None:
    with pytest.raises(ValueError) as caught:
        derived.check_image_name("image_name", "n" * 100)
    assert str(caught.value) == (
        f"image_name: '{'n' * 28}...{'n' * 28}' (100 characters) makes the AMI name "
        "'<image>-{{ imagebuilder:buildDate }}' 129 characters long, over AWS's 127 (Image Builder API, "
        "AmiDistributionConfiguration.name); shorten it to at most 98 characters"
    )


def test_the_build_date_placeholder_is_rendered_as_image_builder_reads_it() -> None:
    assert derived.AMI_NAME.render(image="web") == "web-{{ imagebuilder:buildDate }}"
    assert derived.AMI_DESCRIPTION.render(image="web") == "web golden image, built {{ imagebuilder:buildDate }}"


def test_a_variant_name_reports_the_room_left_for_the_users_name() -> None:
    with pytest.raises(ValueError, match=r"shorten it to at most 91 characters$"):
        derived.check_image_name("name", "n" * 92 + "-x86-64", given="n" * 92)


def test_vm_import_renders_its_descriptions_and_name_through_the_table() -> None:
    stack = make_stack()
    url = "s3://disk-images/web/disk1.vmdk"
    role = VmImportRole(stack, "Role", buckets=("disk-images",), kms_key_arn=KEY)
    imported = VmImportImage(
        stack, "Legacy", image_name="legacy", disk=DiskImage(s3_url=url), role=role, kms_key_arn=KEY
    )
    template = Template.from_stack(stack).to_json()["Resources"]
    functions = [r["Properties"]["Description"] for r in template.values() if r["Type"] == "AWS::Lambda::Function"]
    role_description = derived.IMPORT_ROLE_DESCRIPTION.render(s3_url=url, image="legacy")
    assert f"{role_description} (is_complete)" in functions
    assert derived.IMPORT_FUNCTION_DESCRIPTION.render(s3_url=url, image="legacy") in functions
    assert max(len(f) for f in functions) <= derived.IMPORT_FUNCTION_DESCRIPTION.maximum
    roles = [r["Properties"].get("Description") for r in template.values() if r["Type"] == "AWS::IAM::Role"]
    assert role_description in roles
    assert imported.base_image.description == derived.IMPORT_BASE_DESCRIPTION.render(s3_url=url)


def test_vm_import_refuses_a_url_that_overflows_the_function_description_naming_the_argument() -> None:
    stack = make_stack()
    url = f"s3://disk-images/{'k' * 220}.vmdk"
    role = VmImportRole(stack, "Role", buckets=("disk-images",), kms_key_arn=KEY)
    with pytest.raises(ValueError, match=r"^disk.s3_url: .* makes the VM import function's description 2\d\d"):
        VmImportImage(stack, "Legacy", image_name="legacy", disk=DiskImage(s3_url=url), role=role, kms_key_arn=KEY)


def test_pipeline_refuses_a_description_over_1024_naming_the_argument(lock: VersionLock) -> None:
    stack = make_stack()
    with pytest.raises(
        ValueError, match=r"^description: .* \(1025 characters\) makes the image recipe's and pipeline's"
    ):
        make_pipeline(stack, lock, description="d" * 1025)


def test_pipeline_refuses_an_image_name_that_overflows_the_ami_name(lock: VersionLock) -> None:
    stack = make_stack()
    with pytest.raises(ValueError, match=r"^image_name: .* makes the AMI name .* shorten it to at most 98 characters"):
        make_pipeline(stack, lock, image_name="n" * 99)


def test_pipeline_with_its_own_ami_names_takes_a_long_image_name(lock: VersionLock) -> None:
    stack = make_stack(region="us-east-1")
    target = RegionTarget(region="us-east-1", ami_name="web-{{ imagebuilder:buildDate }}", description="web")
    made = make_pipeline(stack, lock, image_name="n" * 120, distributions=[target])
    assert made.image_name == "n" * 120
