"""The grant agreement: its generated versions, the grantee's signature and the countersignature.

Rules:
- Only a manager who is not linked to the grantee CSO generates, issues and countersigns
  (grants.permissions.can_manage_award; the award table's may_act says the same to the engine).
  The system (bulk generation) may generate.
- Versions are generated while the award is drafted (its terms may still change); each is kept
  with its SHA-256 and never replaced. Issuing generates the version the grantee signs.
- Only the grantee's own applicants sign (can_sign_award), the latest generated version, while the
  agreement is issued: by typing their full name and ticking the consent box (user, time and IP are
  recorded) or by uploading the signed scan (a PDF or an image, checked like every upload).
- Every step is audited; issuing and countersigning e-mail the grantee through the outbox.
"""

from __future__ import annotations

import hashlib
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.audit import audit_record
from relais.errors import Refused
from relais.permissions import require
from relais.uploads import JPEG, PDF, PNG, validate_upload
from relais.validators import no_control_characters

from ..documents.agreement import LANGUAGES, agreement_data, agreement_pdf
from ..models import (
    AgreementDocument,
    AgreementDocumentKind,
    AgreementSignature,
    Award,
    AwardStatus,
    SignatureMethod,
)
from ..permissions import can_manage_award, can_sign_award
from ..workflow import tranches_add_up
from .awards import award_transition
from .common import same_tenant
from .emails_awards import award_email

SCAN_TYPES = (PDF, JPEG, PNG)


def _may_generate(actor: Actor, award: Award) -> None:
    if not actor.is_system:
        require(can_manage_award(actor, award))


def _lock(award: Award, actor: Actor) -> Award:
    return (Award.objects.select_for_update(of=("self",)).select_related("tenant", "organisation")
            .get(pk=award.pk, tenant_id=actor.tenant.pk))


def _next_number(award: Award) -> int:
    return (AgreementDocument.objects.filter(tenant_id=award.tenant_id, award=award)
            .aggregate(top=Max("number"))["top"] or 0) + 1


def _store(*, award: Award, actor: Actor, kind: str, number: int, content: bytes, filename: str,
           original_name: str, language: str) -> AgreementDocument:
    document = AgreementDocument(
        tenant_id=award.tenant_id, award=award, number=number, kind=kind, language=language,
        original_name=original_name[:255], sha256=hashlib.sha256(content).hexdigest(), size=len(content),
        created_by=actor.user,
    )
    document.file.save(filename, ContentFile(content), save=False)
    document.save()
    return document


def _language(award: Award, language: str | None) -> str:
    chosen = language or award.tenant.default_language or "fr"
    return chosen if chosen in LANGUAGES else "fr"


def agreement_generate(*, award: Award, actor: Actor, language: str | None = None) -> AgreementDocument:
    """Render the agreement and store it as the award's next version (kind generated), with its SHA-256."""
    same_tenant(actor, award)
    _may_generate(actor, award)
    with transaction.atomic():
        locked = _lock(award, actor)
        if locked.status != AwardStatus.DRAFTED:
            raise Refused(_("The agreement can only be generated while the award is drafted: withdraw the "
                            "agreement first to change its terms."))
        # The version number is printed in the document, so it is rendered under the award's lock
        # (tens of milliseconds): two managers generating at once get versions n and n + 1.
        number = _next_number(locked)
        language = _language(locked, language)
        content = agreement_pdf(award=locked, language=language, version=number, data=agreement_data(locked))
        name = f"convention-{slugify(locked.reference) or locked.pk}-v{number}.pdf"
        document = _store(award=locked, actor=actor, kind=AgreementDocumentKind.GENERATED, number=number,
                          content=content, filename=name, original_name=name, language=language)
        audit_record(tenant=actor.tenant, actor=actor.user, action="agreement.generate", target=locked,
                     after={"version": number, "language": language, "sha256": document.sha256})
    return document


def award_issue(*, award: Award, actor: Actor, language: str | None = None) -> Award:
    """Generate the version the grantee will sign, issue it (drafted → issued) and tell the grantee by e-mail,
    all or nothing."""
    same_tenant(actor, award)
    require(can_manage_award(actor, award))
    if award.status == AwardStatus.DRAFTED:
        problems = tranches_add_up(award, {})  # refused before rendering anything; the engine checks again
        if problems:
            raise Refused(problems)
    document: AgreementDocument | None = None
    try:
        with transaction.atomic():
            document = agreement_generate(award=award, actor=actor, language=language)
            issued = award_transition(award=award, actor=actor, target=AwardStatus.ISSUED,
                                      context={"document": document.pk})
            award_email(award=issued, kind="agreement_ready", actor=actor)
    except BaseException:
        if document is not None and document.file.name:  # its row was rolled back: no file left behind
            document.file.storage.delete(document.file.name)
        raise
    return issued


def latest_generated(award: Award) -> AgreementDocument | None:
    return (AgreementDocument.objects.filter(tenant_id=award.tenant_id, award=award,
                                             kind=AgreementDocumentKind.GENERATED).order_by("-number").first())


def _signing(award: Award, actor: Actor) -> tuple[Award, AgreementDocument]:
    """Lock the award and check it waits for this grantee's signature; the version to sign."""
    require(can_sign_award(actor, award))
    locked = _lock(award, actor)
    if locked.status != AwardStatus.ISSUED:
        raise Refused(_("This agreement is not waiting for a signature (it is “%(status)s”).")
                      % {"status": locked.get_status_display()})
    document = latest_generated(locked)
    if document is None:  # an issued award always has one; kept as a readable refusal
        raise Refused(_("No agreement has been generated yet."))
    return locked, document


def agreement_accept(*, award: Award, actor: Actor, full_name: str, accepted: bool, ip: str | None) -> Award:
    """Electronic acceptance of the latest version: the typed full name and the ticked box are required;
    the user, the time and the IP are recorded, then the award is signed (issued → signed)."""
    same_tenant(actor, award)
    require(can_sign_award(actor, award))
    full_name = " ".join((full_name or "").split())
    errors: dict[str, Any] = {}
    if not full_name:
        errors["full_name"] = _("Type your full name to sign.")
    if not accepted:
        errors["accepted"] = _("Tick the box to say that you have read and accept the agreement.")
    if errors:
        raise Refused(ValidationError(errors))
    if len(full_name) > 200:
        raise Refused(ValidationError({"full_name": _("The name is too long (200 characters at most).")}))
    try:
        no_control_characters(full_name)
    except ValidationError as exc:
        raise Refused(ValidationError({"full_name": exc.messages})) from exc
    with transaction.atomic():
        locked, document = _signing(award, actor)
        signature = AgreementSignature.objects.create(
            tenant_id=locked.tenant_id, award=locked, document=document, method=SignatureMethod.ELECTRONIC,
            full_name=full_name, user=actor.user, ip_address=ip or None)
        audit_record(tenant=actor.tenant, actor=actor.user, action="agreement.accept", target=locked,
                     after={"version": document.number, "method": signature.method, "full_name": full_name})
        return award_transition(award=locked, actor=actor, target=AwardStatus.SIGNED)


def agreement_upload_scan(*, award: Award, actor: Actor, file: IO[bytes], name: str, ip: str | None) -> Award:
    """The signed scan of the latest version (PDF, JPEG or PNG, checked like every upload), kept as a
    version of kind signed scan with its SHA-256; then the award is signed (issued → signed)."""
    same_tenant(actor, award)
    require(can_sign_award(actor, award))
    try:
        detected = validate_upload(file)
    except ValidationError as exc:
        raise Refused(ValidationError({"scan": exc.messages})) from exc
    if detected not in SCAN_TYPES:
        raise Refused(ValidationError({"scan": _(
            "A signed agreement must be a PDF or a picture (JPEG, PNG); this file is %(type)s.")
            % {"type": detected.label}}))
    file.seek(0)
    content = file.read()
    with transaction.atomic():
        locked, document = _signing(award, actor)
        number = _next_number(locked)
        stored_name = f"convention-{slugify(locked.reference) or locked.pk}-v{number}-signee.{detected.extension}"
        scan = _store(award=locked, actor=actor, kind=AgreementDocumentKind.SIGNED_SCAN, number=number,
                      content=content, filename=stored_name, original_name=name or stored_name,
                      language=document.language)
        AgreementSignature.objects.create(
            tenant_id=locked.tenant_id, award=locked, document=document, method=SignatureMethod.SCAN,
            full_name=(actor.user.display_name if actor.user else "")[:200], scan=scan, user=actor.user,
            ip_address=ip or None)
        audit_record(tenant=actor.tenant, actor=actor.user, action="agreement.upload_scan", target=locked,
                     after={"version": document.number, "document": scan.original_name, "sha256": scan.sha256})
        return award_transition(award=locked, actor=actor, target=AwardStatus.SIGNED)


def award_countersign(*, award: Award, actor: Actor) -> Award:
    """The funder's countersignature (signed → active) and the grantee's e-mail, together."""
    same_tenant(actor, award)
    require(can_manage_award(actor, award))
    with transaction.atomic():
        active = award_transition(award=award, actor=actor, target=AwardStatus.ACTIVE)
        award_email(award=active, kind="countersigned", actor=actor)
    return active
