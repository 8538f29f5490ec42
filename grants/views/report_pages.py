"""Progress report pages around the record: the reports list, the grantee's form (sections, indicators,
expenses, attachments; saved like applications: nothing typed is lost, two tabs never overwrite each
other), submission, the manager's review steps, finance's comment and the attachments' downloads.
The report's own page is grants.views.reports.report_detail."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.actor import Actor
from relais.concurrency import Stale, Stamp, save_versioned, stale_since
from relais.downloads import private_file_response
from relais.drafts import pop_rescued
from relais.errors import Refused, refused_message
from relais.ids import pk_like
from relais.models import Membership, Role
from relais.pagination import page_of

from ..models import ReportStatus
from ..permissions import can_edit_report, can_review_report, can_see_sensitive_section
from ..report_forms import ReportForm, ReviewForm
from ..reporting import report_problems, reports_problems
from ..selectors import awards as award_selectors
from ..selectors import reports as report_selectors
from ..selectors.choices import filter_calls_and_regions
from ..selectors.reports import SENSITIVE, ReportFilters
from ..services.awards import grant_settings
from ..services.report_review import (
    can_comment_report_finances,
    report_attachment_add,
    report_finance_comment,
)
from ..services.report_review import (
    report_attachment_delete as attachment_delete_service,
)
from ..services.reports import report_save, report_transition
from ..tables import report_filters_html, report_rows_html

P = ReportStatus


def _detail(request: HttpRequest, report) -> HttpResponse:
    return redirect("grants:report_detail", tenant_slug=request.actor.tenant.slug, progressreport_pk=report.pk)


def _edit(request: HttpRequest, report) -> HttpResponse:
    return redirect("grants:report_edit", tenant_slug=request.actor.tenant.slug, progressreport_pk=report.pk)


# --- the list --------------------------------------------------------------------------------------

def _filters(request: HttpRequest) -> ReportFilters:
    params = request.GET
    call, region = params.get("call", ""), params.get("region", "")
    return ReportFilters(status=params.get("status", "") if params.get("status", "") in P.values else "",
                         overdue=params.get("timing") == "overdue",
                         call_id=int(call) if pk_like(call) else None,
                         region_id=int(region) if pk_like(region) else None)


def report_list(request: HttpRequest) -> HttpResponse:
    """The grantee: its reports to write (what is missing) and the past ones. Managers and finance: every
    report of the workspace, filtered, those waiting for review first (managers)."""
    actor = request.actor
    if not report_selectors.may_list_reports(actor):
        raise PermissionDenied(_("Progress reports are for programme managers, finance and grantees."))
    today = timezone.localdate()
    if actor.has_role(Role.APPLICANT):
        open_, past = report_selectors.grantee_reports(actor=actor)
        problems = reports_problems(open_, threshold=grant_settings(actor.tenant).variance_threshold)
        return render(request, "grants/report_list.html", {
            "grantee": True, "open": [(r, r.timing(today), problems.get(r.pk, [])) for r in open_],
            "page": page_of(past, request.GET.get("page")), "today": today,
        })
    filters = _filters(request)
    page = page_of(report_selectors.report_rows(actor=actor, filters=filters, today=today), request.GET.get("page"))
    # selectors.call_list (drafts for managers only) and region_list, in one hand-written statement.
    calls, regions = filter_calls_and_regions(tenant_id=actor.tenant.pk, published=not actor.is_manager)
    return render(request, "grants/report_list.html", {
        "grantee": False, "page": page, "filters": filters,
        "filters_html": report_filters_html(filters=filters, calls=calls, regions=regions),
        "rows_html": report_rows_html(page, tenant_slug=actor.tenant.slug, today=today),
    })


# --- the grantee's form ------------------------------------------------------------------------------

def _form(report, data: Any = None, files: Any = None) -> ReportForm:
    return ReportForm(data, files, report=report, indicators=report_selectors.report_indicators(report=report),
                      lines=report_selectors.report_expenses(report=report))


def _save(request: HttpRequest, report, form: ReportForm, expected: int | None) -> None:
    """Save what validated; an upload refused goes on the upload field (the text is saved all the same)."""
    actor = request.actor
    report_save(report=report, actor=actor, expected_version=expected, **form.valid_data())
    upload = request.FILES.get("upload")
    if upload is not None:
        try:
            report_attachment_add(report=report, actor=actor, upload=upload)
        except Refused as exc:
            form.add_error("upload", exc)


def report_edit(request: HttpRequest, progressreport_pk: int) -> HttpResponse:
    actor = request.actor
    report = award_selectors.access_report(actor=actor, pk=progressreport_pk)
    own = actor.has_role(Role.APPLICANT) and actor.acts_for(report.award.organisation_id)
    if not own:
        raise PermissionDenied(_("Only the grantee organisation writes its reports."))
    decision = can_edit_report(actor, report)
    if not decision and request.method != "POST":
        messages.info(request, _("This report was submitted: it can no longer be changed."))
        return _detail(request, report)

    def current() -> tuple[int, list[Any]]:
        report.refresh_from_db()
        return report.version, [_form(report)]

    stale: Stale | None = None
    status = 200
    if not decision:
        # Submitted meanwhile (from another tab): the typed text is shown back instead of being lost.
        messages.error(request, _("%(reason)s Your text was not saved; copy it if you need it.")
                       % {"reason": decision.reason})
        form, stamp, status = _form(report, request.POST), Stamp.posted(request.POST), 409
    elif request.method == "POST":
        stamp = Stamp.posted(request.POST)
        form = _form(report, request.POST, request.FILES)

        def save(expected: int | None) -> None:
            with transaction.atomic():
                _save(request, report, form, expected)

        try:
            save_versioned(stamp=stamp, data=request.POST, posted=[form], save=save, current=current)
        except Stale as exc:
            # Nothing was saved: the other side's changes are listed, the typed values stay in the form.
            stale, stamp, status = exc, exc.stamp or stamp, 409
            form = _form(report, exc.data)
        except Refused as exc:
            refused_message(request, exc)
            status = 409
        else:
            stamp = Stamp.of(*current())
            if form.errors:
                messages.error(request, _("Some fields were not saved: correct the marked fields and save again. "
                                          "Everything else was saved."))
            elif request.POST.get("go") == "_submit":
                target = P.SUBMITTED
                try:
                    report_transition(report=report, actor=actor, target=target)
                except Refused as exc:
                    messages.error(request, _("Saved, but not submitted: %(problems)s")
                                   % {"problems": " ".join(exc.messages)})
                    return _edit(request, report)
                messages.success(request, _("Report submitted. The programme team was told."))
                return _detail(request, report)
            else:
                messages.success(request, _("Report saved."))
                return _edit(request, report)
    else:
        rescued = pop_rescued(request)
        form = _form(report, rescued.data if rescued else None)
        stamp = Stamp.of(report.version, [form])
        if rescued is not None:
            # Text typed after the session expired keeps the version it was typed on: what was saved
            # since is shown now, and saving it is checked like any other save.
            messages.warning(request, _("Your unsaved text was restored — save it."))
            stamp = Stamp.posted(rescued.data)
            stale = stale_since(stamp=stamp, data=rescued.data, posted=[form], current=current)
            if stale is not None and stale.data is not None:
                stamp, form = stale.stamp or stamp, _form(report, stale.data)
    comments = report.review_comments or {}

    return render(request, "grants/report_edit.html", {
        "report": report, "award": report.award, "form": form, "stamp": stamp, "stale": stale,
        "sections": [(bound, comments.get(bound.name, "")) for bound in form.narrative()],
        "sensitive": form[SENSITIVE], "comments": comments,
        "attachments": report_selectors.report_attachments(report=report),
        "problems": report_problems(report) if decision else [], "timing": report.timing(timezone.localdate()),
    }, status=status)


def _may_rescue_report(membership: Membership, *, progressreport_pk: int) -> bool:
    """relais.drafts keeps text POSTed after the session expired only if this member may edit the report."""
    actor = Actor.of(membership)
    report = award_selectors.report_list(actor=actor).filter(pk=progressreport_pk).first()
    return report is not None and bool(can_edit_report(actor, report))


report_edit.rescues_drafts = _may_rescue_report  # type: ignore[attr-defined]


@require_POST
def report_attachment_delete(request: HttpRequest, reportattachment_pk: int) -> HttpResponse:
    actor = request.actor
    attachment = report_selectors.access_report_attachment(actor=actor, pk=reportattachment_pk)
    try:
        attachment_delete_service(attachment=attachment, actor=actor)
    except Refused as exc:
        if exc.forbidden:
            raise PermissionDenied(" ".join(exc.messages)) from exc
        refused_message(request, exc)
    else:
        messages.success(request, _("File removed."))
    return _edit(request, attachment.report)


def report_attachment_download(request: HttpRequest, reportattachment_pk: int) -> HttpResponse:
    attachment = report_selectors.access_report_attachment(actor=request.actor, pk=reportattachment_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return private_file_response(handle, filename=attachment.original_name, content_type=attachment.content_type)


# --- the review ----------------------------------------------------------------------------------------

@require_POST
def report_review(request: HttpRequest, progressreport_pk: int) -> HttpResponse:
    """Approve, or request changes with a message and comments beside the sections."""
    from .reports import detail_response

    actor = request.actor
    report = award_selectors.access_report(actor=actor, pk=progressreport_pk)
    can_review_report(actor, report).raise_if_denied()
    target = request.POST.get("target", "")
    if target == P.APPROVED:
        try:
            report_transition(report=report, actor=actor, target=target)
        except Refused as exc:
            refused_message(request, exc)
        else:
            messages.success(request, _("Report approved. The grantee was told."))
        return _detail(request, report)
    if target != P.CHANGES_REQUESTED:
        return _detail(request, report)
    form = ReviewForm(request.POST, sensitive=can_see_sensitive_section(actor, report))
    if form.is_valid():
        comments = form.comments()
        try:
            report_transition(report=report, actor=actor, target=target, reason=comments.get("general", ""),
                              comments=comments)
        except Refused as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Changes requested. The grantee was told."))
            return _detail(request, report)
    return detail_response(request, report, review_form=form, status=400)


@require_POST
def report_finance(request: HttpRequest, progressreport_pk: int) -> HttpResponse:
    actor = request.actor
    report = award_selectors.access_report(actor=actor, pk=progressreport_pk)
    can_comment_report_finances(actor, report).raise_if_denied()
    try:
        report_finance_comment(report=report, actor=actor, comment=request.POST.get("comment", ""))
    except Refused as exc:
        refused_message(request, exc)
    else:
        messages.success(request, _("Finance comment saved."))
    return _detail(request, report)
