"""A Markdown report of a factory: a Mermaid picture and a table per image."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..pipeline._logging import PipelineLogGroups
from ..pipeline.image_pipeline import GoldenImagePipeline
from ..retire.cost import CostEstimate
from .app import Factory


def _id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", text)


def _sharing(factory: Factory) -> list[str]:
    sharing = factory.model.sharing
    who = [f"account {a}" for a in sharing.accounts]
    who += [f"OU {ou.rsplit('/', 1)[-1]}" for ou in sharing.organizational_units]
    who += [f"organization {o.rsplit('/', 1)[-1]}" for o in sharing.organizations]
    return who


def diagram(factory: Factory) -> str:
    """The Mermaid flowchart: images and their layers, regions and accounts they reach, who may
    launch them, and the consumers in each region."""
    model = factory.model
    lines = ["flowchart LR"]
    lines.append('  subgraph images["images (home region ' + model.home_region + ')"]')
    for pipeline in factory.pipelines:
        arch = pipeline.architecture.value if pipeline.architecture else "?"
        lines.append(f'    {_id(pipeline.image_name)}["{pipeline.image_name}<br/>{arch}"]')
    lines.append("  end")
    archs = model.architectures()
    for image in model.images:
        if image.base is None or not image.base.made_by_construct:
            continue
        if image.base.import_ is not None:
            node, label, verb = f"src_{_id(image.name)}", f"disk image<br/>{image.base.import_.s3}", "import"
        else:
            node, label, verb = f"src_{_id(image.name)}", f"instance<br/>{image.base.capture().id}", "capture"
        lines.append(f'  {node}[("{label}")]')
        for variant in archs[image.name]:
            target = _id(factory.family.pipelines[image.name][variant].image_name)
            lines.append(f"  {node} -->|{verb}, fixed parent| {target}")
    for pipeline in factory.pipelines:
        parent = pipeline.base_image.parent_pipeline
        if parent:
            lines.append(f"  {_id(parent)} -->|layer| {_id(pipeline.image_name)}")
    lines.append('  subgraph regions["copied to"]')
    for region in model.all_regions:
        lines.append(f'    r_{_id(region)}(["{region}"])')
    lines.append("  end")
    for pipeline in factory.pipelines:
        for region in model.all_regions:
            lines.append(f"  {_id(pipeline.image_name)} --> r_{_id(region)}")
    for account in model.accounts.destinations:
        lines.append(f'  a_{account}[["account {account}<br/>own copies"]]')
        for region in model.all_regions:
            lines.append(f"  r_{_id(region)} -->|copy| a_{account}")
    for who in _sharing(factory):
        node = f"s_{_id(who)}"
        lines.append(f'  {node}{{{{"{who} may launch"}}}}')
        for region in model.all_regions:
            lines.append(f"  r_{_id(region)} -.-> {node}")
    for key, stack in factory.consumer_stacks.items():
        region = stack.region
        elsewhere = "" if key == region else f" in {stack.account}"
        for fleet in stack.fleets:
            node = f"c_{_id(key)}_{_id(fleet.launch_template.image_name)}"
            rolls = "rolls on new image" if fleet.refresh else "pinned" if fleet.launch_template.pin else "no rollout"
            lines.append(f'  {node}[/"fleet {fleet.launch_template.image_name}{elsewhere}<br/>{rolls}"/]')
            lines.append(f"  r_{_id(region)} --> {node}")
    return "\n".join(lines)


def _row(pipeline: GoldenImagePipeline, factory: Factory) -> Sequence[str]:
    cost = pipeline.snapshot_cost()
    lifecycle = pipeline.lifecycle.lifecycle if pipeline.lifecycle else None
    rules = (
        ", ".join(
            f"{r.action.value.lower()} "
            + (f"after {r.age} {r.unit.value.lower()}" if r.age is not None else f"beyond newest {r.keep_last}")
            for r in lifecycle.rules
        )
        if lifecycle
        else "none (AMIs kept forever)"
    )
    return (
        pipeline.base_image.description,
        f"{pipeline.platform.value}, root device {pipeline.root_device_name}",
        ", ".join(f"{name} {version}" for name, version in pipeline.component_versions.items()),
        _schedule(pipeline),
        ", ".join(t.region for t in pipeline.region_targets),
        _copies(pipeline),
        ", ".join(_sharing(factory)) or "owner only",
        ", ".join(sorted(set(pipeline.parameter_names.values()))),
        rules,
        _cost(cost),
        _logs(pipeline),
    )


def _cost(cost: CostEstimate | None) -> str:
    """Expected (with the image's written size) and upper bound, or unbounded without a lifecycle."""
    if cost is None:
        return "unbounded"
    upper = f"about ${cost.monthly_usd:.2f} ({cost.stored_gib} GiB)"
    if cost.expected_monthly_usd is None:
        return f"{upper}, upper bound"
    return f"about ${cost.expected_monthly_usd:.2f} expected ({cost.expected_gib:g} GiB written); {upper} upper bound"


def _logs(pipeline: GoldenImagePipeline) -> str:
    groups = pipeline.node.try_find_child("Logs")
    if not isinstance(groups, PipelineLogGroups):
        return "build logs in S3"
    return (
        f"build logs in S3; CloudWatch {groups.image_log_group_name} and {groups.pipeline_log_group_name}, "
        f"kept {groups.retention_days} days, KMS-encrypted"
    )


def _fast_launch(pipeline: GoldenImagePipeline) -> str | None:
    """The Fast Launch row: per region the snapshots kept and their monthly storage, an upper bound."""
    costs = pipeline.fast_launch_cost()
    if not costs:
        return None
    regions = {t.region: t.fast_launch for t in pipeline.region_targets if t.fast_launch}
    return "; ".join(
        f"{region}: {fl.snapshots} snapshots, up to {fl.max_parallel_launches} prep instances at a time, "
        f"about ${costs[region]:.2f}/month of snapshots plus the prep instances' time"
        for region, fl in regions.items()
    )


def _workflows(pipeline: GoldenImagePipeline) -> str | None:
    """The workflows row, when the pipeline lists workflows (else Image Builder's defaults run)."""
    if pipeline.workflows is None:
        return None
    return ", ".join(
        f"{w.name} ({w.type.value.lower()}{', AWS-managed' if w.is_managed else ''})"
        for w in pipeline.workflows.workflows
    )


def render(factory: Factory) -> str:
    """The whole report."""
    parts = [
        "# Golden AMI factory report",
        "",
        f"{len(factory.pipelines)} pipelines in {len(factory.factory_stacks)} factory stack(s), "
        f"{len(factory.model.all_regions)} regions, {len(factory.stacks)} stacks in all.",
        "",
        f"Factory account: {factory.account}"
        + ("" if factory.model.account else " (not named in the file: 'make deploy' refuses until it is)")
        + ".",
        "",
        "```mermaid",
        diagram(factory),
        "```",
        "",
    ]
    headers = (
        "base",
        "platform",
        "components",
        "schedule",
        "regions",
        "copies",
        "sharing",
        "latest-AMI parameters",
        "lifecycle",
        "snapshots/month",
        "logs",
    )
    total = 0.0
    expected: list[float | None] = []
    for pipeline in factory.pipelines:
        parts += [f"## {pipeline.image_name}", "", "| | |", "| --- | --- |"]
        parts += [f"| {h} | {v} |" for h, v in zip(headers, _row(pipeline, factory), strict=True)]
        workflows = _workflows(pipeline)
        if workflows:
            parts.append(f"| workflows | {workflows} |")
        fast_launch = _fast_launch(pipeline)
        if fast_launch:
            parts.append(f"| Fast Launch | {fast_launch} |")
        parts.append("")
        cost = pipeline.snapshot_cost()
        total += (cost.monthly_usd if cost else 0.0) + sum(pipeline.fast_launch_cost().values())
        expected.append(cost.expected_monthly_usd if cost else None)
    known = [e for e in expected if e is not None]
    parts.append(
        "Snapshot storage of every image (only that: no build or test instances, scans or data transfer): "
        + (
            f"about ${sum(known):.2f}/month expected"
            + ("" if len(known) == len(expected) else f" for the {len(known)} images with volumes.used_gib")
            + f"; about ${total:.2f}/month upper bound (every volume full)."
            if known
            else f"about ${total:.2f}/month, an upper bound (every volume full)."
        )
    )
    parts += _fleets(factory)
    parts += ["", "Next: `make policies` and `make bootstrap` once per account (DEPLOYING.md), then `make deploy`."]
    return "\n".join(parts) + "\n"


def _copies(pipeline: GoldenImagePipeline) -> str:
    """Which accounts get a copy of their own in which regions, in words."""
    copies = [f"{', '.join(t.target_accounts)} in {t.region}" for t in pipeline.region_targets if t.target_accounts]
    return "; ".join(copies) if copies else "none: the AMIs stay in this account"


def _schedule(pipeline: GoldenImagePipeline) -> str:
    schedule = pipeline.resource.schedule
    expression = getattr(schedule, "schedule_expression", None)
    if not expression:
        return "on demand"
    return f"{expression} {getattr(schedule, 'timezone', None) or 'Etc/UTC'}"


def _fleets(factory: Factory) -> list[str]:
    """One row per consumer: where it runs, on what, how many, and whether it rolls."""
    if not factory.model.consumers:
        return []
    rows = ["", "## Fleets", "", "| fleet | image | regions | instances | rollout |", "| --- | --- | --- | --- | --- |"]
    for c in factory.model.consumers:
        regions = ", ".join(c.regions or factory.model.all_regions)
        kind = c.instance_type or "the default type"
        rollout = f"pinned to {c.pin}" if c.pin else ("off" if c.refresh == "off" else "rolls onto each new image")
        rows.append(
            f"| {c.name or c.image} | {c.image} | {regions} | {c.min_capacity} to {c.max_capacity} {kind} | {rollout} |"
        )
    return rows
