"""Writers for calls: status changes from the table, automatic closing at the deadline."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.audit import audit_record
from relais.models import Membership, Role, User

from ..models import Call, CallStatus
from ..workflow import SYSTEM, call_transition_for


def call_transition(*, call: Call, target: str, actor: User | None, membership: Membership | None) -> Call:
    """Move a call along CALL_TRANSITIONS (membership=None: the deadline task)."""
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk, tenant_id=call.tenant_id)
        transition = call_transition_for(locked.status, target)
        if transition is None:
            raise ValidationError(_("A call that is “%(source)s” cannot become “%(target)s”.") % {
                "source": locked.get_status_display(),
                "target": CallStatus(target).label if target in CallStatus.values else target})
        role = SYSTEM if membership is None else membership.role
        if role not in transition.roles or (membership and membership.tenant_id != locked.tenant_id):
            raise ValidationError(_("Your role does not allow this step (%(step)s).") % {"step": transition.label})
        ctx = {"system": membership is None}
        problems = [m for requirement in transition.requires for m in requirement(locked, ctx)]
        if problems:
            raise ValidationError(problems)
        before = locked.status
        locked.status = target
        locked.save(update_fields=["status"])
        audit_record(tenant=locked.tenant, actor=actor, action=f"call.{transition.action}", target=locked,
                     before={"status": before}, after={"status": target})
    return locked


def close_due_calls() -> int:
    """Close every open call whose closing time has passed. Returns how many were closed."""
    closed = 0
    for call in Call.objects.filter(status=CallStatus.OPEN, closes_at__lte=timezone.now()):
        call_transition(call=call, target=CallStatus.CLOSED, actor=None, membership=None)
        closed += 1
    return closed


def call_save(*, call: Call, actor: User, membership: Membership, form) -> Call:
    if membership.role != Role.MANAGER:
        raise ValidationError(_("Only programme managers edit calls."))
    with transaction.atomic():
        created = call.pk is None
        call.tenant = membership.tenant
        saved = form.save()
        audit_record(tenant=membership.tenant, actor=actor, action="call.created" if created else "call.updated",
                     target=saved, after={"title": saved.title_fr})
    return saved
