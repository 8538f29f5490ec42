"""Readable names for audit actions. Apps register theirs; unknown codes show as is."""

from __future__ import annotations

from typing import Any

_LABELS: dict[str, Any] = {}


def register_audit_labels(labels: dict[str, Any]) -> None:
    _LABELS.update(labels)


def audit_label(action: str) -> str:
    return str(_LABELS.get(action, action))
