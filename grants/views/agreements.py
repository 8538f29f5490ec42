"""The agreement's pages: generate and issue (managers), download a version (the grantee, managers,
finance), the grantee's signing page (electronic acceptance or the signed scan), countersign."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.actor import Actor
from relais.downloads import private_file_response
from relais.errors import Refused, refused_message

from ..forms_agreements import AgreementAcceptForm, AgreementScanForm
from ..models import AgreementDocumentKind, Award, AwardStatus
from ..permissions import can_manage_award, can_sign_award
from ..selectors import awards as award_selectors
from ..services import agreements as agreement_services


def _client_ip(request: HttpRequest) -> str | None:
    """The address recorded with a signature: allauth's reading, which honours the trusted proxies setting."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def _detail(request: HttpRequest, award_pk: int) -> HttpResponse:
    return redirect("grants:award_detail", tenant_slug=request.actor.tenant.slug, award_pk=award_pk)


def _managed(request: HttpRequest, award_pk: int):
    award = award_selectors.access_award(actor=request.actor, pk=award_pk)
    can_manage_award(request.actor, award).raise_if_denied()
    return award


def _step(request: HttpRequest, award_pk: int, service, success: str) -> HttpResponse:
    award = _managed(request, award_pk)
    try:
        service(award=award, actor=request.actor)
    except Refused as exc:
        if exc.forbidden:
            raise PermissionDenied(" ".join(exc.messages)) from exc
        refused_message(request, exc)
    else:
        messages.success(request, success)
    return _detail(request, award.pk)


@require_POST
def agreement_generate(request: HttpRequest, award_pk: int) -> HttpResponse:
    """POST: a new version to read before issuing it (the award stays drafted)."""
    return _step(request, award_pk, agreement_services.agreement_generate,
                 _("A new version of the agreement was generated."))


@require_POST
def agreement_issue(request: HttpRequest, award_pk: int) -> HttpResponse:
    """POST: generate the version to sign, issue it and tell the grantee."""
    return _step(request, award_pk, agreement_services.award_issue,
                 _("The agreement was issued: the grantee was told by e-mail that it is ready to sign."))


@require_POST
def agreement_countersign(request: HttpRequest, award_pk: int) -> HttpResponse:
    return _step(request, award_pk, agreement_services.award_countersign,
                 _("The agreement is countersigned: the award is active."))


def agreement_document(request: HttpRequest, award_pk: int, agreementdocument_pk: int) -> HttpResponse:
    """GET: one stored version (private response; records nothing)."""
    document = award_selectors.access_agreement_document(actor=request.actor, pk=agreementdocument_pk)
    if document.award_id != award_pk:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    generated = document.kind == AgreementDocumentKind.GENERATED
    content_type = "application/pdf" if generated else None
    # A PDF Relais made opens in the browser; a grantee's upload is only ever downloaded.
    return private_file_response(handle, filename=document.original_name or document.file.name.rsplit("/", 1)[-1],
                                 content_type=content_type, as_attachment=not generated)


def agreement_sign(request: HttpRequest, award_pk: int) -> HttpResponse:
    """The grantee's page: read the agreement, then accept it (full name + box) or upload the signed scan."""
    actor = request.actor
    award = award_selectors.access_award(actor=actor, pk=award_pk)
    can_sign_award(actor, award).raise_if_denied()
    if award.status != AwardStatus.ISSUED:
        messages.info(request, _("This agreement is not waiting for a signature (it is “%(status)s”).")
                      % {"status": award.get_status_display()})
        return _detail(request, award.pk)
    organisation = award.organisation.name
    accept_form = AgreementAcceptForm(organisation=organisation)
    scan_form = AgreementScanForm()
    status = 200
    if request.method == "POST":
        method = request.POST.get("method")
        try:
            if method == "scan":
                scan_form = AgreementScanForm(request.POST, request.FILES)
                if scan_form.is_valid():
                    upload = scan_form.cleaned_data["scan"]
                    agreement_services.agreement_upload_scan(award=award, actor=actor, file=upload,
                                                             name=upload.name, ip=_client_ip(request))
                    messages.success(request, _("Thank you: the signed agreement was received. The funder will "
                                                "countersign it."))
                    return _detail(request, award.pk)
            else:
                accept_form = AgreementAcceptForm(request.POST, organisation=organisation)
                if accept_form.is_valid():
                    agreement_services.agreement_accept(
                        award=award, actor=actor, full_name=accept_form.cleaned_data["full_name"],
                        accepted=accept_form.cleaned_data["accepted"], ip=_client_ip(request))
                    messages.success(request, _("Thank you: you accepted the agreement. The funder will "
                                                "countersign it."))
                    return _detail(request, award.pk)
        except Refused as exc:
            if exc.forbidden:
                raise PermissionDenied(" ".join(exc.messages)) from exc
            (scan_form if method == "scan" else accept_form).add_error(None, exc)
        status = 400
    return render(request, "grants/agreement_sign.html", {
        "award": award,
        "document": award_selectors.award_documents(award=award).filter(kind=AgreementDocumentKind.GENERATED).first(),
        "accept_form": accept_form, "scan_form": scan_form,
    }, status=status)


@dataclass(frozen=True)
class AgreementActions:
    """What the award page's agreement card offers this actor (decisions reduced to flags)."""

    can_generate: bool
    can_issue: bool
    can_sign: bool
    can_countersign: bool
    show_ip: bool


def agreement_actions(actor: Actor, award: Award) -> AgreementActions:
    manage = bool(can_manage_award(actor, award))
    return AgreementActions(
        can_generate=manage and award.status == AwardStatus.DRAFTED,
        can_issue=manage and award.status == AwardStatus.DRAFTED,
        can_sign=bool(can_sign_award(actor, award)) and award.status == AwardStatus.ISSUED,
        can_countersign=manage and award.status == AwardStatus.SIGNED,
        show_ip=actor.is_manager,
    )
