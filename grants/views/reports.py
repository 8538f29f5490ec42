"""Progress report pages: a report as its readers may see it (the sensitive section only for the
workspace's managers and the grantee)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from relais.selectors import audit_timeline

from ..models import NARRATIVE_SECTIONS, ProgressReport
from ..permissions import can_see_sensitive_section
from ..selectors import awards as award_selectors


def report_detail(request: HttpRequest, progressreport_pk: int) -> HttpResponse:
    actor = request.actor
    report = award_selectors.access_report(actor=actor, pk=progressreport_pk)
    sections = [(name, ProgressReport._meta.get_field(name).verbose_name, getattr(report, name))
                for name in NARRATIVE_SECTIONS]
    return render(request, "grants/report_detail.html", {
        "report": report, "award": report.award, "sections": sections,
        "timing": report.timing(timezone.localdate()),
        "sensitive": report.safety_incidents if can_see_sensitive_section(actor, report) else None,
        "timeline": audit_timeline(actor=actor, target=report)[:50],
    })
