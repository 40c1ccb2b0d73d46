"""AWSTOE component documents: AWS's own examples pass, mistakes are refused by line and key."""

from __future__ import annotations

import re

import pytest

from constructs_lib import Component
from constructs_lib._core.enums import Platform
from constructs_lib.bake.toe_document import ACTION_MODULES, check_document

# From https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-action-modules.html (ExecuteBash).
AWS_CORRETTO = """\
name: InstallAndValidateCorretto
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: InstallAndValidateCorretto
        action: ExecuteBash
        inputs:
          commands:
            - sudo yum install java-11-amazon-corretto-headless -y
            - |
              ARCH=`/usr/bin/arch`
              JAVA_PATH=/usr/lib/jvm/java-11-amazon-corretto.$ARCH/bin/java
              [ -x $JAVA_PATH ] || exit 1
"""
# From the same page (ExecuteBinary, S3Download, WebDownload, ExecutePowerShell) on Windows.
AWS_WINDOWS = """\
name: WindowsExamples
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: DownloadMyFile
        action: S3Download
        inputs:
          - source: s3://mybucket/path/to/package.zip
            destination: C:\\\\myfolder\\\\package.zip
      - name: DownloadRemoteFile
        action: WebDownload
        maxAttempts: 3
        inputs:
          - source: http://testdomain/path/to/java14.zip
            destination: C:\\\\testfolder\\\\package.zip
      - name: InstallDotnet
        action: ExecuteBinary
        inputs:
          path: C:\\\\PathTo\\\\dotnet_installer.exe
          arguments: [/qb, /norestart]
      - name: InstallMySoftware
        action: ExecutePowerShell
        inputs:
          commands:
            - Set-SomeConfiguration -Value 10
"""
# From https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-builder-looping-constructs.html
# and the parameters of https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-use-documents.html.
AWS_LOOPS_AND_PARAMETERS = """\
name: LoopsAndParameters
schemaVersion: 1.0
parameters:
  - Greeting:
      type: string
      default: hello
      description: What to say.
phases:
  - name: build
    steps:
      - name: ForLoop
        action: ExecuteBash
        loop:
          name: myLoop
          for:
            start: 1
            end: 3
            updateBy: 1
        inputs:
          commands:
            - echo "{{ Greeting }} {{ myLoop.value }} {{ loop.index }}"
      - name: ForEachLoop
        action: ExecuteBash
        loop:
          forEach: [a, b]
        inputs:
          commands: ['echo {{ loop.value }}']
  - name: validate
    steps:
      - name: UsesOutput
        action: ExecuteBash
        onFailure: Continue
        timeoutSeconds: -1
        inputs:
          commands: ['echo "{{ build.ForLoop.outputs.stdout }}"']
"""


@pytest.mark.parametrize(
    ("document", "platform"),
    [(AWS_CORRETTO, Platform.LINUX), (AWS_WINDOWS, Platform.WINDOWS), (AWS_LOOPS_AND_PARAMETERS, Platform.LINUX)],
)
def test_aws_examples_pass(document: str, platform: Platform) -> None:
    assert check_document(document, "doc", platform)["schemaVersion"] == 1.0


def test_misspelled_action_is_refused_with_a_suggestion_and_its_line() -> None:
    document = AWS_CORRETTO.replace("action: ExecuteBash", "action: ExecuteBsh")
    with pytest.raises(ValueError) as caught:
        Component.from_inline("corretto", document)
    assert str(caught.value) == (
        "components: inline component 'corretto':7: phases[0].steps[0].action: 'ExecuteBsh' is not an AWSTOE "
        "action module; did you mean 'ExecuteBash'?"
    )


@pytest.mark.parametrize(
    ("action", "platform", "message"),
    [
        ("ExecuteBash", Platform.WINDOWS, "ExecuteBash runs on Linux, not on Windows (use ExecutePowerShell)"),
        ("ExecutePowerShell", Platform.LINUX, "ExecutePowerShell runs on Windows, not on Linux (use ExecuteBash)"),
        ("SetRegistry", Platform.LINUX, "SetRegistry runs on Windows, not on Linux"),
        ("SetFileOwner", Platform.WINDOWS, "SetFileOwner runs on Linux, macOS, not on Windows"),
    ],
)
def test_action_of_another_platform_is_refused(action: str, platform: Platform, message: str) -> None:
    document = AWS_CORRETTO.replace("action: ExecuteBash", f"action: {action}")
    with pytest.raises(ValueError, match=r"doc:7: phases\[0\].steps\[0\].action: " + re.escape(message)):
        check_document(document, "doc", platform)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "          commands:\n",
            "          command:\n",
            r":8: phases\[0\].steps\[0\].inputs: ExecuteBash needs 'commands'",
        ),
        ("schemaVersion: 1.0\n", "", r":1: schemaVersion: schemaVersion None is not 1.0"),
        (
            "  - name: build\n",
            "  - name: bild\n",
            r":4: phases\[0\].name: phase 'bild' is not an AWSTOE phase; did you mean 'build'",
        ),
        (
            "        action:",
            "        onFailure: Retry\n        action:",
            r":7: phases\[0\].steps\[0\].onFailure: 'Retry' is not one of",
        ),
        (
            "        action:",
            "        timeout: 5\n        action:",
            r":7: phases\[0\].steps\[0\].timeout: unknown step key 'timeout'; did you mean 'timeoutSeconds'",
        ),
        ("-headless -y", "-headless -y {{ Version }}", r":10: .*'\{\{ Version \}\}' names no parameter or constant"),
        ("-headless -y", "-headless -y {{ Version", r":10: .*a '\{\{' has no closing '\}\}'"),
    ],
)
def test_document_rules(old: str, new: str, message: str) -> None:
    assert old in AWS_CORRETTO
    with pytest.raises(ValueError, match=message):
        check_document(AWS_CORRETTO.replace(old, new, 1), "doc")


def test_loop_needs_one_of_for_and_for_each() -> None:
    document = AWS_LOOPS_AND_PARAMETERS.replace("          forEach: [a, b]\n", "          name: empty\n")
    with pytest.raises(ValueError, match=r"doc:24: phases\[0\].steps\[1\].loop: a loop has exactly one of 'for'"):
        check_document(document, "doc")


def test_download_items_need_source_and_destination() -> None:
    document = AWS_WINDOWS.replace("- source: s3://mybucket/path/to/package.zip\n           ", "-")
    with pytest.raises(ValueError, match=r"doc:9: phases\[0\].steps\[0\].inputs\[0\]: S3Download item needs source"):
        check_document(document, "doc", Platform.WINDOWS)


def test_every_problem_is_reported_at_once() -> None:
    document = AWS_CORRETTO.replace("ExecuteBash", "ExecuteBsh").replace("  - name: build", "  - name: bild")
    with pytest.raises(ValueError) as caught:
        check_document(document, "doc")
    assert [line.split(": ", 2)[1] for line in str(caught.value).splitlines()] == [
        "doc:4",
        "doc:7",
    ]


def test_module_table_covers_the_thirty_modules_aws_lists() -> None:
    assert len(ACTION_MODULES) == 30
    assert ACTION_MODULES["ExecuteBash"] == frozenset({Platform.LINUX})
    assert ACTION_MODULES["Assert"] == frozenset(Platform)


def test_a_cloudformation_pseudo_parameter_in_a_document_is_refused_with_its_line() -> None:
    """Found by the long fuzz run: '${AWS::AccountId}' in a document synthesized, then failed
    CloudFormation's validation (an embedded parameter outside Fn::Sub)."""
    text = (
        "name: x\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: s\n"
        "        action: ExecuteBash\n        inputs:\n          commands: ['echo ${AWS::AccountId}', 'echo ${HOME}']\n"
    )
    with pytest.raises(ValueError) as caught:
        check_document(text, "x.yaml")
    (problem,) = str(caught.value).splitlines()
    assert problem.startswith("components: x.yaml:9: phases[0].steps[0].inputs.commands[0]: ${AWS::AccountId} is a")
