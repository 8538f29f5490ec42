"""The workspace's grant settings page (managers) and its logo, shown back through a private download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from relais.concurrency import Stale, Stamp, save_versioned
from relais.downloads import private_file_response
from relais.errors import Refused
from relais.models import Role
from relais.permissions import role_required

from ..forms_terms import GrantSettingsForm, settings_initial
from ..selectors.award_terms import grant_settings_for_edit
from ..services.grant_settings import grant_settings_save


@role_required(Role.MANAGER)
def grant_settings(request: HttpRequest) -> HttpResponse:
    actor = request.actor

    def current() -> tuple[int, list[Any]]:
        saved = grant_settings_for_edit(actor=actor)
        return saved.version, [GrantSettingsForm(initial=settings_initial(saved), has_logo=bool(saved.logo))]

    settings = grant_settings_for_edit(actor=actor)
    form = GrantSettingsForm(initial=settings_initial(settings), has_logo=bool(settings.logo))
    stamp, stale = Stamp.of(settings.version, [form]), None
    if request.method == "POST":
        stamp = Stamp.posted(request.POST)
        form = GrantSettingsForm(request.POST, request.FILES, initial=settings_initial(settings),
                                 has_logo=bool(settings.logo))
        if form.is_valid():
            data = form.cleaned_data
            try:
                save_versioned(stamp=stamp, data=request.POST, posted=[form], current=current,
                               save=lambda expected: grant_settings_save(
                                   actor=actor, expected_version=expected, tranche_plan=data["tranche_plan"],
                                   approval_thresholds=form.thresholds(), clauses_fr=data["clauses_fr"],
                                   clauses_en=data["clauses_en"], logo=data.get("logo") or None,
                                   remove_logo=form.logo_removed(), reminder_days=data["reminder_days"],
                                   variance_threshold=data["variance_threshold"]))
            except Stale as exc:
                stale, stamp = exc, exc.stamp or stamp
                settings = grant_settings_for_edit(actor=actor)
                form = GrantSettingsForm(exc.data, initial=settings_initial(settings), has_logo=bool(settings.logo))
            except Refused as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Grant settings saved."))
                return redirect("grants:grant_settings", tenant_slug=actor.tenant.slug)
    return render(request, "grants/grant_settings.html", {
        "form": form, "stamp": stamp, "stale": stale, "settings": settings,
    }, status=409 if stale else 200)


@role_required(Role.MANAGER)
def grant_settings_logo(request: HttpRequest) -> HttpResponseBase:
    """The logo, for the settings page's preview: private, never cached, never sniffed."""
    settings = grant_settings_for_edit(actor=request.actor)
    if not settings.logo:
        return HttpResponseNotFound(b"", content_type="text/plain")
    try:
        handle = settings.logo.open("rb")
    except FileNotFoundError:
        return HttpResponseNotFound(b"", content_type="text/plain")
    content_type = "image/png" if settings.logo.name.lower().endswith(".png") else "image/jpeg"
    return private_file_response(handle, filename=settings.logo.name.rsplit("/", 1)[-1], content_type=content_type,
                                 as_attachment=False)
