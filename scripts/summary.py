"""Print what `cdk synth` wrote to cdk.out: stacks, pipelines and the regions they reach."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def summarize(out: Path) -> list[str]:
    """Lines describing every stack template in ``out``."""
    manifest = json.loads((out / "manifest.json").read_text())
    lines = []
    total = 0.0
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
                cost = resource.get("Metadata", {}).get("GoldenAmi::SnapshotCost")
                if cost and "MonthlyUSD" in cost:
                    total += cost["MonthlyUSD"]
                    lines.append(
                        f"    snapshots at steady state: {cost['VersionsKept']} versions, "
                        f"{cost['StoredGiB']} GiB, about ${cost['MonthlyUSD']:.2f}/month (upper bound)"
                    )
                elif cost:
                    lines.append("    snapshots: no lifecycle deletes this image's AMIs; cost grows with every build")
            if resource["Type"] == "AWS::ImageBuilder::LifecyclePolicy":
                lines.append(f"  lifecycle {properties['Name']}: {len(properties['PolicyDetails'])} rules")
            if resource["Type"] == "AWS::ImageBuilder::DistributionConfiguration":
                regions = [d["Region"] for d in properties["Distributions"]]
                lines.append(f"  distribution {properties['Name']}: {', '.join(regions)}")
    lines.append(f"estimated snapshot storage: about ${total:.2f}/month in total")
    return lines


if __name__ == "__main__":
    print("\n".join(summarize(Path(sys.argv[1] if len(sys.argv) > 1 else "cdk.out"))))
