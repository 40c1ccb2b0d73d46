"""The IDs of the warnings the library's constructs add (``Annotations.add_warning_v2``), as an
acknowledgement names them (:func:`constructs_lib.acknowledge`, the factory file's ``acknowledge:``)."""

from __future__ import annotations

from typing import Final

DEFAULT_VPC_WARNING: Final = "golden-ami:default-vpc"
"""A build infrastructure names no subnet (bake/infrastructure.py)."""
NEVER_BUILDS_WARNING: Final = "golden-ami:never-builds"
"""A schedule that waits for a dependency update nothing can make (pipeline/_schedule.py)."""
PUBLIC_AMI_WARNING: Final = "PublicAmi"
"""A distribution shares the AMI publicly (pipeline/_distribution.py)."""
CONSTRUCT_WARNINGS: Final = (DEFAULT_VPC_WARNING, NEVER_BUILDS_WARNING, PUBLIC_AMI_WARNING)
PREFLIGHT_REPORTS: Final = "golden-ami:preflightReports"
"""Context set by ``make synth``, which runs the preflight: a construct then leaves out the warnings
the preflight repeats with more to say (the default VPC: GA-P009), so each cause prints once."""
