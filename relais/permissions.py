"""Permission decisions that carry a reason a person can read."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed

    def raise_if_denied(self) -> None:
        if not self.allowed:
            raise PermissionDenied(self.reason)


ALLOW = Decision(True)


def deny(reason: str) -> Decision:
    return Decision(False, str(reason))
