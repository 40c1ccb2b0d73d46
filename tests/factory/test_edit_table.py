"""The edit table: typical edits of a factory file, each synthesized against the synth before it
and run through the replacement guard, with what the deploy would replace or delete pinned. A
change to the library that makes an ordinary edit destructive fails here first.

Each row is (edit, the resources a deploy replaces or deletes as ``kind type``, the rules the guard
refuses with). Why each row is what it is, from CloudFormation's rules
(constructs_lib/checks/preflight/replacement.py) and the templates:

- region, account, schedule, lifecycle, a consumer's size: properties that update in place.
- an added architecture: new pipelines beside the old (stable names), nothing replaced.
- a component: the component's ``Data`` and ``Version`` are create-only; the recipe names it (its
  ``Components`` are create-only), so a new recipe version (1.0.x) and a new image built at
  deploy, the old kept (``Retain``).
- a description: the recipe's ``Description`` is create-only, so a new recipe version and a new
  image, as for a component. Chosen over moving the description to an updatable property, which
  would replace every recipe deployed today at the upgrade.
- tags: the distribution's ``AmiTags`` update in place, and the image built at deploy leaves
  them out of its identity (the version lock keeps the identity it had), so nothing is rebuilt.
- a volume size: the recipe's ``BlockDeviceMappings`` are create-only (the image is rebuilt) and
  the launch template's volumes update in place.
- a removed consumer: its fleet and launch template are deleted: refused (GA-C002) until
  acknowledged. An added consumer or layer only adds resources.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
import yaml

import app as factory_app
from constructs_lib.bake.version_lock import VersionLock
from constructs_lib.checks.preflight import Assembly
from constructs_lib.checks.preflight.changes import record
from constructs_lib.checks.preflight.guard import covers, refusals
from constructs_lib.checks.preflight.replacement import Kind, classify
from tests.conftest import CONTEXT, ROOT

BASE: dict[str, Any] = {
    "account": "111111111111",
    "home_region": "eu-west-1",
    "regions": ["us-east-1"],
    "build_on_deploy": True,
    "tags": {"team": "platform"},
    "images": [
        {
            "name": "web",
            "description": "The web server",
            "base": {"os": "amazon-linux-2023"},
            "components": [{"aws": "update-linux"}, {"file": "web-server.yaml", "name": "nginx"}],
            "volumes": {"root_gib": 30},
            "schedule": {"cron": "cron(0 4 ? * SUN *)", "time_zone": "Etc/UTC"},
        }
    ],
    "consumers": [{"image": "web", "instance_type": "m7i.large", "min_capacity": 1, "max_capacity": 2}],
}

Edit = Callable[[dict[str, Any]], None]


def _image(data: dict[str, Any]) -> dict[str, Any]:
    image: dict[str, Any] = data["images"][0]
    return image


IMAGE, RECIPE = "AWS::ImageBuilder::Image", "AWS::ImageBuilder::ImageRecipe"
FLEET, TEMPLATE, KEY = "AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::LaunchTemplate", "AWS::KMS::Key"
WATCHED = {
    IMAGE,
    RECIPE,
    FLEET,
    TEMPLATE,
    KEY,
    *(
        f"AWS::ImageBuilder::{t}"
        for t in ("ImagePipeline", "Component", "DistributionConfiguration", "InfrastructureConfiguration")
    ),
    "AWS::ImageBuilder::LifecyclePolicy",
}
"""The types a row pins: what runs instances, holds AMIs, names an image version or retires AMIs."""
REBUILT = {f"replace {IMAGE}"}
"""The image built at deploy gets a new logical ID (its distributions changed): CloudFormation
builds a new one and removes the old from the stack, which keeps it and its AMIs (Retain)."""
CONSUMER_GONE = {f"delete {FLEET}", f"delete {TEMPLATE}", f"delete {KEY}"}

EDITS: dict[str, tuple[Edit, set[str], set[str]]] = {
    "add a region": (lambda d: d["regions"].append("ap-southeast-2"), REBUILT, set()),
    "drop a region": (lambda d: d.update(regions=[]), REBUILT | CONSUMER_GONE, {"GA-C002"}),
    # The AMI now leaves the account: the recipe encrypts it with the home region's key.
    "add an account": (
        lambda d: d.update(accounts={"destinations": ["222222222222"]}),
        REBUILT | {f"replace {RECIPE}"},
        set(),
    ),
    "add an architecture": (lambda d: _image(d).update(architectures=["x86_64", "arm64"]), set(), set()),
    "change the schedule": (
        lambda d: _image(d).update(schedule={"cron": "cron(0 5 ? * MON *)", "time_zone": "Etc/UTC"}),
        set(),
        set(),
    ),
    "change the lifecycle": (lambda d: d.update(lifecycle={"keep_last": 5}), set(), set()),
    "resize a consumer": (lambda d: d["consumers"][0].update(max_capacity=4), set(), set()),
    "add a component": (
        lambda d: _image(d)["components"].append({"aws": "aws-cli-version-2-linux"}),
        REBUILT | {f"replace {RECIPE}"},
        set(),
    ),
    "change the description": (
        lambda d: _image(d).update(description="The web server, behind nginx"),
        {f"replace {RECIPE}", f"replace {IMAGE}"},
        set(),
    ),
    # The distribution's AmiTags update in place; the image's identity leaves them out.
    "change the tags": (lambda d: d.update(tags={"team": "platform", "cost-centre": "42"}), set(), set()),
    "grow the root volume": (
        lambda d: _image(d).update(volumes={"root_gib": 40}),
        {f"replace {RECIPE}", f"replace {IMAGE}"},
        set(),
    ),
    "remove the consumer": (lambda d: d.update(consumers=[]), CONSUMER_GONE, {"GA-C002"}),
    "drop a component": (lambda d: _image(d)["components"].pop(0), REBUILT | {f"replace {RECIPE}"}, set()),
    "add a consumer": (
        lambda d: d["consumers"].append(
            {"image": "web", "name": "batch", "instance_type": "t3.medium", "min_capacity": 0, "max_capacity": 1}
        ),
        set(),
        set(),
    ),
    "add a layer": (
        lambda d: d["images"].append(
            {"name": "app", "parent": "web", "components": [{"aws": "aws-cli-version-2-linux"}]}
        ),
        set(),
        set(),
    ),
}


def synth(directory: Path, data: dict[str, Any], name: str) -> dict[str, Any]:
    """The guard's record of the factory ``data`` synthesized in ``directory`` (beside its lock)."""
    (directory / "factory.yaml").write_text(yaml.safe_dump(data))
    VersionLock._open.clear()
    app = cdk.App(
        context={
            **CONTEXT,
            # As the CDK CLI synthesizes (make synth): each resource records its construct path.
            "aws:cdk:enable-path-metadata": True,
            "factory": str(directory / "factory.yaml"),
            "golden-ami:versionLockFile": str(directory / "factory.lock.json"),
        },
        outdir=str(directory / f"out-{name}"),
    )
    factory_app.build(app)
    return record(Assembly.from_directory(app.synth().directory))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    directory = tmp_path_factory.mktemp("edits")
    (directory / "web-server.yaml").write_text((ROOT / "components" / "web-server.yaml").read_text())
    return directory, synth(directory, BASE, "base")


@pytest.fixture(scope="module")
def edited(base: tuple[Path, dict[str, Any]]) -> Callable[[str], dict[str, Any]]:
    """The record of the base file with the edit ``name`` of :data:`EDITS` applied, each
    synthesized once for the module."""
    done: dict[str, dict[str, Any]] = {}

    def of(name: str) -> dict[str, Any]:
        if name not in done:
            data = yaml.safe_load(yaml.safe_dump(BASE))
            EDITS[name][0](data)
            done[name] = synth(base[0], data, name.replace(" ", "-"))
        return done[name]

    return of


@pytest.mark.parametrize("name", list(EDITS))
def test_edit(name: str, base: tuple[Path, dict[str, Any]], edited: Callable[[str], dict[str, Any]]) -> None:
    _, destructive, refused = EDITS[name]
    after = edited(name)
    changes = classify(base[1], after)
    found = {f"{c.kind.value} {c.type}" for c in changes if c.kind in (Kind.REPLACE, Kind.DELETE) and c.type in WATCHED}
    assert found == destructive, sorted(str(c) for c in changes if c.kind in (Kind.REPLACE, Kind.DELETE))
    assert {r.rule for r in refusals(changes, base[1], after)} == refused


def test_adding_an_architecture_replaces_no_fleet_template_or_parameter(
    base: tuple[Path, dict[str, Any]], edited: Callable[[str], dict[str, Any]]
) -> None:
    after = edited("add an architecture")
    changes = classify(base[1], after)
    created = {c.type for c in changes if c.kind is Kind.CREATE}
    assert "AWS::ImageBuilder::ImagePipeline" in created  # the arm64 pipeline
    assert not [c for c in changes if c.kind in (Kind.REPLACE, Kind.DELETE)]


def test_a_removed_consumer_is_accepted_when_the_factory_file_acknowledges_it(
    base: tuple[Path, dict[str, Any]],
) -> None:
    before = base[1]
    (fleet,) = [e["path"] for e in before["GoldenAmiConsumers-eu-west-1"].values() if e["type"] == FLEET]
    data = yaml.safe_load(yaml.safe_dump(BASE))
    data["consumers"] = []
    data["acknowledge"] = [
        {"id": "GA-C002", "path": f"GoldenAmiConsumers-{region}", "reason": "the web fleet moves to its own account"}
        for region in ("eu-west-1", "us-east-1")
    ]
    after = synth(base[0], data, "acknowledged")
    out = base[0] / "out-acknowledged"
    acknowledged = Assembly.from_directory(out).acknowledged()
    found = refusals(classify(before, after), before, after)
    assert found and all(covers(acknowledged, r.rule, r.change.path) for r in found)
    assert covers(acknowledged, "GA-C001", fleet) is None


def test_a_construct_warning_acknowledged_at_a_path_that_names_nothing_is_refused(
    base: tuple[Path, dict[str, Any]],
) -> None:
    data = yaml.safe_load(yaml.safe_dump(BASE))
    data["acknowledge"] = [
        {
            "id": "golden-ami:default-vpc",
            "path": "GoldenAmiFactory/web-x86_64/Infrastructur",
            "reason": "the default VPC stays",
        }
    ]
    with pytest.raises(ValueError) as raised:
        synth(base[0], data, "unknown-path")
    assert str(raised.value) == (
        "acknowledge[0].path: 'GoldenAmiFactory/web-x86_64/Infrastructur' names no construct of this factory; give the "
        "path the warning prints; did you mean GoldenAmiFactory/web-x86_64/Infrastructure, "
        "GoldenAmiFactory/web-x86_64/Infrastructure/Resource, GoldenAmiFactory/web-x86_64/Distribution?"
    )


def test_dropping_an_architecture_removes_only_that_architectures_resources(tmp_path: Path) -> None:
    """A file that started with two architectures, then drops one: the other keeps its names and
    logical IDs (the lock records them), so the deploy deletes the dropped pipeline's resources
    and replaces or updates nothing of the one kept, nor its consumer."""
    (tmp_path / "web-server.yaml").write_text((ROOT / "components" / "web-server.yaml").read_text())
    both = yaml.safe_load(yaml.safe_dump(BASE))
    _image(both)["architectures"] = ["x86_64", "arm64"]
    both["consumers"][0]["image"] = "web-x86-64"
    before = synth(tmp_path, both, "both")
    one = yaml.safe_load(yaml.safe_dump(both))
    _image(one)["architectures"] = ["x86_64"]
    after = synth(tmp_path, one, "x86-only")
    changes = classify(before, after)
    assert not [c for c in changes if c.kind in (Kind.CREATE, Kind.REPLACE)], sorted(map(str, changes))
    deleted = [c for c in changes if c.kind is Kind.DELETE]
    assert deleted and all("arm64" in c.path for c in deleted), sorted(c.path for c in deleted)
    assert {c.type for c in deleted} >= {"AWS::ImageBuilder::ImagePipeline", RECIPE}
    assert not [c for c in changes if c.type in (FLEET, TEMPLATE)]
    assert refusals(changes, before, after) == []  # the arm64 image built at deploy is kept (Retain)


@pytest.mark.parametrize(
    ("name", "start", "drop"),
    [
        (
            "drop-account",
            lambda d: d.update(accounts={"destinations": ["222222222222"]}),
            lambda d: d.pop("accounts"),
        ),
        (
            "drop-layer",
            lambda d: d["images"].append(
                {"name": "app", "parent": "web", "components": [{"aws": "aws-cli-version-2-linux"}]}
            ),
            lambda d: d["images"].pop(),
        ),
    ],
)
def test_dropping_an_account_or_a_layer(tmp_path: Path, name: str, start: Edit, drop: Edit) -> None:
    """Dropping the last destination account removes the key stacks: their keys encrypt the copies
    already made, so the guard refuses (GA-C002) until it is acknowledged; the recipe no longer
    needs the home key (a new version) and the distribution changed (a new image, the old kept).
    Dropping a layer deletes that layer's resources only, its image kept (Retain)."""
    (tmp_path / "web-server.yaml").write_text((ROOT / "components" / "web-server.yaml").read_text())
    before_data = yaml.safe_load(yaml.safe_dump(BASE))
    start(before_data)
    before = synth(tmp_path, before_data, f"{name}-before")
    after_data = yaml.safe_load(yaml.safe_dump(before_data))
    drop(after_data)
    after = synth(tmp_path, after_data, f"{name}-after")
    changes = classify(before, after)
    destructive = [c for c in changes if c.kind in (Kind.REPLACE, Kind.DELETE) and c.type in WATCHED]
    refused = {r.rule for r in refusals(changes, before, after)}
    if name == "drop-account":
        assert {f"{c.kind.value} {c.type}" for c in destructive} == REBUILT | {f"replace {RECIPE}", f"delete {KEY}"}
        assert refused == {"GA-C002"}
    else:
        assert destructive and all(c.kind is Kind.DELETE and "/appx8664" in c.address for c in destructive)
        assert {c.type for c in destructive} >= {"AWS::ImageBuilder::ImagePipeline", IMAGE}
        assert refused == set()
