"""Reach of the training programme (managers) and of one session (its trainers): statistics on GET,
exports on POST only (the list of participants is audited, so it is never a GET)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.errors import Refused
from relais.exports import csv_response
from relais.http import TenantRequest
from relais.links import pk_url_maker
from relais.models import Role
from relais.pagination import page_of
from relais.permissions import role_required

from ..forms_reach import ExportForm, ReachFilterForm
from ..permissions import can_manage_session
from ..selectors import reach as reach_selectors
from ..selectors.sessions import access_session, topic_list
from ..services.reach import participant_list_export_record, programme_figures

STAFF = (Role.MANAGER, Role.TRAINER)


def _filters(request: TenantRequest, data: Any) -> tuple[ReachFilterForm, dict[str, Any]]:
    form = ReachFilterForm(data or None, topics=topic_list(actor=request.actor, active_only=False))
    return form, form.filters()


@role_required(Role.MANAGER)
def programme_reach(request: TenantRequest) -> HttpResponse:
    form, filters = _filters(request, request.GET)
    sessions = reach_selectors.reach_sessions(actor=request.actor, **filters)
    page = page_of(reach_selectors.session_rows(sessions=sessions), request.GET.get("page"),
                   reach_selectors.SESSIONS_PER_PAGE)
    session_url = pk_url_maker("training:session_detail", "training_session_pk", tenant_slug=request.actor.tenant.slug)
    # As first opened (no period, no topic: the common view), the stored figures while nothing moved them;
    # a filtered view computes its own.
    figures = (reach_selectors.reach(sessions=sessions) if any(filters.values())
               else programme_figures(actor=request.actor))
    return render(request, "training/reach.html", {
        "filter_form": form, "reach": figures, "page": page,
        "session_rows": [(session_url(row.pk), row) for row in reach_selectors.session_figures(page.object_list)],
        "minimum": reach_selectors.MINIMUM_SHARE, "export_form": ExportForm(),
        "hidden": [(name, value) for name, value in form.data.items() if name != "page"]})


def _export(request: TenantRequest, sessions: Any, *, target: Any, filters: dict[str, Any], name: str) -> HttpResponse:
    form = ExportForm(request.POST)
    if not form.is_valid():
        return HttpResponse(" ".join(str(e) for errors in form.errors.values() for e in errors), status=400,
                            content_type="text/plain; charset=utf-8")
    if form.cleaned_data["kind"] == ExportForm.INDIVIDUAL:
        rows = reach_selectors.participant_rows(sessions=sessions)
        participant_list_export_record(actor=request.actor, target=target, reason=form.cleaned_data["reason"],
                                       filters=filters, rows=len(rows))
        header = [_("Session"), _("First day"), _("Name or code"), _("Code"), _("Organisation"), _("Sex"),
                  _("Age band"), _("Person-days"), _("Pre-test"), _("Post-test"), _("Learning gain"),
                  _("Certificate")]
        return csv_response(f"{name}-participants", header, rows)
    data = reach_selectors.reach(sessions=sessions)
    return csv_response(f"{name}-reach", [
        _("Breakdown"), _("Category"), _("Participants"), _("Person-days"), _("Participants with both tests"),
        _("Average pre-test"), _("Average post-test"), _("Average learning gain"), _("Average satisfaction"),
        _("Evaluations"), _("Certificates"), _("Certificates per 100 registrations")],
        reach_selectors.reach_table(data))


@require_POST
@role_required(Role.MANAGER)
def programme_reach_export(request: TenantRequest) -> HttpResponse:
    _form, filters = _filters(request, request.POST)
    sessions = reach_selectors.reach_sessions(actor=request.actor, **filters)
    try:
        return _export(request, sessions, target=request.actor.tenant, filters=filters, name="training")
    except Refused as exc:
        return HttpResponse(" ".join(exc.messages), status=403, content_type="text/plain; charset=utf-8")


def _managed_session(request: TenantRequest, pk: int) -> tuple[Any, Any]:
    """The session its trainers and the managers see the figures of, and the figures' sessions (it alone)."""
    session = access_session(actor=request.actor, pk=pk)
    can_manage_session(request.actor, session).raise_if_denied()
    return session, reach_selectors.reach_sessions(actor=request.actor).filter(pk=session.pk)


@require_POST
@role_required(*STAFF)
def session_reach_export(request: TenantRequest, training_session_pk: int) -> HttpResponse:
    session, sessions = _managed_session(request, training_session_pk)
    try:
        return _export(request, sessions, target=session, filters={"session": session.pk},
                       name=f"session-{session.pk}")
    except Refused as exc:
        return HttpResponse(" ".join(exc.messages), status=403, content_type="text/plain; charset=utf-8")


@role_required(*STAFF)
def session_reach(request: TenantRequest, training_session_pk: int) -> HttpResponse:
    """The figures of one session (its trainers and the managers): a page of its own, not a block of
    the session page, whose participants are read a page at a time: these figures sum every
    registration and attendance mark of the session, which a big session made the cost of every view
    of its participants (issue 10)."""
    session, sessions = _managed_session(request, training_session_pk)
    return render(request, "training/session_reach.html", {
        "session": session, "reach": reach_selectors.reach(sessions=sessions),
        "minimum": reach_selectors.MINIMUM_SHARE, "export_form": ExportForm(),
        "export_individual": request.actor.is_manager})
