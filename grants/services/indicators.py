"""Indicators: the workspace's list (managers), its defaults for every new workspace, and the targets
set on an award.

Two tabs: every row of the indicators page carries a stamp of what the manager saw (compare-and-swap
per row), and the targets page a stamp of the award's targets as shown; a stale tab is refused, not
silently overwritten. Targets may change until the award is closed or terminated, after signature too
(a mid-term review often revises them): every change is audited with before and after, and marked when
the agreement was already signed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.audit import audit_record
from relais.errors import Refused
from relais.models import Tenant

from ..models import Award, AwardStatus, Indicator, IndicatorTarget
from ..permissions import can_manage_award
from .common import same_tenant

INDICATOR_FIELDS = ("name_fr", "name_en", "unit", "by_sex_and_age", "is_active", "order")
MAX_INDICATORS = 50
# Targets can change until then (after signature too, audited as such).
TARGETS_FROZEN = (AwardStatus.CLOSED, AwardStatus.TERMINATED)
SIGNED = (AwardStatus.SIGNED, AwardStatus.ACTIVE)

# The defaults of a new workspace (French name, English name, unit, counted by sex and age band).
DEFAULT_INDICATORS: tuple[tuple[str, str, str, bool], ...] = (
    ("Personnes touchées", "People reached", "personnes", True),
    ("Séances de dialogue ou de médiation tenues", "Dialogue or mediation sessions held",
     "séances", False),
    ("Comités communautaires actifs", "Community committees active", "comités", False),
    ("Ex-combattants ou jeunes réintégrés", "Ex-combatants or youth reintegrated", "personnes", True),
)


def _lock_tenant(tenant_id: int) -> None:
    """Serialises the writers of one workspace's indicators (two tabs adding the same new row)."""
    Tenant.objects.select_for_update().filter(pk=tenant_id).values_list("pk", flat=True).first()


def indicators_ensure_defaults(*, actor: Actor) -> int:
    """The default indicators of a workspace that has none yet (a workspace that renamed or deactivated
    them keeps its own list). Idempotent; returns how many were created."""
    with transaction.atomic():
        _lock_tenant(actor.tenant.pk)
        if Indicator.objects.filter(tenant=actor.tenant).exists():
            return 0
        Indicator.objects.bulk_create([
            Indicator(tenant=actor.tenant, name_fr=fr, name_en=en, unit=unit, by_sex_and_age=by_sex, order=index)
            for index, (fr, en, unit, by_sex) in enumerate(DEFAULT_INDICATORS, start=1)])
    return len(DEFAULT_INDICATORS)


def indicator_stamp(indicator: Indicator) -> str:
    """What a row was when the page was drawn: a short fingerprint of its fields."""
    text = "\x1f".join(str(getattr(indicator, name)) for name in INDICATOR_FIELDS)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def indicators_save(*, actor: Actor, rows: list[dict[str, Any]]) -> int:
    """Create or change the workspace's indicators: dicts with `id` (None for a new one), `stamp` (the
    row's indicator_stamp when shown) and the fields. A row changed meanwhile in another tab is refused
    (nothing saved). Returns how many indicators the workspace has."""
    if not actor.is_manager:
        raise Refused(_("Only programme managers manage indicators."), forbidden=True)
    try:
        with transaction.atomic():
            _lock_tenant(actor.tenant.pk)
            existing = {i.pk: i for i in Indicator.objects.select_for_update().filter(tenant=actor.tenant)}
            names = {i.name_fr.casefold(): i.pk for i in existing.values()}
            changed = []
            for data in rows:
                pk = data.get("id")
                indicator = existing.get(pk) if pk is not None else Indicator(tenant=actor.tenant)
                if indicator is None:
                    raise Refused(_("This belongs to another workspace."), forbidden=True)
                if pk is not None and data.get("stamp") != indicator_stamp(indicator):
                    raise Refused(_("The indicator “%(name)s” was changed meanwhile (another tab?): reload "
                                    "the page and make your change again.") % {"name": indicator.name_fr})
                before = {name: getattr(indicator, name) for name in INDICATOR_FIELDS} if pk else None
                for name in INDICATOR_FIELDS:
                    if name in data:
                        setattr(indicator, name, data[name])
                key = indicator.name_fr.strip().casefold()
                if names.get(key, indicator.pk) != indicator.pk or (pk is None and key in names):
                    raise Refused(_("Two indicators cannot have the same French name."))
                indicator.full_clean(exclude=["tenant"])
                indicator.save()
                names[key] = indicator.pk
                changed.append({"id": indicator.pk, "before": before,
                                "after": {name: getattr(indicator, name) for name in INDICATOR_FIELDS}})
            count = len({*existing, *(c["id"] for c in changed)})
            if count > MAX_INDICATORS:
                raise Refused(_("At most %(n)s rows can be saved here.") % {"n": MAX_INDICATORS})
            if changed:
                audit_record(tenant=actor.tenant, actor=actor.user, action="indicators.updated",
                             target=actor.tenant, after={"count": count, "changed": len(changed)})
    except IntegrityError as exc:  # pragma: no cover - the check above comes first
        raise Refused(_("Two indicators cannot have the same French name.")) from exc
    return count


# --- targets on an award -------------------------------------------------------------------------

def targets_stamp(targets: Iterable[IndicatorTarget]) -> str:
    text = ";".join(f"{t.indicator_id}={t.target.normalize()}" for t in sorted(targets, key=lambda t: t.indicator_id))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def indicator_targets_save(*, award: Award, actor: Actor, targets: dict[int, Decimal | None],
                           expected_stamp: str | None = None) -> list[IndicatorTarget]:
    """Set the award's targets (indicator id -> target; None or absent removes it). Managers not linked to
    the grantee; until the award is closed or terminated. `expected_stamp` (targets_stamp of the targets
    shown) refuses a stale tab."""
    same_tenant(actor, award)
    decision = can_manage_award(actor, award)
    if not decision:
        raise Refused(decision.reason, forbidden=True)
    with transaction.atomic():
        locked = Award.objects.select_for_update().get(pk=award.pk, tenant=actor.tenant)
        if locked.status in TARGETS_FROZEN:
            raise Refused(_("The award is “%(status)s”: its targets can no longer change.")
                          % {"status": locked.get_status_display()})
        current = {t.indicator_id: t for t in IndicatorTarget.objects.filter(tenant=actor.tenant, award=locked)}
        if expected_stamp is not None and expected_stamp != targets_stamp(current.values()):
            raise Refused(_("The targets were changed meanwhile (another tab?): reload the page and make your "
                            "change again."))
        indicators = {i.pk: i for i in Indicator.objects.filter(tenant=actor.tenant)}
        before = {str(pk): str(t.target) for pk, t in sorted(current.items())}
        for indicator_id, value in targets.items():
            indicator = indicators.get(indicator_id)
            if indicator is None:
                raise Refused(_("This indicator does not exist in this workspace."))
            row = current.get(indicator_id)
            if value is None:
                if row is not None:
                    row.delete()
                    del current[indicator_id]
                continue
            if not value.is_finite() or value <= 0:
                raise Refused(_("A target is a number above zero."))
            if not indicator.is_active and row is None:
                raise Refused(_("The indicator “%(name)s” is inactive: it cannot get a new target.")
                              % {"name": indicator.name})
            if row is None:
                current[indicator_id] = IndicatorTarget.objects.create(tenant=actor.tenant, award=locked,
                                                                       indicator=indicator, target=value)
            elif row.target != value:
                row.target = value
                row.save(update_fields=["target"])
        after = {str(pk): str(t.target) for pk, t in sorted(current.items())}
        if after != before:
            audit_record(tenant=actor.tenant, actor=actor.user, action="award.targets_changed", target=locked,
                         before={"targets": before},
                         after={"targets": after, "after_signature": locked.status in SIGNED})
    return sorted(current.values(), key=lambda t: (indicators[t.indicator_id].order, t.indicator_id))
