"""Demo due diligence and screening: called at the end of orgs.demo.seed (idempotent).

Each demo CSO gets real (tiny) PDF documents in private storage, in a mix of
states so every screen has content: complete files, a pending upload, a rejected
document, an expired bank attestation, one expiring soon; and one sanctions
screening (most clear; the applicant's CSO in each tenant resembles a fictional
list entry: decided as a false positive in peace-direct, left to review in wanep-mali;
one screening is expired and one made stale by a contact person added since).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from orgs.models import OrganisationDocument, ReviewStatus, Screening, ScreeningDecision
from relais.actor import Actor
from relais.demo import demo_pdf

from .services.documents import document_review, document_upload, ensure_default_checklist
from .services.organisations import contact_save
from .services.screening import sanctions_list_import, screening_decide, screening_run

UN_SAMPLE = Path(__file__).resolve().parent / "fixtures" / "sanctions_sample_un.xml"
CSV_SAMPLE = Path(__file__).resolve().parent / "fixtures" / "sanctions_sample.csv"


def _file(organisation, item) -> SimpleUploadedFile:
    slug = "".join(c for c in item.name_en.lower().replace(" ", "-") if c.isalnum() or c == "-")[:40]
    return SimpleUploadedFile(f"{organisation.short_name}-{slug}.pdf", demo_pdf(organisation.name, item.name),
                              content_type="application/pdf")


def _add(organisation, item, *, actor, reviewer, status, issued_on, expires_on=None, comment=""):
    if item is None:  # a manager renamed the default item: nothing to demonstrate with it
        return None
    document = document_upload(actor=actor, organisation=organisation, item=item, file=_file(organisation, item),
                               issued_on=issued_on, expires_on=expires_on)
    if status != ReviewStatus.PENDING:
        document_review(actor=reviewer, document=document, decision=status, comment=comment)
    return document


def _documents(organisation, items, *, profile: str, manager, uploader, today: date) -> None:
    by_name = {item.name_en: item for item in items}
    ok = ReviewStatus.ACCEPTED
    registration = by_name.get("Registration certificate (récépissé)")
    statutes = by_name.get("Statutes and internal rules")
    bank = by_name.get("Bank attestation")
    report = by_name.get("Last annual report")
    accounts = by_name.get("Last financial statements")
    safeguarding = by_name.get("Safeguarding policy")
    common = {"actor": uploader, "reviewer": manager}
    _add(organisation, registration, status=ok, issued_on=date(2016, 5, 12), **common)
    _add(organisation, statutes, status=ok, issued_on=date(2016, 4, 2), **common)
    if profile == "complete":
        _add(organisation, bank, status=ok, issued_on=today - timedelta(days=120), **common)
        _add(organisation, report, status=ok, issued_on=today - timedelta(days=200), **common)
        _add(organisation, accounts, status=ok, issued_on=today - timedelta(days=190), **common)
        _add(organisation, safeguarding, status=ok, issued_on=date(2022, 1, 10), **common)
    elif profile == "applicant":
        # Expiring soon, one waiting for review, one rejected: the applicant has things to do.
        _add(organisation, bank, status=ok, issued_on=today - timedelta(days=353),
             expires_on=today + timedelta(days=12), **common)
        _add(organisation, report, status=ReviewStatus.PENDING, issued_on=today - timedelta(days=30), **common)
        _add(organisation, accounts, status=ReviewStatus.REJECTED, issued_on=today - timedelta(days=60),
             comment="Les états financiers ne sont pas signés par le trésorier. Merci de déposer la version signée.",
             **common)
    elif profile == "expired":
        _add(organisation, bank, status=ok, issued_on=today - timedelta(days=420),
             expires_on=today - timedelta(days=55), **common)
        _add(organisation, report, status=ok, issued_on=today - timedelta(days=100), **common)
        _add(organisation, accounts, status=ok, issued_on=today - timedelta(days=100), **common)
    else:  # "partial": only the founding documents so far
        pass


def seed(context: dict[str, Any]) -> None:
    today = timezone.localdate()
    profiles = ["complete", "expired", "partial"]
    for slug, data in context.get("tenants", {}).items():
        tenant = data["tenant"]
        manager_user = data["users"]["manager"]
        manager = Actor.of(manager_user.memberships.get(tenant=tenant))
        applicant = Actor.of(data["users"]["applicant"].memberships.get(tenant=tenant))
        system = Actor.system(tenant)
        items = ensure_default_checklist(actor=system)
        sanctions_list_import(actor=system, data=UN_SAMPLE.read_bytes(),
                              name="Liste récapitulative ONU (échantillon fictif)", source_format="un_xml",
                              source="un")
        sanctions_list_import(actor=system, data=CSV_SAMPLE.read_bytes(), name="Liste UE (échantillon fictif)",
                              source_format="csv", source="eu")
        applicant_org = applicant.membership.organisation
        for index, organisation in enumerate(data["organisations"].values()):
            if not OrganisationDocument.objects.filter(tenant=tenant, organisation=organisation).exists():
                if organisation == applicant_org:
                    _documents(organisation, items, profile="applicant", manager=manager, uploader=applicant,
                               today=today)
                else:
                    _documents(organisation, items, profile=profiles[index % len(profiles)], manager=manager,
                               uploader=manager, today=today)
            if not Screening.objects.filter(tenant=tenant, organisation=organisation).exists():
                # One screening a little over a year old, to show an expired screening.
                ran_at = timezone.now() - timedelta(days=tenant.screening_validity_days + 20) if index == 2 else None
                screening = screening_run(actor=manager, organisation=organisation, now=ran_at)
                if screening.decision == ScreeningDecision.PENDING and slug == "peace-direct":
                    screening_decide(
                        actor=manager, screening=screening, decision=ScreeningDecision.FALSE_POSITIVE,
                        reason="Homonyme : Mariam Cissé, membre de l'organisation, est née à Mopti en 1988 ; "
                               "l'entrée FIC.008 de la liste désigne une autre personne (nationalité et date de "
                               "naissance différentes).",
                    )
                if index == 3 and organisation != applicant_org:
                    # A treasurer added after the screening: a screening made stale by a change of names.
                    contact_save(organisation=organisation, actor=data["actors"]["manager"],
                                 data={"name": "Sékou Diarra", "role": "Trésorier", "consent": True})
