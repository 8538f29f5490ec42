"""How the audit log tells what happened to CSOs, due diligence and screening (relais.audit_describe).

Imported from OrgsConfig.ready(). Sentences are in the past tense with the object's article in
its noun ("the organisation %(name)s" → "l'organisation %(name)s").
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from relais.audit_describe import AuditTarget, register_audit_target, register_audit_values
from relais.audit_labels import register_audit_sentences

from .models import (
    Commune,
    ContactPerson,
    DueDiligenceItem,
    FocusArea,
    ImportBatch,
    JoinRequest,
    Organisation,
    OrganisationDocument,
    PaymentDetails,
    Region,
    SanctionsListVersion,
    Screening,
)


def _short_name(row: dict[str, Any]) -> str:
    """``Organisation.short_name`` of a row that points to its organisation, read as values."""
    return row["organisation__acronym"] or row["organisation__name"]


# Rows that belong to a CSO are named and linked by it (people's names stay on the CSO's page).
BY_ORGANISATION = ("organisation__name", "organisation__acronym")
ORGANISATION_LINK = ("orgs:organisation_detail", "organisation_pk", "organisation_id")


def _of_tenant(model: Any):
    return lambda tenant: model.objects.filter(tenant=tenant)


register_audit_target(AuditTarget(
    "orgs.organisation", _("the organisation %(name)s"),
    # Its name, linked by its pk in the workspace: not its description and registry columns (issue 10).
    _of_tenant(Organisation), columns=("name", "acronym"), name=lambda o: o["acronym"] or o["name"],
    link=(*ORGANISATION_LINK[:2], "pk"), search_fields=("acronym", "name"),
    tenant_field="tenant",
))
register_audit_target(AuditTarget(
    "orgs.contactperson", _("a contact person of %(name)s"), _of_tenant(ContactPerson), columns=BY_ORGANISATION,
    name=_short_name, link=ORGANISATION_LINK, action_prefixes=("contact",),
    tenant_field="tenant",
))
register_audit_target(AuditTarget(
    "orgs.paymentdetails", _("the payment details of %(name)s"), _of_tenant(PaymentDetails), columns=BY_ORGANISATION,
    name=_short_name, link=ORGANISATION_LINK,
    tenant_field="tenant",
))
register_audit_target(AuditTarget(
    "orgs.joinrequest", _("the request to join %(name)s"), _of_tenant(JoinRequest), columns=BY_ORGANISATION,
    name=_short_name, page="orgs:join_requests",
    tenant_field="tenant",
))
register_audit_target(AuditTarget(
    "orgs.organisationdocument", _("the document %(name)s"), _of_tenant(OrganisationDocument),
    columns=("original_name", *BY_ORGANISATION), name=lambda d: f"« {d['original_name']} » ({_short_name(d)})",
    link=("orgs:due_diligence", "organisation_pk", "organisation_id"),
    tenant_field="tenant",
))
register_audit_target(AuditTarget(
    "orgs.screening", _("the screening of %(name)s"), _of_tenant(Screening), columns=BY_ORGANISATION,
    name=_short_name, link=("orgs:screening_detail", "screening_pk", "pk"),
    tenant_field="tenant",
))
register_audit_target(AuditTarget(
    "orgs.region", _("the region %(name)s"), _of_tenant(Region), columns=("name",), name=lambda r: r["name"],
    page="orgs:geography", search_fields=("name",),
    tenant_field="tenant",
))
register_audit_target(AuditTarget(
    "orgs.commune", _("the commune %(name)s"), _of_tenant(Commune), columns=("name",), name=lambda c: c["name"],
    page="orgs:geography",
    tenant_field="tenant",
))
register_audit_target(AuditTarget(
    "orgs.focusarea", _("the focus area %(name)s"), _of_tenant(FocusArea), columns=("name",),
    name=lambda f: f["name"], page="orgs:geography",
    tenant_field="tenant",
))
register_audit_target(AuditTarget(
    "orgs.duediligenceitem", _("the checklist item “%(name)s”"), _of_tenant(DueDiligenceItem), columns=("name",),
    name=lambda i: i["name"], action_prefixes=("due_diligence",), page="orgs:due_diligence_checklist",
    tenant_field="tenant",
))
register_audit_target(AuditTarget(
    "orgs.sanctionslistversion", _("the sanctions list %(name)s"), _of_tenant(SanctionsListVersion),
    columns=("name",), name=lambda v: v["name"], page="orgs:sanctions_lists", action_prefixes=("sanctions_list",),
    tenant_field="tenant",
))
register_audit_target(AuditTarget(
    "orgs.importbatch", _("the file %(name)s"), _of_tenant(ImportBatch), columns=("filename",),
    name=lambda b: b["filename"],
    tenant_field="tenant",
))
register_audit_values(
    references={"organisation": "orgs.organisation", "item": "orgs.duediligenceitem", "region": "orgs.region"},
    labels={"status_reason": _("reason"), "review_comment": _("comment"), "file": _("file"),
            "created": _("created"), "skipped": _("skipped"), "entries": _("entries"),
            "candidates": _("candidates"), "names": _("names checked"), "screened_on": _("screened on"),
            "consent": _("consent"), "items": _("items")},
)

register_audit_sentences({
    "organisation.created": _("%(actor)s registered %(object)s"),
    "organisation.updated": _("%(actor)s updated the profile of %(object)s"),
    "organisation.verify": _("%(actor)s verified %(object)s"),
    "organisation.suspend": _("%(actor)s suspended %(object)s"),
    "organisation.reinstate": _("%(actor)s reinstated %(object)s"),
    "organisation.suspend_sanctions_match": _("%(actor)s suspended %(object)s after a confirmed sanctions match"),
    "organisation.exported": _("%(actor)s exported the organisations"),
    "organisation.imported": _("%(actor)s imported organisations from %(object)s"),
    "contact.created": _("%(actor)s added %(object)s"),
    "contact.updated": _("%(actor)s changed %(object)s"),
    "contact.deleted": _("%(actor)s removed %(object)s"),
    "payment_details.changed": _("%(actor)s changed %(object)s"),
    "payment_details.verify": _("%(actor)s verified %(object)s"),
    "payment_details.change": _("%(actor)s changed %(object)s, to be verified again"),
    "region.created": _("%(actor)s added %(object)s"),
    "region.updated": _("%(actor)s renamed %(object)s"),
    "commune.created": _("%(actor)s added %(object)s"),
    "commune.updated": _("%(actor)s changed %(object)s"),
    "focus_area.created": _("%(actor)s added %(object)s"),
    "focus_area.updated": _("%(actor)s changed %(object)s"),
    "join_request.created": _("%(actor)s sent %(object)s"),
    "join_request.approve": _("%(actor)s approved %(object)s"),
    "join_request.decline": _("%(actor)s declined %(object)s"),
    "organisation_document.uploaded": _("%(actor)s uploaded %(object)s"),
    "organisation_document.downloaded": _("%(actor)s downloaded %(object)s"),
    "organisation_document.accept": _("%(actor)s accepted %(object)s"),
    "organisation_document.reject": _("%(actor)s rejected %(object)s"),
    "due_diligence.checklist_seeded": _("%(actor)s created the default due diligence checklist"),
    "due_diligence_item.created": _("%(actor)s added %(object)s"),
    "due_diligence_item.updated": _("%(actor)s changed %(object)s"),
    "sanctions_list.imported": _("%(actor)s imported %(object)s"),
    "screening.ran": _("%(actor)s ran %(object)s"),
    "screening.stale": _("%(actor)s noted that names changed since %(object)s"),
    "screening.clear": _("%(actor)s cleared %(object)s"),
    "screening.false_positive": _("%(actor)s marked %(object)s as a false positive"),
    "screening.confirm": _("%(actor)s confirmed the sanctions match of %(object)s"),
})
