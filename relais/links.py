"""Absolute links for e-mails and PDFs, from RELAIS_BASE_URL."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    return settings.RELAIS_BASE_URL.rstrip("/") + path
