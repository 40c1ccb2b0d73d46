"""Values as node's ``Stack.resolve`` returns them, computed in Python when nothing in them needs
node: sending a list of nested jsii structs to node and reading the answer back costs about 8 ms
for one pipeline's seventeen distribution entries.

jsii sends a struct as its fields under their jsii (camelCase) names, unset fields left out
(``__jsii_name_mapping__``, read by jsii's own serializer); a dict as a map; a list as a list.
``resolve`` hands plain values back as they came. Anything else raises :class:`NeedsNode`, and the
caller asks node: a token (in a string, a map key or a string made from a number token), a number
node would round (an int past 2**53, a float), an enum, a tuple, a construct, an ``IResolvable``,
a ``None`` in a list or a map, and a dict where a struct field expects a struct (node keeps only
the struct's fields). That is jsii's and aws-cdk-lib's behaviour as their code shows it, not a
documented contract: tests compare both answers.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Final

# A number token written into a string (f"{token}") reads like -1.8881545897087524e+289: CDK
# encodes number tokens as doubles near that value, and resolves them inside strings too.
_NUMBER_TOKEN: Final = re.compile(r"\d\.\d+e\+\d{3}")
_EXACT: Final = 2**53  # the largest integer a JavaScript number holds exactly
# A field declared Any, as jsii's generated modules write it (a string: their annotations are postponed).
_FREE_FORM: Final = frozenset({"typing.Any", "typing.Optional[typing.Any]"})


class NeedsNode(Exception):
    """The value holds something only node can resolve."""


def plain(value: Any) -> Any:
    """``value`` as ``Stack.resolve`` would return it; raises :class:`NeedsNode` when it cannot tell."""
    return _plain(value, free_form=True)


def _plain(value: Any, *, free_form: bool) -> Any:
    kind: type = type(value)
    if kind is bool:
        return value
    if kind is int:
        if abs(value) > _EXACT:
            raise NeedsNode(value)
        return value
    if kind is str:
        if "Token[" in value or _NUMBER_TOKEN.search(value):  # "${Token[..]}", "#{Token[..]}"
            raise NeedsNode(value)
        return value
    if kind is list:
        return [_plain(v, free_form=free_form) for v in value]
    if kind is dict:
        if not free_form:
            raise NeedsNode(value)
        return {_plain_key(k): _plain(v, free_form=True) for k, v in value.items()}
    mapping = getattr(kind, "__jsii_name_mapping__", None)
    if not isinstance(mapping, dict) or kind.__module__.split(".")[0] != "aws_cdk":
        raise NeedsNode(value)
    return {
        jsii: _plain(v, free_form=_takes_anything(kind, python))
        for python, jsii in mapping.items()
        if (v := getattr(value, python)) is not None
    }


def _plain_key(key: Any) -> str:
    if type(key) is not str or "Token[" in key or _NUMBER_TOKEN.search(key):
        raise NeedsNode(key)
    return key


@cache
def _takes_anything(struct: type, field: str) -> bool:
    """Whether the struct's field is declared ``Any`` (a CloudFormation JSON property, passed on
    as it is) rather than a struct or a list of them."""
    getter = getattr(getattr(struct, field, None), "fget", None)
    return str(getattr(getter, "__annotations__", {}).get("return")) in _FREE_FORM
