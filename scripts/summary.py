"""Print what `cdk synth` wrote to cdk.out: stacks, pipelines and the regions they reach."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _describe(distribution: dict[str, Any]) -> str:
    """One region of a distribution: copies, sharing and the latest-AMI parameter."""
    ami = distribution["AmiDistributionConfiguration"]
    launch = ami.get("LaunchPermissionConfiguration", {})
    shared = [
        f"{len(launch[key])} {label if len(launch[key]) == 1 else label + 's'}"
        for key, label in (
            ("UserIds", "account"),
            ("OrganizationArns", "organization"),
            ("OrganizationalUnitArns", "OU"),
        )
        if launch.get(key)
    ]
    if launch.get("UserGroups") == ["all"]:
        shared.append("EVERYONE (public)")
    parts = [
        f"copied into {', '.join(ami['TargetAccountIds'])}" if ami.get("TargetAccountIds") else "no copies",
        f"launchable by {', '.join(shared)} besides this account" if shared else "launchable by this account only",
        "customer managed key" if ami.get("KmsKeyId") else "default EBS key",
    ]
    for fast in distribution.get("FastLaunchConfigurations", []):
        if fast.get("Enabled"):
            snapshots = fast.get("SnapshotConfiguration", {}).get("TargetResourceCount", 5)
            parts.append(
                f"EC2 Fast Launch ({snapshots} snapshots, up to {fast.get('MaxParallelLaunches', 6)} launches)"
            )
    names = sorted({p["ParameterName"] for p in distribution.get("SsmParameterConfigurations", [])})
    if names:
        parts.append(f"latest AMI in {', '.join(names)}")
    return f"{distribution['Region']}: {'; '.join(parts)}"


def summarize(out: Path) -> list[str]:
    """Lines describing every stack template in ``out``."""
    manifest = json.loads((out / "manifest.json").read_text())
    lines = []
    factory = manifest["artifacts"].get("GoldenAmiFactory", {}).get("environment")
    if factory:
        # `make deploy` refuses a placeholder, a file without `account:`, and other credentials
        # than this account's (constructs_lib/factory/deploy_guard.py).
        lines.append(f"factory account: {factory.removeprefix('aws://').split('/')[0]}")
    total = 0.0
    expected: list[float | None] = []
    for name, artifact in sorted(manifest["artifacts"].items()):
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        template = json.loads((out / artifact["properties"]["templateFile"]).read_text())
        resources = template.get("Resources", {})
        account, region = artifact["environment"].removeprefix("aws://").split("/")
        # Stacks of other accounts (destinations, their fleets) name their account.
        where = (
            region
            if factory is None or account == factory.removeprefix("aws://").split("/")[0]
            else (f"{region} of account {account}")
        )
        lines.append(f"stack {name} ({where}): {len(resources)} resources")
        for resource in resources.values():
            properties = resource.get("Properties", {})
            if resource["Type"] == "AWS::ImageBuilder::ImagePipeline":
                schedule = properties.get("Schedule", {})
                when = schedule.get("ScheduleExpression", "on demand")
                if "ScheduleExpression" in schedule:
                    when += f" {schedule.get('Timezone', 'Etc/UTC')}"
                if (
                    schedule.get("PipelineExecutionStartCondition")
                    == "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE"
                ):
                    when += ", when a parent or component has a new version"
                lines.append(f"  pipeline {properties['Name']}: {when}")
                cost = resource.get("Metadata", {}).get("GoldenAmi::SnapshotCost")
                if cost and "MonthlyUSD" in cost:
                    total += cost["MonthlyUSD"]
                    expected.append(cost.get("ExpectedMonthlyUSD"))
                    written = (
                        f"{cost['ExpectedGiB']:g} GiB written, about ${cost['ExpectedMonthlyUSD']:.2f}/month expected; "
                        if "ExpectedMonthlyUSD" in cost
                        else ""
                    )
                    lines.append(
                        f"    snapshots at steady state: {cost['VersionsKept']} versions, {written}"
                        f"{cost['StoredGiB']} GiB, about ${cost['MonthlyUSD']:.2f}/month (upper bound)"
                    )
                elif cost:
                    lines.append("    snapshots: no lifecycle deletes this image's AMIs; cost grows with every build")
            if resource["Type"] == "AWS::ImageBuilder::LifecyclePolicy":
                lines.append(f"  lifecycle {properties['Name']}: {len(properties['PolicyDetails'])} rules")
            if resource["Type"] == "AWS::ImageBuilder::DistributionConfiguration":
                regions = [d["Region"] for d in properties["Distributions"]]
                lines.append(f"  distribution {properties['Name']}: {', '.join(regions)}")
                lines.extend(f"    {_describe(d)}" for d in properties["Distributions"])
            if resource["Type"] == "AWS::EC2::LaunchTemplate":
                image = properties["LaunchTemplateData"].get("ImageId")
                lines.append(
                    f"  launch template: image {image}"
                    if image
                    else "  launch template: no image of its own (the launching AMI's, as for EC2 Fast Launch)"
                )
            if resource["Type"] == "AWS::AutoScaling::AutoScalingGroup":
                tags = {t["Key"]: t["Value"] for t in properties.get("Tags", [])}
                rolls = "rolls onto each new image" if "golden-ami:rollout" in tags else "does not roll"
                kind = _instance_type(properties, resources)
                size = f"{properties['MinSize']} to {properties['MaxSize']} {kind + ' ' if kind else ''}instances"
                lines.append(f"  fleet: {size}, {rolls}")
            if resource["Type"] == "AWS::CloudFormation::StackSet":
                group = properties["StackInstancesGroup"][0]
                targets = group["DeploymentTargets"]
                units = ", ".join(targets["OrganizationalUnitIds"])
                excluded = f" except {', '.join(targets['Accounts'])}" if targets.get("Accounts") else ""
                lines.append(
                    f"  stackset {properties['StackSetName']}: every account of {units}{excluded} "
                    f"in {group['Regions'][0]} ({properties['CallAs']})"
                )
    lines.append(f"snapshot storage only (no instances, scans or transfer): {_totals(total, expected)}")
    lines.append("next: make policies and make bootstrap once per account (DEPLOYING.md), then make deploy")
    return lines


def _totals(upper: float, expected: list[float | None]) -> str:
    """The factory's snapshot storage: expected where each image gives its written size
    (volumes.used_gib), beside the full-volume upper bound."""
    known = [e for e in expected if e is not None]
    if not known:
        return (
            f"about ${upper:.2f}/month, an upper bound (every volume full); give images[].volumes.used_gib "
            "(make status measures it) for the expected figure"
        )
    which = "" if len(known) == len(expected) else f" for the {len(known)} of {len(expected)} images with used_gib"
    return f"about ${sum(known):.2f}/month expected{which}; ${upper:.2f}/month upper bound (every volume full)"


def _instance_type(group: dict[str, Any], resources: dict[str, Any]) -> str:
    """The instance type a group launches, from its launch template; empty when not known here."""
    spec = group.get("LaunchTemplate") or group.get("MixedInstancesPolicy", {}).get("LaunchTemplate", {}).get(
        "LaunchTemplateSpecification", {}
    )
    reference = spec.get("LaunchTemplateId", {}) if isinstance(spec, dict) else {}
    name = reference.get("Ref") if isinstance(reference, dict) else None
    data = resources.get(name, {}).get("Properties", {}).get("LaunchTemplateData", {}) if name else {}
    kind = data.get("InstanceType")
    return kind if isinstance(kind, str) else ""


def regions(out: Path) -> list[str]:
    """Every region a stack in ``out`` deploys to, for cfn-lint's --regions."""
    manifest = json.loads((out / "manifest.json").read_text())
    return sorted(
        {
            a["environment"].split("/")[-1]
            for a in manifest["artifacts"].values()
            if a.get("type") == "aws:cloudformation:stack"
        }
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--regions"]:
        print(" ".join(regions(Path(sys.argv[2] if len(sys.argv) > 2 else "cdk.out"))))
    else:
        print("\n".join(summarize(Path(sys.argv[1] if len(sys.argv) > 1 else "cdk.out"))))
