"""Tag keys shared by the rollout function and the constructs that opt groups in.

This module imports nothing, so that synthesis can read these names without botocore: the
function's own dependencies (boto3) exist only in the Lambda runtime and the ``[cli]`` extra.
"""

from __future__ import annotations

from typing import Final

ROLLOUT_TAG: Final = "golden-ami:rollout"
IMAGE_TAG: Final = "golden-ami:rollout-image"
PREFERENCES_TAG: Final = "golden-ami:refresh"
