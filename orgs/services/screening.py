"""Sanctions lists and screenings: import, screen, decide. Every change is audited."""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal

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
from orgs.permissions.due_diligence import can_decide_screening, can_run_screening
from orgs.selectors.due_diligence import (
    current_list_versions,
    latest_screening,
    names_fingerprints,
    names_to_screen,
    screening_status,
)
from relais.audit import audit_record
from relais.models import Tenant, User
from relais.permissions import ALLOW, Decision, deny
from relais.validators import validate_one_line_fields

from ..sanctions import DEFAULT_THRESHOLD, find_matches, names_fingerprint, parse_list_file
from .documents import _membership


def sanctions_list_import(
    *, tenant: Tenant, data: bytes, name: str, source_format: str, actor: User | None, source: str | None = None
) -> tuple[SanctionsListVersion, bool]:
    """Import a list file as a new version. The same file twice is recognised by
    its checksum and not imported again. ``actor=None`` is the command line."""
    if actor is not None:
        can_run_screening(_membership(tenant, actor)).raise_if_denied()
    checksum = hashlib.sha256(data).hexdigest()
    existing = SanctionsListVersion.objects.filter(tenant=tenant, checksum=checksum).first()
    if existing is not None:
        return existing, False
    source = source or (SanctionsSource.UN if source_format == SanctionsSourceFormat.UN_XML else SanctionsSource.OTHER)
    if source not in SanctionsSource.values:
        raise ValidationError(_("Unknown list source."))
    parsed = parse_list_file(data, source_format)
    version = SanctionsListVersion(
        tenant=tenant, name=name[:200], source=source, source_format=source_format, checksum=checksum,
        entry_count=len(parsed), imported_by=actor,
    )
    validate_one_line_fields(version)
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
        audit_record(tenant=tenant, actor=actor, action="sanctions_list.imported", target=version,
                     after={"name": version.name, "source": source, "format": source_format, "entries": len(parsed),
                            "checksum": checksum})
    return version, True


def screening_run(
    *, organisation: Organisation, actor: User | None, threshold: int = DEFAULT_THRESHOLD,
    now: datetime | None = None,
) -> Screening:
    """Screen an organisation against the latest list version of each source.

    With no candidate the screening is clear at once; with candidates it waits for
    a manager's decision. ``actor=None`` is a system run (demo seeding).
    """
    tenant = organisation.tenant
    if actor is not None:
        can_run_screening(_membership(tenant, actor)).raise_if_denied()
    versions = current_list_versions(tenant=tenant)
    if not versions:
        raise ValidationError(_("No sanctions list has been imported in this workspace yet."))
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
            threshold=threshold, ran_by=actor, ran_at=now,
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
        audit_record(tenant=tenant, actor=actor, action="screening.ran", target=screening,
                     after={"organisation": organisation.pk, "versions": [v.pk for v in versions],
                            "names": len(names),
                            "candidates": len(matches), "decision": screening.decision})
    return screening


def screening_decide(*, screening: Screening, decision: str, reason: str, actor: User) -> Screening:
    """A manager decides on a screening with candidates. A confirmed match suspends
    the organisation at once, with the reason, in the same transaction."""
    tenant = screening.tenant
    if decision not in (ScreeningDecision.CLEAR, ScreeningDecision.FALSE_POSITIVE, ScreeningDecision.CONFIRMED):
        raise ValidationError(_("Choose clear, false positive or confirmed match."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for your decision: it is kept in the audit trail."))
    with transaction.atomic():
        locked = Screening.objects.select_for_update().get(pk=screening.pk, tenant=tenant)
        can_decide_screening(_membership(tenant, actor), locked).raise_if_denied()
        locked.decision = decision
        locked.decision_reason = reason
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
        audit_record(tenant=tenant, actor=actor, action="screening.decided", target=locked,
                     before={"decision": ScreeningDecision.PENDING},
                     after={"decision": decision, "reason": reason})
        if decision == ScreeningDecision.CONFIRMED:
            organisation = Organisation.objects.select_for_update().get(pk=locked.organisation_id, tenant=tenant)
            before = {"status": organisation.status, "status_reason": organisation.status_reason}
            organisation.status = OrganisationStatus.SUSPENDED
            organisation.status_reason = _("Confirmed sanctions list match (screening of %(date)s): %(reason)s") % {
                "date": timezone.localtime(locked.ran_at).strftime("%Y-%m-%d"), "reason": reason,
            }
            organisation.save(update_fields=["status", "status_reason"])
            audit_record(tenant=tenant, actor=actor, action="organisation.suspended", target=organisation,
                         before=before, after={"status": organisation.status,
                                               "status_reason": organisation.status_reason,
                                               "screening": locked.pk})
    return locked


def screening_mark_stale_if_names_changed(*, organisation: Organisation, actor: User | None) -> Screening | None:
    """Call after any write that may change a name screened for ``organisation`` (its
    name or acronym, a contact person added, renamed or removed, a member's full name,
    a member joining or leaving).

    Whether a screening still holds is computed from the names (screening_status), so
    this does not decide validity; it tells people. When the names held no longer give
    the fingerprint of the latest screening (unless that one is a confirmed match, which
    names cannot undo), it records ``screening.stale`` and e-mails the tenant's managers
    after commit, once per screening. Names that come back to those screened re-arm it.
    Returns the stale screening, or None.
    """
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
        audit_record(tenant=organisation.tenant, actor=actor, action="screening.stale", target=latest,
                     after={"organisation": organisation.pk, "screened_on": latest.ran_at})
        from orgs.tasks import send_screening_stale_email

        screening_id = latest.pk
        transaction.on_commit(lambda: send_screening_stale_email.enqueue(screening_id=screening_id))
    return latest


def screening_clearance(organisation: Organisation, *, now: datetime | None = None) -> Decision:
    """Whether sanctions screening lets money go to ``organisation``: its latest screening
    must be clear (or a false positive), within the tenant's validity, and of the names it
    holds now. Refused, with a reason a person can read, when it was never screened, the
    screening awaits a decision, confirmed a match, expired or no longer covers its names.
    Tranche releases and disbursements ask this before paying."""
    screening = latest_screening(organisation=organisation)
    state = screening_status(screening, tenant=organisation.tenant, now=now or timezone.now())
    if state == ScreeningState.VALID:
        return ALLOW
    if state == ScreeningState.NEVER:
        return deny(_("This organisation has never been screened against the sanctions lists."))
    date = timezone.localtime(screening.ran_at).strftime("%Y-%m-%d")
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
