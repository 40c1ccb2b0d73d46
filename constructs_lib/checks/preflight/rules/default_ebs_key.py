"""GA-P001: nothing shared or copied to another account sits on the default EBS key.

The distribution's ``KmsKeyId`` encrypts only the copies; the AMI built in the home region is
encrypted by the recipe's block device mapping, and without ``Ebs.KmsKeyId`` by the account's
default AWS managed key, whose snapshots can be neither shared nor copied to another account.

https://docs.aws.amazon.com/imagebuilder/latest/userguide/cr-upd-ami-distribution-settings.html
("this doesn't apply for the original AMI that the build creates under your account in the source
Region ... you must set the KMS key in the image recipe block device mapping") and
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/allow-org-ou-to-use-key.html ("You can't share
AMIs that are backed by snapshots that are encrypted with the default AWS managed key"). A shared
copy in another region without the distribution's ``KmsKeyId`` lands on that region's default key
the same way (https://docs.aws.amazon.com/imagebuilder/latest/userguide/cross-account-dist.html:
"If you don't specify ... the KmsKeyId parameter, Image Builder uses the default key for Amazon
Elastic Block Store").
"""

from __future__ import annotations

from collections.abc import Iterator

from .._model import builds, copies, recipe_keys
from ..assembly import Assembly
from ..finding import Finding, Rule


def check(assembly: Assembly) -> Iterator[Finding]:
    seen = set()
    for build in builds(assembly):
        if build.recipe is None or (build.recipe, build.distribution) in seen:
            continue
        seen.add((build.recipe, build.distribution))
        keys = recipe_keys(assembly, build)
        made = copies(assembly, build)
        for copy in made:
            shared_here = copy.user_ids or copy.organizations or copy.organizational_units
            if not copy.home and copy.account == build.stack.account and copy.key is None and keys and shared_here:
                yield RULE.error(
                    (copy.distribution.path,),
                    f"the {copy.region} copy has no KmsKeyId, so Image Builder encrypts it with the account's "
                    "default EBS key, and it is shared; AWS cannot share such snapshots. Set the distribution's "
                    f"KmsKeyId for {copy.region} to a customer managed key there.",
                )
        if None not in keys:
            continue
        leaving = [c for c in made if c.account != build.stack.account]
        shared = [c for c in made if c.user_ids or c.organizations or c.organizational_units]
        if not leaving and not shared:
            continue
        what = "copied into " + ", ".join(sorted({c.account for c in leaving})) if leaving else "shared"
        yield RULE.error(
            (build.recipe.path, *([build.distribution.path] if build.distribution else [])),
            f"the home-region AMI is encrypted with the account's default EBS key (a volume of the recipe sets "
            f"Encrypted without KmsKeyId) and is {what}; AWS cannot share or copy such snapshots to another "
            f"account. Set Ebs.KmsKeyId on every volume of the recipe to the home region's customer managed key.",
        )


RULE = Rule(
    id="GA-P001",
    title="nothing shared or copied sits on the default EBS key",
    citation="https://docs.aws.amazon.com/imagebuilder/latest/userguide/cr-upd-ami-distribution-settings.html",
    check=check,
)
