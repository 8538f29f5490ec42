"""Application pages: list, detail, section-by-section drafting, submission, transitions, versions, PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.actor import Actor
from relais.concurrency import Stale, Stamp, save_versioned, stale_since
from relais.confirm import REASON_REQUIRED, Confirmation, confirmation_response
from relais.downloads import private_bytes_response, private_file_response
from relais.drafts import MAX_FIELD_CHARS, pop_rescued
from relais.errors import Refused, refused_message
from relais.ids import pk_like
from relais.models import Membership, Role
from relais.outbox import warn_if_nobody_reached
from relais.pagination import page_of

from .. import selectors
from ..completeness import completeness_problems, schedule_problems
from ..forms import (
    SECTION_FORMS,
    AttachmentsForm,
    BudgetFormSet,
    EligibilityForm,
    ReasonForm,
    TimelineFormSet,
    by_pk,
)
from ..models import ApplicationStatus
from ..permissions import (
    can_download_attachment,
    can_edit_application,
    can_handle_application,
    can_manage_applications,
    can_open_review,
    can_read_versions,
    is_own_application,
)
from ..sections import ROW_FIELDS, SECTION_ROWS, SECTION_SLUGS, SECTION_TITLES, SECTIONS, next_section, previous_section
from ..selectors.finance import award_of_application
from ..services.applications import (
    application_section_save,
    application_transition,
    attachment_add,
    attachment_download_record,
)
from ..services.emails import DECISION_EMAILS, EMAIL_ON
from ..services.reviews import review_assign
from ..tables import application_rows_html
from ..versions import snapshot, snapshot_diff
from ..workflow import APPLICATION, CONFIRMED_TARGETS

S = ApplicationStatus
# The screening page is for these states; after them it redirects to the record.
SCREENING_STATUSES = (S.SUBMITTED, S.SCREENING)
# Sections whose save is followed by a check of the dates against the timeline.
SCHEDULE_SECTIONS = ("activities", "location")


def _url(request, name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": request.actor.tenant.slug, **kwargs})


def application_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    apps = selectors.application_list(actor=actor)
    status = request.GET.get("status", "")
    if status in S.values:
        apps = apps.filter(status=status)
    page = page_of(apps.only(*selectors.APPLICATION_ROW_FIELDS), request.GET.get("page"), 25)
    page.object_list = [selectors.application_as_seen_by(application=app, actor=actor) for app in page.object_list]
    applicant = actor.has_role(Role.APPLICANT)
    return render(request, "grants/application_list.html", {
        "page": page, "statuses": S.choices, "status": status,
        "title": _("My applications") if applicant else _("Applications"), "link_to_calls": applicant,
        # Layout only: a reviewer's list leaves the column out (blind rows hold no name anyway).
        "organisation_column": not actor.has_role(Role.REVIEWER),
        "rows_html": application_rows_html(page, tenant_slug=actor.tenant.slug,
                                           organisation_column=not actor.has_role(Role.REVIEWER)),
    })


def _reviewer_gate(request, application) -> HttpResponse | None:
    """Reviewers open an application only through their review, after declaring no conflict."""
    actor = request.actor
    if not actor.has_role(Role.REVIEWER):
        return None
    review = selectors.review_of(actor=actor, application=application)
    if review is None:
        raise Http404
    decision = can_open_review(review)
    if not decision:
        messages.info(request, decision.reason)
        return redirect("grants:review_detail", tenant_slug=actor.tenant.slug, review_pk=review.pk)
    return None


def _locked_redirect(request: HttpRequest, app) -> HttpResponse:
    """A page that only makes sense before submission, opened after it: to the record, with a word why."""
    if app.status == S.WITHDRAWN:
        messages.info(request, _("This application was withdrawn; it can no longer be changed."))
    else:
        messages.info(request, _("This application was submitted; it can no longer be changed."))
    return redirect("grants:application_detail", tenant_slug=request.actor.tenant.slug, application_pk=app.pk)


def next_step_for_applicant(application, award=None) -> str:
    """What the applicant does next; once approved, the award's page carries the agreement and payments."""
    if application.status == S.APPROVED:
        if award is not None:
            return _("Approved: your award %(reference)s is open. Its page holds the agreement to sign, the "
                     "tranches and the payments.") % {"reference": award.reference}
        return _("Approved: your award is being prepared; it will appear under “Awards”.")
    return {
        S.DRAFT: _("Complete every section, then submit."),
        S.CHANGES_REQUESTED: _("Make the requested changes, then resubmit."),
        S.SUBMITTED: _("Nothing to do: the team will screen your application."),
        S.SCREENING: _("Nothing to do: eligibility is being checked."),
        S.IN_REVIEW: _("Nothing to do: reviewers are scoring your application."),
        S.DECISION_PENDING: _("Nothing to do: a decision will be made soon."),
        S.REJECTED: _("Not selected. The reason is shown below."),
        S.WITHDRAWN: _("You withdrew this application."),
        S.INELIGIBLE: _("Not eligible. The reason is shown below."),
    }[application.status]


def application_detail(request: HttpRequest, application_pk: int) -> HttpResponse:
    actor = request.actor
    app = selectors.access_application(actor=actor, pk=application_pk)
    gate = _reviewer_gate(request, app)
    if gate:
        return gate
    applicant = actor.has_role(Role.APPLICANT)
    manage = can_manage_applications(actor)
    available = [t for t in APPLICATION.available(actor, app) if t.target != S.SUBMITTED]
    # Final negative steps are links to their confirmation page, away from the main actions.
    transitions = [t for t in available if t.target not in CONFIRMED_TARGETS]
    final_steps = [t for t in available if t.target in CONFIRMED_TARGETS]
    shown = selectors.application_as_seen_by(application=app, actor=actor)
    award = award_of_application(actor=actor, application=app) if applicant and app.status == S.APPROVED else None
    context = {
        "application": shown, "call": app.call,
        "can_edit": can_edit_application(actor, app), "sections": SECTIONS,
        "problems": completeness_problems(app) if app.is_editable and applicant else [],
        "transitions": transitions, "final_steps": final_steps, "reason_form": ReasonForm(currency=app.call.currency),
        "timeline": selectors.application_timeline(application=app, actor=actor),
        "next_step": next_step_for_applicant(app, award) if applicant else "", "next_step_award": award,
        "can_read_versions": can_read_versions(actor), "can_manage": manage,
        **selectors.application_rows(shown),
    }
    if manage:
        handle = can_handle_application(actor, app)
        reviews = selectors.reviews_of_application(application=app)
        # A manager linked to the applicant CSO reads the application but acts on nothing (no buttons).
        context.update({"reviews": reviews, "conflict": "" if handle else handle.reason,
                        "candidates": selectors.reviewer_candidates(actor=actor, application=app, reviews=reviews)
                        if handle else []})
    return render(request, "grants/application_detail.html", context)


def _section_forms(actor: Actor, app, section, state, data=None, files=None):
    forms: dict[str, Any] = {}
    if section in SECTION_FORMS:
        forms["main"] = SECTION_FORMS[section](data, instance=app, prefix="s",
                                               regions=selectors.region_list(actor=actor))
    if section == "activities":
        forms["timeline"] = TimelineFormSet(data, instance=app, prefix="timeline")
    if section == "budget":
        categories = by_pk(selectors.active_budget_categories(actor=actor))
        forms["lines"] = BudgetFormSet(data, instance=app, prefix="lines",
                                       form_kwargs={"categories": categories, "currency": app.call.currency})
    if section == "eligibility":
        forms["main"] = EligibilityForm(data, questions=state["questions"], initial_answers=state["answers"],
                                        prefix="s")
    if section == "attachments":
        forms["main"] = AttachmentsForm(data, files, required_documents=state["documents"], prefix="s")
    return forms


def _section_data(section: str, forms) -> dict[str, Any]:
    """The plain cleaned data of what validated (the rest stays on screen with its errors)."""
    main = forms.get("main")
    data: dict[str, Any] = {}
    if main is not None:
        main.is_valid()
        if section == "eligibility":
            data["answers"] = main.answers()
        elif hasattr(main, "valid_data"):
            data.update(main.valid_data())
    key = SECTION_ROWS.get(section)
    if key in forms:
        forms[key].is_valid()  # management form errors are reported, never raised
        data[key] = forms[key].rows(ROW_FIELDS[key])
    return data


def _save_section(request, app, section, forms, expected_version: int | None) -> None:
    """Save whatever validated; upload errors go on the attachment fields."""
    actor = request.actor
    application_section_save(application=app, actor=actor, section=section, data=_section_data(section, forms),
                             expected_version=expected_version)
    if section == "attachments":
        main = forms["main"]
        for doc in main.documents:
            upload = request.FILES.get(f"s-a{doc.pk}")
            if upload is None:
                continue
            try:
                attachment_add(application=app, actor=actor, required=doc, upload=upload)
            except Refused as exc:
                main.add_error(f"a{doc.pk}", exc)


def _has_errors(forms) -> bool:
    for form in forms.values():
        if hasattr(form, "has_errors"):
            if form.has_errors():
                return True
        elif form.errors:
            return True
    return False


def application_section(request: HttpRequest, application_pk: int) -> HttpResponse:
    actor = request.actor
    app = selectors.access_application(actor=actor, pk=application_pk)
    decision = can_edit_application(actor, app)
    if not decision and is_own_application(actor, app) and request.method != "POST":
        return _locked_redirect(request, app)  # back after submitting, or an old link: go to the record
    if not decision and not (is_own_application(actor, app) and request.method == "POST"):
        raise PermissionDenied(decision.reason)
    section = request.GET.get("section", SECTION_SLUGS[0])
    if section not in SECTION_SLUGS:
        raise Http404
    state = selectors.section_state(application=app, section=section)

    def current() -> tuple[int, list[Any]]:
        """The section as saved now: the version and unbound forms (what a fresh page would show)."""
        app.refresh_from_db()
        fresh = selectors.section_state(application=app, section=section)
        return app.version, list(_section_forms(actor, app, section, fresh).values())

    stale: Stale | None = None
    stamp = Stamp.posted(request.POST) if request.method == "POST" else None
    if not decision:
        # Locked meanwhile (submitted from another tab): show the typed text back instead of losing it.
        messages.error(request, _("%(reason)s Your text was not saved; copy it if you need it.")
                       % {"reason": decision.reason})
        forms = _section_forms(actor, app, section, state, request.POST)
        status = 409
    elif request.method == "POST":
        assert stamp is not None
        forms = _section_forms(actor, app, section, state, request.POST, request.FILES)

        def save(expected: int | None) -> None:
            with transaction.atomic():
                _save_section(request, app, section, forms, expected)

        try:
            save_versioned(stamp=stamp, data=request.POST, posted=forms.values(), save=save, current=current)
        except Stale as exc:
            # Nothing was saved: the other side's changes are listed, the typed text stays in the form.
            if request.POST.get("autosave"):
                return HttpResponse(status=409)
            stale, stamp = exc, exc.stamp or stamp
            forms = _section_forms(actor, app, section, selectors.section_state(application=app, section=section),
                                   exc.data)
            status = 409
        except Refused as exc:
            refused_message(request, exc)
            status = 409  # the forms stay bound: the typed text is shown again
        else:
            status = None
            stamp = Stamp.of(*current())
        if status == 409:
            pass
        elif request.POST.get("autosave"):
            # The page keeps editing on top of its own save: it gets the new version back.
            return JsonResponse(stamp.as_json())
        elif _has_errors(forms):
            messages.error(request, _("Some fields were not saved: correct the marked fields and save again. "
                                      "Everything else was saved."))
            status = 200
        else:
            messages.success(request, _("Section saved."))
            if section in SCHEDULE_SECTIONS:
                # Saved all the same: the applicant may fix the dates or the timeline next.
                for problem in schedule_problems(app):
                    messages.warning(request, problem.message)
            go = request.POST.get("go", "")
            if go == "_detail":
                return redirect("grants:application_detail", tenant_slug=actor.tenant.slug, application_pk=app.pk)
            target = go if go in SECTION_SLUGS else section
            return redirect(_url(request, "grants:application_section", application_pk=app.pk) + f"?section={target}")
        app.refresh_from_db()
        state = selectors.section_state(application=app, section=section)
    if request.method != "POST":
        rescued = pop_rescued(request)
        forms = _section_forms(actor, app, section, state, rescued.data if rescued else None)
        stamp = Stamp.of(app.version, forms.values())
        if rescued is not None:
            # Rescued text keeps the version it was typed on: what others saved since is shown now,
            # and saving it is checked like any other save.
            stamp = Stamp.posted(rescued.data)
            stale = stale_since(stamp=stamp, data=rescued.data, posted=forms.values(), current=current)
            if stale is not None and stale.data is not None:
                stamp = stale.stamp or stamp
                forms = _section_forms(actor, app, section, state, stale.data)
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
        "attachments": state["attachments"], "stamp": stamp, "stale": stale,
    }, status=status)


def _may_rescue_section(membership: Membership, *, application_pk: int) -> bool:
    """relais.drafts keeps text POSTed after the session expired only if this member may edit the application."""
    actor = Actor.of(membership)
    app = selectors.application_list(actor=actor).filter(pk=application_pk).first()
    return app is not None and bool(can_edit_application(actor, app))


application_section.rescues_drafts = _may_rescue_section


def application_submit(request: HttpRequest, application_pk: int) -> HttpResponse:
    """GET: what is missing, or a confirmation; POST: submit (locks, stamps the reference, e-mails a receipt)."""
    actor = request.actor
    app = selectors.access_application(actor=actor, pk=application_pk)
    if is_own_application(actor, app) and not app.is_editable:
        return _locked_redirect(request, app)  # already submitted (back button, second tap)
    can_edit_application(actor, app).raise_if_denied()
    if request.method == "POST":
        try:
            application_transition(application=app, actor=actor, target=S.SUBMITTED)
        except Refused as exc:
            refused_message(request, exc)
        else:
            messages.success(request, _("Application %(ref)s submitted. A receipt was sent by e-mail.")
                             % {"ref": app.reference})
            return redirect("grants:application_detail", tenant_slug=actor.tenant.slug, application_pk=app.pk)
    problems = completeness_problems(app)
    return render(request, "grants/application_submit.html", {
        "application": app, "call": app.call, "problems": problems, "closed": not app.call.accepts_submissions,
    })


def _confirmation(request: HttpRequest, app, target: str, back: str) -> Confirmation:
    """What the confirmation page says before a final negative step (grants.workflow.CONFIRMED_TARGETS)."""
    subject = " — ".join(str(part) for part in (app.reference, app.title or _("Untitled application"),
                                                 app.organisation.name) if part)
    cancel = _url(request, "grants:application_screening" if back == "screening" else "grants:application_detail",
                  application_pk=app.pk)
    fields = {"target": target, **({"back": back} if back else {})}
    if target == S.WITHDRAWN:
        return Confirmation(
            title=_("Withdraw this application?"), subject=subject, cancel_url=cancel, fields=fields,
            consequence=_("The programme team will no longer consider it and it cannot be submitted again. "
                          "While the call is open, your organisation can start a new application."),
            button=_("Withdraw the application"))
    if target == S.REJECTED:
        return Confirmation(
            title=_("Reject this application?"), subject=subject, cancel_url=cancel, fields=fields,
            consequence=_("The decision is final: the applicant is told by e-mail, with your reason."),
            button=_("Reject the application"), reason=REASON_REQUIRED,
            reason_label=_("Reason for the decision"), reason_help=_("The applicant will read it."))
    return Confirmation(
        title=_("Mark this application as ineligible?"), subject=subject, cancel_url=cancel, fields=fields,
        consequence=_("It leaves the selection: the applicant is told by e-mail, with your reason."),
        button=_("Mark as ineligible"), reason=REASON_REQUIRED,
        reason_label=_("Reason"), reason_help=_("The applicant will read it."))


def application_change_status(request: HttpRequest, application_pk: int) -> HttpResponse:
    """POST: take a step. A final negative step (CONFIRMED_TARGETS) first shows its confirmation page,
    on GET (the record page links here) and on any POST without the confirmation."""
    actor = request.actor
    app = selectors.access_application(actor=actor, pk=application_pk)
    params = request.POST if request.method == "POST" else request.GET
    target = params.get("target", "")
    back = "screening" if params.get("back") == "screening" and can_manage_applications(actor) else ""
    detail = redirect("grants:application_detail", tenant_slug=actor.tenant.slug, application_pk=app.pk)
    if target in CONFIRMED_TARGETS:
        if not any(t.target == target for t in APPLICATION.available(actor, app)):
            if request.method != "POST":  # e.g. back to a confirmation page after the step: say where it stands
                messages.info(request, _("This step is no longer possible: the application is “%(status)s”.")
                              % {"status": app.get_status_display()})
                return detail
        else:
            page = confirmation_response(request, _confirmation(request, app, target, back))
            if page is not None:
                return page
    elif request.method != "POST":
        return detail
    form = ReasonForm(request.POST, currency=app.call.currency)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        target = request.POST.get("target", "")
        try:
            application_transition(application=app, actor=actor, target=target,
                                   reason=form.cleaned_data["reason"] or "", amount=form.cleaned_data["amount"])
        except Refused as exc:
            refused_message(request, exc)
        else:
            if target == S.WITHDRAWN and app.call.accepts_submissions:
                messages.success(request, _("The application is withdrawn. While the call is open, your "
                                            "organisation can start a new one."))
            else:
                messages.success(request, _("The application is now “%(status)s”.")
                                 % {"status": app.get_status_display()})
            if EMAIL_ON.get(target) in DECISION_EMAILS:
                warn_if_nobody_reached(request, tenant=actor.tenant, organisation_id=app.organisation_id)
    if back and app.status in SCREENING_STATUSES:
        return redirect("grants:application_screening", tenant_slug=actor.tenant.slug, application_pk=app.pk)
    return detail


def application_screening(request: HttpRequest, application_pk: int) -> HttpResponse:
    actor = request.actor
    app = selectors.access_application(actor=actor, pk=application_pk)
    can_manage_applications(actor).raise_if_denied()
    if app.status not in SCREENING_STATUSES:
        messages.info(request, _("The screening of this application is over (“%(status)s”).")
                      % {"status": app.get_status_display()})
        return redirect("grants:application_detail", tenant_slug=actor.tenant.slug, application_pk=app.pk)
    handle = can_handle_application(actor, app)
    return render(request, "grants/application_screening.html", {
        "application": app, "call": app.call, "reason_form": ReasonForm(currency=app.call.currency),
        "conflict": "" if handle else handle.reason,
        "transitions": APPLICATION.available(actor, app), "final_targets": CONFIRMED_TARGETS,
        **selectors.screening_rows(application=app),
    })


def application_versions(request: HttpRequest, application_pk: int) -> HttpResponse:
    actor = request.actor
    app = selectors.access_application(actor=actor, pk=application_pk)
    can_read_versions(actor).raise_if_denied()
    versions = selectors.application_versions(application=app)
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

    actor = request.actor
    app = selectors.access_application(actor=actor, pk=application_pk)
    gate = _reviewer_gate(request, app)
    if gate:
        return gate
    data = render_pdf(selectors.application_as_seen_by(application=app, actor=actor))
    name = app.reference or f"application-{app.pk}"
    return private_bytes_response(data, filename=f"{name}.pdf", content_type="application/pdf", as_attachment=False)


def attachment_download(request: HttpRequest, applicationattachment_pk: int) -> HttpResponse:
    actor = request.actor
    attachment = selectors.access_attachment(actor=actor, pk=applicationattachment_pk)
    app = attachment.application
    gate = _reviewer_gate(request, app)
    if gate:
        return gate
    can_download_attachment(actor, app).raise_if_denied()
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    attachment_download_record(attachment=attachment, actor=actor)
    return private_file_response(handle, filename=attachment.original_name, content_type=attachment.content_type)


@require_POST
def application_assign(request: HttpRequest, application_pk: int) -> HttpResponse:
    actor = request.actor
    app = selectors.access_application(actor=actor, pk=application_pk)
    can_manage_applications(actor).raise_if_denied()
    raw = request.POST.get("reviewer", "")
    reviewer = selectors.tenant_user(actor=actor, pk=int(raw)) if pk_like(raw) else None
    if reviewer is None:
        messages.error(request, _("Choose a reviewer."))
    else:
        try:
            review_assign(application=app, reviewer=reviewer, actor=actor)
        except Refused as exc:
            refused_message(request, exc)
        else:
            messages.success(request, _("%(user)s is assigned.") % {"user": reviewer.display_name})
    return redirect("grants:application_detail", tenant_slug=actor.tenant.slug, application_pk=app.pk)
