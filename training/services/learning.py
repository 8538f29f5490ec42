"""Writers for learning: test scores and evaluations (one grid submit), and certificates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.audit import audit_record
from relais.concurrency import claim_version
from relais.errors import Refused
from relais.permissions import require

from ..learning import certificate_eligibility
from ..models import Attendance, Certificate, Registration, SessionStatus, TrainingSession
from ..permissions import can_manage_session, certificates_issuable
from ..selectors.settings import certificate_threshold
from .reach import reach_changed

LEARNING_FIELDS = ("pre_score", "post_score", "satisfaction", "evaluation_comment")
LIMITS = {"pre_score": (0, 100), "post_score": (0, 100), "satisfaction": (1, 5)}


@transaction.atomic
def learning_save(*, session: TrainingSession, actor: Actor, rows: Mapping[int, Mapping[str, Any]],
                  expected_version: int | None = None) -> int:
    """Write every row of the scores grid at once (registration id -> the four fields).

    Like the attendance grid, the page posts the session's version: an older tab is refused (`Stale`).
    Returns the number of registrations that changed."""
    require(can_manage_session(actor, session))
    if session.status == SessionStatus.CANCELLED:
        raise Refused(_("A cancelled session has no scores."))
    claim_version(session, expected=expected_version)
    existing = {r.pk: r for r in Registration.objects.filter(tenant=actor.tenant, session=session)}
    changed: list[Registration] = []
    for reg_id, values in rows.items():
        registration = existing.get(reg_id)
        if registration is None:
            raise Refused(_("The scores sheet does not match this session; reload the page."))
        dirty = False
        for name in LEARNING_FIELDS:
            if name not in values:
                continue
            value = values[name]
            if name in LIMITS and value is not None:
                low, high = LIMITS[name]
                if not isinstance(value, int) or not low <= value <= high:
                    raise Refused(_("A score of %(value)s is not between %(low)s and %(high)s.") % {
                        "value": value, "low": low, "high": high})
            if name == "evaluation_comment":
                value = str(value or "").strip()[:2000]
            if getattr(registration, name) != value:
                setattr(registration, name, value)
                dirty = True
        if dirty:
            changed.append(registration)
    Registration.objects.bulk_update(changed, list(LEARNING_FIELDS))
    if changed:
        audit_record(tenant=actor.tenant, actor=actor.user, action="training_session.scores_saved", target=session,
                     after={"rows": len(changed)})
        reach_changed(tenant_id=actor.tenant.pk)
    return len(changed)


@transaction.atomic
def certificate_issue(*, registration: Registration, actor: Actor) -> Certificate:
    """Issue (once) the certificate of a participant who attended at least the workspace's threshold of the
    session's days (training settings, 80 % by default), once the session is held or closed; refused with
    the reason. The session row is locked so that its status and dates cannot move meanwhile."""
    require(can_manage_session(actor, registration.session))
    session = TrainingSession.objects.select_for_update().get(pk=registration.session_id, tenant=actor.tenant)
    issuable = certificates_issuable(session)
    if not issuable:
        raise Refused(issuable.reason)
    locked = Registration.objects.select_for_update().get(pk=registration.pk, tenant=actor.tenant)
    existing = Certificate.objects.filter(tenant=actor.tenant, registration=locked).first()
    if existing is not None:
        return existing
    # Only the session's days count: marks left outside them when the dates were shortened are kept
    # (extending the dates again brings them back) but prove nothing.
    statuses = list(Attendance.objects.filter(tenant=actor.tenant, registration=locked,
                                              day__range=(session.start_date, session.end_date))
                    .values_list("status", flat=True))
    eligibility = certificate_eligibility(statuses, days=len(session.days),
                                          threshold=certificate_threshold(actor.tenant))
    if not eligibility.allowed:
        raise Refused(eligibility.reason)
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(tenant=actor.tenant, registration=locked, issued_by=actor.user)
    except IntegrityError:  # the random code collided (practically never): one more draw
        certificate = Certificate.objects.create(tenant=actor.tenant, registration=locked, issued_by=actor.user)
    audit_record(tenant=actor.tenant, actor=actor.user, action="training_session.certificate_issued",
                 target=session, after={"participant": locked.participant.code, "days": eligibility.attended})
    reach_changed(tenant_id=actor.tenant.pk)
    return certificate
