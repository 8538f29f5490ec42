from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError


def error_text(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)
