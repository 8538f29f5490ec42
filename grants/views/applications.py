"""Application pages: list, detail, section-by-section drafting, submission, transitions, versions, PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.downloads import private_bytes_response, private_file_response
from relais.drafts import MAX_FIELD_CHARS, pop_rescued
from relais.ids import pk_like
from relais.models import Membership, Role
from relais.uploads import validate_upload
from relais.views import error_text

from .. import selectors
from ..completeness import completeness_problems
from ..forms import (
    SECTION_FORMS,
    AttachmentsForm,
    BudgetFormSet,
    EligibilityForm,
    ReasonForm,
    TimelineFormSet,
    limit_regions,
)
from ..models import ApplicationStatus, EligibilityAnswer, Review, ReviewStatus
from ..permissions import can_edit_application, can_manage_applications, can_open_review, identity_hidden
from ..sections import SECTION_SLUGS, SECTION_TITLES, SECTIONS, next_section, previous_section
from ..services.applications import application_section_save, application_transition, attachment_add
from ..versions import snapshot, snapshot_diff
from ..workflow import application_transitions_from

S = ApplicationStatus


def _url(request, name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


def application_list(request: HttpRequest) -> HttpResponse:
    apps = selectors.application_list(tenant=request.tenant, membership=request.membership)
    status = request.GET.get("status", "")
    if status in S.values:
        apps = apps.filter(status=status)
    page = Paginator(apps, 25).get_page(request.GET.get("page"))
    page.object_list = [selectors.application_as_seen_by(application=app, membership=request.membership)
                        for app in page.object_list]
    return render(request, "grants/application_list.html", {
        "page": page, "statuses": S.choices, "status": status,
        # Layout only: a reviewer's list leaves the column out (blind rows hold no name anyway).
        "organisation_column": request.membership.role != Role.REVIEWER,
    })


def _reviewer_gate(request, application) -> HttpResponse | None:
    """Reviewers open an application only through their review, after declaring no conflict."""
    if request.membership.role != Role.REVIEWER:
        return None
    review = Review.objects.filter(application=application, reviewer=request.user).first()
    if review is None:
        raise Http404
    decision = can_open_review(review)
    if not decision:
        messages.info(request, decision.reason)
        return redirect("review_detail", tenant_slug=request.tenant.slug, review_pk=review.pk)
    return None


def next_step_for_applicant(application) -> str:
    return {
        S.DRAFT: _("Complete every section, then submit."),
        S.CHANGES_REQUESTED: _("Make the requested changes, then resubmit."),
        S.SUBMITTED: _("Nothing to do: the team will screen your application."),
        S.SCREENING: _("Nothing to do: eligibility is being checked."),
        S.IN_REVIEW: _("Nothing to do: reviewers are scoring your application."),
        S.DECISION_PENDING: _("Nothing to do: a decision will be made soon."),
        S.APPROVED: _("Approved: the team will contact you about the agreement."),
        S.REJECTED: _("Not selected. The reason is shown below."),
        S.WITHDRAWN: _("You withdrew this application."),
        S.INELIGIBLE: _("Not eligible. The reason is shown below."),
    }[application.status]


def application_detail(request: HttpRequest, application_pk: int) -> HttpResponse:
    app = selectors.access_application(tenant=request.tenant, membership=request.membership, pk=application_pk)
    gate = _reviewer_gate(request, app)
    if gate:
        return gate
    membership = request.membership
    transitions = [t for t in application_transitions_from(app.status) if membership.role in t.roles
                   and t.target != S.SUBMITTED]
    shown = selectors.application_as_seen_by(application=app, membership=membership)
    context = {
        "application": shown, "call": app.call,
        "can_edit": can_edit_application(membership, app), "sections": SECTIONS,
        "problems": completeness_problems(app) if app.is_editable and membership.role == Role.APPLICANT else [],
        "transitions": transitions, "reason_form": ReasonForm(),
        "timeline": selectors.application_timeline(tenant=request.tenant, application=app, membership=membership),
        "next_step": next_step_for_applicant(app) if membership.role == Role.APPLICANT else "",
        "lines": shown.budget_lines.select_related("category"), "activities": shown.timeline.all(),
        "regions": shown.regions.all(), "attachments": shown.attachments.select_related("required"),
        "answers": shown.answers.select_related("question"), "versions": shown.versions.all(),
    }
    if membership.role == Role.MANAGER:
        from ..services.reviews import reviewer_conflict, reviewer_memberships

        reviews = list(app.reviews.select_related("reviewer"))
        taken = {r.reviewer_id for r in reviews}
        candidates = [m for m in reviewer_memberships(tenant=request.tenant)
                      if m.user_id not in taken and not reviewer_conflict(m, app)]
        context.update({"reviews": reviews, "candidates": candidates})
    return render(request, "grants/application_detail.html", context)


def _section_forms(request, app, section, data=None, files=None):
    tenant = request.tenant
    forms = {}
    if section in SECTION_FORMS:
        form = SECTION_FORMS[section](data, instance=app, prefix="s")
        limit_regions(form, tenant)
        forms["main"] = form
    if section == "activities":
        forms["timeline"] = TimelineFormSet(data, instance=app, prefix="timeline")
    if section == "budget":
        forms["lines"] = BudgetFormSet(data, instance=app, prefix="lines", form_kwargs={"tenant": tenant})
    if section == "eligibility":
        answers = dict(app.answers.values_list("question_id", "answer"))
        forms["main"] = EligibilityForm(data, questions=app.call.questions.all(), initial_answers=answers, prefix="s")
    if section == "attachments":
        forms["main"] = AttachmentsForm(data, files, required_documents=app.call.required_attachments.all(),
                                        prefix="s")
    return forms


def _valid_rows(formset):
    """Rows of an inline formset that validated (the others stay on screen with their errors)."""
    rows, deleted = [], []
    for form in formset.forms:
        if not form.has_changed() and not form.instance.pk:
            continue
        if form.is_valid():
            if formset.can_delete and form.cleaned_data.get("DELETE"):
                if form.instance.pk:
                    deleted.append(form.instance)
            else:
                rows.append(form)
    return rows, deleted


def _save_section(request, app, section, forms) -> list[str]:
    """Save whatever validated; return the upload errors (field errors stay on the forms)."""
    upload_errors: list[str] = []
    for formset_name in ("timeline", "lines"):
        if formset_name in forms:
            forms[formset_name].is_valid()  # management form errors are reported, never raised
    main = forms.get("main")
    if main is not None:
        main.is_valid()

    def save_form(locked):
        if main is not None and hasattr(main, "save_valid_fields"):
            main.save_valid_fields(locked)
        if section == "eligibility":
            for question_id, answer in main.answers().items():
                EligibilityAnswer.objects.update_or_create(
                    application=locked, question_id=question_id, defaults={"tenant": locked.tenant, "answer": answer})
        for formset_name in ("timeline", "lines"):
            if formset_name in forms and forms[formset_name].management_form.is_valid():
                rows, deleted = _valid_rows(forms[formset_name])
                for form in rows:
                    row = form.save(commit=False)
                    row.application = locked
                    row.tenant = locked.tenant
                    row.save()
                for row in deleted:
                    row.delete()
        locked.save()

    application_section_save(application=app, membership=request.membership, actor=request.user,
                             section=section, save_form=save_form)
    if section == "attachments":
        for doc in main.documents:
            upload = request.FILES.get(f"s-a{doc.pk}")
            if upload is None:
                continue
            try:
                content_type = validate_upload(upload).content_type
                attachment_add(application=app, membership=request.membership, actor=request.user,
                               required=doc, upload=upload, content_type=content_type)
            except ValidationError as exc:
                main.add_error(f"a{doc.pk}", exc)
                upload_errors.append(f"{doc.name}: {error_text(exc)}")
    return upload_errors


def _has_errors(forms) -> bool:
    for form in forms.values():
        if hasattr(form, "management_form"):
            if not form.management_form.is_valid():
                return True
            if any(f.errors for f in form.forms if f.has_changed() or f.instance.pk):
                return True
        elif form.errors:
            return True
    return False


def application_section(request: HttpRequest, application_pk: int) -> HttpResponse:
    app = selectors.access_application(tenant=request.tenant, membership=request.membership, pk=application_pk)
    decision = can_edit_application(request.membership, app)
    own = request.membership.role == Role.APPLICANT and request.membership.organisation_id == app.organisation_id
    if not decision and not (own and request.method == "POST"):
        raise PermissionDenied(decision.reason)
    section = request.GET.get("section", SECTION_SLUGS[0])
    if section not in SECTION_SLUGS:
        raise Http404
    if not decision:
        # Locked meanwhile (submitted from another tab): show the typed text back instead of losing it.
        messages.error(request, _("%(reason)s Your text was not saved; copy it if you need it.")
                       % {"reason": decision.reason})
        forms = _section_forms(request, app, section, request.POST)
        status = 409
    elif request.method == "POST":
        forms = _section_forms(request, app, section, request.POST, request.FILES)
        try:
            with transaction.atomic():
                _save_section(request, app, section, forms)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
            status = 409  # the forms stay bound: the typed text is shown again
        else:
            status = None
        if status == 409:
            pass
        elif request.POST.get("autosave"):
            return HttpResponse(status=204)
        elif _has_errors(forms):
            messages.error(request, _("Some fields were not saved: correct the marked fields and save again. "
                                      "Everything else was saved."))
            status = 200
        else:
            messages.success(request, _("Section saved."))
            go = request.POST.get("go", "")
            if go == "_detail":
                return redirect("application_detail", tenant_slug=request.tenant.slug, application_pk=app.pk)
            target = go if go in SECTION_SLUGS else section
            return redirect(_url(request, "application_section", application_pk=app.pk) + f"?section={target}")
        app.refresh_from_db()
    if request.method != "POST":
        rescued = pop_rescued(request)
        forms = _section_forms(request, app, section, rescued.data if rescued else None)
        status = 200
        if rescued is not None and rescued.truncated:
            messages.warning(request, _("Your unsaved text was restored — save it. Very long fields were cut "
                                        "at %(limit)s characters: check their end.")
                             % {"limit": intcomma(MAX_FIELD_CHARS)})
        elif rescued is not None:
            messages.warning(request, _("Your unsaved text was restored — save it."))
    return render(request, "grants/application_section.html", {
        "application": app, "call": app.call, "section": section, "section_title": SECTION_TITLES[section],
        "sections": SECTIONS, "forms": forms, "next": next_section(section), "previous": previous_section(section),
        "attachments": {a.required_id: a for a in app.attachments.all()} if section == "attachments" else {},
    }, status=status)


def _may_rescue_section(membership: Membership, *, application_pk: int) -> bool:
    """relais.drafts keeps text POSTed after the session expired only if this member may edit the application."""
    app = selectors.application_list(tenant=membership.tenant, membership=membership).filter(pk=application_pk).first()
    return app is not None and bool(can_edit_application(membership, app))


application_section.rescues_drafts = _may_rescue_section


def application_submit(request: HttpRequest, application_pk: int) -> HttpResponse:
    """GET: what is missing, or a confirmation; POST: submit (locks, stamps the reference, e-mails a receipt)."""
    app = selectors.access_application(tenant=request.tenant, membership=request.membership, pk=application_pk)
    decision = can_edit_application(request.membership, app)
    if not decision:
        raise PermissionDenied(decision.reason)
    if request.method == "POST":
        try:
            application_transition(application=app, target=S.SUBMITTED, actor=request.user,
                                   membership=request.membership)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            app.refresh_from_db()
            messages.success(request, _("Application %(ref)s submitted. A receipt was sent by e-mail.")
                             % {"ref": app.reference})
            return redirect("application_detail", tenant_slug=request.tenant.slug, application_pk=app.pk)
    problems = completeness_problems(app)
    return render(request, "grants/application_submit.html", {
        "application": app, "call": app.call, "problems": problems, "closed": not app.call.accepts_submissions,
    })


@require_POST
def application_change_status(request: HttpRequest, application_pk: int) -> HttpResponse:
    app = selectors.access_application(tenant=request.tenant, membership=request.membership, pk=application_pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            application_transition(application=app, target=request.POST.get("target", ""), actor=request.user,
                                   membership=request.membership, reason=form.cleaned_data["reason"] or "",
                                   amount=form.cleaned_data["amount"])
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            app.refresh_from_db()
            messages.success(request, _("The application is now “%(status)s”.") % {"status": app.get_status_display()})
    back = request.POST.get("back")
    if back == "screening" and request.membership.role == Role.MANAGER:
        return redirect("application_screening", tenant_slug=request.tenant.slug, application_pk=app.pk)
    return redirect("application_detail", tenant_slug=request.tenant.slug, application_pk=app.pk)


def application_screening(request: HttpRequest, application_pk: int) -> HttpResponse:
    app = selectors.access_application(tenant=request.tenant, membership=request.membership, pk=application_pk)
    can_manage_applications(request.membership).raise_if_denied()
    answers = {a.question_id: a.answer for a in app.answers.all()}
    rows = []
    for question in app.call.questions.all():
        answer = answers.get(question.pk, "")
        rows.append({"question": question, "answer": answer,
                     "disqualifies": bool(question.disqualifying_answer) and answer == question.disqualifying_answer})
    eligible_regions = set(app.call.eligible_regions.values_list("pk", flat=True))
    app_regions = list(app.regions.all())
    regions_ok = not eligible_regions or any(r.pk in eligible_regions for r in app_regions)
    return render(request, "grants/application_screening.html", {
        "application": app, "call": app.call, "rows": rows, "regions": app_regions, "regions_ok": regions_ok,
        "eligible_regions": app.call.eligible_regions.all(), "reason_form": ReasonForm(),
        "transitions": [t for t in application_transitions_from(app.status) if Role.MANAGER in t.roles],
        "within_range": app.call.min_grant <= app.requested_amount <= app.call.max_grant,
    })


def application_versions(request: HttpRequest, application_pk: int) -> HttpResponse:
    app = selectors.access_application(tenant=request.tenant, membership=request.membership, pk=application_pk)
    if request.membership.role == Role.REVIEWER:
        raise PermissionDenied(_("Reviewers see the submitted version only."))
    versions = list(app.versions.all())
    comparisons = []
    for older, newer in zip(versions, versions[1:], strict=False):
        comparisons.append({"older": older, "newer": newer, "changes": snapshot_diff(older.snapshot, newer.snapshot)})
    if versions and app.is_editable:
        comparisons.append({"older": versions[-1], "newer": None,
                            "changes": snapshot_diff(versions[-1].snapshot, snapshot(app))})
    return render(request, "grants/application_versions.html", {
        "application": app, "versions": versions, "comparisons": list(reversed(comparisons)),
    })


def application_pdf(request: HttpRequest, application_pk: int) -> HttpResponse:

    from ..documents import application_pdf as render_pdf

    app = selectors.access_application(tenant=request.tenant, membership=request.membership, pk=application_pk)
    gate = _reviewer_gate(request, app)
    if gate:
        return gate
    data = render_pdf(selectors.application_as_seen_by(application=app, membership=request.membership))
    name = app.reference or f"application-{app.pk}"
    return private_bytes_response(data, filename=f"{name}.pdf", content_type="application/pdf", as_attachment=False)


def attachment_download(request: HttpRequest, applicationattachment_pk: int) -> HttpResponse:
    attachment = selectors.access_attachment(tenant=request.tenant, membership=request.membership,
                                             pk=applicationattachment_pk)
    app = attachment.application
    gate = _reviewer_gate(request, app)
    if gate:
        return gate
    if identity_hidden(request.membership, app):
        raise PermissionDenied(_("Blind review: documents that identify the applicant are hidden."))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return private_file_response(handle, filename=attachment.original_name, content_type=attachment.content_type)


@require_POST
def application_assign(request: HttpRequest, application_pk: int) -> HttpResponse:
    from relais.models import User

    from ..services.reviews import review_assign

    app = selectors.access_application(tenant=request.tenant, membership=request.membership, pk=application_pk)
    can_manage_applications(request.membership).raise_if_denied()
    raw = request.POST.get("reviewer", "")
    reviewer = User.objects.filter(pk=raw, memberships__tenant=request.tenant).first() if pk_like(raw) else None
    if reviewer is None:
        messages.error(request, _("Choose a reviewer."))
    else:
        try:
            review_assign(application=app, reviewer=reviewer, actor=request.user, membership=request.membership)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("%(user)s is assigned.") % {"user": reviewer.display_name})
    return redirect("application_detail", tenant_slug=request.tenant.slug, application_pk=app.pk)


__all__ = ["ReviewStatus"]
