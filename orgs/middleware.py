"""Resolve the tenant and the membership once per request, from the URL.

Views under /<tenant_slug>/ never see the slug: they read request.tenant and
request.membership. A visitor who is not an active member gets 404, the same
answer as for a tenant that does not exist, so tenant names do not leak.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .models import Membership
from .models.tenancy import MFA_ROLES


def user_has_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        request.membership = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.pop("tenant_slug", None)
        if slug is None:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = (
            Membership.objects.select_related("tenant", "organisation")
            .filter(tenant__slug=slug, tenant__is_active=True, user=request.user, is_active=True)
            .first()
        )
        if membership is None:
            raise Http404(_("Workspace not found."))
        request.tenant = membership.tenant
        request.membership = membership
        if (
            membership.tenant.require_mfa_for_staff
            and membership.role in MFA_ROLES
            and not user_has_mfa(request.user)
        ):
            messages.warning(
                request,
                _("This workspace requires two-factor authentication for your role. Set it up to continue."),
            )
            return redirect("mfa_activate_totp")
        return None
