"""The Markdown report of a factory: the Mermaid picture and a table per image."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest

import app as factory_app
from constructs_lib.factory.app import Factory
from constructs_lib.factory.report import diagram, render
from tests.conftest import CONTEXT, ROOT


def test_diagram_shows_layers_regions_accounts_sharing_and_consumers(default_factory: Factory) -> None:
    picture = diagram(default_factory)
    assert picture.startswith("flowchart LR")
    assert "  base_al2023_x86_64 -->|layer| web_server" in picture
    assert '    r_ap_southeast_2(["ap-southeast-2"])' in picture
    assert "  r_us_east_1 -->|copy| a_222222222222" in picture
    assert '  s_account_333333333333{{"account 333333333333 may launch"}}' in picture
    assert '  s_OU_ou_ab12_cdefgh34{{"OU ou-ab12-cdefgh34 may launch"}}' in picture
    assert '  c_eu_west_1_web_server[/"fleet web-server<br/>rolls on new image"/]' in picture


def test_report_names_the_factory_account_and_that_deploy_needs_it_in_the_file(default_factory: Factory) -> None:
    assert (
        f"Factory account: {default_factory.account} (not named in the file: 'make deploy' refuses until it is)."
        in render(default_factory).splitlines()
    )


def test_report_has_a_table_per_image_and_the_total(default_factory: Factory) -> None:
    report = render(default_factory)
    assert report.startswith(
        "# Golden AMI factory report\n\n3 pipelines in 1 factory stack(s), 3 regions, 9 stacks in all."
    )
    assert "```mermaid\nflowchart LR" in report
    for name in ("base-al2023-x86-64", "base-al2023-arm64", "web-server"):
        assert f"\n## {name}\n" in report
    assert "| components | nginx 1.0.0 |" in report
    assert "| platform | Linux, root device /dev/xvda |" in report
    assert "| latest-AMI parameters | /golden-ami/web-server/latest |" in report
    assert "| lifecycle | deprecate after 90 days, delete after 180 days |" in report
    assert (
        "| snapshots/month | about $48.60 expected (972 GiB written); about $405.00 (8100 GiB) upper bound |" in report
    )
    assert "| logs | build logs in S3 |" in report
    assert "| schedule | cron(0 4 ? * SUN *) Etc/UTC |" in report  # with its time zone
    assert "| copies | 222222222222 in eu-west-1; 222222222222 in us-east-1; 222222222222 in ap-southeast-2 |" in report
    assert (
        "Snapshot storage of every image (only that: no build or test instances, scans or data transfer): "
        "about $97.20/month expected; about $891.00/month upper bound (every volume full)."
    ) in report
    assert (
        "| web-server | web-server | eu-west-1, us-east-1, ap-southeast-2 | 1 to 2 m7i.large | rolls onto each new image |"
        in report
    )
    assert report.rstrip().endswith(
        "Next: `make policies` and `make bootstrap` once per account (DEPLOYING.md), then `make deploy`."
    )


def test_report_names_end_of_support_marketplace_components_and_cloudwatch_logs(tmp_path: Path) -> None:
    context = {**CONTEXT, "factory": str(ROOT / "examples" / "platforms.yaml"), "golden-ami:versionLockFrozen": "true"}
    report = render(factory_app.build(cdk.App(context=context, outdir=str(tmp_path))))
    assert "| base | rhel-9 x86_64 (AWS-managed, Image Builder managed image) |" in report
    assert (
        "| base | al2 x86_64 (AWS-managed, /aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2; "
        "past its end of support, 2026-06-30) |" in report
    )
    assert "| components | update-linux x.x.x, motd 1.0.0, datadog-agent-for-linux x.x.x |" in report
    assert (
        "| logs | build logs in S3; CloudWatch /aws/imagebuilder/rhel-base and /aws/imagebuilder/pipeline/rhel-base, "
        "kept 365 days, KMS-encrypted |" in report
    )


@pytest.fixture(scope="module")
def windows_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    """examples/windows.yaml's report, built once for the tests that read it."""
    context = {**CONTEXT, "factory": str(ROOT / "examples" / "windows.yaml"), "golden-ami:versionLockFrozen": "true"}
    return render(factory_app.build(cdk.App(context=context, outdir=str(tmp_path_factory.mktemp("windows")))))


def test_report_names_the_windows_platform_and_root_device(windows_report: str) -> None:
    report = windows_report
    assert (
        "| base | windows-server-2022 x86_64 (AWS-managed, "
        "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base) |" in report
    )
    assert report.count("| platform | Windows, root device /dev/sda1 |") == 2
    assert "| components | iis-site 1.0.0 |" in report


def test_report_prices_the_fast_launch_snapshots_of_the_windows_example(windows_report: str) -> None:
    report = windows_report
    assert (
        "| Fast Launch | eu-west-1: 5 snapshots, up to 6 prep instances at a time, about $7.50/month of snapshots "
        "plus the prep instances' time |" in report
    )
    assert report.count("| Fast Launch |") == 1


def test_report_lists_the_workflows_of_an_image_that_has_them(windows_report: str) -> None:
    report = windows_report
    assert (
        "| workflows | build-image (build, AWS-managed), test-image (test, AWS-managed), smoke-test (test) |" in report
    )
    assert report.count("| workflows |") == 1  # the base lists none: Image Builder's defaults run
