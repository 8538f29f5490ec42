"""Stripe pages: the workspace's Stripe settings (finance, managers) and Stripe's webhook.

The webhook lives outside the workspace prefix (config/urls.py, `/webhooks/stripe/<workspace_slug>/`):
Stripe has no session, and TenantMiddleware sends anonymous visitors of `<tenant_slug>` URLs to the login
page. Its kwarg is not `tenant_slug`, so the middleware leaves it alone; the service checks the signature
before it stores anything (docs/architecture.md, "Middleware before the tenant is resolved").
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from relais.concurrency import Stale, Stamp, save_versioned
from relais.errors import Refused
from relais.links import absolute_url

from ..forms import StripeSettingsForm
from ..permissions import can_configure_stripe
from ..services.stripe import stripe_settings_update, stripe_webhook_receive
from ..stripe_rail import stripe_config, stripe_settings_version


def _initial(tenant) -> dict[str, bool]:
    return {"stripe_enabled": stripe_config(tenant).enabled}


@sensitive_post_parameters("secret_key", "webhook_secret")  # never in an error report
def stripe_settings(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    can_configure_stripe(actor).raise_if_denied()
    tenant = actor.tenant

    def current() -> tuple[int, list[StripeSettingsForm]]:
        return stripe_settings_version(tenant), [StripeSettingsForm(initial=_initial(tenant))]

    form = StripeSettingsForm(request.POST or None, initial=_initial(tenant))
    stamp = Stamp.posted(request.POST) if request.method == "POST" else Stamp.of(stripe_settings_version(tenant),
                                                                                 [form])
    stale = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            save_versioned(stamp=stamp, data=request.POST, posted=[form], current=current,
                           save=lambda expected: stripe_settings_update(
                               actor=actor, enabled=data["stripe_enabled"], secret_key=data["secret_key"],
                               webhook_secret=data["webhook_secret"], clear_secret_key=data["clear_secret_key"],
                               clear_webhook_secret=data["clear_webhook_secret"], expected_version=expected))
        except Stale as exc:
            stale, stamp = exc, exc.stamp or stamp
            form = StripeSettingsForm(exc.data, initial=_initial(tenant))
        except Refused as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Stripe settings saved."))
            return redirect("grants:stripe_settings", tenant_slug=tenant.slug)
    return render(request, "grants/stripe_settings.html", {
        "form": form, "stamp": stamp, "stale": stale, "keys": stripe_config(tenant).shown(),
        "webhook_url": absolute_url(reverse("stripe_webhook", kwargs={"workspace_slug": tenant.slug})),
    }, status=409 if stale else 200)


@csrf_exempt  # Stripe signs the request instead (checked by the service before anything is stored)
@require_POST
def stripe_webhook(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    answer = stripe_webhook_receive(tenant_slug=workspace_slug, payload=request.body,
                                    signature=request.headers.get("Stripe-Signature", ""))
    return HttpResponse(answer.detail, status=answer.status, content_type="text/plain; charset=utf-8")
