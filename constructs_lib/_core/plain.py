"""Values as node's ``Stack.resolve`` returns them, computed in Python when nothing in them needs
node: sending a list of nested jsii structs to node and reading the answer back costs about 8 ms
for one pipeline's seventeen distribution entries.

jsii sends a struct as its fields under their jsii (camelCase) names, unset fields left out
(``__jsii_name_mapping__``, read by jsii's own serializer); a dict as a map; a list as a list.
``resolve`` hands plain values back as they came. Anything else (a token, a construct, an
``IResolvable``, a number that may encode a token) raises :class:`NeedsNode`, and the caller asks
node. That is jsii's and aws-cdk-lib's behaviour as their code shows it, not a documented contract:
a test compares both answers for every pipeline the examples build.
"""

from __future__ import annotations

from typing import Any


class NeedsNode(Exception):
    """The value holds something only node can resolve."""


def plain(value: Any) -> Any:
    """``value`` as ``Stack.resolve`` would return it; raises :class:`NeedsNode` when it cannot tell."""
    if isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        if "Token[" in value:  # "${Token[...]}" in strings, "#{Token[...]}" in lists
            raise NeedsNode(value)
        return value
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        if any(not isinstance(k, str) for k in value):
            raise NeedsNode(value)
        return {k: plain(v) for k, v in value.items()}
    mapping = getattr(type(value), "__jsii_name_mapping__", None)
    if not isinstance(mapping, dict) or type(value).__module__.split(".")[0] != "aws_cdk":
        # None in a list or a map (how node hands a null back is not worth guessing), floats
        # (a number token is one), tuples (jsii refuses them), constructs, IResolvable, enums.
        raise NeedsNode(value)
    return {jsii: plain(v) for python, jsii in mapping.items() if (v := getattr(value, python)) is not None}
