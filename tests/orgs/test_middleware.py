"""Middleware before the tenant is resolved (docs/architecture.md): it may not store or act on
request data for anonymous users. Every anonymous POST to a workspace URL is a redirect to
login and leaves the database, the sessions and the cache as they were."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.harness import factories_by_model, model_for_kwarg, stored_state, tenant_routes

pytestmark = pytest.mark.django_db

TENANT_MIDDLEWARE = "relais.middleware.TenantMiddleware"

# Reviewed against the rule; a middleware added before TenantMiddleware must be reviewed and listed here.
REVIEWED_BEFORE_TENANT = {
    "django.middleware.security.SecurityMiddleware": "HTTPS redirect and headers",
    "whitenoise.middleware.WhiteNoiseMiddleware": "serves static files",
    "relais.middleware.RequestIdMiddleware": "a random id per request",
    "django.contrib.sessions.middleware.SessionMiddleware": "saves a session only when it holds data",
    "django.middleware.locale.LocaleMiddleware": "chooses the language",
    "django.middleware.common.CommonMiddleware": "slash redirects",
    "django.middleware.csrf.CsrfViewMiddleware": "checks the token",
    "django.contrib.auth.middleware.AuthenticationMiddleware": "reads the session's user",
    "relais.middleware.SessionRefreshMiddleware": "renews a signed-in user's session expiry; anonymous: nothing",
    "django.middleware.gzip.GZipMiddleware": "compresses the response (GZIP_HTML); stores nothing",
    "relais.middleware.PrivateCacheMiddleware": "adds Cache-Control: private, no-store to signed-in users' responses",
    "django.contrib.messages.middleware.MessageMiddleware": "messages of the view",
    "django.middleware.clickjacking.XFrameOptionsMiddleware": "header",
    "allauth.account.middleware.AccountMiddleware": "allauth's login stages",
    "csp.middleware.CSPMiddleware": "header",
    "relais.drafts.DraftRescueMiddleware": "keeps text only for a recent user who may edit (relais.drafts)",
}


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "middleware-rule-tests"}}
    cache.clear()
    yield
    cache.clear()


def test_every_middleware_before_the_tenant_is_reviewed():
    before_tenant = settings.MIDDLEWARE[:settings.MIDDLEWARE.index(TENANT_MIDDLEWARE)]
    assert [name for name in before_tenant if name not in REVIEWED_BEFORE_TENANT] == []


def test_anonymous_posts_to_every_workspace_url_store_nothing(world_a):
    registry = factories_by_model()
    urls = []
    for route in tenant_routes():
        kwargs = {"tenant_slug": world_a.tenant.slug}
        for kwarg in route.object_kwargs:
            kwargs[kwarg] = registry[model_for_kwarg(kwarg)](tenant=world_a.tenant).pk
        if set(kwargs) == set(route.kwargs):
            urls.append(reverse(route.name, kwargs=kwargs))
    assert len(urls) >= 20
    client = Client()
    before = stored_state()
    for url in urls:
        response = client.post(url, {"s-context": "x" * 100_000, "name": "y", "reason": "z"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert stored_state() == before
