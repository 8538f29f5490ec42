"""System checks for deployment settings that Django's own `check --deploy` does not know about."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_client_address_behind_proxy(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[Warning]:
    """Behind a TLS proxy without a trusted client address, login limits count everyone as the proxy."""
    if not getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return []
    trusted_hops = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    if trusted_hops or getattr(settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None):
        return []
    return [Warning(
        "Behind a reverse proxy (BEHIND_TLS_PROXY) but no client address is trusted: every visitor has the "
        "proxy's address, so a few wrong passwords block logins for everyone.",
        hint="Set ALLAUTH_TRUSTED_PROXY_COUNT to the number of proxies you run (1 for one nginx or caddy), "
             "or ALLAUTH_TRUSTED_CLIENT_IP_HEADER to a header your proxy always overwrites.",
        id="relais.W001",
    )]
