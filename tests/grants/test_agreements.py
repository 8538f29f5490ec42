"""The grant agreement (issue 11): the PDF's content, its stored versions, the grantee's signature
(electronic or scan), the countersignature, and who may do what."""

from __future__ import annotations

import gzip
import hashlib
import html
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from grants.documents.agreement import agreement_pdf, fill_placeholders
from grants.documents.amount_words import amount_in_words
from grants.models import (
    AgreementDocument,
    AgreementDocumentKind,
    AgreementSignature,
    ApplicationStatus,
    Award,
    AwardStatus,
    BudgetCategory,
    SignatureMethod,
)
from grants.services.agreements import (
    agreement_accept,
    agreement_generate,
    agreement_upload_scan,
    award_countersign,
    award_issue,
)
from grants.tasks import agreements_generate_bulk
from relais.errors import Refused
from relais.models import AuditEvent, OutboundEmail, Role
from relais.money import format_money
from tests.grants.factories import (
    ApplicationFactory,
    AwardBudgetLineFactory,
    AwardFactory,
    BudgetCategoryFactory,
    GrantSettingsFactory,
    TrancheFactory,
)
from tests.grants.test_policy_conflict import link

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
             b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def make_award(world, *, amount="5000000", currency="XOF", tranches=("2000000", "2000000", "1000000"),
               lines=3, organisation=None) -> Award:
    organisation = organisation or world.organisation
    region = organisation.region
    region.name = "Ségou"
    region.save()
    organisation.name = "Association Jigiya de Ségou"
    organisation.registration_number = "REC-2019-0042"
    organisation.save()
    application = ApplicationFactory(tenant=world.tenant, organisation=organisation, status=ApplicationStatus.APPROVED,
                                     awarded_amount=Decimal(amount), call__currency=currency)
    award = AwardFactory(tenant=world.tenant, application=application, amount=Decimal(amount), currency=currency,
                         title="Dialogue intercommunautaire à Ségou")
    for number, value in enumerate(tranches, start=1):
        TrancheFactory(tenant=world.tenant, award=award, number=number, amount=Decimal(value),
                       conditions=["agreement_signed", "due_diligence"] if number == 1
                       else ["agreement_signed", "screening"])
    category = (BudgetCategory.objects.filter(tenant=world.tenant, name_fr="Formation et ateliers").first()
                or BudgetCategoryFactory(tenant=world.tenant, name_fr="Formation et ateliers", name_en="Training"))
    for _ in range(lines):
        AwardBudgetLineFactory(tenant=world.tenant, award=award, category=category,
                               amount=Decimal(amount) / lines if currency != "XOF" else Decimal(int(amount) // lines))
    return award


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def squash(value: str) -> str:
    """Text as extracted, with any kind of space (babel's narrow no-break one included) made plain."""
    return re.sub(r"\s+", " ", value.replace("\u202f", " ").replace("\xa0", " "))


# --- the PDF -------------------------------------------------------------------------------------

def test_the_french_agreement_prints_parties_amounts_tranches_and_accents(world_a):
    award = make_award(world_a)
    text = squash(pdf_text(agreement_pdf(award=award, language="fr")))
    assert "Convention de subvention" in text
    assert world_a.tenant.name in text and "Association Jigiya de Ségou" in text
    assert "REC-2019-0042" in text and "Ségou" in text
    assert award.reference in text and "Dialogue intercommunautaire à Ségou" in text
    assert squash(format_money(Decimal("5000000"), "XOF", locale="fr")) in text
    assert "cinq millions de francs CFA" in text
    # the tranche table: each tranche with its amount, its share and its conditions
    assert squash(format_money(Decimal("2000000"), "XOF", locale="fr")) in text
    assert squash(format_money(Decimal("1000000"), "XOF", locale="fr")) in text
    assert "Calendrier des tranches" in text and "Convention signée et contresignée" in text
    assert "Rapport d'étape avant la tranche 2" in text and "Rapport d'étape avant la tranche 3" in text
    assert "Formation et ateliers" in text
    assert re.search(r"Page 1 sur \d", text)
    assert "■" not in text


def test_the_english_agreement_says_the_same_in_english(world_a):
    award = make_award(world_a, amount="12500.50", currency="EUR", tranches=("12500.50",))
    text = squash(pdf_text(agreement_pdf(award=award, language="en")))
    assert "Grant agreement" in text and "Convention de subvention" not in text
    assert "twelve thousand, five hundred euros and fifty cents" in text
    assert "€12,500.50" in text
    assert re.search(r"Page 1 of \d", text)
    assert "paid in one tranche" in text  # no report is tied to a later tranche


def test_the_language_defaults_to_the_workspace_one(world_a):
    award = make_award(world_a)
    world_a.tenant.default_language = "en"
    world_a.tenant.save()
    assert "Grant agreement" in pdf_text(agreement_pdf(award=award))


def test_a_long_agreement_counts_its_pages_in_every_footer(world_a):
    award = make_award(world_a, tranches=("1000000",) * 5, lines=60)
    reader = PdfReader(io.BytesIO(agreement_pdf(award=award, language="fr")))
    total = len(reader.pages)
    assert total >= 3
    for number, page in enumerate(reader.pages, start=1):
        assert f"Page {number} sur {total}" in page.extract_text()


def test_the_workspace_clauses_fill_known_placeholders_and_keep_unknown_ones(world_a):
    award = make_award(world_a)
    GrantSettingsFactory(tenant=world_a.tenant, clauses_fr="Article spécial\n{organisation} reçoit {amount} "
                         "pour {reference} du {start_date} au {end_date}. {inconnu} {{ reste }}")
    text = squash(pdf_text(agreement_pdf(award=award, language="fr")))
    assert f"Association Jigiya de Ségou reçoit {squash(format_money(award.amount, 'XOF', locale='fr'))}" in text
    assert f"pour {award.reference} du 1 janvier 2026 au 31 décembre 2026" in text
    assert "{inconnu}" in text and "{{ reste }}" in text
    assert "Article 1 — Objet" not in text  # the default clauses give way to the workspace's


def test_the_default_clauses_are_used_when_the_workspace_left_them_empty(world_a):
    award = make_award(world_a)
    text = squash(pdf_text(agreement_pdf(award=award, language="fr")))
    assert "Article 1 — Objet" in text and "{organisation}" not in text


def test_placeholders_never_crash():
    assert fill_placeholders("{a} {b} {} {0} {", {"a": "x"}) == "x {b} {} {0} {"


@pytest.mark.parametrize(("amount", "currency", "french", "english"), [
    ("5000000", "XOF", "cinq millions de francs CFA", "five million CFA francs"),
    ("1250000", "XOF", "un million deux cent cinquante mille francs CFA",
     "one million, two hundred and fifty thousand CFA francs"),
    ("1000000", "EUR", "un million d'euros", "one million euros"),
    ("2500.50", "USD", "deux mille cinq cents dollars des États-Unis et cinquante cents",
     "two thousand, five hundred US dollars and fifty cents"),
    ("21", "GBP", "vingt et une livres sterling", "twenty-one pounds sterling"),
    ("1.01", "GBP", "une livre sterling et un penny", "one pound sterling and one penny"),
])
def test_amounts_in_words(amount, currency, french, english):
    assert amount_in_words(Decimal(amount), currency, "fr") == french
    assert amount_in_words(Decimal(amount), currency, "en") == english


# --- stored versions and issuing -----------------------------------------------------------------

def test_generating_stores_a_numbered_version_with_its_sha256(world_a):
    award = make_award(world_a)
    manager = world_a.actor(Role.MANAGER)
    first = agreement_generate(award=award, actor=manager)
    second = agreement_generate(award=award, actor=manager, language="en")
    assert (first.number, second.number) == (1, 2)
    assert (first.kind, second.language) == (AgreementDocumentKind.GENERATED, "en")
    with first.file.open("rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == first.sha256 and len(data) == first.size
    assert data.startswith(b"%PDF")
    assert "version 1" in squash(pdf_text(data))
    assert AuditEvent.objects.filter(action="agreement.generate", target_id=str(award.pk)).count() == 2


def test_issuing_generates_transitions_and_emails_the_grantee(world_a):
    award = make_award(world_a)
    issued = award_issue(award=award, actor=world_a.actor(Role.MANAGER))
    assert issued.status == AwardStatus.ISSUED
    assert award.documents.filter(kind=AgreementDocumentKind.GENERATED).count() == 1
    assert AuditEvent.objects.filter(action="award.issue", target_id=str(award.pk)).exists()
    assert OutboundEmail.objects.filter(kind="award_agreement_ready", target_id=str(award.pk)).exists()


def test_issuing_with_tranches_that_do_not_add_up_stores_nothing(world_a):
    award = make_award(world_a, tranches=("2000000",))
    with pytest.raises(Refused):
        award_issue(award=award, actor=world_a.actor(Role.MANAGER))
    award.refresh_from_db()
    assert award.status == AwardStatus.DRAFTED and not award.documents.exists()


def test_no_new_version_once_issued(world_a):
    award = make_award(world_a)
    award_issue(award=award, actor=world_a.actor(Role.MANAGER))
    with pytest.raises(Refused):
        agreement_generate(award=award, actor=world_a.actor(Role.MANAGER))


@pytest.mark.parametrize("how", ["membership", "contact-person", "author"])
def test_a_manager_linked_to_the_cso_can_neither_issue_nor_countersign(world_a, how):
    award = make_award(world_a)
    linked = link(world_a, how)
    with pytest.raises(Refused) as refused:
        award_issue(award=award, actor=linked)
    assert refused.value.forbidden and "Conflit d'intérêts" in " ".join(refused.value.messages)
    award.status = AwardStatus.SIGNED
    award.save()
    with pytest.raises(Refused):
        award_countersign(award=award, actor=linked)
    award.refresh_from_db()
    assert award.status == AwardStatus.SIGNED and not award.documents.exists()


# --- signing ------------------------------------------------------------------------------------

@pytest.fixture
def issued(world_a) -> Award:
    award = make_award(world_a)
    return award_issue(award=award, actor=world_a.actor(Role.MANAGER))


def test_electronic_acceptance_records_name_user_ip_and_signs(world_a, issued):
    applicant = world_a.actor(Role.APPLICANT)
    signed = agreement_accept(award=issued, actor=applicant, full_name="  Aminata   Traoré ", accepted=True,
                              ip="196.200.1.7")
    assert signed.status == AwardStatus.SIGNED and signed.signed_at is not None
    signature = AgreementSignature.objects.get(award=issued)
    assert (signature.method, signature.full_name, signature.ip_address) == (
        SignatureMethod.ELECTRONIC, "Aminata Traoré", "196.200.1.7")
    assert signature.user == applicant.user and signature.document.number == 1
    assert AuditEvent.objects.filter(action="agreement.accept").exists()
    assert AuditEvent.objects.filter(action="award.sign").exists()


@pytest.mark.parametrize(("name", "accepted", "field"), [("", True, "full_name"), ("Aminata Traoré", False, "accepted"),
                                                        ("   ", False, "full_name"),
                                                        ("Aminata\u200bTraoré", True, "full_name")])
def test_acceptance_needs_the_name_and_the_box(world_a, issued, name, accepted, field):
    with pytest.raises(Refused) as refused:
        agreement_accept(award=issued, actor=world_a.actor(Role.APPLICANT), full_name=name, accepted=accepted,
                         ip=None)
    assert field in refused.value.error_dict
    issued.refresh_from_db()
    assert issued.status == AwardStatus.ISSUED and not issued.signatures.exists()


def test_a_signed_scan_is_stored_with_its_sha256_and_signs(world_a, issued):
    upload = SimpleUploadedFile("convention signée.pdf", PDF_BYTES, content_type="application/pdf")
    signed = agreement_upload_scan(award=issued, actor=world_a.actor(Role.APPLICANT), file=upload,
                                   name=upload.name, ip="10.0.0.1")
    assert signed.status == AwardStatus.SIGNED
    scan = AgreementDocument.objects.get(award=issued, kind=AgreementDocumentKind.SIGNED_SCAN)
    assert scan.number == 2 and scan.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert scan.original_name == "convention signée.pdf"
    signature = AgreementSignature.objects.get(award=issued)
    assert signature.method == SignatureMethod.SCAN and signature.scan == scan and signature.document.number == 1


def test_a_scan_of_the_wrong_type_is_refused_with_the_reason(world_a, issued):
    docx = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    upload = SimpleUploadedFile("convention.docx", docx.getvalue())
    with pytest.raises(Refused) as refused:
        agreement_upload_scan(award=issued, actor=world_a.actor(Role.APPLICANT), file=upload, name=upload.name,
                              ip=None)
    assert "PDF" in " ".join(refused.value.messages) and "Word" in " ".join(refused.value.messages)
    text = SimpleUploadedFile("convention.pdf", b"just text, not a PDF")
    with pytest.raises(Refused):
        agreement_upload_scan(award=issued, actor=world_a.actor(Role.APPLICANT), file=text, name=text.name, ip=None)
    assert not issued.signatures.exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE, Role.REVIEWER])
def test_only_the_grantee_signs(world_a, issued, role):
    with pytest.raises(Refused) as refused:
        agreement_accept(award=issued, actor=world_a.actor(role), full_name="X", accepted=True, ip=None)
    assert refused.value.forbidden


def test_countersigning_activates_and_emails(world_a, issued):
    agreement_accept(award=issued, actor=world_a.actor(Role.APPLICANT), full_name="Aminata Traoré", accepted=True,
                     ip=None)
    active = award_countersign(award=issued, actor=world_a.actor(Role.MANAGER))
    assert active.status == AwardStatus.ACTIVE and active.countersigned_by == world_a.user(Role.MANAGER)
    assert OutboundEmail.objects.filter(kind="award_countersigned", target_id=str(issued.pk)).exists()


def test_the_bulk_task_generates_each_drafted_award(world_a):
    awards = [make_award(world_a) for _ in range(3)]
    awards[2].status = AwardStatus.ACTIVE
    awards[2].save()
    result = agreements_generate_bulk.call(tenant_id=world_a.tenant.pk, award_ids=[a.pk for a in awards] + [999999])
    assert result == {"generated": 2, "refused": 1, "missing": 1}
    assert AgreementDocument.objects.filter(award__in=awards[:2], kind=AgreementDocumentKind.GENERATED).count() == 2


# --- pages ---------------------------------------------------------------------------------------

def _url(world, name, award, **kwargs):
    return reverse(f"grants:{name}", kwargs={"tenant_slug": world.tenant.slug, "award_pk": award.pk, **kwargs})


def test_the_manager_issues_from_the_award_page(world_a):
    award = make_award(world_a)
    client = world_a.client_for(Role.MANAGER)
    page = client.get(_url(world_a, "award_detail", award)).content.decode()
    assert _url(world_a, "agreement_issue", award) in page
    response = client.post(_url(world_a, "agreement_issue", award))
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.status == AwardStatus.ISSUED
    page = client.get(_url(world_a, "award_detail", award)).content.decode()
    document = award.documents.get()
    assert document.sha256[:12] in page and _url(world_a, "agreement_document", award,
                                                 agreementdocument_pk=document.pk) in page
    assert client.get(_url(world_a, "agreement_issue", award)).status_code == 405  # GET changes nothing


def test_the_grantee_signs_on_its_page_and_errors_keep_what_was_typed(world_a, issued):
    client = world_a.client_for(Role.APPLICANT)
    url = _url(world_a, "agreement_sign", issued)
    page = client.get(url)
    assert page.status_code == 200 and "J'ai lu et j'accepte" in html.unescape(page.content.decode())
    assert len(gzip.compress(page.content)) <= 14 * 1024
    response = client.post(url, {"method": "accept", "full_name": "Aminata Traoré"})
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "Cochez la case" in body and 'value="Aminata Traoré"' in body
    issued.refresh_from_db()
    assert issued.status == AwardStatus.ISSUED
    response = client.post(url, {"method": "accept", "full_name": "Aminata Traoré", "accepted": "on"},
                           REMOTE_ADDR="196.200.1.7")
    assert response.status_code == 302
    signature = AgreementSignature.objects.get(award=issued)
    assert signature.ip_address == "196.200.1.7"
    # the IP shows to managers only
    assert "196.200.1.7" in world_a.client_for(Role.MANAGER).get(_url(world_a, "award_detail", issued)).content.decode()
    assert "196.200.1.7" not in client.get(_url(world_a, "award_detail", issued)).content.decode()


def test_the_grantee_uploads_a_scan_and_a_wrong_file_is_explained(world_a, issued):
    client = world_a.client_for(Role.APPLICANT)
    url = _url(world_a, "agreement_sign", issued)
    response = client.post(url, {"method": "scan", "scan": SimpleUploadedFile("scan.png", PDF_BYTES)})
    assert response.status_code == 400 and "Renommez-le" in response.content.decode()
    response = client.post(url, {"method": "scan", "scan": SimpleUploadedFile("scan.png", PNG_BYTES)})
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == AwardStatus.SIGNED


def test_download_is_private_and_for_the_grantee_managers_and_finance(world_a, world_b, issued):
    document = issued.documents.get()
    url = _url(world_a, "agreement_document", issued, agreementdocument_pk=document.pk)
    events = AuditEvent.objects.count()
    for role in (Role.APPLICANT, Role.MANAGER, Role.FINANCE):
        response = world_a.client_for(role).get(url)
        assert response.status_code == 200, role
        assert response["Cache-Control"] == "private, no-store"
        assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == document.sha256
    assert AuditEvent.objects.count() == events  # GET records nothing
    assert world_a.client_for(Role.REVIEWER).get(url).status_code == 404


def test_a_grantee_of_another_cso_gets_404(world_a, issued):
    from tests.factories import MembershipFactory, OrganisationFactory

    other = MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT,
                              organisation=OrganisationFactory(tenant=world_a.tenant))
    client = world_a.client_for(Role.APPLICANT)
    client.force_login(other.user)
    document = issued.documents.get()
    assert client.get(_url(world_a, "agreement_sign", issued)).status_code == 404
    assert client.get(_url(world_a, "agreement_document", issued, agreementdocument_pk=document.pk)).status_code == 404
    assert client.post(_url(world_a, "agreement_sign", issued), {"method": "accept", "full_name": "X",
                                                                 "accepted": "on"}).status_code == 404


def test_the_linked_manager_is_refused_by_the_pages(world_a):
    award = make_award(world_a)
    link(world_a, "contact-person")
    client = world_a.client_for(Role.MANAGER)
    assert client.post(_url(world_a, "agreement_issue", award)).status_code == 403
    award.refresh_from_db()
    assert award.status == AwardStatus.DRAFTED


def test_countersign_page_step(world_a, issued):
    agreement_accept(award=issued, actor=world_a.actor(Role.APPLICANT), full_name="Aminata Traoré", accepted=True,
                     ip=None)
    client = world_a.client_for(Role.MANAGER)
    page = client.get(_url(world_a, "award_detail", issued))
    assert _url(world_a, "agreement_countersign", issued) in page.content.decode()
    assert len(gzip.compress(page.content)) <= 14 * 1024
    assert client.post(_url(world_a, "agreement_countersign", issued)).status_code == 302
    issued.refresh_from_db()
    assert issued.status == AwardStatus.ACTIVE


def test_the_audit_sentences_exist_in_both_languages():
    from relais.audit_labels import audit_sentence

    for action in ("agreement.generate", "agreement.accept", "agreement.upload_scan"):
        with translation.override("en"):
            english = audit_sentence(action)
        with translation.override("fr"):
            french = audit_sentence(action)
        assert english and french and english != french


@pytest.mark.parametrize("role", [Role.FINANCE, Role.APPLICANT])
def test_a_non_manager_posting_an_award_step_gets_403_not_a_crash(world_a, role):
    """The award page's step view used to let the service-side refusal escape as a 500."""
    award = make_award(world_a)
    client = world_a.client_for(role)
    client.raise_request_exception = False
    response = client.post(_url(world_a, "award_change_status", award), {"target": "terminated", "reason": "x"})
    assert response.status_code == 403
    award.refresh_from_db()
    assert award.status == AwardStatus.DRAFTED


def test_two_approved_applications_without_reference_get_two_awards(world_a):
    """award_create copied the application's reference: two approved without one collided (500 on the batch)."""
    from grants.services.awards import award_create

    awards = [award_create(application=ApplicationFactory(tenant=world_a.tenant, status=ApplicationStatus.APPROVED,
                                                          awarded_amount=Decimal("1000000"), reference=""),
                           actor=world_a.actor(Role.MANAGER)) for _ in range(2)]
    assert len({award.reference for award in awards}) == 2 and all(award.reference for award in awards)
