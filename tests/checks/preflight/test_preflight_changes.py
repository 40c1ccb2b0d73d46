"""The change report: what a deploy would replace, rename or leave behind since the last synth."""

from __future__ import annotations

from constructs_lib.checks.preflight import Assembly
from constructs_lib.checks.preflight.changes import record, report
from tests.checks.preflight.test_known_bad import KNOWN_BAD

Record = dict[str, dict[str, dict[str, object]]]


def fleet(name: str | None = None, image: str = "resolve:ssm:/golden-ami/web/latest") -> Record:
    return {
        "Consumers": {
            name or "webFleetASG1": {"type": "AWS::AutoScaling::AutoScalingGroup", "name": None},
            "webLaunchTemplate": {"type": "AWS::EC2::LaunchTemplate", "name": None, "image": image},
            "webLifecycle": {"type": "AWS::ImageBuilder::LifecyclePolicy", "name": "web"},
            "webPipeline": {"type": "AWS::ImageBuilder::ImagePipeline", "name": "web"},
        }
    }


def test_report_names_recreated_fleets_renamed_pipelines_and_orphaned_amis() -> None:
    # Records from before the replacement guard (type and name only) are classified by name.
    after = fleet("webx8664FleetASG2", "resolve:ssm:/golden-ami/web-x86-64/latest")
    del after["Consumers"]["webLifecycle"]
    after["Consumers"]["webPipeline"]["name"] = "web-x86-64"
    assert report(fleet(), after) == [
        "DELETE Consumers/webFleetASG1 (AWS::AutoScaling::AutoScalingGroup): removed from the template; its "
        "instances are terminated",
        "DELETE Consumers/webLifecycle (AWS::ImageBuilder::LifecyclePolicy): removed from the template; the AMIs it "
        "selected are no longer retired",
        "REPLACE Consumers/webPipeline (AWS::ImageBuilder::ImagePipeline): renamed 'web' -> 'web-x86-64'",
        "CREATE Consumers/webx8664FleetASG2 (AWS::AutoScaling::AutoScalingGroup): new; a new fleet, launched from "
        "the current image",
    ]
    assert report(fleet(), fleet()) == []


def test_report_matches_a_named_resource_whose_logical_id_changed() -> None:
    after = fleet()
    after["Consumers"]["webPipeline2"] = after["Consumers"].pop("webPipeline")
    assert report(fleet(), after) == [
        "REPLACE Consumers/webPipeline (AWS::ImageBuilder::ImagePipeline): logical ID changes to webPipeline2"
    ]


def test_report_puts_a_removed_or_added_stack_in_one_line() -> None:
    assert report(fleet(), {}) == ["DELETE stack Consumers: its 4 resources with it"]
    assert report({}, fleet()) == ["CREATE stack Consumers: 4 resources"]


def test_record_reads_names_and_launch_template_images() -> None:
    recorded = record(Assembly.from_directory(KNOWN_BAD / "default"))
    assert (
        recorded["GoldenAmiConsumers-us-east-1"]["webserverLaunchTemplateDB3CAC2B"]["image"]
        == "resolve:ssm:/golden-ami/web-server/latest"
    )
    assert (
        recorded["GoldenAmiDestination-222222222222"]["ImageBuilderAccess1AC4DB3E"]["name"]
        == "EC2ImageBuilderDistributionCrossAccountRole"
    )


def distribution(digest: str, image: str | None = "FirstImageD0000000A") -> Record:
    stack: dict[str, dict[str, object]] = {
        "Distribution": {"type": "AWS::ImageBuilder::DistributionConfiguration", "name": "web", "digest": digest}
    }
    if image:
        stack[image] = {"type": "AWS::ImageBuilder::Image", "name": None, "distribution": "Distribution"}
    return {"Factory": stack}


def test_report_says_when_a_changed_distribution_builds_no_new_image() -> None:
    (line,) = report(distribution("a"), distribution("b"))
    assert line.startswith("Factory/Distribution: distribution changed but image FirstImageD0000000A is not rebuilt")
    rebuilt = report(distribution("a"), distribution("b", "FirstImageD0000000B"))
    assert not any("not rebuilt" in line for line in rebuilt)
    (scheduled,) = report(distribution("a", None), distribution("b", None))
    assert "start-image-pipeline-execution" in scheduled


def test_record_keeps_a_digest_of_each_distribution_and_the_distribution_of_each_image() -> None:
    recorded = record(Assembly.from_directory(KNOWN_BAD / "default"))["GoldenAmiFactory"]
    assert len(recorded["webserverx8664DistributionF6BDA7FD"]["digest"]) == 16
    assert recorded["webserverx8664FirstImage0AE87D0B"]["distribution"] == "webserverx8664DistributionF6BDA7FD"
