"""The organisation registry: profiles, contacts, payment details and status.

Every writer takes the actor, checks its permission and that the objects belong to
the actor's tenant, owns its transaction and writes an audit event. A refusal is
`relais.errors.Refused`. Payment numbers never reach the audit log unmasked.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Commune, ContactPerson, FocusArea, Organisation, PaymentDetails, PaymentDetailsStatus, Region
from orgs.models.organisations import validate_stripe_account
from orgs.permissions.organisations import (
    can_create_organisation,
    can_edit_organisation,
    can_edit_payment_details,
    can_manage_geography,
    can_verify_payment_details,
)
from relais.actor import Actor
from relais.audit import audit_record
from relais.concurrency import claim_version
from relais.errors import Refused, refused
from relais.models import Role
from relais.permissions import ALLOW, Decision, deny, require
from relais.validators import validate_one_line_fields
from relais.workflow import transition

from ..models.organisations import fold
from ..workflow import ORGANISATION, PAYMENT_DETAILS
from .screening import screening_mark_stale_if_names_changed

PROFILE_FIELDS = (
    "name", "acronym", "type", "registration_number", "registration_date", "founding_year", "region",
    "languages", "staff_women", "staff_men", "volunteers_women", "volunteers_men", "budget_band", "description",
)
M2M_FIELDS = ("regions_of_work", "communes_of_work", "focus_areas")
NULLABLE_FIELDS = ("registration_date", "founding_year", "region")
_EMPTY: dict[str, Any] = {"languages": [], "staff_women": 0, "staff_men": 0, "volunteers_women": 0,
                          "volunteers_men": 0}
PAYMENT_FIELDS = ("bank_name", "bank_account", "bank_account_holder", "mobile_operator", "mobile_number",
                  "mobile_holder")


STRIPE_FIELDS = ("stripe_account",)


def stripe_account_editable(actor: Actor) -> bool:
    """Only finance names a CSO's Stripe connected account (the CSO's members keep their numbers)."""
    return actor.role == Role.FINANCE


def _one_line(instance: Any) -> None:
    try:
        validate_one_line_fields(instance)
    except ValidationError as exc:
        raise refused(exc) from exc


def _pk(obj: Any) -> int:
    """The primary key of an entry being renamed, 0 (no row) for a new one."""
    return obj.pk if obj is not None and obj.pk else 0


def _same_tenant(actor: Actor, obj: Any, message: str) -> None:
    if obj.tenant_id != actor.tenant.pk:
        raise Refused(message, forbidden=True)


def search_text(organisation: Organisation, regions: Iterable[Region] | None = None) -> str:
    """Accent-folded text the list searches: names, acronym and every region named."""
    parts = [organisation.name, organisation.acronym]
    if organisation.region is not None:
        parts.append(organisation.region.name)
    if regions is None and organisation.pk:
        regions = organisation.regions_of_work.all()
    parts.extend(r.name for r in regions or [])
    return fold(" ".join(p for p in parts if p))[:1000]


def refresh_search_name(organisation: Organisation) -> None:
    organisation.search_name = search_text(organisation)
    Organisation.objects.filter(pk=organisation.pk).update(search_name=organisation.search_name)


def _check_same_tenant(actor: Actor, values: Iterable[Any]) -> None:
    for value in values:
        if value is not None and getattr(value, "tenant_id", actor.tenant.pk) != actor.tenant.pk:
            raise Refused(_("A value chosen does not belong to this workspace."))


def _snapshot(organisation: Organisation) -> dict[str, Any]:
    data = {field: getattr(organisation, field if field != "region" else "region_id") for field in PROFILE_FIELDS}
    if organisation.pk:
        for field in M2M_FIELDS:
            data[field] = sorted(getattr(organisation, field).values_list("pk", flat=True))
    return data


def _apply(organisation: Organisation, data: dict[str, Any]) -> dict[str, Any]:
    m2m = {}
    for key, value in data.items():
        if key in M2M_FIELDS:
            m2m[key] = list(value or [])
        elif key in PROFILE_FIELDS:
            if value is None and key not in NULLABLE_FIELDS:
                value = _EMPTY.get(key, "")
            setattr(organisation, key, value)
        else:
            raise Refused(_("Unknown field: %(field)s") % {"field": key})
    return m2m


def _duplicate_check(organisation: Organisation) -> None:
    others = Organisation.objects.filter(tenant_id=organisation.tenant_id).exclude(pk=organisation.pk)
    if organisation.acronym and others.filter(acronym__iexact=organisation.acronym).exists():
        raise Refused(_("Another organisation already uses the acronym « %(acronym)s ».")
                              % {"acronym": organisation.acronym})
    if organisation.registration_number and others.filter(
        registration_number__iexact=organisation.registration_number
    ).exists():
        raise Refused(_("Another organisation already has the registration number « %(number)s ».")
                              % {"number": organisation.registration_number})


def organisation_write(
    *, actor: Actor, data: dict[str, Any], organisation: Organisation | None = None,
    extra_audit: dict[str, Any] | None = None, expected_version: int | None = None,
) -> Organisation:
    """Create (organisation=None) or update an organisation of the actor's tenant; callers check
    permissions. Shared by the edit form, self-registration, the import and the demo so that
    search_name, the tenant checks and the audit event are never forgotten. An update with
    `expected_version` (the version the page was loaded from) raises Stale if the profile was saved since.
    """
    creating = organisation is None
    organisation = organisation or Organisation(tenant=actor.tenant)
    _same_tenant(actor, organisation, _("This organisation does not belong to this workspace."))
    before = {} if creating else _snapshot(organisation)
    m2m = _apply(organisation, dict(data))
    _check_same_tenant(actor, [organisation.region])
    for values in m2m.values():
        _check_same_tenant(actor, values)
    if not organisation.name.strip():
        raise Refused(_("The legal name is required."))
    _one_line(organisation)
    _duplicate_check(organisation)
    with transaction.atomic():
        organisation.search_name = ""
        if creating:
            organisation.save()
        else:
            claim_version(organisation, expected=expected_version)
            # Only the profile: a status changed meanwhile (a sanctions match suspends the CSO)
            # must not be written back from this possibly stale instance.
            organisation.save(update_fields=[*PROFILE_FIELDS, "search_name", "updated_at"])
        for field, values in m2m.items():
            getattr(organisation, field).set(values)
        refresh_search_name(organisation)
        after = _snapshot(organisation)
        changed_before = {k: v for k, v in before.items() if after.get(k) != v}
        changed_after = {k: v for k, v in after.items() if before.get(k) != v} if before else after
        audit_record(
            tenant=actor.tenant, actor=actor.user,
            action="organisation.created" if creating else "organisation.updated",
            target=organisation, before=changed_before, after={**changed_after, **(extra_audit or {})},
        )
        if not creating:
            screening_mark_stale_if_names_changed(organisation=organisation, actor=actor)
    return organisation


def organisation_create(*, actor: Actor, data: dict[str, Any]) -> Organisation:
    """A manager adds a CSO to the registry (status pending)."""
    require(can_create_organisation(actor))
    return organisation_write(actor=actor, data=data)


def organisation_update(*, organisation: Organisation, actor: Actor, data: dict[str, Any],
                        expected_version: int | None = None) -> Organisation:
    """A manager edits any profile of the tenant; an applicant only their own. Status is not editable here.
    `expected_version`: the version the page was loaded from (Stale if the profile was saved since)."""
    require(can_edit_organisation(actor, organisation))
    return organisation_write(actor=actor, organisation=organisation, data=data, expected_version=expected_version)


def organisation_change_status(
    *, organisation: Organisation, actor: Actor, status: str, reason: str = ""
) -> Organisation:
    """Take a step of the organisation table (orgs.workflow.ORGANISATION); the reason is kept on the CSO."""

    def keep_reason(locked: Organisation, ctx: dict[str, Any]) -> dict[str, Any]:
        locked.status_reason = ctx["reason"]
        return {"status_reason": ctx["reason"]}

    locked = transition(ORGANISATION, obj=organisation, target=status, actor=actor, reason=reason, apply=keep_reason)
    organisation.status_reason = locked.status_reason  # the engine set the caller's status already
    return locked


# --- contacts ----------------------------------------------------------------


def contact_save(
    *, organisation: Organisation, actor: Actor, data: dict[str, Any], contact: ContactPerson | None = None,
    expected_version: int | None = None,
) -> ContactPerson:
    """Add or change a contact. `expected_version`: the version the page was loaded from (Stale if the
    contact was saved since)."""
    require(can_edit_organisation(actor, organisation))
    if contact is not None and (contact.organisation_id != organisation.pk or contact.tenant_id != actor.tenant.pk):
        raise Refused(_("This contact belongs to another organisation."), forbidden=True)
    creating = contact is None
    contact = contact or ContactPerson(tenant=actor.tenant, organisation=organisation)
    for key in ("name", "role", "phone", "email", "consent", "email_consent"):
        if key in data:
            setattr(contact, key, data[key])
    _one_line(contact)
    with transaction.atomic():
        if not creating:
            claim_version(contact, expected=expected_version)
        contact.save()
        # Names and numbers of people stay out of the audit log.
        audit_record(tenant=actor.tenant, actor=actor.user,
                     action="contact.created" if creating else "contact.updated",
                     target=contact, after={"organisation": organisation.pk, "consent": contact.consent,
                                                  "email_consent": contact.email_consent})
        screening_mark_stale_if_names_changed(organisation=organisation, actor=actor)
    return contact


def contact_delete(*, contact: ContactPerson, actor: Actor) -> None:
    organisation = contact.organisation
    require(can_edit_organisation(actor, organisation))
    _same_tenant(actor, contact, _("This contact belongs to another organisation."))
    with transaction.atomic():
        audit_record(tenant=actor.tenant, actor=actor.user, action="contact.deleted", target=contact,
                     before={"organisation": organisation.pk})
        contact.delete()
        screening_mark_stale_if_names_changed(organisation=organisation, actor=actor)


# --- payment details ---------------------------------------------------------


def _clear_verification(locked: PaymentDetails, ctx: dict[str, Any]) -> None:
    locked.verified_by = None
    locked.verified_at = None


def payment_details_update(*, organisation: Organisation, actor: Actor, data: dict[str, Any],
                           expected_version: int | None = None) -> PaymentDetails:
    """Finance or the CSO's own members change where money goes.

    Any change makes verified details unverified again (the table's "change" step);
    the audit log gets the masked numbers only. `expected_version`: the version the page was
    loaded from (0: there were no details yet); Stale if they were saved since.
    """
    require(can_edit_payment_details(actor, organisation))
    # The Stripe connected account is finance's to set (the workspace's Stripe platform made it).
    fields = PAYMENT_FIELDS + (STRIPE_FIELDS if stripe_account_editable(actor) and "stripe_account" in data else ())
    clean = {k: (data.get(k) or "").strip() for k in fields}
    has_bank = bool(clean["bank_account"])
    has_mobile = bool(clean["mobile_number"])
    if "stripe_account" in clean:
        try:
            validate_stripe_account(clean["stripe_account"])
        except ValidationError as exc:
            raise refused(exc) from exc
        has_stripe = bool(clean["stripe_account"])
    else:
        has_stripe = PaymentDetails.objects.filter(organisation=organisation).exclude(stripe_account="").exists()
    if not has_bank and not has_mobile and not has_stripe:
        raise Refused(_("Give a bank account or a mobile money number (or both)."))
    if has_bank and not clean["bank_account_holder"]:
        raise Refused(_("Give the name of the bank account holder."))
    if has_mobile and not (clean["mobile_operator"] and clean["mobile_holder"]):
        raise Refused(_("Give the operator and the holder of the mobile money number."))
    with transaction.atomic():
        details, created = PaymentDetails.objects.select_for_update().get_or_create(
            organisation=organisation, defaults={"tenant": actor.tenant}
        )
        if not created:
            claim_version(details, expected=expected_version)
        before = {} if created else details.masked()
        changed = created or any(getattr(details, k) != v for k, v in clean.items())
        for key, value in clean.items():
            setattr(details, key, value)
        _one_line(details)
        update_fields = [*fields, "updated_at"]
        if changed:  # four eyes: whoever changes the numbers may not be the one who verifies them
            details.changed_by = actor.user
            update_fields.append("changed_by")
        details.save(update_fields=update_fields)
        if changed and details.status == PaymentDetailsStatus.VERIFIED:
            details = transition(PAYMENT_DETAILS, obj=details, target=PaymentDetailsStatus.UNVERIFIED, actor=actor,
                                 apply=_clear_verification)
        if changed:
            audit_record(tenant=actor.tenant, actor=actor.user, action="payment_details.changed", target=details,
                         before=before, after={**details.masked(), "status": details.status,
                                               "changed_by": actor.user_id})
    return details


def payment_details_verify(*, details: PaymentDetails, actor: Actor) -> PaymentDetails:
    """Finance checks the numbers with the CSO and marks them verified (the table's "verify" step).

    Four eyes: the finance member who last changed the details cannot verify them (refused with
    the reason); a second finance member must.
    """
    _same_tenant(actor, details, _("These payment details belong to another workspace."))
    require(can_verify_payment_details(actor, details.organisation, details))

    def stamp(locked: PaymentDetails, ctx: dict[str, Any]) -> dict[str, Any]:
        locked.verified_by = actor.user
        locked.verified_at = timezone.now()
        return locked.masked()

    return transition(PAYMENT_DETAILS, obj=details, target=PaymentDetailsStatus.VERIFIED, actor=actor, apply=stamp)


def payment_details_usable(*, actor: Actor, organisation: Organisation) -> Decision:
    """Whether a disbursement may send money to ``organisation``'s payment details: they must
    exist and be verified by finance (by someone other than who last changed them). Refused,
    with a reason a person can read, otherwise. Disbursements ask this before paying, beside
    orgs.services.screening.screening_clearance."""
    if organisation.tenant_id != actor.tenant.pk:
        return deny(_("This record belongs to another workspace."))
    details = PaymentDetails.objects.filter(tenant_id=organisation.tenant_id, organisation=organisation).first()
    if details is None:
        return deny(_("This organisation has no payment details yet."))
    if details.status != PaymentDetailsStatus.VERIFIED:
        return deny(_("The payment details of this organisation are not verified: a finance member other than "
                      "the one who changed them must verify them before any disbursement."))
    if details.changed_by_id is not None and details.verified_by_id == details.changed_by_id:
        return deny(_("These payment details were verified by the person who changed them: another finance "
                      "member must verify them before any disbursement."))
    return ALLOW


# --- geography and focus areas --------------------------------------------------


def region_save(*, actor: Actor, name: str, zone: str, region: Region | None = None) -> Region:
    """Add or rename a region; renaming refreshes the search text of CSOs that mention it."""
    require(can_manage_geography(actor))
    tenant = actor.tenant
    name = name.strip()
    if Region.objects.filter(tenant=tenant, name__iexact=name).exclude(pk=_pk(region)).exists():
        raise Refused(_("A region with this name already exists."))
    creating = region is None
    region = region or Region(tenant=tenant)
    _same_tenant(actor, region, _("This region does not belong to this workspace."))
    before = {} if creating else {"name": region.name, "zone": region.zone}
    region.name, region.zone = name, zone
    _one_line(region)
    with transaction.atomic():
        region.save()
        if not creating and before["name"] != name:
            affected = Organisation.objects.filter(tenant=tenant).filter(
                Q(region=region) | Q(regions_of_work=region)
            ).select_related("region").prefetch_related("regions_of_work").distinct()
            for organisation in affected:
                refresh_search_name(organisation)
        audit_record(tenant=tenant, actor=actor.user, action="region.created" if creating else "region.updated",
                     target=region, before=before, after={"name": name, "zone": zone})
    return region


def focus_area_save(
    *, actor: Actor, name: str, name_en: str = "", focus_area: FocusArea | None = None
) -> FocusArea:
    require(can_manage_geography(actor))
    tenant = actor.tenant
    name = name.strip()
    if FocusArea.objects.filter(tenant=tenant, name__iexact=name).exclude(pk=_pk(focus_area)).exists():
        raise Refused(_("A focus area with this name already exists."))
    creating = focus_area is None
    focus_area = focus_area or FocusArea(tenant=tenant)
    _same_tenant(actor, focus_area, _("This focus area does not belong to this workspace."))
    before = {} if creating else {"name": focus_area.name, "name_en": focus_area.name_en}
    focus_area.name, focus_area.name_en = name, name_en.strip()
    _one_line(focus_area)
    with transaction.atomic():
        focus_area.save()
        audit_record(tenant=tenant, actor=actor.user,
                     action="focus_area.created" if creating else "focus_area.updated",
                     target=focus_area, before=before, after={"name": name, "name_en": focus_area.name_en})
    return focus_area


def commune_save(*, actor: Actor, name: str, region: Region, commune: Commune | None = None) -> Commune:
    require(can_manage_geography(actor))
    tenant = actor.tenant
    _check_same_tenant(actor, [region])
    name = name.strip()
    if Commune.objects.filter(tenant=tenant, region=region, name__iexact=name).exclude(pk=_pk(commune)).exists():
        raise Refused(_("This region already has a commune with this name."))
    creating = commune is None
    commune = commune or Commune(tenant=tenant)
    _same_tenant(actor, commune, _("This commune does not belong to this workspace."))
    before = {} if creating else {"name": commune.name, "region": commune.region_id}
    commune.name, commune.region = name, region
    _one_line(commune)
    with transaction.atomic():
        commune.save()
        audit_record(tenant=tenant, actor=actor.user, action="commune.created" if creating else "commune.updated",
                     target=commune, before=before, after={"name": name, "region": region.pk})
    return commune
