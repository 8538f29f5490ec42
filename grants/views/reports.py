"""Progress report pages: a report as its readers may see it (the sensitive section only for the
workspace's managers and the grantee), with the manager's review and finance's comment."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from relais.demographics import AgeBand
from relais.selectors import audit_timeline

from ..models import NARRATIVE_SECTIONS, ProgressReport, ReportStatus
from ..permissions import can_edit_report, can_review_report, can_see_sensitive_section
from ..report_forms import FinanceCommentForm, ReviewForm, section_label
from ..selectors import awards as award_selectors
from ..selectors import reports as report_selectors
from ..services.report_review import can_comment_report_finances


def report_detail(request: HttpRequest, progressreport_pk: int) -> HttpResponse:
    report = award_selectors.access_report(actor=request.actor, pk=progressreport_pk)
    return detail_response(request, report)


def detail_response(request: HttpRequest, report: ProgressReport, *, review_form: ReviewForm | None = None,
                    status: int = 200) -> HttpResponse:
    actor = request.actor
    sensitive = can_see_sensitive_section(actor, report)
    comments = report.review_comments or {}
    review = can_review_report(actor, report)
    if review_form is None and review and report.status == ReportStatus.SUBMITTED:
        review_form = ReviewForm(sensitive=sensitive)

    def comment_field(name: str):
        return review_form[f"c_{name}"] if review_form is not None and f"c_{name}" in review_form.fields else None

    indicators = report_selectors.report_indicators(report=report)
    lines = report_selectors.report_expenses(report=report)
    versions = report_selectors.report_versions(report=report)
    changes = (report_selectors.version_changes(versions[-2].snapshot, versions[-1].snapshot, sensitive=sensitive,
                                                indicators=indicators, lines=lines) if len(versions) > 1 else None)
    finance = can_comment_report_finances(actor, report)
    return render(request, "grants/report_detail.html", {
        "report": report, "award": report.award,
        "sections": [(name, section_label(name), getattr(report, name), comments.get(name, ""), comment_field(name))
                     for name in NARRATIVE_SECTIONS],
        "timing": report.timing(timezone.localdate()),
        "sensitive": report.safety_incidents if sensitive else None,
        "sensitive_comment": comments.get("safety_incidents", "") if sensitive else "",
        "sensitive_field": comment_field("safety_incidents"),
        "parts": {name: (comments.get(name, ""), comment_field(name)) for name in ("indicators", "expenses",
                                                                                   "attachments")},
        "general_comment": comments.get("general", ""),
        "indicators": indicators, "lines": lines, "age_bands": AgeBand.choices,
        "attachments": report_selectors.report_attachments(report=report),
        "versions": versions, "changes": changes,
        "review_form": review_form, "review_conflict": "" if review or not actor.is_manager else review.reason,
        "finance_form": FinanceCommentForm(initial={"comment": report.finance_comment}) if finance else None,
        "can_edit": bool(can_edit_report(actor, report)),
        "timeline": audit_timeline(actor=actor, target=report)[:50],
    }, status=status)
