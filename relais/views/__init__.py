from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403 that tells the person why, in their language."""
    reason = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def error_text(exc: Exception) -> str:
    """The readable text of a service's ValidationError or PermissionDenied, for a message."""
    from django.core.exceptions import ValidationError

    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
