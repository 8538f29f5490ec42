"""What an application still lacks before it can be submitted, item by item, with a link target."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relais.money import format_money

from .models import Application


@dataclass(frozen=True)
class Missing:
    section: str  # section slug (see grants.sections)
    field: str  # anchor inside the section page
    message: str


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def project_months(start: dt.date, end: dt.date) -> int:
    """How many months the project touches, month 1 starting on the start date (1 Jan–31 Dec: 12)."""
    full = (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)
    return full + 1


def schedule_problems(application: Application, timeline=None) -> list[Missing]:
    """Dates and timeline that do not fit together. A warning when a section is saved (the save
    still happens), an error at submission (completeness_problems)."""
    app = application
    problems: list[Missing] = []
    rows = list(app.timeline.all()) if timeline is None else timeline
    for row in rows:
        if row.start_month and row.end_month and row.end_month < row.start_month:
            problems.append(Missing("activities", "timeline", _("Timeline: “%(activity)s” ends before it starts.")
                                    % {"activity": row.activity}))
    if app.start_date and app.end_date and app.end_date < app.start_date:
        problems.append(Missing("location", "end_date", _("The end date is before the start date.")))
    elif app.start_date and app.end_date:
        months = project_months(app.start_date, app.end_date)
        for row in rows:
            last = max(row.start_month or 0, row.end_month or 0)
            if last > months:
                problems.append(Missing("activities", "timeline", ngettext(
                    "Timeline: “%(activity)s” runs to month %(month)s, but the project lasts %(months)s month.",
                    "Timeline: “%(activity)s” runs to month %(month)s, but the project lasts %(months)s months.",
                    months,
                ) % {"activity": row.activity, "month": last, "months": months}))
    return problems


def completeness_problems(application: Application) -> list[Missing]:
    """Every missing or inconsistent item; an empty list means the application can be submitted."""
    app = application
    call = app.call
    problems: list[Missing] = []

    def need(section: str, field: str, value, message: str) -> None:
        if _blank(value):
            problems.append(Missing(section, field, message))

    need("project", "title", app.title, _("Project title is missing."))
    need("project", "summary", app.summary, _("Summary is missing."))
    need("context", "context", app.context, _("Context and problem are missing."))
    need("objectives", "objectives", app.objectives, _("Objectives are missing."))
    need("activities", "activities", app.activities, _("Activities are missing."))
    timeline = list(app.timeline.all())
    if not any(row.activity and row.start_month and row.end_month for row in timeline):
        problems.append(Missing("activities", "timeline", _("The timeline needs at least one complete activity.")))
    if not app.regions.exists():
        problems.append(Missing("location", "regions", _("Choose at least one region of intervention.")))
    need("location", "start_date", app.start_date, _("Start date is missing."))
    need("location", "end_date", app.end_date, _("End date is missing."))
    problems.extend(schedule_problems(app, timeline))
    need("beneficiaries", "women", app.women, _("Number of women is missing."))
    need("beneficiaries", "men", app.men, _("Number of men is missing."))
    need("beneficiaries", "youth", app.youth, _("Number of youth (15–35) is missing."))
    need("risks", "risks", app.risks, _("Risks are missing."))
    need("risks", "do_no_harm", app.do_no_harm, _("Do-no-harm measures are missing."))
    lines = list(app.budget_lines.all())
    if not lines:
        problems.append(Missing("budget", "lines", _("The budget has no lines.")))
    for index, line in enumerate(lines, start=1):
        if line.category_id is None or _blank(line.description) or line.quantity is None or line.unit_cost is None:
            problems.append(Missing("budget", "lines", _("Budget line %(n)s is incomplete.") % {"n": index}))
    total = sum((line.total_in(call.currency) for line in lines), start=0)
    if lines and not (call.min_grant <= total <= call.max_grant):
        problems.append(Missing("budget", "lines", _(
            "The requested amount (%(total)s) must be between %(min)s and %(max)s."
        ) % {"total": format_money(total, call.currency), "min": format_money(call.min_grant, call.currency),
             "max": format_money(call.max_grant, call.currency)}))
    answered = {a.question_id: a.answer for a in app.answers.all()}
    for question in call.questions.all():
        if _blank(answered.get(question.pk)):
            problems.append(Missing("eligibility", f"q{question.pk}",
                                    _("Answer the question: %(q)s") % {"q": question.text}))
    uploaded = {a.required_id for a in app.attachments.all()}
    for required in call.required_attachments.all():
        if required.pk not in uploaded:
            problems.append(Missing("attachments", f"a{required.pk}",
                                    _("Attach the document: %(name)s") % {"name": required.name}))
    return problems
