"""Sanctions lists and screenings: import, screen, decide. Every change is audited.

Services take the actor (relais.actor.Actor) and raise relais.errors.Refused when they say no.
"""

from __future__ import annotations

import copy
import hashlib
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import (
    Organisation,
    OrganisationStatus,
    SanctionsEntry,
    SanctionsListVersion,
    SanctionsSource,
    SanctionsSourceFormat,
    Screening,
    ScreeningCandidate,
    ScreeningDecision,
    ScreeningState,
)
from orgs.permissions.due_diligence import can_run_screening
from orgs.selectors.due_diligence import (
    current_list_versions,
    latest_screening,
    latest_screenings_of_page,
    names_fingerprints,
    names_to_screen,
    sanctions_list_by_checksum,
    screening_states,
    screening_status,
)
from relais.actor import Actor
from relais.audit import audit_record
from relais.errors import Refused, refused
from relais.models import Tenant
from relais.permissions import ALLOW, Decision, deny
from relais.validators import validate_one_line_fields
from relais.workflow import transition

from ..sanctions import DEFAULT_THRESHOLD, find_matches, names_fingerprint, parse_list_file
from ..workflow import ORGANISATION, SCREENING
from .documents import require, require_same_tenant


def sanctions_list_import(
    *, actor: Actor, data: bytes, name: str, source_format: str, source: str | None = None
) -> tuple[SanctionsListVersion, bool]:
    """Import a list file as a new version. The same file twice is recognised by
    its checksum and not imported again. ``Actor.system(tenant)`` is the command line."""
    require(can_run_screening(actor))
    tenant = actor.tenant
    checksum = hashlib.sha256(data).hexdigest()
    existing = sanctions_list_by_checksum(actor=actor, checksum=checksum)
    if existing is not None:
        return existing, False
    source = source or (SanctionsSource.UN if source_format == SanctionsSourceFormat.UN_XML else SanctionsSource.OTHER)
    if source not in SanctionsSource.values:
        raise Refused(_("Unknown list source."))
    version = SanctionsListVersion(
        tenant=tenant, name=name[:200], source=source, source_format=source_format, checksum=checksum,
        imported_by=actor.user,
    )
    try:
        parsed = parse_list_file(data, source_format)
        validate_one_line_fields(version)
    except ValidationError as exc:
        raise refused(exc) from exc
    version.entry_count = len(parsed)
    with transaction.atomic():
        version.save()
        SanctionsEntry.objects.bulk_create(
            [
                SanctionsEntry(
                    tenant=tenant, version=version, primary_name=entry.primary_name[:400],
                    aliases=entry.aliases, list_name=entry.list_name[:100], reference=entry.reference[:100],
                    is_entity=entry.is_entity, folded_names=entry.folded_names(),
                )
                for entry in parsed
            ],
            batch_size=500,
        )
        audit_record(tenant=tenant, actor=actor.user, action="sanctions_list.imported", target=version,
                     after={"name": version.name, "source": source, "format": source_format, "entries": len(parsed),
                            "checksum": checksum})
    return version, True


def screening_run(
    *, actor: Actor, organisation: Organisation, threshold: int = DEFAULT_THRESHOLD, now: datetime | None = None,
) -> Screening:
    """Screen an organisation against the latest list version of each source.

    With no candidate the screening is clear at once (created so: no step of the
    screening table is taken); with candidates it waits for a manager's decision
    (screening_decide).
    """
    require_same_tenant(actor, organisation)
    require(can_run_screening(actor))
    tenant = actor.tenant
    versions = current_list_versions(actor=actor)
    if not versions:
        raise Refused(_("No sanctions list has been imported in this workspace yet."))
    version = max(versions, key=lambda v: (v.imported_at, v.pk))
    names = names_to_screen(organisation)
    entries = list(SanctionsEntry.objects.filter(tenant=tenant, version__in=versions))
    matches = find_matches(
        names, [([e.primary_name, *e.aliases], e.folded_names) for e in entries], threshold=threshold
    )
    now = now or timezone.now()
    with transaction.atomic():
        screening = Screening.objects.create(
            tenant=tenant, organisation=organisation, version=version, names_screened=names,
            names_fingerprint=names_fingerprint(names),
            versions_screened=[
                {"id": v.pk, "name": v.name, "source": v.source, "entries": v.entry_count,
                 "imported_at": v.imported_at.isoformat()}
                for v in versions
            ],
            threshold=threshold, ran_by=actor.user, ran_at=now,
            decision=ScreeningDecision.PENDING if matches else ScreeningDecision.CLEAR,
            decision_reason="" if matches else _("No name came close to an entry of the list."),
            decided_at=None if matches else now,
        )
        ScreeningCandidate.objects.bulk_create([
            ScreeningCandidate(
                tenant=tenant, screening=screening, entry=entries[m.entry_index], screened_name=m.screened_name[:400],
                matched_name=m.matched_name[:400], score=Decimal(str(m.score)),
            )
            for m in matches
        ])
        audit_record(tenant=tenant, actor=actor.user, action="screening.ran", target=screening,
                     after={"organisation": organisation.pk, "versions": [v.pk for v in versions],
                            "names": len(names),
                            "candidates": len(matches), "decision": screening.decision})
    return screening


DECISIONS = (ScreeningDecision.CLEAR, ScreeningDecision.FALSE_POSITIVE, ScreeningDecision.CONFIRMED)


def screening_decide(*, actor: Actor, screening: Screening, decision: str, reason: str) -> Screening:
    """A manager decides on a screening with candidates (orgs.workflow.SCREENING). A confirmed
    match suspends the organisation at once, with the reason, in the same transaction: a system
    step of the organisation table (a CSO already suspended stays so)."""
    require_same_tenant(actor, screening)
    if decision not in DECISIONS:
        raise Refused(_("Choose clear, false positive or confirmed match."))

    def record_decision(locked: Screening, ctx: dict[str, Any]) -> None:
        locked.decision_reason = ctx["reason"]
        locked.decided_by = actor.user
        locked.decided_at = timezone.now()

    with transaction.atomic():
        locked = transition(SCREENING, obj=screening, target=decision, actor=actor, reason=reason,
                            apply=record_decision)
        if decision == ScreeningDecision.CONFIRMED:
            _suspend_for_match(locked, tenant=actor.tenant)
    screening.decision_reason, screening.decided_by, screening.decided_at = (
        locked.decision_reason, locked.decided_by, locked.decided_at)
    return locked


def _suspend_for_match(screening: Screening, *, tenant: Tenant) -> None:
    """The organisation table's system row "suspend_sanctions_match", with the decision's reason."""
    organisation = Organisation.objects.select_for_update().get(pk=screening.organisation_id, tenant=tenant)
    if organisation.status == OrganisationStatus.SUSPENDED:
        return  # already suspended: it stays so (the confirmed match is on its screening)
    reason = _("Confirmed sanctions list match (screening of %(date)s): %(reason)s") % {
        "date": timezone.localtime(screening.ran_at).strftime("%Y-%m-%d"), "reason": screening.decision_reason,
    }

    def keep_reason(locked: Organisation, ctx: dict[str, Any]) -> dict[str, Any]:
        locked.status_reason = ctx["reason"]
        return {"status_reason": ctx["reason"], "screening": screening.pk}

    transition(ORGANISATION, obj=organisation, target=OrganisationStatus.SUSPENDED, actor=Actor.system(tenant),
               reason=reason, apply=keep_reason)


def screening_mark_stale_if_names_changed(*, actor: Actor, organisation: Organisation) -> Screening | None:
    """Call after any write that may change a name screened for ``organisation`` (its
    name or acronym, a contact person added, renamed or removed, a member's full name,
    a member joining or leaving).

    Whether a screening still holds is computed from the names (screening_status), so
    this does not decide validity; it tells people. When the names held no longer give
    the fingerprint of the latest screening (unless that one is a confirmed match, which
    names cannot undo), it records ``screening.stale`` and e-mails the tenant's managers
    after commit, once per screening. Names that come back to those screened re-arm it.
    Returns the stale screening, or None. ``actor`` is who changed the names (the system, or
    a platform administrator without a membership, for commands and the admin).
    """
    require_same_tenant(actor, organisation)
    tenant_id = organisation.tenant_id
    with transaction.atomic():
        latest = (
            Screening.objects.select_for_update()
            .filter(tenant_id=tenant_id, organisation_id=organisation.pk)
            .order_by("-ran_at", "-id")
            .first()
        )
        if latest is None or latest.decision == ScreeningDecision.CONFIRMED:
            return None
        if names_fingerprints([organisation])[organisation.pk] == latest.names_fingerprint:
            if latest.names_changed_at is not None:
                latest.names_changed_at = None
                latest.save(update_fields=["names_changed_at"])
            return None
        if latest.names_changed_at is not None:
            return latest  # the managers already know
        latest.names_changed_at = timezone.now()
        latest.save(update_fields=["names_changed_at"])
        # Which names changed is not recorded: people's names stay out of the audit log.
        audit_record(tenant=actor.tenant, actor=actor.user, action="screening.stale", target=latest,
                     after={"organisation": organisation.pk, "screened_on": latest.ran_at})
        from .emails import screening_stale_email

        screening_stale_email(screening=latest, actor=actor)
    return latest


def screening_clearance(*, actor: Actor, organisation: Organisation, now: datetime | None = None) -> Decision:
    """Whether sanctions screening lets money go to ``organisation``: its latest screening
    must be clear (or a false positive), within the tenant's validity, and of the names it
    holds now. Refused, with a reason a person can read, when it was never screened, the
    screening awaits a decision, confirmed a match, expired or no longer covers its names.
    Tranche releases and disbursements ask this before paying."""
    if organisation.tenant_id != actor.tenant.pk:
        return deny(_("This record belongs to another workspace."))
    screening = latest_screening(organisation=organisation)
    state = screening_status(screening, tenant=actor.tenant, now=now or timezone.now())
    return _clearance(state, screening.ran_at if screening is not None else None)


def screening_clearances(*, actor: Actor, organisations: list[Organisation],
                         now: datetime | None = None) -> dict[int, Decision]:
    """screening_clearance for several organisations, in three queries whatever their number."""
    # The latest screenings from one plain query (latest_screenings_of_page) on copies of the rows given,
    # not the annotation's three correlated subqueries built and compiled on every view (issue 10).
    rows = [copy.copy(o) for o in organisations if o.tenant_id == actor.tenant.pk]
    latest_screenings_of_page(rows, tenant=actor.tenant)
    return clearances_of_screened(rows, actor=actor, organisations=organisations, now=now)


def clearances_of_screened(rows: list[Organisation], *, actor: Actor, organisations: list[Organisation],
                           now: datetime | None = None) -> dict[int, Decision]:
    """screening_clearances, the latest screening of ``rows`` (copies of the actor's workspace's ``organisations``)
    already read on them (latest_screenings_of_page, registry_checks_of_page)."""
    states = screening_states(rows, tenant=actor.tenant, now=now or timezone.now())
    ran_at = {o.pk: getattr(o, "last_screening_at", None) for o in rows}  # annotated above
    # Each (state, date) decided once: the reason is translated once for every CSO never screened.
    decisions = {key: _clearance(*key) for key in {(states[pk], ran_at[pk]) for pk in states}}
    return {o.pk: decisions[states[o.pk], ran_at[o.pk]] if o.pk in states
            else deny(_("This record belongs to another workspace.")) for o in organisations}


def _clearance(state: str, ran_at: datetime | None) -> Decision:
    if state == ScreeningState.VALID:
        return ALLOW
    if state == ScreeningState.NEVER or ran_at is None:  # screening_status: NEVER exactly when None
        return deny(_("This organisation has never been screened against the sanctions lists."))
    date = timezone.localtime(ran_at).strftime("%Y-%m-%d")
    if state == ScreeningState.REVIEW:
        return deny(_("The sanctions screening of %(date)s has possible matches awaiting a decision.")
                    % {"date": date})
    if state == ScreeningState.MATCH:
        return deny(_("The sanctions screening of %(date)s confirmed a match.") % {"date": date})
    if state == ScreeningState.EXPIRED:
        return deny(_("The sanctions screening of %(date)s has expired: screen the organisation again.")
                    % {"date": date})
    return deny(_("The organisation's names (legal name, acronym, contact people or members) changed since "
                  "its sanctions screening of %(date)s: screen it again.") % {"date": date})
