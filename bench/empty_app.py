"""The floor: start jsii, load aws-cdk-lib, synthesize one empty stack."""

import sys

import aws_cdk as cdk

app = cdk.App(outdir=sys.argv[1])
cdk.Stack(app, "Empty")
app.synth()
