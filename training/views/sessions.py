"""Training sessions: list, create/edit, detail, status, registration, attendance grid, printed
sheet and CSV import. Thin: resolve through an access function, bind a form, call one service."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.concurrency import Stale, Stamp, page_version, save_versioned
from relais.confirm import REASON_REQUIRED, Confirmation, confirmation_response, confirmed_reason
from relais.downloads import private_bytes_response, private_file_response
from relais.errors import Refused, refused_message
from relais.http import TenantRequest
from relais.ids import pk_like
from relais.links import pk_url_maker
from relais.models import Role
from relais.pagination import page_of
from relais.permissions import role_required

from .. import selectors
from ..attendance_import import ImportError_, decode_csv, parse_csv, validate_rows
from ..documents import attendance_sheet_pdf
from ..forms import TOPIC_FIELDS, AttendanceCsvForm, MaterialForm, ParticipantForm, SessionForm, TopicsFormSet
from ..models import AttendanceStatus, SessionStatus, TrainingSession
from ..permissions import can_create_session, can_manage_session, can_register_participants
from ..selectors.settings import training_settings
from ..services import sessions as services
from ..tables import participant_rows_html, session_cards_html
from ..workflow import SESSION

SESSION_ROLES = (Role.MANAGER, Role.TRAINER, Role.APPLICANT)
STAFF = (Role.MANAGER, Role.TRAINER)
PARTICIPANTS_PER_PAGE = 25
# The session page's links, each from a pattern reversed once per process (relais.links.pk_url_maker).
SESSION_LINKS = {
    "register": "training:session_register", "attendance": "training:attendance_grid",
    "scores": "training:scores_grid", "sheet": "training:attendance_sheet", "import": "training:attendance_import",
    "edit": "training:session_edit", "status": "training:session_change_status", "reach": "training:session_reach",
    "material_add": "training:material_add", "cancel": "training:session_cancel",
}


def _detail(session: TrainingSession) -> HttpResponse:
    return redirect("training:session_detail", tenant_slug=session.tenant.slug, training_session_pk=session.pk)


@role_required(*SESSION_ROLES)
def session_list(request: TenantRequest) -> HttpResponse:
    actor = request.actor
    page = page_of(selectors.session_rows(actor=actor), request.GET.get("page"), 25)
    return render(request, "training/session_list.html", {
        "page": page,
        "cards": session_cards_html(page, trainers=selectors.trainer_names(page), tenant_slug=actor.tenant.slug),
        "can_create": bool(can_create_session(actor)), "can_edit_topics": actor.is_manager})


@role_required(Role.MANAGER)
def topics(request: TenantRequest) -> HttpResponse:
    """The workspace's training topics: rename, reorder, retire (inactive) or add."""
    actor = request.actor
    formset = TopicsFormSet(request.POST or None, queryset=selectors.topic_list(actor=actor, active_only=False))
    if request.method == "POST" and (formset.is_valid() or request.POST.get("defaults")):
        rows = [] if request.POST.get("defaults") else [
            {"id": cast(Any, f.instance).pk, **{k: f.cleaned_data[k] for k in TOPIC_FIELDS}}
            for f in formset.forms if f.has_changed() and f.cleaned_data]
        try:
            services.topics_save(actor=actor, rows=rows, add_defaults=bool(request.POST.get("defaults")))
        except Refused as exc:
            refused_message(request, exc)
        else:
            messages.success(request, _("Topics saved."))
            return redirect("training:topics", tenant_slug=actor.tenant.slug)
    return render(request, "training/topics.html", {"formset": formset})


def _choices(actor: Any, session: TrainingSession) -> dict[str, Any]:
    # the active topics, and the session's own even if retired since (a new session: active only)
    return {"topic": selectors.topic_list(actor=actor, keep=session.topic_id),
            "region": selectors.region_choices(actor=actor),
            "commune": selectors.commune_choices(actor=actor), "trainers": selectors.trainer_choices(actor=actor),
            "award": selectors.award_choices(actor=actor), "call": selectors.call_choices(actor=actor)}


def _session_edit(request: TenantRequest, session: TrainingSession) -> HttpResponse:
    actor = request.actor
    data = request.POST if request.method == "POST" else None
    choices, registry = _choices(actor, session), selectors.organisation_choices(actor=actor)
    protected_by_default = training_settings(actor.tenant).protect_new_sessions
    form = SessionForm(data, instance=session, choices=choices, organisations=registry,
                       protected_by_default=protected_by_default)
    stamp = Stamp.posted(request.POST) if data is not None else Stamp.of(session.version, [form])
    stale = None

    def current() -> tuple[int, list[Any]]:
        fresh = selectors.access_session(actor=actor, pk=session.pk)
        return fresh.version, [SessionForm(instance=fresh, choices=choices, organisations=registry)]

    if data is not None and form.is_valid():
        values = form.values()
        trainers, organisations = form.cleaned_data["trainers"], form.cleaned_data["invited_organisations"]
        try:
            if session.pk is None:
                session = services.session_create(actor=actor, values=values, trainers=trainers,
                                                  invited_organisations=organisations)
            else:
                session = save_versioned(
                    stamp=stamp, data=request.POST, posted=[form], current=current,
                    save=lambda expected: services.session_update(
                        session=session, actor=actor, values=values, trainers=trainers,
                        invited_organisations=organisations, expected_version=expected))
        except Stale as exc:
            stale, stamp = exc, exc.stamp or stamp
            form = SessionForm(exc.data, instance=selectors.access_session(actor=actor, pk=session.pk),
                               choices=choices, organisations=registry, protected_by_default=protected_by_default)
        except Refused as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Training session saved."))
            return _detail(session)
    return render(request, "training/session_form.html", {"form": form, "session": session, "stamp": stamp,
                                                         "stale": stale}, status=409 if stale else 200)


@role_required(*STAFF)
def session_create(request: TenantRequest) -> HttpResponse:
    return _session_edit(request, TrainingSession(tenant=request.actor.tenant))


@role_required(*SESSION_ROLES)
def session_edit(request: TenantRequest, training_session_pk: int) -> HttpResponse:
    session = selectors.access_session(actor=request.actor, pk=training_session_pk)
    can_manage_session(request.actor, session).raise_if_denied()
    return _session_edit(request, session)


@role_required(*SESSION_ROLES)
def session_detail(request: TenantRequest, training_session_pk: int) -> HttpResponse:
    actor = request.actor
    session = selectors.access_session(actor=actor, pk=training_session_pk)
    manage = bool(can_manage_session(actor, session))
    query = (request.GET.get("q") or "")[:100]
    # One page of participants (300 people are not one page) and the count for the capacity line: one statement
    # as first opened; a search pages the ORM's query and counts the registrations apart.
    if query.strip():
        participants = page_of(selectors.session_participants(session=session, actor=actor, query=query),
                               request.GET.get("page"), PARTICIPANTS_PER_PAGE)
        registered = selectors.registrations_of(session=session, actor=actor).count()
    else:
        participants, registered = selectors.participants_page(
            session=session, actor=actor, raw_number=request.GET.get("page"), per_page=PARTICIPANTS_PER_PAGE)
    slug = actor.tenant.slug
    links = {key: pk_url_maker(name, "training_session_pk", tenant_slug=slug)(session.pk)
             for key, name in SESSION_LINKS.items()}
    download = pk_url_maker("training:material_download", "sessionmaterial_pk", tenant_slug=slug,
                            training_session_pk=session.pk)
    materials = [(download(m.pk), m) for m in session.materials.all()] if manage else []
    available = SESSION.available(actor, session) if manage else []
    return render(request, "training/session_detail.html", {
        "session": session, "manage": manage, "participants": participants, "query": query, "links": links,
        "participant_rows": participant_rows_html(participants, protected=session.protected,
                                                  searched=bool(query and registered)),
        # Joined in one values query, not a template loop: a big session invites a hundred CSOs or more.
        "invited": selectors.invited_names(session),
        "registered": registered,
        "can_register": bool(can_register_participants(actor, session)),
        "transitions": [t for t in available if t.target != SessionStatus.CANCELLED],
        "can_cancel": any(t.target == SessionStatus.CANCELLED for t in available),
        "materials": materials,
        "material_form": MaterialForm() if manage else None,
    })


@require_POST
@role_required(*STAFF)
def session_change_status(request: TenantRequest, training_session_pk: int) -> HttpResponse:
    actor = request.actor
    session = selectors.access_session(actor=actor, pk=training_session_pk)
    can_manage_session(actor, session).raise_if_denied()
    target = request.POST.get("target", "")
    if target == SessionStatus.CANCELLED:
        return redirect("training:session_cancel", tenant_slug=actor.tenant.slug, training_session_pk=session.pk)
    try:
        services.session_transition(session=session, actor=actor, target=target)
    except Refused as exc:
        refused_message(request, exc)
    else:
        messages.success(request, _("The session status was updated."))
    return _detail(session)


@role_required(*STAFF)
def session_cancel(request: TenantRequest, training_session_pk: int) -> HttpResponse:
    actor = request.actor
    session = selectors.access_session(actor=actor, pk=training_session_pk)
    can_manage_session(actor, session).raise_if_denied()
    page = confirmation_response(request, Confirmation(
        title=_("Cancel this training session?"), subject=session.title,
        consequence=_("The session is marked cancelled; registrations and attendance are kept but can no "
                      "longer change."),
        button=_("Cancel the session"), reason=REASON_REQUIRED, reason_label=_("Reason for cancelling"),
        cancel_url=reverse("training:session_detail", kwargs={"tenant_slug": actor.tenant.slug,
                                                              "training_session_pk": session.pk})))
    if page is not None:
        return page
    try:
        services.session_transition(session=session, actor=actor, target=SessionStatus.CANCELLED,
                                    reason=confirmed_reason(request))
    except Refused as exc:
        refused_message(request, exc)
    else:
        messages.success(request, _("The session was cancelled."))
    return _detail(session)


@require_POST
@role_required(*STAFF)
def material_add(request: TenantRequest, training_session_pk: int) -> HttpResponse:
    actor = request.actor
    session = selectors.access_session(actor=actor, pk=training_session_pk)
    can_manage_session(actor, session).raise_if_denied()
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.material_add(session=session, actor=actor, title=form.cleaned_data["title"],
                                  upload=form.cleaned_data["file"])
        except Refused as exc:
            refused_message(request, exc)
        else:
            messages.success(request, _("Material added."))
    else:
        messages.error(request, _("Choose a file to add."))
    return _detail(session)


@role_required(*STAFF)
def material_download(request: TenantRequest, training_session_pk: int, sessionmaterial_pk: int) -> Any:
    actor = request.actor
    session = selectors.access_session(actor=actor, pk=training_session_pk)
    can_manage_session(actor, session).raise_if_denied()
    material = selectors.access_material(session=session, pk=sessionmaterial_pk)
    try:
        handle = material.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return private_file_response(handle, filename=material.original_name, content_type=material.content_type)


# --- registration --------------------------------------------------------------------------------

@role_required(*SESSION_ROLES)
def session_register(request: TenantRequest, training_session_pk: int) -> HttpResponse:
    """Search the invited organisations' people first (accents ignored), then add someone new."""
    actor = request.actor
    session = selectors.access_session(actor=actor, pk=training_session_pk)
    can_register_participants(actor, session).raise_if_denied()
    organisations = session.invited_organisations.all()
    if actor.has_role(Role.APPLICANT):
        organisations = organisations.filter(pk=cast(int, actor.organisation_id))
    query = (request.GET.get("q") or "")[:100]
    form = ParticipantForm(request.POST if request.POST.get("new") else None, organisations=organisations)
    if request.method == "POST":
        try:
            if request.POST.get("new"):
                if form.is_valid():
                    services.participant_create_and_register(session=session, actor=actor, values=form.cleaned_data)
                    messages.success(request, _("Participant added and registered."))
                    return redirect(request.path)
            else:
                raw = request.POST.get("participant", "")
                person = next((p for p in selectors.participant_search(
                    session=session, actor=actor, query=request.POST.get("q", ""))
                    if pk_like(raw) and p.pk == int(raw)), None)
                if person is None:
                    messages.error(request, _("This person cannot be registered to this session."))
                else:
                    services.participant_register(session=session, actor=actor, participant=person)
                    messages.success(request, _("%(name)s is registered.") % {"name": person.full_name})
                return redirect(request.path)
        except Refused as exc:
            form.add_error(None, exc)
    participants, registered = selectors.participants_page(
        session=session, actor=actor, raw_number=request.GET.get("page"), per_page=PARTICIPANTS_PER_PAGE)
    return render(request, "training/session_register.html", {
        "session": session, "query": query, "form": form,
        "found": selectors.participant_search(session=session, actor=actor, query=query) if query else None,
        # A page of the registered people, as on the session page (300 are not one page), and their count.
        "participants": participants, "registered": registered,
        "participant_rows": participant_rows_html(participants, protected=False, searched=False),
    })


# --- attendance ----------------------------------------------------------------------------------

def _posted_marks(session: TrainingSession, data: Any, registrations: set[int]) -> dict[tuple[int, date], str]:
    days = session.days
    marks: dict[tuple[int, date], str] = {}
    for name, value in data.items():
        parts = name.split("-")
        if len(parts) != 3 or parts[0] != "m" or not pk_like(parts[1]) or not pk_like(parts[2]):
            continue
        reg_id, index = int(parts[1]), int(parts[2])
        if reg_id in registrations and index < len(days) and value in AttendanceStatus.values:
            marks[(reg_id, days[index])] = value
    return marks


@role_required(*STAFF)
def attendance_grid(request: TenantRequest, training_session_pk: int) -> HttpResponse:
    """The whole session on one page: one submit saves every mark (a stale page is refused, 409)."""
    actor = request.actor
    session = selectors.access_session(actor=actor, pk=training_session_pk)
    can_manage_session(actor, session).raise_if_denied()
    rows = selectors.attendance_grid(session=session, actor=actor)
    status, stale = 200, False
    version = session.version  # read before the rows: the page shows them as saved at this version
    if request.method == "POST":
        marks = _posted_marks(session, request.POST, {row.registration.pk for row in rows})
        try:
            changed = services.attendance_save(session=session, actor=actor, marks=marks,
                                               expected_version=page_version(request.POST.get("version")))
        except Stale:
            # The marks saved now, with the typed ones over them, at the version they were read at:
            # saving again after checking succeeds (the posted version would be refused forever).
            stale, status = True, 409
            posted = {(k[0], k[1]): v for k, v in marks.items()}
            rows = [selectors.GridRow(r.registration, r.label,
                                      [(i, d, posted.get((r.registration.pk, d), s)) for i, d, s in r.cells])
                    for r in rows]
        except Refused as exc:
            refused_message(request, exc)
            status = 400
        else:
            messages.success(request, _("Attendance saved (%(count)s changes).") % {"count": changed})
            return redirect(request.path)
    return render(request, "training/attendance_grid.html", {
        "session": session, "rows": rows, "days": session.days, "version": version, "stale": stale,
        "statuses": [(s.value, s.label, _short(s.value)) for s in AttendanceStatus],
        "open": session.status in services.OPEN_FOR_ATTENDANCE,
    }, status=status)


def _short(status: str) -> str:
    return {"present": _("P"), "absent": _("A"), "late": _("L"), "excused": _("E")}[status]


@role_required(*STAFF)
def attendance_sheet(request: TenantRequest, training_session_pk: int) -> HttpResponse:
    actor = request.actor
    session = selectors.access_session(actor=actor, pk=training_session_pk)
    can_manage_session(actor, session).raise_if_denied()
    registrations = list(selectors.registrations_of(session=session, actor=actor))
    pdf = attendance_sheet_pdf(session=session, registrations=registrations)
    return private_bytes_response(pdf, filename=f"attendance-{session.pk}.pdf", content_type="application/pdf",
                                  as_attachment=False)


@role_required(*STAFF)
def attendance_import(request: TenantRequest, training_session_pk: int) -> HttpResponse:
    """Upload → preview (errors in plain words, nothing written) → confirm (the same text, checked again)."""
    actor = request.actor
    session = selectors.access_session(actor=actor, pk=training_session_pk)
    can_manage_session(actor, session).raise_if_denied()
    form = AttendanceCsvForm(request.POST or None, request.FILES or None)
    preview, content, error, status = None, "", "", 200
    if request.method == "POST" and request.POST.get("confirm"):
        content = request.POST.get("content", "")
        try:
            changed = services.attendance_import_confirm(
                session=session, actor=actor, content=content,
                expected_version=page_version(request.POST.get("version")))
        except Stale:
            error, status = _("The attendance changed since the preview: upload the file again."), 409
        except Refused as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Attendance imported (%(count)s changes).") % {"count": changed})
            return redirect("training:attendance_grid", tenant_slug=actor.tenant.slug, training_session_pk=session.pk)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            text = decode_csv(data)
            rows = parse_csv(text)
        except ImportError_ as exc:
            form.add_error("file", str(exc))
        else:
            registrations = list(selectors.registrations_of(session=session, actor=actor))
            preview = validate_rows(rows, session=session, registrations=registrations)
            content = text if not preview.errors else ""
    return render(request, "training/attendance_import.html", {
        "session": session, "form": form, "preview": preview, "content": content, "error": error,
        "version": session.version,
    }, status=status)
