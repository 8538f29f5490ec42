"""Readers for learning: the scores grid, certificate rows and the public verification."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from django.shortcuts import get_object_or_404

from relais.actor import Actor

from ..learning import Eligibility, certificate_eligibility
from ..models import Attendance, Certificate, Registration, SessionStatus, TrainingSession
from .sessions import registrations_of
from .settings import certificate_threshold


@dataclass(frozen=True)
class LearningRow:
    registration: Registration
    label: str
    eligibility: Eligibility
    certificate: Certificate | None
    # score field -> what was typed when it is not a whole number: a refused save shows it again, marked
    bad_cells: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def learning_rows(*, session: TrainingSession, actor: Actor, threshold: int | None = None) -> list[LearningRow]:
    """One row per registration with its attendance count and certificate: three queries whatever the size.
    Eligibility uses `threshold` (read once per page by the caller), or the workspace's when not given."""
    if threshold is None:
        threshold = certificate_threshold(session.tenant)
    registrations = list(registrations_of(session=session, actor=actor))
    statuses: dict[int, list[str]] = {}
    for reg_id, status in Attendance.objects.filter(  # only the session's days (marks outside are kept, not counted)
            tenant=session.tenant_id, registration__session=session,
            day__range=(session.start_date, session.end_date)).values_list("registration_id", "status"):
        statuses.setdefault(reg_id, []).append(status)
    certificates = {c.registration_id: c for c in Certificate.objects.filter(
        tenant=session.tenant_id, registration__session=session)}
    days = len(session.days)
    return [LearningRow(reg, f"{reg.participant.code} · {reg.participant.full_name}" if session.protected
                        else reg.participant.full_name,
                        certificate_eligibility(statuses.get(reg.pk, []), days=days, threshold=threshold),
                        certificates.get(reg.pk))
            for reg in registrations]


def access_registration(*, session: TrainingSession, actor: Actor, pk: int) -> Registration:
    """A registration of a session the actor already reached through access_session."""
    return get_object_or_404(registrations_of(session=session, actor=actor), pk=pk)


def access_certificate(*, registration: Registration) -> Certificate:
    return get_object_or_404(Certificate.objects.filter(tenant=registration.tenant_id, registration=registration))


@dataclass(frozen=True)
class Verification:
    session_title: str
    start_date: object
    end_date: object


def verify_certificate(code: str) -> Verification | None:
    """Public, anonymous: only the session's title and dates for a known code; None otherwise.
    Across every workspace (the code is globally unique) and without telling which workspace."""
    if not code or len(code) > 40:
        return None
    # A cancelled session's certificates no longer certify anything: "invalid", like an unknown code.
    row = (Certificate.objects.filter(code=code).exclude(registration__session__status=SessionStatus.CANCELLED)
           .values_list("registration__session__title", "registration__session__start_date",
                        "registration__session__end_date").first())
    if row is None:
        return None
    return Verification(*row)
