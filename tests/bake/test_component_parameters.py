from __future__ import annotations

import pytest

from constructs_lib import Component

DOC = """
name: app
schemaVersion: 1.0
parameters:
  - Port:
      type: string
      description: the port the app listens on
  - LogLevel:
      type: string
      default: info
phases:
  - name: build
    steps:
      - name: Configure
        action: ExecuteBash
        inputs:
          commands: ["echo {{ Port }} {{ LogLevel }}"]
"""


def own() -> Component:
    return Component.from_inline("app", DOC)


def test_the_document_declares_its_parameters() -> None:
    assert [(d.name, d.type, d.has_default) for d in own().declared or ()] == [
        ("Port", "string", False),
        ("LogLevel", "string", True),
    ]


def test_parameters_set_per_recipe_are_kept_in_order() -> None:
    component = own().with_parameters({"Port": "8080", "LogLevel": "debug"})
    assert component.parameters == (("Port", "8080"), ("LogLevel", "debug"))
    assert own().parameters == ()  # the original is unchanged (a frozen value)


def test_rejects_a_parameter_the_document_does_not_declare() -> None:
    with pytest.raises(
        ValueError,
        match=r"components\[app\].parameters.Prot: 'app' declares no parameter 'Prot'; "
        r"did you mean 'Port'\?",
    ):
        own().with_parameters({"Prot": "8080"})


@pytest.mark.parametrize("value", [8080, True, ["8080"]])
def test_rejects_a_value_that_is_not_a_string(value: object) -> None:
    with pytest.raises(ValueError, match=r"components\[app\].parameters.Port: .* is of type string .*quote it"):
        own().with_parameters({"Port": value})  # type: ignore[dict-item]


def test_rejects_a_required_parameter_left_unset() -> None:
    with pytest.raises(
        ValueError,
        match=r"components\[app\].parameters: 'Port' has no default in the document, "
        r"so the recipe must set it",
    ):
        own().with_parameters({"LogLevel": "warn"})


def test_a_document_without_required_parameters_needs_none() -> None:
    Component.from_inline(
        "app", DOC.replace("description: the port", "default: '80'\n      description: the port")
    ).check_required()


def test_rejects_a_declared_parameter_of_another_type() -> None:
    with pytest.raises(
        ValueError,
        match=r"parameters\[0\].Port: type 'integer' is not one AWSTOE supports; "
        r"write type: string",
    ):
        Component.from_inline("app", DOC.replace("type: string\n      description", "type: integer\n      description"))


def test_managed_component_parameters_pass_unchecked() -> None:
    component = Component.aws_managed("amazon-cloudwatch-agent-linux").with_parameters(
        {"AnyName": "x", "List": ["a", "b"]}
    )
    assert component.declared is None
    assert component.parameters == (("AnyName", "x"), ("List", ("a", "b")))


def test_managed_component_values_are_strings_or_lists_of_strings() -> None:
    with pytest.raises(ValueError, match=r"components\[update-linux\].parameters.N: 3 is not a string or a list"):
        Component.aws_managed("update-linux").with_parameters({"N": 3})  # type: ignore[dict-item]


def test_marketplace_component_arn_carries_its_product_id() -> None:
    component = Component.from_marketplace("datadog-agent-for-linux", "prod-wwo2b4p7dgrkk")
    assert component.is_managed
    assert component.arn_path == "aws-marketplace:component/datadog-agent-for-linux-prod-wwo2b4p7dgrkk/x.x.x"


@pytest.mark.parametrize("product", ["wwo2b4p7dgrkk", "prod-", "prod-ABC12345", "ami-0123456789abcdef0"])
def test_rejects_malformed_marketplace_product_ids(product: str) -> None:
    with pytest.raises(ValueError, match=r"components\[agent\].product_id: .* is not an AWS Marketplace product ID"):
        Component.from_marketplace("agent", product)


def test_rejects_a_marketplace_name_that_already_carries_the_product_id() -> None:
    with pytest.raises(
        ValueError,
        match=r"components: 'agent-prod-wwo2b4p7dgrkk' is not a Marketplace component "
        r"name; use the lowercase name without its product ID",
    ):
        Component.from_marketplace("agent-prod-wwo2b4p7dgrkk", "prod-wwo2b4p7dgrkk")
