"""The workspace's training settings page (managers): the certificate threshold and whether new
sessions start protected. Two tabs never overwrite each other (409 with both sides)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from relais.concurrency import Stale, Stamp, save_versioned
from relais.errors import Refused
from relais.http import TenantRequest
from relais.models import Role
from relais.permissions import role_required

from ..forms_settings import TrainingSettingsForm, settings_initial
from ..selectors.settings import training_settings
from ..services.settings import training_settings_save


@role_required(Role.MANAGER)
def settings_page(request: TenantRequest) -> HttpResponse:
    actor = request.actor

    def current() -> tuple[int, list[Any]]:
        saved = training_settings(actor.tenant)
        return saved.version, [TrainingSettingsForm(initial=settings_initial(saved))]

    settings = training_settings(actor.tenant)
    form = TrainingSettingsForm(initial=settings_initial(settings))
    stamp, stale = Stamp.of(settings.version, [form]), None
    if request.method == "POST":
        stamp = Stamp.posted(request.POST)
        form = TrainingSettingsForm(request.POST, initial=settings_initial(settings))
        if form.is_valid():
            data = form.cleaned_data
            try:
                save_versioned(stamp=stamp, data=request.POST, posted=[form], current=current,
                               save=lambda expected: training_settings_save(
                                   actor=actor, expected_version=expected,
                                   certificate_threshold=data["certificate_threshold"],
                                   protect_new_sessions=data["protect_new_sessions"]))
            except Stale as exc:
                stale, stamp = exc, exc.stamp or stamp
                settings = training_settings(actor.tenant)
                form = TrainingSettingsForm(exc.data, initial=settings_initial(settings))
            except Refused as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Training settings saved."))
                return redirect("training:settings", tenant_slug=actor.tenant.slug)
    return render(request, "training/settings.html", {"form": form, "stamp": stamp, "stale": stale},
                  status=409 if stale else 200)
