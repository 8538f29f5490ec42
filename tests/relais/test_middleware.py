"""Responses to a signed-in person are never stored by a cache; public pages and static files still are."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client, RequestFactory

from relais.middleware import PrivateCacheMiddleware
from relais.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["", "organisations/", "calls/", "applications/"])
def test_authenticated_pages_are_private_and_not_stored(world_a, path):
    role = Role.MANAGER if path == "organisations/" else Role.APPLICANT
    response = world_a.client_for(role).get(world_a.url(path))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_an_authenticated_refusal_is_not_stored_either(world_a):
    response = world_a.client_for(Role.APPLICANT).get(world_a.url("organisations/"))
    assert response.status_code == 403
    assert response["Cache-Control"] == "private, no-store"


def test_the_public_landing_page_is_not_forced_to_no_store(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_static_files_keep_their_long_cache_for_signed_in_users(world_a, settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_MAX_AGE = 31536000
    client = Client()  # a fresh handler builds whitenoise with the settings above
    client.force_login(world_a.user(Role.MANAGER))
    response = client.get("/static/relais/relais.css")
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"] and "max-age=31536000" in response["Cache-Control"]
    response.close()


def test_a_view_that_sets_its_own_cache_control_keeps_it(world_a):
    def view(request):
        response = HttpResponse("ok")
        response["Cache-Control"] = "private, max-age=60"
        return response

    request = RequestFactory().get("/")
    request.user = world_a.user(Role.MANAGER)
    assert PrivateCacheMiddleware(view)(request)["Cache-Control"] == "private, max-age=60"
    request.user = AnonymousUser()
    assert not PrivateCacheMiddleware(lambda r: HttpResponse("ok"))(request).has_header("Cache-Control")
