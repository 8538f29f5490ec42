"""Import organisations: upload, preview (nothing written), confirm."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.selectors import organisations as selectors
from relais.errors import Refused, refused_message
from relais.models import Role
from relais.permissions import role_required

from .. import importing
from ..forms.organisations import ImportUploadForm


@role_required(Role.MANAGER)
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = importing.import_batch_create(actor=request.actor, filename=upload.name, content=upload.read())
        except Refused as exc:
            form.add_error("file", exc)
        else:
            return redirect("orgs:import_preview", tenant_slug=request.actor.tenant.slug, importbatch_pk=batch.pk)
    return render(request, "orgs/import_upload.html", {"form": form, "columns": importing.COLUMNS,
                                                       "optional_columns": importing.OPTIONAL_COLUMNS})


@role_required(Role.MANAGER)
def import_preview(request: HttpRequest, importbatch_pk: int) -> HttpResponse:
    batch = selectors.access_import_batch(actor=request.actor, pk=importbatch_pk)
    results = [] if batch.confirmed_at else importing.validate_rows(actor=request.actor, rows=batch.rows)
    valid = sum(1 for r in results if r.ok)
    return render(request, "orgs/import_preview.html", {
        "batch": batch, "results": results, "valid_count": valid, "error_count": len(results) - valid,
    })


@require_POST
@role_required(Role.MANAGER)
def import_confirm(request: HttpRequest, importbatch_pk: int) -> HttpResponse:
    actor = request.actor
    batch = selectors.access_import_batch(actor=actor, pk=importbatch_pk)
    try:
        created = importing.import_batch_confirm(batch=batch, actor=actor)
    except Refused as exc:
        refused_message(request, exc)
        return redirect("orgs:import_preview", tenant_slug=actor.tenant.slug, importbatch_pk=batch.pk)
    messages.success(request, _("%(count)s organisations imported.") % {"count": len(created)})
    return redirect("orgs:organisation_list", tenant_slug=actor.tenant.slug)
