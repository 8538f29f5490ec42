"""Learning: the scores and evaluations grid (one submit), certificates, and the public
verification page. Thin: resolve through an access function, read the POST, call one service."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from relais.concurrency import Stale, page_version
from relais.downloads import private_bytes_response
from relais.errors import Refused, refused_message
from relais.http import TenantRequest
from relais.models import Role
from relais.permissions import role_required

from .. import selectors
from ..documents import certificate_pdf
from ..learning import summarise
from ..permissions import can_manage_session, certificates_issuable
from ..selectors import learning as learning_selectors
from ..selectors.settings import certificate_threshold
from ..services import learning as services

STAFF = (Role.MANAGER, Role.TRAINER)
SCORE_FIELDS = ("pre_score", "post_score", "satisfaction")


def _posted_rows(data: Any, registrations: set[int]) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, str]]]:
    """`<field>-<registration id>` inputs; a blank score clears it. Returns the rows read and, apart,
    what was typed in the cells that are not whole numbers (registration id -> field -> text)."""
    rows: dict[int, dict[str, Any]] = {}
    bad: dict[int, dict[str, str]] = {}
    for reg_id in registrations:
        values: dict[str, Any] = {}
        for name in SCORE_FIELDS:
            key = f"{name}-{reg_id}"
            if key not in data:
                continue
            raw = data.get(key, "").strip()
            if raw and not (raw.isascii() and raw.isdigit()):  # "²".isdigit() is True but int("²") raises
                bad.setdefault(reg_id, {})[name] = raw[:20]
            else:
                values[name] = int(raw) if raw else None
        if f"evaluation_comment-{reg_id}" in data:
            values["evaluation_comment"] = data.get(f"evaluation_comment-{reg_id}", "")
        if values:
            rows[reg_id] = values
    return rows, bad


@role_required(*STAFF)
def scores_grid(request: TenantRequest, training_session_pk: int) -> HttpResponse:
    """Pre/post-test scores and evaluations of the whole session; a stale tab is refused (409)."""
    actor = request.actor
    session = selectors.access_session(actor=actor, pk=training_session_pk)
    can_manage_session(actor, session).raise_if_denied()
    threshold = certificate_threshold(actor.tenant)  # once per page, not per row
    rows = learning_selectors.learning_rows(session=session, actor=actor, threshold=threshold)
    status, stale, version = 200, False, session.version  # read before the rows, which show it
    posted: dict[int, dict[str, Any]] = {}
    bad: dict[int, dict[str, str]] = {}
    if request.method == "POST":
        posted, bad = _posted_rows(request.POST, {row.registration.pk for row in rows})
        try:
            expected = page_version(request.POST.get("version"))
            if bad:  # nothing is saved while a cell is not a number; the page keeps the version it was loaded from
                first = next(iter(next(iter(bad.values())).values()))
                messages.error(request, _("“%(value)s” is not a whole number.") % {"value": first})
                status, version = 400, expected
            else:
                services.learning_save(session=session, actor=actor, rows=posted, expected_version=expected)
                messages.success(request, _("Scores and evaluations saved."))
                return redirect(request.path)
        except Stale:  # the scores saved now with the typed ones over them: saving again after checking succeeds
            stale, status = True, 409
        except Refused as exc:
            refused_message(request, exc)
            status, version = 400, expected
    for row in rows:  # on a refusal, show what was typed rather than losing it
        for name, value in posted.get(row.registration.pk, {}).items():
            setattr(row.registration, name, value)
    if bad:  # cells that are not numbers are shown as typed, marked; the model keeps its number (and gain)
        rows = [replace(row, bad_cells=bad.get(row.registration.pk, {})) for row in rows]
    return render(request, "training/scores_grid.html", {
        "session": session, "rows": rows, "version": version, "stale": stale,
        "summary": summarise(r.registration for r in rows), "threshold": threshold,
        "can_edit_settings": actor.is_manager, "issuable": certificates_issuable(session),
    }, status=status)


@require_POST
@role_required(*STAFF)
def certificate_issue(request: TenantRequest, training_session_pk: int, registration_pk: int) -> HttpResponse:
    actor = request.actor
    session = selectors.access_session(actor=actor, pk=training_session_pk)
    can_manage_session(actor, session).raise_if_denied()
    registration = learning_selectors.access_registration(session=session, actor=actor, pk=registration_pk)
    try:
        services.certificate_issue(registration=registration, actor=actor)
    except Refused as exc:
        refused_message(request, exc)
    else:
        messages.success(request, _("Certificate issued."))
    return redirect("training:scores_grid", tenant_slug=actor.tenant.slug, training_session_pk=session.pk)


@role_required(*STAFF)
def certificate_download(request: TenantRequest, training_session_pk: int, registration_pk: int) -> HttpResponse:
    actor = request.actor
    session = selectors.access_session(actor=actor, pk=training_session_pk)
    can_manage_session(actor, session).raise_if_denied()
    registration = learning_selectors.access_registration(session=session, actor=actor, pk=registration_pk)
    certificate = learning_selectors.access_certificate(registration=registration)
    registration.session = session  # the trainers are prefetched on it
    certificate.registration = registration
    url = request.build_absolute_uri(reverse("certificate_verify", kwargs={"code": certificate.code}))
    return private_bytes_response(certificate_pdf(certificate=certificate, verify_url=url),
                                  filename=f"certificate-{registration.participant.code}.pdf",
                                  content_type="application/pdf")


@require_safe
@never_cache
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public and anonymous, outside any workspace: valid (with the session's title and dates) or
    not. No name, no organisation, no workspace; unknown codes answer 404 with the same page."""
    found = learning_selectors.verify_certificate(code)
    return render(request, "training/certificate_verify.html", {"found": found},
                  status=200 if found else 404)
