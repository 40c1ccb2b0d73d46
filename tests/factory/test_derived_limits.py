"""Values within the factory file's own rules that overflow a value the library derives from them,
and a layer with no architecture: each refused at its line with the key and the fix (issue: live
defects), the same message as the Python API's (``_core/derived.py``)."""

from __future__ import annotations

from pathlib import Path

from scripts.fuzz import FIXED
from tests.factory.factory_file import problems


def test_an_empty_architecture_list_is_refused_at_its_line(tmp_path: Path) -> None:
    assert problems(tmp_path, FIXED["empty architectures"]) == [
        "10: images[1].architectures: [] lists none; list x86_64, arm64 or both, or leave the key out to take "
        "the parent's (else the base's, else x86_64)"
    ]


def test_an_import_key_that_overflows_the_function_description_is_refused_at_its_line(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, FIXED["long import key"])
    assert found.startswith(
        "5: images[0].base.import.s3: 's3://my-bucket/kkkkkkkkkkkkk...kkkkkkkkkkkkkkkkkkkkkkk.vmdk'"
    )
    assert found.endswith(
        "(250 characters) makes the VM import function's description 304 characters long, over AWS's 256 "
        "(Lambda API, CreateFunction, Description); shorten it to at most 202 characters"
    )


def test_an_image_name_that_makes_the_ami_name_too_long_is_refused_at_its_line(tmp_path: Path) -> None:
    found = problems(tmp_path, FIXED["long image name"])
    assert found == [
        f"4: images[0].name: '{'n' * 28}...{'n' * 28}' (120 characters) makes the AMI name "
        "'<image>-{{ imagebuilder:buildDate }}' 156 characters long, over AWS's 127 (Image Builder API, "
        "AmiDistributionConfiguration.name); shorten it to at most 91 characters",
    ]


def test_a_description_over_1024_is_refused_at_its_line(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, FIXED["long description"])
    assert found.startswith("5: images[0].description: ")
    assert found.endswith(
        "(1100 characters) makes the image recipe's and pipeline's description 1100 characters long, over "
        "AWS's 1024 (Image Builder API, CreateImageRecipe and CreateImagePipeline, description); shorten it to at "
        "most 1024 characters"
    )


def test_a_name_that_fits_in_one_architecture_and_not_in_two_names_the_room_for_two(tmp_path: Path) -> None:
    text = FIXED["long image name"].replace("n" * 120, "n" * 95)
    (found,) = problems(tmp_path, text)
    assert found.endswith("shorten it to at most 91 characters")  # '-x86-64' takes 7 of the 98
    assert not problems_or_none(tmp_path, text.replace("architectures: [x86_64, arm64]", "architectures: [x86_64]"))


def problems_or_none(tmp_path: Path, text: str) -> list[str]:
    from constructs_lib.factory.loader import FactoryFileError
    from tests.factory.factory_file import load

    try:
        load(tmp_path, text)
    except FactoryFileError as error:
        return list(error.problems)
    return []
