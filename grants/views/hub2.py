"""HUB2 pages: the workspace's settings (managers and finance) and the webhook HUB2 posts to.

The webhook lives outside the workspace prefix (``/webhooks/hub2/<slug>/``, config/urls.py): HUB2 has
no session, so TenantMiddleware must not send it to the login page. It is CSRF-exempt and checks the
signature before anything is read or stored (docs/architecture.md, "Middleware before the tenant is
resolved": an anonymous request stores nothing unless it proves who sent it)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from relais.concurrency import Stale
from relais.errors import Refused
from relais.models import Role
from relais.permissions import role_required

from ..hub2_forms import Hub2SettingsForm
from ..selectors.hub2 import hub2_settings_for
from ..services.hub2 import MAX_WEBHOOK_BYTES, hub2_settings_update, hub2_webhook_receive


def _initial(row) -> dict:
    return {"version": row.version if row.pk else None, "enabled": row.hub2_enabled,
            "environment": row.hub2_environment, "merchant_id": row.hub2_merchant_id}


@role_required(Role.MANAGER, Role.FINANCE)
def hub2_settings(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    row = hub2_settings_for(actor=actor)
    form = Hub2SettingsForm(request.POST or None, initial=_initial(row))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hub2_settings_update(
                actor=actor, expected_version=data["version"] if row.pk else None, enabled=data["enabled"],
                environment=data["environment"], merchant_id=data["merchant_id"], api_key=data["api_key"],
                webhook_secret=data["webhook_secret"], forget_previous_secret=data["forget_previous_secret"])
        except Stale:
            row = hub2_settings_for(actor=actor)
            saved = {key: value for key, value in _initial(row).items() if value not in (None, False)}
            form = Hub2SettingsForm(saved)  # bound to what is saved now, with its version
            form.is_valid()
            form.add_error(None, _("Someone saved these settings meanwhile: here they are as saved now. Enter your "
                                   "changes again (secrets you typed were not kept)."))
        except Refused as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("HUB2 settings saved."))
            return redirect("grants:hub2_settings", tenant_slug=actor.tenant.slug)
    webhook_url = request.build_absolute_uri(reverse("hub2_webhook", kwargs={"workspace": actor.tenant.slug}))
    return render(request, "grants/hub2/settings.html", {
        "form": form, "webhook_url": webhook_url,
        "has_api_key": bool(row.hub2_api_key), "has_secret": bool(row.hub2_webhook_secret),
        "has_previous_secret": bool(row.hub2_webhook_secret_previous),
    })


@csrf_exempt
@require_POST
def hub2_webhook(request: HttpRequest, workspace: str) -> HttpResponse:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_WEBHOOK_BYTES + 1
    if length > MAX_WEBHOOK_BYTES:
        return HttpResponse(status=400)
    status = hub2_webhook_receive(workspace_slug=workspace, body=request.body,
                                  signature=request.headers.get("Hub2-Signature", ""))
    return HttpResponse(status=status)
