"""The library's own cdk-nag pack (``GoldenAmiChecks``) and its rules, one per module."""

from .pack import PACK_NAME, GoldenAmiChecks
from .rule import Compliance, Rule
from .rules import RULES

__all__ = ["PACK_NAME", "RULES", "Compliance", "GoldenAmiChecks", "Rule"]
