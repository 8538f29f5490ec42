"""Confirmation before a destructive or final action, on a page that works without JavaScript.

A record page links to the action's URL (GET, or a POST without the confirmation field): the
view answers with `confirmation_response(...)`, the page that says what will happen, to which
record, whether it can be undone, asks for the reason where the step takes one, and offers a red
button and a link back. Only its POST, which carries `CONFIRM_FIELD`, returns None: the view then
calls its service. A stray, replayed or double-tapped POST without the field never acts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

CONFIRM_FIELD = "confirmed"
CONFIRM_VALUE = "yes"
CHECK_FIELD = "checked"
REASON_MAX_LENGTH = 5000

NO_REASON, REASON_OPTIONAL, REASON_REQUIRED = "", "optional", "required"


@dataclass(frozen=True)
class Confirmation:
    title: str  # the question: "Withdraw this application?"
    subject: str  # the record, as its reader knows it
    consequence: str  # what will happen
    button: str  # the red button: "Withdraw the application"
    cancel_url: str  # back to the record
    final: bool = True  # says that it cannot be undone
    reason: str = NO_REASON  # NO_REASON, REASON_OPTIONAL or REASON_REQUIRED
    reason_label: str = ""
    reason_help: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)  # hidden values posted with the confirmation
    # A statement the person must tick before the button acts ("I checked the Stripe dashboard…"); none if blank.
    check: str = ""


def is_confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def confirmed_reason(request: HttpRequest) -> str:
    return (request.POST.get("reason") or "").strip() if request.method == "POST" else ""


def _problems(request: HttpRequest, confirmation: Confirmation) -> list[str]:
    reason = confirmed_reason(request)
    problems = []
    if confirmation.reason == REASON_REQUIRED and not reason:
        problems.append(_("Give the reason before confirming."))
    elif len(reason) > REASON_MAX_LENGTH:
        problems.append(_("The reason is too long (at most %(n)s characters).") % {"n": REASON_MAX_LENGTH})
    if confirmation.check and request.POST.get(CHECK_FIELD) != CONFIRM_VALUE:
        problems.append(_("Tick the box to say you checked before confirming."))
    return problems


def confirmation_response(request: HttpRequest, confirmation: Confirmation) -> HttpResponse | None:
    """The confirmation page, or None when this request is its confirmed POST with what it needs (then act)."""
    errors: list[str] = []
    if is_confirmed(request):
        errors = _problems(request, confirmation)
        if not errors:
            return None
    context: dict[str, Any] = {
        "confirmation": confirmation, "errors": errors, "reason": request.POST.get("reason", "")
        if request.method == "POST" else "", "confirm_field": CONFIRM_FIELD, "confirm_value": CONFIRM_VALUE,
        "reason_max_length": REASON_MAX_LENGTH, "check_field": CHECK_FIELD,
        "checked": request.method == "POST" and request.POST.get(CHECK_FIELD) == CONFIRM_VALUE,
    }
    return render(request, "relais/confirm.html", context)
