"""Readable names and sentences for audit actions. Apps register theirs; unknown codes show as is.

A label names the action ("Application approved"); a sentence tells who did it to what, in the
past tense, with ``%(actor)s`` and ``%(object)s`` ("%(actor)s approved %(object)s" → "%(actor)s a
approuvé %(object)s"; the object carries its article, see ``relais.audit_describe``).
"""

from __future__ import annotations

from typing import Any

_LABELS: dict[str, Any] = {}
_SENTENCES: dict[str, Any] = {}


def register_audit_labels(labels: dict[str, Any]) -> None:
    _LABELS.update(labels)


def register_audit_sentences(sentences: dict[str, Any]) -> None:
    _SENTENCES.update(sentences)


def audit_label(action: str) -> str:
    return str(_LABELS.get(action, action))


def audit_sentence(action: str) -> str | None:
    sentence = _SENTENCES.get(action)
    return str(sentence) if sentence is not None else None


def audit_actions() -> list[str]:
    """Every action with a label: the audit log's action filter offers these (a bounded list)."""
    return list(_LABELS)
