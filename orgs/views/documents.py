"""Due diligence: an organisation's checklist page, uploads, downloads, reviews, checklist editing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.models import DueDiligenceStatus, Organisation, ReviewStatus, ScreeningState
from orgs.permissions.due_diligence import (
    can_download_document,
    can_manage_checklist,
    can_review_document,
    can_review_documents,
    can_run_screening,
    can_upload_document,
    can_view_due_diligence,
    can_view_screening,
)
from orgs.selectors import due_diligence as dd
from relais.audit import audit_record
from relais.concurrency import Stale, Stamp, save_versioned
from relais.downloads import private_file_response
from relais.errors import Refused, refusal_text, refused_message
from relais.ids import pk_like
from relais.models import Role
from relais.outbox import warn_if_nobody_reached
from relais.pagination import page_of
from relais.permissions import role_required

from ..forms.documents import ChecklistItemForm, DocumentReviewForm, DocumentUploadForm
from ..services import documents as document_services
from ..tables import due_diligence_rows_html


def _access(request: HttpRequest, organisation_pk: int) -> Organisation:
    """404 for another tenant's (or, for an applicant, another CSO's) id; 403 with a reason for roles
    that may not see due diligence."""
    organisation = dd.access_organisation_due_diligence(actor=request.actor, pk=organisation_pk)
    can_view_due_diligence(request.actor, organisation).raise_if_denied()
    return organisation


def _render_page(request: HttpRequest, organisation: Organisation, bound_form: DocumentUploadForm | None = None,
                 status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    actor = request.actor
    rows, status_value = dd.due_diligence_overview(organisation=organisation, today=today)
    may_upload = can_upload_document(actor, organisation)
    items = dd.checklist(actor=actor)
    for row in rows:
        if bound_form is not None and bound_form.data.get("item") == str(row.item.pk):
            row.form = bound_form
        elif may_upload:
            row.form = DocumentUploadForm(items=items, item=row.item)
    context = {
        "organisation": organisation,
        "rows": rows,
        "dd_status": status_value,
        "today": today,
        "may_upload": may_upload,
        "may_review": can_review_documents(actor),
        "may_manage_checklist": can_manage_checklist(actor),
    }
    if can_view_screening(actor):
        screenings = list(dd.screenings_of(organisation=organisation)[:5])
        latest = screenings[0] if screenings else None
        context.update({
            "show_screening": True,
            "screenings": screenings,
            "screening": latest,
            "screening_state": dd.screening_status(latest, tenant=actor.tenant, now=timezone.now()),
            "may_screen": can_run_screening(actor),
            "has_list": dd.has_sanctions_list(actor=actor),
        })
    return render(request, "orgs/documents/due_diligence.html", context, status=status)


def _redirect_to_page(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    return redirect("orgs:due_diligence", tenant_slug=request.actor.tenant.slug, organisation_pk=organisation_pk)


def due_diligence(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    organisation = _access(request, organisation_pk)
    return _render_page(request, organisation)


@require_POST
def document_upload(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    actor = request.actor
    organisation = _access(request, organisation_pk)
    can_upload_document(actor, organisation).raise_if_denied()
    items = dd.checklist(actor=actor)
    item_pk = request.POST.get("item", "")
    item = items.filter(pk=item_pk).first() if pk_like(item_pk) else None
    form = DocumentUploadForm(request.POST, request.FILES, items=items, item=item)
    if form.is_valid():
        try:
            document = document_services.document_upload(
                actor=actor, organisation=organisation, item=form.cleaned_data["item"],
                file=form.cleaned_data["file"], issued_on=form.cleaned_data.get("issued_on"),
                expires_on=form.cleaned_data.get("expires_on"),
            )
        except Refused as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("“%(name)s” was uploaded. A programme manager will review it.")
                             % {"name": document.original_name})
            return _redirect_to_page(request, organisation.pk)
    return _render_page(request, organisation, bound_form=form, status=400)


def document_download(request: HttpRequest, organisationdocument_pk: int) -> FileResponse:
    actor = request.actor
    # Another CSO's document does not exist for an applicant (404); the roles that may not read
    # due diligence get 403 with the reason.
    document = dd.access_document(actor=actor, pk=organisationdocument_pk)
    can_download_document(actor, document).raise_if_denied()
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # Who read which CSO document is worth knowing (bank attestations carry account details).
    audit_record(tenant=actor.tenant, actor=actor.user, action="organisation_document.downloaded",
                 target=document)
    return private_file_response(handle, filename=document.original_name, content_type=document.content_type)


@require_POST
def document_review(request: HttpRequest, organisationdocument_pk: int) -> HttpResponse:
    actor = request.actor
    document = dd.access_document(actor=actor, pk=organisationdocument_pk)
    can_review_document(actor, document).raise_if_denied()
    form = DocumentReviewForm(request.POST)
    if form.is_valid():
        try:
            document_services.document_review(actor=actor, document=document, **form.cleaned_data)
        except Refused as exc:
            if exc.forbidden:
                raise PermissionDenied(refusal_text(exc)) from exc
            refused_message(request, exc)
        else:
            messages.success(request, _("Review recorded for “%(name)s”.") % {"name": document.original_name})
            if form.cleaned_data["decision"] == ReviewStatus.REJECTED:
                warn_if_nobody_reached(request, tenant=actor.tenant, organisation_id=document.organisation_id)
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return _redirect_to_page(request, document.organisation_id)


@role_required(Role.MANAGER, Role.FINANCE)
def overview(request: HttpRequest) -> HttpResponse:
    """Every CSO of the tenant with its due-diligence and screening status."""
    actor = request.actor
    selected = request.GET.get("dd", "")
    selected_screening = request.GET.get("screening", "")
    now = timezone.now()
    today = timezone.localdate()
    organisations = dd.organisations_for_checks(actor=actor, today=today, dd_status=selected,
                                                screening_state=selected_screening, now=now)
    # Paginate first (no COUNT, the columns the rows show), then annotate the 50 rows shown, not the
    # 2,000 of the tenant.
    page = page_of(organisations.only(*dd.CHECKS_ROW_FIELDS), request.GET.get("page"), 50)
    page.object_list = dd.with_checks(page.object_list, tenant=actor.tenant, today=today, now=now)
    return render(request, "orgs/documents/overview.html", {
        "rows_html": due_diligence_rows_html(page.object_list, tenant_slug=actor.tenant.slug),
        "page": page, "statuses": DueDiligenceStatus.choices, "selected": selected,
        "screening_states": ScreeningState.choices, "selected_screening": selected_screening,
        "may_manage_checklist": can_manage_checklist(actor),
    })


def _checklist_fields(form: ChecklistItemForm) -> dict:
    return {k: form.cleaned_data[k] for k in ChecklistItemForm.Meta.fields}


@role_required(Role.MANAGER)
def checklist(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = ChecklistItemForm(tenant=actor.tenant)
    if request.method == "POST":
        if request.POST.get("action") == "defaults":
            document_services.ensure_default_checklist(actor=actor)
            messages.success(request, _("The default checklist is ready; adapt it to your programme."))
            return redirect("orgs:due_diligence_checklist", tenant_slug=actor.tenant.slug)
        form = ChecklistItemForm(request.POST, tenant=actor.tenant)
        if form.is_valid():
            try:
                document_services.checklist_item_save(actor=actor, **_checklist_fields(form))
            except Refused as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Checklist item added."))
                return redirect("orgs:due_diligence_checklist", tenant_slug=actor.tenant.slug)
    return render(request, "orgs/documents/checklist.html", {
        "items": dd.checklist(actor=actor, include_inactive=True), "form": form,
        "awaiting": dd.documents_awaiting_review(actor=actor)[:50],
    })


@role_required(Role.MANAGER)
def checklist_item_edit(request: HttpRequest, duediligenceitem_pk: int) -> HttpResponse:
    actor = request.actor
    item = dd.access_checklist_item(actor=actor, pk=duediligenceitem_pk)
    form = ChecklistItemForm(instance=item, tenant=actor.tenant)
    stamp, stale = Stamp.of(item.version, [form]), None

    def current() -> tuple[int, list[ChecklistItemForm]]:
        fresh = dd.access_checklist_item(actor=actor, pk=item.pk)
        return fresh.version, [ChecklistItemForm(instance=fresh, tenant=actor.tenant)]

    if request.method == "POST":
        stamp = Stamp.posted(request.POST)
        # The form works on its own copy so the service still sees the stored values (audit "before").
        form = ChecklistItemForm(request.POST, instance=dd.access_checklist_item(actor=actor, pk=item.pk),
                                 tenant=actor.tenant)
        if form.is_valid():
            try:
                save_versioned(stamp=stamp, data=request.POST, posted=[form], current=current,
                               save=lambda expected: document_services.checklist_item_save(
                                   actor=actor, item=item, expected_version=expected, **_checklist_fields(form)))
            except Stale as exc:
                stale, stamp = exc, exc.stamp or stamp
                form = ChecklistItemForm(exc.data, instance=dd.access_checklist_item(actor=actor, pk=item.pk),
                                         tenant=actor.tenant)
            except Refused as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Checklist item saved."))
                return redirect("orgs:due_diligence_checklist", tenant_slug=actor.tenant.slug)
    return render(request, "orgs/documents/checklist_item.html", {"item": item, "form": form, "stamp": stamp,
                                                                  "stale": stale}, status=409 if stale else 200)
