"""Due diligence: an organisation's checklist page, uploads, downloads, reviews, checklist editing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.models import Organisation
from orgs.permissions.due_diligence import (
    can_download_document,
    can_review_document,
    can_run_screening,
    can_upload_document,
    can_view_due_diligence,
    can_view_screening,
)
from orgs.permissions.organisations import role_required
from orgs.selectors import due_diligence as dd
from orgs.selectors import organisations as selectors
from relais.audit import audit_record
from relais.downloads import private_file_response
from relais.models import Role
from relais.views import error_text

from ..forms.documents import ChecklistItemForm, DocumentReviewForm, DocumentUploadForm
from ..services import documents as document_services


def _access(request: HttpRequest, organisation_pk: int) -> Organisation:
    """404 for another tenant's (or, for an applicant, another CSO's) id; 403 with a reason for roles
    that may not see due diligence."""
    organisation = selectors.access_organisation(actor=request.actor, pk=organisation_pk)
    can_view_due_diligence(request.membership, organisation).raise_if_denied()
    return organisation


def _render_page(request: HttpRequest, organisation: Organisation, bound_form: DocumentUploadForm | None = None,
                 status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    membership = request.membership
    rows, status_value = dd.due_diligence_overview(organisation=organisation, today=today)
    may_upload = bool(can_upload_document(membership, organisation))
    for row in rows:
        if bound_form is not None and bound_form.data.get("item") == str(row.item.pk):
            row.form = bound_form
        elif may_upload:
            row.form = DocumentUploadForm(tenant=request.tenant, item=row.item)
    context = {
        "organisation": organisation,
        "rows": rows,
        "dd_status": status_value,
        "today": today,
        "may_upload": may_upload,
        "may_review": membership.role == Role.MANAGER,
        "may_manage_checklist": membership.role == Role.MANAGER,
    }
    if can_view_screening(membership):
        screenings = list(dd.screenings_of(organisation=organisation)[:5])
        latest = screenings[0] if screenings else None
        context.update({
            "show_screening": True,
            "screenings": screenings,
            "screening": latest,
            "screening_state": dd.screening_status(latest, tenant=request.tenant, now=timezone.now()),
            "may_screen": bool(can_run_screening(membership)),
            "has_list": dd.latest_list_version(tenant=request.tenant) is not None,
        })
    return render(request, "orgs/documents/due_diligence.html", context, status=status)


def due_diligence(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    organisation = _access(request, organisation_pk)
    return _render_page(request, organisation)


@require_POST
def document_upload(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    organisation = _access(request, organisation_pk)
    can_upload_document(request.membership, organisation).raise_if_denied()
    item_pk = request.POST.get("item", "")
    item = dd.checklist(tenant=request.tenant).filter(pk=item_pk).first() if item_pk.isdigit() else None
    form = DocumentUploadForm(request.POST, request.FILES, tenant=request.tenant, item=item)
    if form.is_valid():
        try:
            document = document_services.document_upload(
                organisation=organisation, item=form.cleaned_data["item"], file=form.cleaned_data["file"],
                issued_on=form.cleaned_data.get("issued_on"), expires_on=form.cleaned_data.get("expires_on"),
                actor=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("“%(name)s” was uploaded. A programme manager will review it.")
                             % {"name": document.original_name})
            return redirect("due_diligence", tenant_slug=request.tenant.slug, organisation_pk=organisation.pk)
    return _render_page(request, organisation, bound_form=form, status=400)


def document_download(request: HttpRequest, organisationdocument_pk: int) -> FileResponse:
    document = dd.access_document(tenant=request.tenant, pk=organisationdocument_pk)
    decision = can_download_document(request.membership, document)
    if not decision:
        if request.membership.role == Role.APPLICANT:
            raise Http404  # another CSO's document: do not confirm it exists
        raise PermissionDenied(decision.reason)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # Who read which CSO document is worth knowing (bank attestations carry account details).
    audit_record(tenant=request.tenant, actor=request.user, action="organisation_document.downloaded",
                 target=document)
    return private_file_response(handle, filename=document.original_name, content_type=document.content_type)


@require_POST
def document_review(request: HttpRequest, organisationdocument_pk: int) -> HttpResponse:
    document = dd.access_document(tenant=request.tenant, pk=organisationdocument_pk)
    can_review_document(request.membership, document).raise_if_denied()
    form = DocumentReviewForm(request.POST)
    if form.is_valid():
        try:
            document_services.document_review(document=document, actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Review recorded for “%(name)s”.") % {"name": document.original_name})
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("due_diligence", tenant_slug=request.tenant.slug, organisation_pk=document.organisation_id)


@role_required(Role.MANAGER, Role.FINANCE)
def overview(request: HttpRequest) -> HttpResponse:
    """Every CSO of the tenant with its due-diligence and screening status."""
    from django.core.paginator import Paginator

    from orgs.models import DueDiligenceStatus, ScreeningState

    tenant = request.tenant
    selected = request.GET.get("dd", "")
    selected_screening = request.GET.get("screening", "")
    now = timezone.now()
    organisations = dd.organisations_with_checks(tenant=tenant, today=timezone.localdate(), dd_status=selected,
                                                 screening_state=selected_screening, now=now)
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    states = dd.screening_states(page.object_list, tenant=tenant, now=now)
    for organisation in page:
        organisation.screening_state = states[organisation.pk]
    return render(request, "orgs/documents/overview.html", {
        "page": page, "statuses": DueDiligenceStatus.choices, "selected": selected,
        "screening_states": ScreeningState.choices, "selected_screening": selected_screening,
    })


@role_required(Role.MANAGER)
def checklist(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant
    form = ChecklistItemForm(tenant=tenant)
    if request.method == "POST":
        if request.POST.get("action") == "defaults":
            document_services.ensure_default_checklist(tenant=tenant, actor=request.user)
            messages.success(request, _("The default checklist is ready; adapt it to your programme."))
            return redirect("due_diligence_checklist", tenant_slug=tenant.slug)
        form = ChecklistItemForm(request.POST, tenant=tenant)
        if form.is_valid():
            fields = {k: form.cleaned_data[k] for k in ChecklistItemForm.Meta.fields}
            try:
                document_services.checklist_item_save(tenant=tenant, actor=request.user, **fields)
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("Checklist item added."))
                return redirect("due_diligence_checklist", tenant_slug=tenant.slug)
    items = dd.checklist(tenant=tenant, include_inactive=True)
    return render(request, "orgs/documents/checklist.html", {
        "items": items, "form": form, "awaiting": dd.documents_awaiting_review(tenant=tenant)[:50],
    })


@role_required(Role.MANAGER)
def checklist_item_edit(request: HttpRequest, duediligenceitem_pk: int) -> HttpResponse:
    tenant = request.tenant
    item = dd.access_checklist_item(tenant=tenant, pk=duediligenceitem_pk)
    form = ChecklistItemForm(instance=item, tenant=tenant)
    if request.method == "POST":
        form = ChecklistItemForm(request.POST, instance=dd.access_checklist_item(tenant=tenant, pk=item.pk),
                                 tenant=tenant)
        if form.is_valid():
            fields = {k: form.cleaned_data[k] for k in ChecklistItemForm.Meta.fields}
            try:
                document_services.checklist_item_save(tenant=tenant, actor=request.user, item=item, **fields)
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("Checklist item saved."))
                return redirect("due_diligence_checklist", tenant_slug=tenant.slug)
    return render(request, "orgs/documents/checklist_item.html", {"item": item, "form": form})
