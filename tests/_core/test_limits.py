from __future__ import annotations

import re

import aws_cdk as cdk
import pytest

from constructs_lib._core import limits as _limits


@pytest.mark.parametrize("name", ["web-server", "Web Server 2", "a_b"])
def test_accepts_valid_names(name: str) -> None:
    assert _limits.check_name("image_name", name) == name


@pytest.mark.parametrize("name", ["ab", " web", "web ", "web/server", "x" * 129])
def test_rejects_invalid_names(name: str) -> None:
    with pytest.raises(ValueError, match=r"image_name: .* is not a valid Image Builder name; use 3 to 128"):
        _limits.check_name("image_name", name)


def test_skips_tokens() -> None:
    token = cdk.Aws.STACK_NAME
    assert _limits.check_name("image_name", token) == token


@pytest.mark.parametrize("version", ["1.0", "1.0.0.0", "v1.0.0", "1.0.x"])
def test_rejects_non_semantic_versions(version: str) -> None:
    with pytest.raises(ValueError, match=r"version: .* is not a semantic version; use major.minor.patch"):
        _limits.check_version("version", version)


def test_rejects_version_parts_above_limit() -> None:
    with pytest.raises(ValueError, match=r"has a part above 1073741823 \(2\^30 - 1\)"):
        _limits.check_version("version", "1073741824.0.0")


@pytest.mark.parametrize("version", ["1.0.x", "1.x.x", "x.x.x"])
def test_accepts_right_running_wildcards(version: str) -> None:
    assert _limits.check_version("recipe_version", version, wildcards=True) == version


@pytest.mark.parametrize("version", ["x.1.x", "1.x.0", "x.x.1"])
def test_rejects_wildcards_followed_by_numbers(version: str) -> None:
    with pytest.raises(ValueError, match=r"once a part is 'x' every part to its right must be 'x'"):
        _limits.check_version("recipe_version", version, wildcards=True)


def test_rejects_reserved_tag_prefix() -> None:
    with pytest.raises(ValueError, match=r"tags: tag key 'aws:owner' starts with 'aws:', which AWS reserves"):
        _limits.check_tags("tags", {"aws:owner": "me"})


def test_rejects_too_many_tags() -> None:
    with pytest.raises(ValueError, match=r"tags: 51 tags given; AWS allows at most 50"):
        _limits.check_tags("tags", {f"k{i}": "v" for i in range(51)})


def test_rejects_long_tag_values_and_keys() -> None:
    with pytest.raises(ValueError, match=r"value of tag 'k' must be a string of at most 256"):
        _limits.check_tags("tags", {"k": "v" * 257})
    with pytest.raises(ValueError, match=r"tag key '.*' must be 1 to 128 characters"):
        _limits.check_tags("tags", {"k" * 129: "v"})


@pytest.mark.parametrize(
    ("key", "value", "odd"), [("Name", "{{ nope }}", "{"), ("team", "a\tb", "\t"), ("a#b", "v", "#")]
)
def test_rejects_characters_iam_refuses_in_tags(key: str, value: str, odd: str) -> None:
    """Found by the long fuzz run: '{{ nope }}' as a tag value reached synth and failed IAM's pattern."""
    with pytest.raises(ValueError, match=rf"tags: tag '{re.escape(key)}': .* holds {re.escape(repr(odd))}; IAM"):
        _limits.check_tags("tags", {key: value})


def test_accepts_letters_digits_spaces_and_the_allowed_marks_in_any_script() -> None:
    tags = {"golden-ami:factory": "default", "Cost Center": "4200 / ops=1+2@x_y", "équipe": "données"}
    assert _limits.check_tags("tags", tags) == dict(sorted(tags.items()))


def test_tags_come_back_sorted() -> None:
    assert list(_limits.check_tags("tags", {"b": "1", "a": "2"})) == ["a", "b"]


def test_rejects_ami_name_without_build_date() -> None:
    with pytest.raises(ValueError, match=r"ami_name: 'web' lacks '\{\{ imagebuilder:buildDate \}\}'; .* 'web-\{\{"):
        _limits.check_ami_name("ami_name", "web")


def test_rejects_ami_name_with_forbidden_characters() -> None:
    with pytest.raises(ValueError, match=r"is not a valid AMI name; use 1 to 127 characters"):
        _limits.check_ami_name("ami_name", "web/{{ imagebuilder:buildDate }}")


def test_check_range_names_bounds_and_unit() -> None:
    with pytest.raises(
        ValueError, match=r"test_timeout_minutes: 30 minutes is outside AWS's range; use one from 60 to 1440 minutes"
    ):
        _limits.check_range("test_timeout_minutes", 30, 60, 1440, " minutes")
    with pytest.raises(ValueError, match=r"hop_limit: True is not a whole number"):
        _limits.check_range("hop_limit", True, 1, 64)


@pytest.mark.parametrize("version", ["1.0.0\n", "1.0.0 ", "1." + "9" * 5000 + ".0"])
def test_rejects_versions_with_trailing_text_or_huge_parts(version: str) -> None:
    with pytest.raises(ValueError, match="is not a semantic version"):
        _limits.check_version("version", version)
