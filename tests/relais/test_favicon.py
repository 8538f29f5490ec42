"""/favicon.ico answers with a small icon (browsers ask on every page), and pages link the SVG one."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.utils.cache import get_max_age

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_a_small_cached_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # ICO header: reserved 0, type 1 (icon)
    assert len(response.content) < 4096
    assert "public" in response["Cache-Control"]
    assert get_max_age(response) >= 7 * 24 * 3600


def test_favicon_refuses_writes(client):
    assert client.post("/favicon.ico").status_code == 405


def test_pages_link_an_icon_that_exists(client):
    html = client.get("/accounts/login/").content.decode()
    match = re.search(r'<link rel="icon" href="/static/([^"]+)"', html)
    assert match, "base.html has no <link rel=\"icon\">"
    assert finders.find(match.group(1))
