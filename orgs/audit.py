"""How the audit log tells what happened to CSOs, due diligence and screening (relais.audit_describe).

Imported from OrgsConfig.ready(). Sentences are in the past tense with the object's article in
its noun ("the organisation %(name)s" → "l'organisation %(name)s").
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
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


def _organisation_url(organisation: Organisation) -> str:
    return reverse("orgs:organisation_detail",
                   kwargs={"tenant_slug": organisation.tenant.slug, "organisation_pk": organisation.pk})


def _geography_url(obj: Any) -> str:
    return reverse("orgs:geography", kwargs={"tenant_slug": obj.tenant.slug})


def _of_organisation(model: Any, *extra: str):
    """Rows that belong to a CSO, named and linked by it (people's names stay on the CSO's page)."""
    return lambda tenant: model.objects.filter(tenant=tenant).select_related(
        "tenant", "organisation__tenant", *extra)


def _by_organisation(obj: Any) -> str:
    return obj.organisation.short_name


def _organisation_of(obj: Any) -> str:
    return _organisation_url(obj.organisation)


def _of_tenant(model: Any):
    return lambda tenant: model.objects.filter(tenant=tenant).select_related("tenant")


register_audit_target(AuditTarget(
    "orgs.organisation", _("the organisation %(name)s"),
    # Its name, linked by its pk in the workspace: not its description and registry columns (issue 10).
    lambda tenant: Organisation.objects.filter(tenant=tenant).only("name", "acronym"),
    name=lambda o: o.short_name, link=("orgs:organisation_detail", "organisation_pk", "pk"),
    search_fields=("acronym", "name"),
))
register_audit_target(AuditTarget(
    "orgs.contactperson", _("a contact person of %(name)s"), _of_organisation(ContactPerson),
    name=_by_organisation, url=_organisation_of, action_prefixes=("contact",),
))
register_audit_target(AuditTarget(
    "orgs.paymentdetails", _("the payment details of %(name)s"), _of_organisation(PaymentDetails),
    name=_by_organisation, url=_organisation_of,
))
register_audit_target(AuditTarget(
    "orgs.joinrequest", _("the request to join %(name)s"), _of_organisation(JoinRequest),
    name=_by_organisation, url=lambda r: reverse("orgs:join_requests", kwargs={"tenant_slug": r.tenant.slug}),
))
register_audit_target(AuditTarget(
    "orgs.organisationdocument", _("the document %(name)s"), _of_organisation(OrganisationDocument),
    name=lambda d: f"« {d.original_name} » ({d.organisation.short_name})",
    url=lambda d: reverse("orgs:due_diligence",
                          kwargs={"tenant_slug": d.tenant.slug, "organisation_pk": d.organisation_id}),
))
register_audit_target(AuditTarget(
    "orgs.screening", _("the screening of %(name)s"), _of_organisation(Screening),
    name=_by_organisation,
    url=lambda s: reverse("orgs:screening_detail", kwargs={"tenant_slug": s.tenant.slug, "screening_pk": s.pk}),
))
register_audit_target(AuditTarget(
    "orgs.region", _("the region %(name)s"), _of_tenant(Region), name=lambda r: r.name, url=_geography_url,
    search_fields=("name",),
))
register_audit_target(AuditTarget(
    "orgs.commune", _("the commune %(name)s"), _of_tenant(Commune), name=lambda c: c.name, url=_geography_url,
))
register_audit_target(AuditTarget(
    "orgs.focusarea", _("the focus area %(name)s"), _of_tenant(FocusArea), name=lambda f: f.name,
    url=_geography_url,
))
register_audit_target(AuditTarget(
    "orgs.duediligenceitem", _("the checklist item “%(name)s”"), _of_tenant(DueDiligenceItem),
    name=lambda i: i.name, action_prefixes=("due_diligence",),
    url=lambda i: reverse("orgs:due_diligence_checklist", kwargs={"tenant_slug": i.tenant.slug}),
))
register_audit_target(AuditTarget(
    "orgs.sanctionslistversion", _("the sanctions list %(name)s"), _of_tenant(SanctionsListVersion),
    name=lambda v: v.name, url=lambda v: reverse("orgs:sanctions_lists", kwargs={"tenant_slug": v.tenant.slug}),
    action_prefixes=("sanctions_list",),
))
register_audit_target(AuditTarget(
    "orgs.importbatch", _("the file %(name)s"), _of_tenant(ImportBatch), name=lambda b: b.filename,
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
