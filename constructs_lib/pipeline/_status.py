"""Where a pipeline's ``Status`` comes from: ``ENABLED``, or a status parameter read at every deploy."""

from __future__ import annotations

from typing import Final

from aws_cdk import Acknowledgment, CfnParameter, Validations
from constructs import Construct, IConstruct

from .._core.targets import check_parameter_name

STATUS_PARAMETER_TYPE: Final = "AWS::SSM::Parameter::Value<String>"


def pipeline_status(scope: Construct, pipeline: IConstruct, parameter: str | None) -> str:
    """``ENABLED`` without ``parameter``; else the value of a stack parameter (construct ID
    ``Status`` under ``scope``) of a Systems Manager parameter type whose default is
    ``parameter``, which CloudFormation reads anew at every stack update ("CloudFormation always
    fetches the latest values from Parameter Store when it updates stacks",
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-supplied-parameter-types.html).
    The SSM parameter must exist before the stack deploys (``PipelineHolds`` makes it).

    CDK's CloudFormation Validate reads a parameter's default as its value and warns (W3030) that
    the SSM key is not ``ENABLED`` or ``DISABLED``; that warning is acknowledged on ``pipeline``
    with the reason. cfn-lint, which ``make synth`` runs, knows the type and checks it right."""
    if parameter is None:
        return "ENABLED"
    check_parameter_name("status_parameter", parameter)
    Validations.of(pipeline).acknowledge(
        Acknowledgment(
            id="CloudFormation-Validate::W3030",
            reason="Status is a stack parameter of an SSM parameter type: its default is the SSM key, and the "
            "value CloudFormation reads at deploy is ENABLED or DISABLED",
        )
    )
    return CfnParameter(
        scope,
        "Status",
        type=STATUS_PARAMETER_TYPE,
        default=parameter,
        description="The pipeline's status (ENABLED or DISABLED), held by golden-ami-revoke across deploys",
    ).value_as_string
