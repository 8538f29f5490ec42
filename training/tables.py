"""Training lists written in one pass (throughput, issue 10): the markup of the template loops they replaced,
each value escaped, each row's URL from one reverse() per page (relais.links.pk_url_maker). A test compares
each with its loop, byte for byte (tests/training/test_sessions.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from relais.links import pk_url_maker
from relais.widgets import choice_labels, fast_escape

from .models import Assessment, AssessmentKind, AssessmentStatus, SessionStatus, TrainingSession


def session_cards_html(sessions: Iterable[TrainingSession], *, trainers: dict[int, list[str]],
                       tenant_slug: str) -> SafeString:
    """The cards of the session list (the sessions of session_rows, with topic and region; trainer_names)."""
    detail = pk_url_maker("training:session_detail", "training_session_pk", tenant_slug=tenant_slug)
    statuses = choice_labels(SessionStatus)
    # Translated literals, as {% translate %} wrote them (not escaped).
    protected = f' <span class="badge warn">{_("Protected")}</span>'
    remote, no_trainer = _("Remote"), _("No trainer yet")
    days: dict[date, str] = {}

    def day(value: date) -> str:
        if value not in days:
            days[value] = escape(formats.date_format(value, "DATE_FORMAT"))
        return days[value]

    out = []
    for s in sessions:
        when = day(s.start_date) if s.start_date == s.end_date else f"{day(s.start_date)} – {day(s.end_date)}"
        if s.remote:
            where = remote
        else:
            where = escape(s.venue or "") + (f" {escape(s.region.name)}" if s.region else "")
        names = ", ".join(escape(name) for name in trainers.get(s.pk, ())) or no_trainer
        status = statuses.get(s.status) or escape(s.get_status_display())
        out.append(
            f'\n<li class="card"><h2><a href="{escape(detail(s.pk))}">{escape(s.title)}</a></h2>\n'
            f'<p><span class="badge">{status}</span> {escape(s.topic.name)}'
            f'{protected if s.protected else ""}</p>\n'
            f'<p class="muted">{when} · {where}</p>\n'
            f'<p class="muted">{names}</p>\n</li>\n')
    return mark_safe("".join(out))  # noqa: S308 - every value went through escape() or is a translation


def participant_rows_html(rows: Iterable[Any], *, protected: bool, searched: bool) -> SafeString:
    """The participants list of the session page (rows of selectors.participants_page or session_participants):
    the code first when the session is protected, the name, the organisation's acronym or name."""
    out = []
    for r in rows:
        code = f"{fast_escape(r.participant__code)} · " if protected else ""
        organisation = r.participant__organisation__acronym or r.participant__organisation__name
        out.append(f'<li>{code}{fast_escape(r.participant__full_name)} '
                   f'<span class="muted">({fast_escape(organisation)})</span></li>')
    if not out:  # translated literals, as {% translate %} wrote them (not escaped)
        out.append(f"<li>{_('Nobody registered has this name.') if searched else _('Nobody is registered yet.')}</li>")
    return mark_safe("".join(out))  # noqa: S308 - every value went through fast_escape() or is a translation


def assessment_rows_html(assessments: Iterable[Assessment], *, tenant_slug: str) -> SafeString:
    """The rows of the assessment lists (the assessments of assessment_rows)."""
    organisation = pk_url_maker("training:organisation_assessments", "organisation_pk", tenant_slug=tenant_slug)
    detail = pk_url_maker("training:assessment_detail", "assessment_pk", tenant_slug=tenant_slug)
    kinds = choice_labels(AssessmentKind)
    statuses = choice_labels(AssessmentStatus)
    days: dict[date, str] = {}
    out = []
    for a in assessments:
        if a.date not in days:
            days[a.date] = escape(formats.date_format(a.date, "SHORT_DATE_FORMAT"))
        kind = kinds.get(a.kind) or escape(a.get_kind_display())
        status = statuses.get(a.status) or escape(a.get_status_display())
        out.append(
            f'<tr><td><a href="{escape(organisation(a.organisation_id))}">'
            f"{escape(a.organisation.acronym or a.organisation.name)}</a></td>"
            f'<td><a href="{escape(detail(a.pk))}">{days[a.date]}</a></td><td>{kind}</td><td>{status}</td>'
            f"<td>{escape(a.facilitator.display_name)}</td></tr>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value went through escape() or is a translation
