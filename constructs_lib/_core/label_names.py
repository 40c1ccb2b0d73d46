"""Names the image version labeller and the roles it acts through agree on. Imports nothing, so
the function (which needs boto3) and synthesis (which must not) can both read them."""

from __future__ import annotations

from typing import Final

LABELLER_ROLE_NAME: Final = "GoldenAmiLabeller"
"""The factory-account role of the labeller function (``VersionLabeller``); IAM names are global,
so one per account."""
LABEL_ROLE_NAME: Final = "GoldenAmiLabels"
"""The role the labeller assumes in each destination account (``LabelAccessRole``)."""
LABEL_ACTIONS: Final = (
    "ssm:GetParameter",
    "ssm:GetParameterHistory",
    "ssm:LabelParameterVersion",
    "ssm:UnlabelParameterVersion",
)
"""What labelling a latest-AMI parameter takes: read it and its history, label the newest version,
unlabel versions that left the label window (``rollout_function/labels.py``)."""
