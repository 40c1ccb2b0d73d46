"""Print what `cdk synth` wrote to cdk.out: stacks, pipelines and the regions they reach."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def summarize(out: Path) -> list[str]:
    """Lines describing every stack template in ``out``."""
    manifest = json.loads((out / "manifest.json").read_text())
    lines = []
    for name, artifact in sorted(manifest["artifacts"].items()):
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        template = json.loads((out / artifact["properties"]["templateFile"]).read_text())
        resources = template.get("Resources", {})
        lines.append(f"stack {name} ({artifact['environment'].split('/')[-1]}): {len(resources)} resources")
        for resource in resources.values():
            properties = resource.get("Properties", {})
            if resource["Type"] == "AWS::ImageBuilder::ImagePipeline":
                schedule = properties.get("Schedule", {}).get("ScheduleExpression", "on demand")
                lines.append(f"  pipeline {properties['Name']}: {schedule}")
            if resource["Type"] == "AWS::ImageBuilder::DistributionConfiguration":
                regions = [d["Region"] for d in properties["Distributions"]]
                lines.append(f"  distribution {properties['Name']}: {', '.join(regions)}")
    return lines


if __name__ == "__main__":
    print("\n".join(summarize(Path(sys.argv[1] if len(sys.argv) > 1 else "cdk.out"))))
