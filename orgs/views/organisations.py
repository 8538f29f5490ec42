"""The organisation registry: list, export, detail, edit, contacts, payment details, status."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from orgs.models import DueDiligenceStatus, Organisation
from orgs.permissions.due_diligence import can_view_due_diligence
from orgs.permissions.organisations import (
    can_edit_organisation,
    can_edit_payment_details,
    can_verify_payment_details,
    role_required,
)
from orgs.selectors import organisations as selectors
from orgs.selectors.due_diligence import annotate_due_diligence, due_diligence_status
from relais.audit import audit_record
from relais.errors import Refused, refusal_text, refused_message
from relais.exports import csv_response, xlsx_response
from relais.models import Role
from relais.views import error_text

from ..filters import OrganisationFilter
from ..forms.organisations import ContactPersonForm, OrganisationProfileForm, PaymentDetailsForm
from ..models.organisations import STAFF_LIST_ROLES
from ..services import organisations as services
from ..tables import BoundedPaginator, OrganisationTable
from ..workflow import ORGANISATION


def _filtered(request: HttpRequest):
    queryset = selectors.organisation_table_rows(tenant=request.tenant, membership=request.membership)
    queryset = annotate_due_diligence(queryset, today=timezone.localdate())
    return OrganisationFilter(request.GET or None, queryset=queryset, tenant=request.tenant)


@role_required(*STAFF_LIST_ROLES)
def organisation_list(request: HttpRequest) -> HttpResponse:
    filterset = _filtered(request)
    table = OrganisationTable(filterset.qs, tenant_slug=request.tenant.slug)
    RequestConfig(request, paginate={"per_page": 25, "paginator_class": BoundedPaginator}).configure(table)
    return render(request, "orgs/organisation_list.html", {
        "filter": filterset, "table": table, "is_manager": request.membership.role == Role.MANAGER,
        "query": request.GET.urlencode(),
    })


EXPORT_HEADER = (
    "name", "acronym", "type", "status", "registration_number", "registration_date", "founding_year", "region",
    "zone", "regions_of_work", "focus_areas", "languages", "staff_women", "staff_men", "volunteers_women",
    "volunteers_men", "budget_band", "description", "bank_account", "mobile_money", "due_diligence",
)


def _export_row(org: Organisation) -> list[object]:
    details = getattr(org, "payment_details", None)
    return [
        org.name, org.acronym, org.get_type_display(), org.get_status_display(), org.registration_number,
        org.registration_date.isoformat() if org.registration_date else "", org.founding_year or "",
        org.region.name if org.region else "", org.region.get_zone_display() if org.region else "",
        "; ".join(r.name for r in org.regions_of_work.all()), "; ".join(f.name for f in org.focus_areas.all()),
        "; ".join(org.get_languages_display()), org.staff_women, org.staff_men, org.volunteers_women,
        org.volunteers_men, org.get_budget_band_display(), org.description,
        # Payment numbers leave Relais masked, whoever exports.
        details.masked_bank_account if details else "", details.masked_mobile_number if details else "",
        DueDiligenceStatus(org.dd_status).label,
    ]


@require_POST  # an export is deliberate and audited: never a prefetchable link
@role_required(Role.MANAGER)
def organisation_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    filterset = _filtered(request)
    organisations = list(filterset.qs)
    audit_record(tenant=request.tenant, actor=request.user, action="organisation.exported", target=request.tenant,
                 after={"format": fmt, "count": len(organisations), "filters": request.GET.dict()})
    rows = [_export_row(org) for org in organisations]
    filename = f"organisations-{request.tenant.slug}"
    if fmt == "csv":
        return csv_response(filename, EXPORT_HEADER, rows)
    return xlsx_response(filename, EXPORT_HEADER, rows)


def my_organisation(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    if membership.role != Role.APPLICANT or membership.organisation_id is None:
        return redirect("organisation_list", tenant_slug=request.tenant.slug)
    return redirect("organisation_detail", tenant_slug=request.tenant.slug,
                    organisation_pk=membership.organisation_id)


def organisation_detail(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    organisation = selectors.access_organisation(tenant=request.tenant, membership=request.membership,
                                                 pk=organisation_pk)
    membership = request.membership
    # The page receives only what this role may read: masked payment numbers, no contacts,
    # no status reason where those are not theirs to see (the template tests no flag).
    page = selectors.organisation_page(organisation=organisation, membership=membership)
    transitions = ORGANISATION.available(request.actor, organisation)
    return render(request, "orgs/organisation_detail.html", {
        "organisation": page.organisation,
        "contacts": page.contacts,
        "contacts_hidden_reason": page.contacts_hidden_reason,
        "payment": page.payment,
        "can_edit": can_edit_organisation(membership, organisation),
        "can_edit_payment": can_edit_payment_details(membership, organisation),
        "can_verify_payment": can_verify_payment_details(membership, organisation),
        "can_see_due_diligence": (can_see_dd := can_view_due_diligence(request.actor, organisation)),
        "due_diligence": DueDiligenceStatus(due_diligence_status(organisation, today=timezone.localdate()))
        if can_see_dd else None,
        "transitions": transitions,
        "timeline": selectors.audit_timeline(tenant=request.tenant, target=organisation)
        if membership.role == Role.MANAGER else None,
        "status_choices": organisation._meta.get_field("status").choices,
    })


def organisation_edit(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    organisation = selectors.access_organisation(tenant=request.tenant, membership=request.membership,
                                                 pk=organisation_pk)
    decision = can_edit_organisation(request.membership, organisation)
    if not decision:
        raise PermissionDenied(decision.reason)
    # The form works on a copy so the service still sees the stored values (audit "before").
    form = OrganisationProfileForm(request.POST or None, instance=copy.copy(organisation), tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(organisation=organisation, actor=request.user, data=form.service_data())
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Profile saved."))
            return redirect("organisation_detail", tenant_slug=request.tenant.slug, organisation_pk=organisation.pk)
    return render(request, "orgs/organisation_form.html", {"form": form, "organisation": organisation})


@role_required(Role.MANAGER)
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationProfileForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(tenant=request.tenant, actor=request.user,
                                                        data=form.service_data())
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Organisation added."))
            return redirect("organisation_detail", tenant_slug=request.tenant.slug, organisation_pk=organisation.pk)
    return render(request, "orgs/organisation_form.html", {"form": form, "organisation": None})


@require_POST
def organisation_change_status(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    organisation = selectors.access_organisation(tenant=request.tenant, membership=request.membership,
                                                 pk=organisation_pk)
    try:
        services.organisation_change_status(organisation=organisation, actor=request.actor,
                                            status=request.POST.get("status", ""),
                                            reason=request.POST.get("reason", ""))
    except Refused as exc:
        if exc.forbidden:
            raise PermissionDenied(refusal_text(exc)) from exc
        refused_message(request, exc)
    else:
        messages.success(request, _("Status changed to « %(status)s ».")
                         % {"status": organisation.get_status_display()})
    return redirect("organisation_detail", tenant_slug=request.tenant.slug, organisation_pk=organisation.pk)


def contact_edit(request: HttpRequest, organisation_pk: int, contactperson_pk: int | None = None) -> HttpResponse:
    organisation = selectors.access_organisation(tenant=request.tenant, membership=request.membership,
                                                 pk=organisation_pk)
    contact = (selectors.access_contact(tenant=request.tenant, organisation=organisation, pk=contactperson_pk)
               if contactperson_pk else None)
    decision = can_edit_organisation(request.membership, organisation)
    if not decision:
        raise PermissionDenied(decision.reason)
    form = ContactPersonForm(request.POST or None, instance=copy.copy(contact) if contact else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_save(organisation=organisation, actor=request.user, data=form.cleaned_data,
                                  contact=contact)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Contact saved."))
            return redirect("organisation_detail", tenant_slug=request.tenant.slug, organisation_pk=organisation.pk)
    return render(request, "orgs/contact_form.html", {"form": form, "organisation": organisation,
                                                      "contact": contact})


@require_POST
def contact_delete(request: HttpRequest, organisation_pk: int, contactperson_pk: int) -> HttpResponse:
    organisation = selectors.access_organisation(tenant=request.tenant, membership=request.membership,
                                                 pk=organisation_pk)
    contact = selectors.access_contact(tenant=request.tenant, organisation=organisation, pk=contactperson_pk)
    try:
        services.contact_delete(contact=contact, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Contact removed."))
    return redirect("organisation_detail", tenant_slug=request.tenant.slug, organisation_pk=organisation.pk)


def payment_details_edit(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    organisation = selectors.organisation_detail(tenant=request.tenant, membership=request.membership,
                                                 pk=organisation_pk)
    decision = can_edit_payment_details(request.membership, organisation)
    if not decision:
        raise PermissionDenied(decision.reason)
    details = getattr(organisation, "payment_details", None)
    form = PaymentDetailsForm(request.POST or None, instance=copy.copy(details) if details else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_details_update(organisation=organisation, actor=request.user, data=form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Payment details saved; finance will verify them."))
            return redirect("organisation_detail", tenant_slug=request.tenant.slug, organisation_pk=organisation.pk)
    return render(request, "orgs/payment_form.html", {"form": form, "organisation": organisation})


@require_POST
def payment_details_verify(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    organisation = selectors.organisation_detail(tenant=request.tenant, membership=request.membership,
                                                 pk=organisation_pk)
    decision = can_verify_payment_details(request.membership, organisation)
    if not decision:
        raise PermissionDenied(decision.reason)
    details = getattr(organisation, "payment_details", None)
    if details is None:
        messages.error(request, _("This organisation has no payment details yet."))
    else:
        try:
            services.payment_details_verify(details=details, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Payment details marked as verified."))
    return redirect("organisation_detail", tenant_slug=request.tenant.slug, organisation_pk=organisation.pk)
