"""One pipeline distributed to three regions, written with this library."""

import sys
from pathlib import Path

import aws_cdk as cdk

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from constructs_lib import start_validation_engine  # noqa: E402

start_validation_engine()  # README: "Synthesis speed"

from constructs_lib import (  # noqa: E402
    BaseImage,
    Component,
    DataVolume,
    GoldenImagePipeline,
    OperatingSystem,
    RegionTarget,
    VersionLock,
)

app = cdk.App(outdir=sys.argv[1])
stack = cdk.Stack(app, "Ours", env=cdk.Environment(account="111111111111", region="eu-west-1"))
GoldenImagePipeline(
    stack,
    "Web",
    image_name="web-server",
    base_image=BaseImage.aws_managed(OperatingSystem.AMAZON_LINUX_2023),
    components=[
        Component.aws_managed("update-linux"),
        Component.from_file(ROOT / "components" / "web-server.yaml", name="nginx"),
    ],
    data_volumes=[DataVolume(device_name="/dev/xvdf", size_gib=20)],
    distributions=[RegionTarget(region="us-east-1"), RegionTarget(region="ap-southeast-2")],
    version_lock=VersionLock.at(ROOT / "golden-ami.lock.json", frozen=True),
)
app.synth()
