"""Frozen copies of an application at submission, and what changed between two of them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import Application

SNAPSHOT_FIELDS = [
    ("title", _("Project title")), ("summary", _("Summary")), ("context", _("Context and problem")),
    ("objectives", _("Objectives")), ("activities", _("Activities")), ("timeline", _("Timeline")),
    ("regions", _("Regions of intervention")), ("communes", _("Communes of intervention")),
    ("start_date", _("Start date")), ("end_date", _("End date")), ("women", _("Women")), ("men", _("Men")),
    ("youth", _("Youth (15–35)")), ("risks", _("Risks")), ("do_no_harm", _("Do-no-harm measures")),
    ("budget", _("Budget")), ("requested_amount", _("Requested amount")),
    ("cofunding", _("Co-funding")), ("answers", _("Eligibility answers")), ("attachments", _("Attachments")),
]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def snapshot(application: Application) -> dict[str, str]:
    """Everything the applicant wrote, as plain text per field (stable, easy to diff)."""
    app = application
    data = {name: _text(getattr(app, name, "")) for name in (
        "title", "summary", "context", "objectives", "activities", "communes", "start_date", "end_date",
        "women", "men", "youth", "risks", "do_no_harm", "requested_amount",
    )}
    data["timeline"] = "\n".join(
        f"{row.activity} ({_text(row.start_month)}–{_text(row.end_month)})" for row in app.timeline.all()
    )
    data["regions"] = ", ".join(sorted(r.name for r in app.regions.all()))
    data["budget"] = "\n".join(
        f"{line.category.name_fr if line.category else ''} | {line.description} | {_text(line.quantity)} × "
        f"{_text(line.unit_cost)} = {line.total_in(app.call.currency)}"
        for line in app.budget_lines.select_related("category")
    )
    data["cofunding"] = f"{_text(app.cofunding_amount)} {app.cofunding_source}".strip()
    data["answers"] = "\n".join(
        f"{a.question.text_fr}: {a.answer}" for a in app.answers.select_related("question")
    )
    data["attachments"] = "\n".join(a.original_name for a in app.attachments.all())
    return data


def snapshot_diff(old: dict[str, str], new: dict[str, str]) -> list[dict[str, Any]]:
    """Fields whose text changed between two snapshots, with their labels, in section order."""
    changes = []
    for name, label in SNAPSHOT_FIELDS:
        before, after = old.get(name, ""), new.get(name, "")
        if before != after:
            changes.append({"field": name, "label": label, "before": before, "after": after})
    return changes
