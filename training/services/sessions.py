"""Writers for training sessions, participants, registrations and attendance. Each checks the
permission and the state, owns its transaction and audits what changed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.audit import audit_record
from relais.concurrency import claim_version
from relais.errors import Refused, refused
from relais.permissions import require
from relais.uploads import validate_upload
from relais.validators import validate_one_line_fields
from relais.workflow import transition

from ..models import (
    DEFAULT_TOPICS,
    Attendance,
    AttendanceStatus,
    Participant,
    Registration,
    SessionMaterial,
    SessionStatus,
    Topic,
    TrainingSession,
)
from ..permissions import can_create_session, can_manage_session, can_register_participants
from ..selectors import fold
from ..workflow import SESSION
from .reach import reach_changed

SESSION_FIELDS = ("title", "topic", "start_date", "end_date", "remote", "region", "commune", "venue", "languages",
                  "capacity", "hours_per_day", "award", "call", "protected")
OPEN_FOR_ATTENDANCE = (SessionStatus.PLANNED, SessionStatus.HELD)


def topics_seed(*, actor: Actor) -> None:
    """Registered tenant setup: a new workspace starts with the usual topics (in its language)."""
    from django.utils import translation

    with translation.override(actor.tenant.default_language or "fr"):
        for position, name in enumerate(DEFAULT_TOPICS, start=1):
            Topic.objects.get_or_create(tenant=actor.tenant, name=str(name), defaults={"position": position})


@transaction.atomic
def topics_save(*, actor: Actor, rows: list[dict[str, Any]], add_defaults: bool = False) -> int:
    """Managers edit the workspace's topic list (rows: `id` or None and the fields); `add_defaults`
    adds the usual seven where missing (workspaces created before training existed)."""
    if not actor.is_manager:
        raise Refused(_("Only programme managers edit the training topics."), forbidden=True)
    if add_defaults:
        topics_seed(actor=actor)
    existing = {t.pk: t for t in Topic.objects.filter(tenant=actor.tenant)}
    try:
        with transaction.atomic():
            for data in rows:
                pk = data.get("id")
                topic = existing.get(pk) if pk is not None else Topic(tenant=actor.tenant)
                if topic is None:
                    raise Refused(_("This choice belongs to another workspace."), forbidden=True)
                for name in ("name", "position", "active"):
                    if name in data:
                        setattr(topic, name, data[name])
                _clean(topic)
                topic.save()
    except IntegrityError:
        raise Refused(_("Two topics cannot have the same name.")) from None
    count = Topic.objects.filter(tenant=actor.tenant).count()
    audit_record(tenant=actor.tenant, actor=actor.user, action="training_topics.updated", target=actor.tenant,
                 after={"count": count})
    return count


def _clean(obj: Any) -> None:
    """One-line fields refuse control characters: a readable refusal, not a crash."""
    try:
        validate_one_line_fields(obj)
    except ValidationError as exc:
        raise refused(exc) from None


def _same_tenant(actor: Actor, *objects: Any) -> None:
    for obj in objects:
        if obj is not None and getattr(obj, "tenant_id", actor.tenant.pk) != actor.tenant.pk:
            raise Refused(_("This choice belongs to another workspace."), forbidden=True)


def _check_session(actor: Actor, values: Mapping[str, Any], trainers: Iterable[Any],
                   organisations: Iterable[Any]) -> None:
    _same_tenant(actor, *(values.get(k) for k in ("topic", "region", "commune", "award", "call")),
                 *trainers, *organisations)
    if values["end_date"] < values["start_date"]:
        raise Refused(_("The last day cannot be before the first day."))
    if (values["end_date"] - values["start_date"]).days > 60:
        raise Refused(_("A session lasts at most 60 days."))
    commune, region = values.get("commune"), values.get("region")
    if commune is not None and region is not None and commune.region_id != region.pk:
        raise Refused(_("The commune is not in the chosen region."))
    if any(t.role != "trainer" for t in trainers):
        raise Refused(_("Only trainer members can run a session."))


@transaction.atomic
def session_create(*, actor: Actor, values: Mapping[str, Any], trainers: Iterable[Any] = (),
                   invited_organisations: Iterable[Any] = ()) -> TrainingSession:
    """A trainer who creates a session runs it (added to its trainers)."""
    require(can_create_session(actor))
    trainers, organisations = list(trainers), list(invited_organisations)
    _check_session(actor, values, trainers, organisations)
    session = TrainingSession(tenant=actor.tenant, created_by=actor.user,
                              **{k: values.get(k) for k in SESSION_FIELDS if k in values})
    _clean(session)
    session.save()
    if actor.has_role("trainer") and actor.membership is not None and actor.membership not in trainers:
        trainers.append(actor.membership)
    session.trainers.set(trainers)
    session.invited_organisations.set(organisations)
    audit_record(tenant=actor.tenant, actor=actor.user, action="training_session.created", target=session,
                 after={"title": session.title, "start_date": session.start_date, "protected": session.protected})
    reach_changed(tenant_id=actor.tenant.pk)
    return session


@transaction.atomic
def session_update(*, session: TrainingSession, actor: Actor, values: Mapping[str, Any],
                   trainers: Iterable[Any], invited_organisations: Iterable[Any],
                   expected_version: int | None = None) -> TrainingSession:
    require(can_manage_session(actor, session))
    if session.status in (SessionStatus.CLOSED, SessionStatus.CANCELLED):
        raise Refused(_("A closed or cancelled session cannot be changed."))
    trainers, organisations = list(trainers), list(invited_organisations)
    _check_session(actor, values, trainers, organisations)
    claim_version(session, expected=expected_version)
    locked = TrainingSession.objects.select_for_update().get(pk=session.pk, tenant=actor.tenant)
    before = {k: getattr(locked, k if k not in ("topic", "region", "commune", "award", "call") else f"{k}_id")
              for k in SESSION_FIELDS}
    for key in SESSION_FIELDS:
        if key in values:
            setattr(locked, key, values[key])
    _clean(locked)
    locked.save()
    if actor.has_role("trainer") and actor.membership is not None and actor.membership not in trainers:
        trainers.append(actor.membership)  # a trainer cannot remove themselves and lose the session
    locked.trainers.set(trainers)
    locked.invited_organisations.set(organisations)
    after = {k: getattr(locked, k if k not in ("topic", "region", "commune", "award", "call") else f"{k}_id")
             for k in SESSION_FIELDS}
    changed = [k for k in SESSION_FIELDS if before[k] != after[k]]
    audit_record(tenant=actor.tenant, actor=actor.user, action="training_session.updated", target=locked,
                 before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    reach_changed(tenant_id=actor.tenant.pk)  # its days bound the person-days
    return locked


@transaction.atomic
def session_transition(*, session: TrainingSession, actor: Actor, target: str, reason: str = "") -> TrainingSession:
    def apply(locked: TrainingSession, ctx: dict[str, Any]) -> dict[str, Any] | None:
        if target == SessionStatus.CANCELLED:
            locked.cancel_reason = ctx["reason"]
        return None

    moved = transition(SESSION, obj=session, target=target, actor=actor, reason=reason, apply=apply)
    reach_changed(tenant_id=actor.tenant.pk)  # a cancelled session leaves the reach
    return moved


@transaction.atomic
def material_add(*, session: TrainingSession, actor: Actor, title: str, upload: UploadedFile) -> SessionMaterial:
    require(can_manage_session(actor, session))
    try:
        detected = validate_upload(upload)
    except ValidationError as exc:
        raise refused(exc) from None
    name = "".join(ch for ch in (upload.name or "document") if ch.isprintable())[:255]
    material = SessionMaterial(tenant=actor.tenant, session=session, title=" ".join(title.split()) or name,
                               original_name=name, content_type=detected.content_type,
                               size=upload.size or 0, uploaded_by=actor.user)
    _clean(material)
    material.file.save(upload.name or "document", upload, save=False)
    material.save()
    audit_record(tenant=actor.tenant, actor=actor.user, action="training_session.material_added", target=session,
                 after={"material": material.title})
    return material


# --- participants and registrations ---------------------------------------------------------------

@transaction.atomic
def participant_register(*, session: TrainingSession, actor: Actor, participant: Participant) -> Registration:
    """Register someone already known (found by the search). Applicants register their own staff only."""
    require(can_register_participants(actor, session))
    _same_tenant(actor, participant)
    if actor.has_role("applicant") and participant.organisation_id != actor.organisation_id:
        raise Refused(_("You can only register the staff of your own organisation."), forbidden=True)
    if not session.invited_organisations.filter(pk=participant.organisation_id).exists():
        raise Refused(_("This person's organisation is not invited to the session."))
    locked = TrainingSession.objects.select_for_update().get(pk=session.pk, tenant=actor.tenant)
    if Registration.objects.filter(tenant=actor.tenant, session=locked).count() >= locked.capacity:
        raise Refused(_("The session is full (%(capacity)s places).") % {"capacity": locked.capacity})
    try:
        with transaction.atomic():
            registration = Registration.objects.create(tenant=actor.tenant, session=locked,
                                                       participant=participant, registered_by=actor.user)
    except IntegrityError:
        raise Refused(_("%(name)s is already registered.") % {"name": participant.full_name}) from None
    audit_record(tenant=actor.tenant, actor=actor.user, action="training_session.participant_registered",
                 target=locked, after={"participant": participant.code})
    reach_changed(tenant_id=actor.tenant.pk)
    return registration


@transaction.atomic
def participant_create_and_register(*, session: TrainingSession, actor: Actor,
                                    values: Mapping[str, Any]) -> Registration:
    """A new person (the search found nobody): created in one of the invited organisations, then registered."""
    require(can_register_participants(actor, session))
    organisation = values["organisation"]
    _same_tenant(actor, organisation)
    participant = Participant(tenant=actor.tenant, organisation=organisation,
                              full_name=" ".join(str(values["full_name"]).split()), sex=values["sex"],
                              age_band=values["age_band"], role_title=values.get("role_title", ""),
                              phone=values.get("phone", ""))
    participant.name_folded = fold(participant.full_name)
    _clean(participant)
    participant.save()
    audit_record(tenant=actor.tenant, actor=actor.user, action="participant.created", target=participant,
                 after={"organisation": organisation.pk, "code": participant.code})
    return participant_register(session=session, actor=actor, participant=participant)


# --- attendance ----------------------------------------------------------------------------------

Marks = Mapping[tuple[int, date], str]  # (registration id, day) -> status


@transaction.atomic
def attendance_save(*, session: TrainingSession, actor: Actor, marks: Marks,
                    expected_version: int | None = None, action: str = "training_session.attendance_saved") -> int:
    """Write the whole grid at once: every (registration, day) mark given, in one transaction.

    The grid posts the session's version: a second tab's older grid is refused (`Stale`) rather than
    silently undoing the first. Marks must be for this session's registrations and days, with a known
    status; a blank mark clears the cell. Returns the number of cells that changed.
    """
    require(can_manage_session(actor, session))
    if session.status not in OPEN_FOR_ATTENDANCE:
        raise Refused(_("Attendance can no longer be changed: the session is %(status)s.")
                      % {"status": SessionStatus(session.status).label})
    claim_version(session, expected=expected_version)
    registrations = set(Registration.objects.filter(tenant=actor.tenant, session=session)
                        .values_list("pk", flat=True))
    days = set(session.days)
    valid = set(AttendanceStatus.values) | {""}
    for (reg_id, day), status in marks.items():
        if reg_id not in registrations or day not in days or status not in valid:
            raise Refused(_("The attendance sheet does not match this session; reload the page."))
    existing = {(a.registration_id, a.day): a for a in Attendance.objects.filter(
        tenant=actor.tenant, registration__session=session)}
    to_create, to_update, to_delete = [], [], []
    for key, status in marks.items():
        row = existing.get(key)
        if row is None and status:
            to_create.append(Attendance(tenant=actor.tenant, registration_id=key[0], day=key[1], status=status))
        elif row is not None and not status:
            to_delete.append(row.pk)
        elif row is not None and row.status != status:  # an attendance mark, not a workflow state
            to_update.append(Attendance(pk=row.pk, tenant_id=row.tenant_id, registration_id=key[0], day=key[1],
                                        status=status))
    Attendance.objects.bulk_create(to_create)
    Attendance.objects.bulk_update(to_update, ["status"])
    Attendance.objects.filter(tenant=actor.tenant, pk__in=to_delete).delete()
    changed = len(to_create) + len(to_update) + len(to_delete)
    if changed:
        audit_record(tenant=actor.tenant, actor=actor.user, action=action, target=session,
                     after={"cells": changed})
        reach_changed(tenant_id=actor.tenant.pk)
    return changed


def attendance_import_confirm(*, session: TrainingSession, actor: Actor, content: str,
                              expected_version: int | None = None) -> int:
    """Write the marks of a CSV the person previewed. Its text, as the preview decoded it, is parsed and
    validated again (what was shown is what is written); any error writes nothing."""
    from ..attendance_import import ImportError_, parse_csv, validate_rows

    require(can_manage_session(actor, session))
    try:
        rows = parse_csv(content)
    except ImportError_ as exc:
        raise Refused(str(exc)) from None
    registrations = list(Registration.objects.filter(tenant=actor.tenant, session=session)
                         .select_related("participant"))
    preview = validate_rows(rows, session=session, registrations=registrations)
    if preview.errors:
        raise Refused([_("Line %(line)s: %(message)s") % {"line": line, "message": message}
                       for line, message in preview.errors])
    return attendance_save(session=session, actor=actor, marks=preview.marks, expected_version=expected_version,
                           action="training_session.attendance_imported")
