"""Read-only views of objects for templates, holding only what one reader may see.

Flags such as ``hide_identity`` or ``can_see_payment`` left the full object in the
template context and trusted every template to test them. A view instead passes
``ReadOnlyView(obj, fields=..., **replacements)``: the listed attributes read through
to the object, a replacement stands in for what this reader may not see (a masked
number, an anonymised label), and any other name does not exist, so Django renders
it empty. A template written later cannot show a hidden value by forgetting a flag,
and a field added to the model later stays hidden until someone lists it. Templates
cannot reach the wrapped object: Django refuses names that start with an underscore.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class ReadOnlyView:
    __slots__ = ("_fields", "_replaced", "_target")

    def __init__(self, target: Any, *, fields: Iterable[str], **replaced: Any) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_fields", frozenset(fields))
        object.__setattr__(self, "_replaced", replaced)

    def __getattr__(self, name: str) -> Any:
        replaced = object.__getattribute__(self, "_replaced")
        if name in replaced:
            return replaced[name]
        if name in object.__getattribute__(self, "_fields"):
            return getattr(object.__getattribute__(self, "_target"), name)
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __str__(self) -> str:
        replaced = object.__getattribute__(self, "_replaced")
        return str(replaced["label"]) if "label" in replaced else str(object.__getattribute__(self, "_target"))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {type(object.__getattribute__(self, '_target')).__name__}>"
