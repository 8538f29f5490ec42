"""The one exception a service raises when it refuses an action, and the one way views show it.

A service that says no (wrong role, wrong state, missing requirement, invalid
data) raises `Refused` with messages a person can read. Views call
`refused_message(request, exc)` and redirect or re-render; nothing else
catches service errors.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


class Refused(ValidationError):
    """A service refused an action; `messages` say why, in the reader's language.

    It is a ValidationError so that forms can add it with `form.add_error(None, exc)`.
    `forbidden` marks a refusal for lack of right (role, ownership) rather than state.
    """

    def __init__(self, message: str | Iterable[str] | ValidationError, *, forbidden: bool = False,
                 code: str | None = None) -> None:
        if isinstance(message, (list, tuple)):
            message = [str(m) for m in message]
        elif not isinstance(message, ValidationError):
            message = str(message)
        super().__init__(message, code=code)
        self.forbidden = forbidden


def refused(exc: ValidationError) -> Refused:
    """Wrap a model or form ValidationError raised inside a service as a refusal."""
    return exc if isinstance(exc, Refused) else Refused(exc)


def refusal_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def refused_message(request: HttpRequest, exc: ValidationError) -> None:
    """Show a refusal as an error message on the next page."""
    messages.error(request, refusal_text(exc))
