"""The organisation registry: list, export, detail, edit, contacts, payment details, status."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from orgs.models import DueDiligenceStatus, Organisation, OrganisationStatus
from orgs.permissions.due_diligence import can_see_due_diligence_status, can_view_due_diligence
from orgs.permissions.organisations import (
    can_create_organisation,
    can_edit_organisation,
    can_edit_payment_details,
    can_see_timeline,
    can_verify_payment_details,
)
from orgs.selectors import organisations as selectors
from orgs.selectors.due_diligence import annotate_due_diligence, due_diligence_of_page, due_diligence_status
from relais.audit import audit_record
from relais.concurrency import Stale, Stamp, save_versioned
from relais.confirm import REASON_REQUIRED, Confirmation, confirmation_response
from relais.errors import Refused, refusal_text, refused_message
from relais.exports import csv_response, xlsx_response
from relais.models import Role
from relais.permissions import role_required

from ..filters import OrganisationFilter
from ..forms.organisations import ContactPersonForm, OrganisationProfileForm, PaymentDetailsForm
from ..models.organisations import STAFF_LIST_ROLES
from ..services import organisations as services
from ..tables import BoundedPaginator, OrganisationTable
from ..workflow import ORGANISATION


def _sorts_or_filters_by_due_diligence(request: HttpRequest) -> bool:
    return bool(request.GET.get("due_diligence")) or request.GET.get("sort", "").lstrip("-") == "dd_status"


def _filtered(request: HttpRequest, queryset: QuerySet[Organisation], *, annotate: bool = True,
              reference: selectors.ReferenceNames | None = None) -> OrganisationFilter:
    """The filtered organisations (the list's rows or the export's); with ``dd_status`` in SQL when
    ``annotate`` or when the list is filtered or sorted by it (the list page otherwise reads the status
    of its 25 rows only). ``reference``: the tenant's regions and focus areas already read, for the
    drop-downs."""
    if not can_see_due_diligence_status(request.actor):
        # Neither the column, nor a filter or a sort on it (either would tell the status).
        filterset = OrganisationFilter(request.GET or None, queryset=queryset, actor=request.actor,
                                       reference=reference)
        del filterset.filters["due_diligence"]
        return filterset
    if annotate or _sorts_or_filters_by_due_diligence(request):
        queryset = annotate_due_diligence(queryset, today=timezone.localdate())
    return OrganisationFilter(request.GET or None, queryset=queryset, actor=request.actor, reference=reference)


def _to_detail(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    return redirect("orgs:organisation_detail", tenant_slug=request.actor.tenant.slug, organisation_pk=organisation.pk)


@role_required(*STAFF_LIST_ROLES)
def organisation_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    sees_due_diligence = can_see_due_diligence_status(actor)
    # The SQL annotation of the status (nested subqueries, costly to build and compile on every
    # view) only when the list is filtered or sorted by it; otherwise the page's 25 rows get theirs
    # from two plain queries (issue 10, throughput).
    in_sql = _sorts_or_filters_by_due_diligence(request)
    # The tenant's regions and focus areas, read once as names: the filter drop-downs and the rows'
    # regions of work and focus areas both come from them (issue 10: one query instead of four, and
    # no model instances for the two prefetches).
    reference = selectors.reference_names(actor=actor)
    # The page reads the columns its rows show (not the description, search text or payment details
    # the export needs): fewer bytes from the database and fewer fields built per row (issue 10).
    filterset = _filtered(request, selectors.organisation_list_rows(actor=actor), annotate=in_sql,
                          reference=reference)
    table = OrganisationTable(filterset.qs, tenant_slug=actor.tenant.slug,
                              exclude=() if sees_due_diligence else ("dd_status",))
    RequestConfig(request, paginate={"per_page": 25, "paginator_class": BoundedPaginator}).configure(table)
    records = [row.record for row in table.page.object_list]
    page_ids = [o.pk for o in records]
    table.related_names = selectors.names_of_page(page_ids, reference=reference)
    table.reference = reference
    if sees_due_diligence and not in_sql:
        checks = due_diligence_of_page(page_ids, tenant_id=actor.tenant.pk, today=timezone.localdate())
        for organisation in records:
            organisation.dd_status = checks[organisation.pk][0]
    return render(request, "orgs/organisation_list.html", {
        "filter": filterset, "table": table, "can_add": can_create_organisation(actor),
        "list_note": selectors.organisation_list_note(actor=actor), "query": request.GET.urlencode(),
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
    actor = request.actor
    organisations = list(_filtered(request, selectors.organisation_export_rows(actor=actor)).qs)
    audit_record(tenant=actor.tenant, actor=actor.user, action="organisation.exported", target=actor.tenant,
                 after={"format": fmt, "count": len(organisations), "filters": request.GET.dict()})
    rows = [_export_row(org) for org in organisations]
    filename = f"organisations-{actor.tenant.slug}"
    if fmt == "csv":
        return csv_response(filename, EXPORT_HEADER, rows)
    return xlsx_response(filename, EXPORT_HEADER, rows)


def my_organisation(request: HttpRequest) -> HttpResponse:
    """An applicant's own CSO; everyone else goes to the list."""
    actor = request.actor
    own = selectors.own_organisation_id(actor=actor)
    if own is None:
        return redirect("orgs:organisation_list", tenant_slug=actor.tenant.slug)
    return redirect("orgs:organisation_detail", tenant_slug=actor.tenant.slug, organisation_pk=own)


def organisation_detail(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    actor = request.actor
    organisation = selectors.access_organisation(actor=actor, pk=organisation_pk)
    # The page receives only what this role may read: masked payment numbers, no contacts,
    # no status reason where those are not theirs to see (the template tests no flag).
    page = selectors.organisation_page(organisation=organisation, actor=actor)
    can_see_dd = can_view_due_diligence(actor, organisation)
    verify = can_verify_payment_details(actor, organisation, selectors.payment_details_of(organisation=organisation))
    return render(request, "orgs/organisation_detail.html", {
        "organisation": page.organisation,
        "contacts": page.contacts,
        "contacts_hidden_reason": page.contacts_hidden_reason,
        "payment": page.payment,
        "can_edit": can_edit_organisation(actor, organisation),
        "can_edit_payment": can_edit_payment_details(actor, organisation),
        "can_verify_payment": verify,
        # Four eyes: the finance member who changed the details reads why someone else must verify them.
        "verify_refused": verify.reason if can_verify_payment_details(actor, organisation) and not verify else "",
        "can_see_due_diligence": can_see_dd,
        "due_diligence": DueDiligenceStatus(due_diligence_status(organisation, today=timezone.localdate()))
        if can_see_dd else None,
        "transitions": ORGANISATION.available(actor, organisation),
        "timeline": selectors.organisation_timeline(actor=actor, organisation=organisation)
        if can_see_timeline(actor, organisation) else None,
    })


def organisation_edit(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    actor = request.actor
    organisation = selectors.access_organisation(actor=actor, pk=organisation_pk)
    can_edit_organisation(actor, organisation).raise_if_denied()

    def current() -> tuple[int, list[OrganisationProfileForm]]:
        fresh = selectors.access_organisation(actor=actor, pk=organisation_pk)
        return fresh.version, [OrganisationProfileForm(instance=fresh, actor=actor)]

    # The form works on a copy so the service still sees the stored values (audit "before").
    form = OrganisationProfileForm(request.POST or None, instance=copy.copy(organisation), actor=actor)
    stamp = Stamp.posted(request.POST) if request.method == "POST" else Stamp.of(organisation.version, [form])
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            save_versioned(stamp=stamp, data=request.POST, posted=[form], current=current,
                           save=lambda expected: services.organisation_update(
                               organisation=selectors.access_organisation(actor=actor, pk=organisation_pk),
                               actor=actor, data=form.service_data(), expected_version=expected))
        except Stale as exc:
            stale, stamp = exc, exc.stamp or stamp
            form = OrganisationProfileForm(exc.data, instance=copy.copy(organisation), actor=actor)
        except Refused as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Profile saved."))
            return _to_detail(request, organisation)
    return render(request, "orgs/organisation_form.html", {"form": form, "organisation": organisation,
                                                           "stamp": stamp, "stale": stale},
                  status=409 if stale else 200)


@role_required(Role.MANAGER)
def organisation_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = OrganisationProfileForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(actor=actor, data=form.service_data())
        except Refused as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Organisation added."))
            return _to_detail(request, organisation)
    return render(request, "orgs/organisation_form.html", {"form": form, "organisation": None})


def organisation_change_status(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    """POST: change the status. Suspending first shows its confirmation page: on GET (the record page
    links here) and on any POST without the confirmation."""
    actor = request.actor
    organisation = selectors.access_organisation(actor=actor, pk=organisation_pk)
    params = request.POST if request.method == "POST" else request.GET
    status = params.get("status", "")
    available = any(t.target == status for t in ORGANISATION.available(actor, organisation))
    if status == OrganisationStatus.SUSPENDED and available:
        page = confirmation_response(request, Confirmation(
            title=_("Suspend this organisation?"), subject=organisation.name, final=False,
            cancel_url=reverse("orgs:organisation_detail", kwargs={"tenant_slug": actor.tenant.slug,
                                                                   "organisation_pk": organisation.pk}),
            consequence=_("It will no longer be able to start or submit applications in this workspace. "
                          "Reinstating it later takes a manager's decision with a reason."),
            button=_("Suspend the organisation"), reason=REASON_REQUIRED,
            reason_help=_("Kept on the organisation's record and in the audit trail."),
            fields={"status": status}))
        if page is not None:
            return page
    elif request.method != "POST":
        return _to_detail(request, organisation)
    try:
        services.organisation_change_status(organisation=organisation, actor=actor, status=status,
                                            reason=request.POST.get("reason", ""))
    except Refused as exc:
        if exc.forbidden:
            raise PermissionDenied(refusal_text(exc)) from exc
        refused_message(request, exc)
    else:
        messages.success(request, _("Status changed to « %(status)s ».")
                         % {"status": organisation.get_status_display()})
    return _to_detail(request, organisation)


def contact_edit(request: HttpRequest, organisation_pk: int, contactperson_pk: int | None = None) -> HttpResponse:
    actor = request.actor
    organisation = selectors.access_organisation(actor=actor, pk=organisation_pk)
    contact = (selectors.access_contact(actor=actor, organisation=organisation, pk=contactperson_pk)
               if contactperson_pk else None)
    can_edit_organisation(actor, organisation).raise_if_denied()

    def current() -> tuple[int, list[ContactPersonForm]]:
        fresh = selectors.access_contact(actor=actor, organisation=organisation, pk=contactperson_pk)
        return fresh.version, [ContactPersonForm(instance=fresh)]

    form = ContactPersonForm(request.POST or None, instance=copy.copy(contact) if contact else None)
    stamp = Stamp.posted(request.POST) if request.method == "POST" else Stamp.of(contact.version if contact else 1,
                                                                                 [form])
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            if contact is None:
                services.contact_save(organisation=organisation, actor=actor, data=form.cleaned_data)
            else:
                save_versioned(stamp=stamp, data=request.POST, posted=[form], current=current,
                               save=lambda expected: services.contact_save(
                                   organisation=organisation, actor=actor, data=form.cleaned_data,
                                   contact=selectors.access_contact(actor=actor, organisation=organisation,
                                                                    pk=contactperson_pk),
                                   expected_version=expected))
        except Stale as exc:
            stale, stamp = exc, exc.stamp or stamp
            form = ContactPersonForm(exc.data, instance=copy.copy(contact))
        except Refused as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Contact saved."))
            return _to_detail(request, organisation)
    return render(request, "orgs/contact_form.html", {"form": form, "organisation": organisation,
                                                      "contact": contact, "stamp": stamp, "stale": stale},
                  status=409 if stale else 200)


@require_POST
def contact_delete(request: HttpRequest, organisation_pk: int, contactperson_pk: int) -> HttpResponse:
    actor = request.actor
    organisation = selectors.access_organisation(actor=actor, pk=organisation_pk)
    contact = selectors.access_contact(actor=actor, organisation=organisation, pk=contactperson_pk)
    try:
        services.contact_delete(contact=contact, actor=actor)
    except Refused as exc:
        refused_message(request, exc)
    else:
        messages.success(request, _("Contact removed."))
    return _to_detail(request, organisation)


def payment_details_edit(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    actor = request.actor
    organisation = selectors.access_organisation(actor=actor, pk=organisation_pk)
    can_edit_payment_details(actor, organisation).raise_if_denied()

    with_stripe = services.stripe_account_editable(actor)

    def current() -> tuple[int, list[PaymentDetailsForm]]:
        fresh = selectors.payment_details_of(organisation=organisation)
        return (fresh.version if fresh else 0), [PaymentDetailsForm(instance=fresh, with_stripe=with_stripe)]

    details = selectors.payment_details_of(organisation=organisation)
    form = PaymentDetailsForm(request.POST or None, instance=details, with_stripe=with_stripe)
    # Version 0: no details yet; a second tab creating them meanwhile makes this page stale too.
    stamp = Stamp.posted(request.POST) if request.method == "POST" else Stamp.of(details.version if details else 0,
                                                                                 [form])
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            save_versioned(stamp=stamp, data=request.POST, posted=[form], current=current,
                           save=lambda expected: services.payment_details_update(
                               organisation=organisation, actor=actor, data=form.cleaned_data,
                               expected_version=expected))
        except Stale as exc:
            stale, stamp = exc, exc.stamp or stamp
            form = PaymentDetailsForm(exc.data, instance=selectors.payment_details_of(organisation=organisation),
                                      with_stripe=with_stripe)
        except Refused as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Payment details saved; finance will verify them."))
            return _to_detail(request, organisation)
    return render(request, "orgs/payment_form.html", {"form": form, "organisation": organisation,
                                                      "stamp": stamp, "stale": stale},
                  status=409 if stale else 200)


@require_POST
def payment_details_verify(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    actor = request.actor
    organisation = selectors.access_organisation(actor=actor, pk=organisation_pk)
    can_verify_payment_details(actor, organisation).raise_if_denied()  # the role; four eyes: the service
    details = selectors.payment_details_of(organisation=organisation)
    if details is None:
        messages.error(request, _("This organisation has no payment details yet."))
    else:
        try:
            services.payment_details_verify(details=details, actor=actor)
        except Refused as exc:
            refused_message(request, exc)
        else:
            messages.success(request, _("Payment details marked as verified."))
    return _to_detail(request, organisation)
