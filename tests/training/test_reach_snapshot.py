"""The programme's reach as first opened, stored per workspace (training.services.reach.programme_figures):
served only while nothing that moves a figure changed, never across workspaces, never for a filtered view,
and labelled in the reader's language."""

from __future__ import annotations

import dataclasses
import datetime
import importlib
import inspect
import pkgutil
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

import training.services
from orgs.models import Region, Zone
from orgs.services.organisations import organisation_update, region_save
from relais.actor import Actor
from relais.demographics import AgeBand, Sex
from relais.models import Role
from tests.factories import OrganisationFactory, RegionFactory
from tests.training.factories import (
    AttendanceFactory,
    ParticipantFactory,
    RegistrationFactory,
    TopicFactory,
    TrainingSessionFactory,
)
from training.models import Certificate, ReachSnapshot, SessionStatus
from training.selectors.reach import (
    ORGANISATION_ROWS,
    Reach,
    reach,
    reach_data,
    reach_from_data,
    reach_sessions,
)
from training.services import reach as reach_services
from training.services.learning import certificate_issue, learning_save
from training.services.reach import programme_figures, reach_changed
from training.services.sessions import (
    SESSION_FIELDS,
    attendance_import_confirm,
    attendance_save,
    material_add,
    participant_create_and_register,
    participant_register,
    session_create,
    session_transition,
    session_update,
    topics_save,
    topics_seed,
)

pytestmark = pytest.mark.django_db

D1, D2, D3 = datetime.date(2026, 3, 9), datetime.date(2026, 3, 10), datetime.date(2026, 3, 11)
STATUSES = ["present", "late", "absent", "excused"]
SEXES = [Sex.FEMALE, Sex.MALE]
BANDS = list(AgeBand.values)


def _live(world) -> Reach:
    return reach(sessions=reach_sessions(actor=world.actor(Role.MANAGER)))


def _served(world) -> Reach:
    return programme_figures(actor=world.actor(Role.MANAGER))


def _row(world) -> ReachSnapshot:
    return ReachSnapshot.objects.get(tenant=world.tenant)


@pytest.fixture
def no_computation(monkeypatch):
    """Fail if the figures are computed: what is served comes from the stored row."""
    def computed(**kwargs):
        raise AssertionError("the figures were computed, not read from the stored row")
    monkeypatch.setattr(reach_services, "reach", computed)


def _programme(world, *, organisations: int = 24, sessions: int = 6, people: int = 60, seed: int = 0) -> None:
    """A programme like a workspace's: regions in three zones and an organisation without one, more organisations
    than the page lists, sessions held, closed, planned and cancelled, a session shortened after its marks were
    typed, every attendance status, partial scores, evaluations and certificates."""
    tenant = world.tenant
    regions = [RegionFactory(tenant=tenant, name=f"{name} {seed}", zone=zone) for name, zone in
               (("Tombouctou", Zone.NORTH), ("Mopti", Zone.CENTRE), ("Sikasso", Zone.SOUTH))]
    orgs = [OrganisationFactory(tenant=tenant, name=f"ONG {seed}-{i:02d}",
                                region=None if i == 0 else regions[i % len(regions)]) for i in range(organisations)]
    persons = [ParticipantFactory(tenant=tenant, organisation=orgs[(i * 7) % len(orgs)], sex=SEXES[i % 2],
                                  age_band=BANDS[(i // 2) % len(BANDS)]) for i in range(people)]
    statuses = [SessionStatus.HELD, SessionStatus.CLOSED, SessionStatus.PLANNED, SessionStatus.CANCELLED]
    topics = [TopicFactory(tenant=tenant), TopicFactory(tenant=tenant)]
    for s in range(sessions):
        start = D1 + datetime.timedelta(days=10 * s)
        session = TrainingSessionFactory(tenant=tenant, start_date=start, end_date=start + datetime.timedelta(days=2),
                                         status=statuses[s % len(statuses)], topic=topics[s % 2], protected=s == 1)
        for k, person in enumerate(persons[s * 7: s * 7 + 18]):
            both = (k + s) % 3
            registration = RegistrationFactory(
                tenant=tenant, session=session, participant=person,
                pre_score=None if both == 0 else 30 + k, post_score=None if both == 1 else 55 + (k * 3) % 40,
                satisfaction=None if k % 4 == 0 else 1 + k % 5)
            for d, day in enumerate(session.days):
                AttendanceFactory(tenant=tenant, registration=registration, day=day,
                                  status=STATUSES[(k + d + s) % len(STATUSES)])
            if k % 3 == 0:
                Certificate.objects.create(tenant=tenant, registration=registration)
        if s == 0:  # shortened after the marks were typed: the third day's marks no longer count
            session.end_date = D2
            session.save()


def test_the_stored_figures_are_the_live_ones_whole(world_a, monkeypatch):
    _programme(world_a)
    live = _live(world_a)
    assert len(live.breakdowns["organisation"]) == ORGANISATION_ROWS and "—" in [
        row.label for row in live.breakdowns["region"]]
    assert live.learning.total.scored and live.learning.total.certificates and live.person_days
    first = _served(world_a)  # no row yet: computed, then stored
    row = _row(world_a)
    assert first == live and row.computed_changes == row.changes == 0 and row.data is not None
    monkeypatch.setattr(reach_services, "reach", lambda **kwargs: pytest.fail("computed again"))
    stored = _served(world_a)
    assert stored == live  # every total, row, label and learning sum
    assert list(stored.breakdowns) == list(live.breakdowns)  # in the page's order (jsonb keeps no key order)
    assert [dataclasses.astuple(r) for rows in stored.breakdowns.values() for r in rows] == [
        dataclasses.astuple(r) for rows in live.breakdowns.values() for r in rows]
    assert (stored.women_share, stored.youth_below, stored.learning.total.summary) == (
        live.women_share, live.youth_below, live.learning.total.summary)


def test_stored_in_french_served_in_english(world_a, no_computation):
    _programme(world_a, organisations=4, sessions=2, people=12)
    with translation.override("fr"):
        french = reach(sessions=reach_sessions(actor=world_a.actor(Role.MANAGER)))
        reach_services.reach_store(tenant_id=world_a.tenant.pk, figures=french, changes=None,
                                   mark=reach_services.organisations_mark(tenant_id=world_a.tenant.pk))
    assert "Nord" in [row.label for row in french.breakdowns["zone"]]
    with translation.override("en"):
        english = _served(world_a)
        assert [row.label for row in english.breakdowns["zone"]] == ["North", "Centre", "South", "—"]
        assert [row.label for row in english.breakdowns["sex"]] == ["Women and girls", "Men and boys"]
        assert [row.label for row in english.learning.by_youth] == ["Youth (15–35)", "Other ages"]
        assert "Over 50" in [row.label for row in english.breakdowns["age_band"]]
    with translation.override("fr"):
        assert _served(world_a) == french


def test_the_page_is_labelled_in_the_readers_language(world_a):
    _programme(world_a, organisations=4, sessions=2, people=12)
    client = world_a.client_for(Role.MANAGER)
    url = world_a.url("training/reach/")
    client.cookies["django_language"] = "fr"
    assert "Nord" in client.get(url).content.decode()  # computed and stored by a French reader
    client.cookies["django_language"] = "en"
    html = client.get(url).content.decode()
    assert ">North<" in html and ">Women and girls<" in html and ">Nord<" not in html


def test_figures_in_another_format_are_computed_again(world_a):
    _programme(world_a, organisations=4, sessions=2, people=12)
    _served(world_a)
    ReachSnapshot.objects.filter(tenant=world_a.tenant).update(data={"format": 0, "participants": 999})
    assert _served(world_a) == _live(world_a)
    assert reach_from_data(_row(world_a).data) == _live(world_a)
    assert reach_from_data({"format": 1}) is None and reach_from_data(None) is None


# --- Every training write marks the figures stale --------------------------------------------------------

REACH_TABLES = {"training_trainingsession", "training_participant", "training_registration", "training_attendance",
                "training_certificate"}
WRITE = re.compile(r'^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)


@dataclass
class Workspace:
    """One held session (two people, marks), one planned session (one person) and a person not registered."""

    world: Any
    manager: Actor
    held: Any
    planned: Any
    north: Any
    south: Any
    fatou: Any  # registered to the held session, present every day
    issa: Any  # registered to the held session, present the first day
    awa: Any  # registered to the planned session
    moussa: Any  # not registered


def _workspace(world) -> Workspace:
    tenant = world.tenant
    north = OrganisationFactory(tenant=tenant, name="ONG Nord",
                                region=RegionFactory(tenant=tenant, name="Tombouctou", zone=Zone.NORTH))
    south = OrganisationFactory(tenant=tenant, name="ONG Sud",
                                region=RegionFactory(tenant=tenant, name="Sikasso", zone=Zone.SOUTH))
    held = TrainingSessionFactory(tenant=tenant, start_date=D1, end_date=D3, status=SessionStatus.HELD)
    planned = TrainingSessionFactory(tenant=tenant, start_date=D1 + datetime.timedelta(days=30),
                                     end_date=D2 + datetime.timedelta(days=30))
    for session in (held, planned):
        session.invited_organisations.set([north, south])
    people = {name: ParticipantFactory(tenant=tenant, organisation=org, full_name=name, sex=sex, age_band=band)
              for name, org, sex, band in (("Fatou", north, Sex.FEMALE, AgeBand.FROM_15_TO_24),
                                           ("Issa", south, Sex.MALE, AgeBand.OVER_50),
                                           ("Awa", south, Sex.FEMALE, AgeBand.FROM_36_TO_50),
                                           ("Moussa", north, Sex.MALE, AgeBand.FROM_25_TO_35))}
    for name, days in (("Fatou", held.days), ("Issa", held.days[:1])):
        registration = RegistrationFactory(tenant=tenant, session=held, participant=people[name])
        for day in days:
            AttendanceFactory(tenant=tenant, registration=registration, day=day, status="present")
    RegistrationFactory(tenant=tenant, session=planned, participant=people["Awa"])
    return Workspace(world, world.actor(Role.MANAGER), held, planned, north, south, people["Fatou"],
                     people["Issa"], people["Awa"], people["Moussa"])


def _registration(w: Workspace, person) -> Any:
    return person.registrations.get()


def _session_values(session, **changes) -> dict[str, Any]:
    return {**{k: getattr(session, k) for k in SESSION_FIELDS}, **changes}


# service (module.function) -> what it does in the workspace above
WRITERS: dict[str, Callable[[Workspace], Any]] = {
    "sessions.session_create": lambda w: session_create(actor=w.manager, values=_session_values(
        w.planned, title="Nouvelle session")),
    "sessions.session_update": lambda w: session_update(  # the held session shortened to its first day
        session=w.held, actor=w.manager, values=_session_values(w.held, end_date=D1), trainers=[],
        invited_organisations=[w.north, w.south]),
    "sessions.session_transition": lambda w: session_transition(
        session=w.planned, actor=w.manager, target=SessionStatus.CANCELLED, reason="Insécurité sur la route"),
    "sessions.participant_register": lambda w: participant_register(
        session=w.planned, actor=w.manager, participant=w.moussa),
    "sessions.participant_create_and_register": lambda w: participant_create_and_register(
        session=w.planned, actor=w.manager, values={"organisation": w.north, "full_name": "Bakary Sangaré",
                                                     "sex": Sex.MALE, "age_band": AgeBand.FROM_15_TO_24}),
    "sessions.attendance_save": lambda w: attendance_save(
        session=w.held, actor=w.manager, marks={(_registration(w, w.issa).pk, D2): "late"}),
    "sessions.attendance_import_confirm": lambda w: attendance_import_confirm(
        session=w.held, actor=w.manager, content=f"code,date,statut\n{w.issa.code},{D3.isoformat()},present\n"),
    "learning.learning_save": lambda w: learning_save(
        session=w.held, actor=w.manager, rows={_registration(w, w.fatou).pk: {"pre_score": 40, "post_score": 75}}),
    "learning.certificate_issue": lambda w: certificate_issue(registration=_registration(w, w.fatou), actor=w.manager),
}
# The other services, and why the programme's figures do not depend on what they write.
OTHERS = {
    "sessions.topics_seed": "topics: only a filtered view (live) reads them",
    "sessions.topics_save": "topics: only a filtered view (live) reads them",
    "sessions.material_add": "session materials",
    "reach.participant_list_export_record": "an audit event",
    "reach.reach_changed": "the bump itself",
    "reach.programme_figures": "the stored figures' reader",
    "reach.reach_store": "the stored figures' writer",
    "settings.can_edit_training_settings": "a permission",
    "settings.threshold_problems": "a check",
    "settings.training_settings_row": "the threshold decides who may get a certificate; issued ones are counted",
    "settings.training_settings_save": "the threshold decides who may get a certificate; issued ones are counted",
    "assessments.framework_ensure": "capacity assessments are not in the reach",
    "assessments.domain_update": "capacity assessments are not in the reach",
    "assessments.sub_area_update": "capacity assessments are not in the reach",
    "assessments.assessment_create": "capacity assessments are not in the reach",
    "assessments.assessment_save_scores": "capacity assessments are not in the reach",
    "assessments.assessment_complete": "capacity assessments are not in the reach",
    "assessments.action_plan_save": "capacity assessments are not in the reach",
}
OTHER_SCENARIOS: dict[str, Callable[[Workspace], Any]] = {
    "sessions.topics_seed": lambda w: topics_seed(actor=w.manager),
    "sessions.topics_save": lambda w: topics_save(actor=w.manager, rows=[{"id": None, "name": "Plaidoyer"}]),
    "sessions.material_add": lambda w: material_add(session=w.held, actor=w.manager, title="Support",
                                                    upload=_pdf()),
}


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    return SimpleUploadedFile("support.pdf", content, content_type="application/pdf")


def test_every_training_service_is_listed_as_a_writer_of_the_reach_or_not():
    """A new service must say whether it moves the programme's figures: a writer calls reach_changed and gets
    a scenario in WRITERS (checked below); another one says why not in OTHERS."""
    found = set()
    for info in pkgutil.iter_modules(training.services.__path__):
        module = importlib.import_module(f"training.services.{info.name}")
        found |= {f"{info.name}.{name}" for name, value in vars(module).items()
                  if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith("_")}
    listed = set(WRITERS) | set(OTHERS)
    assert found == listed


def _written(queries) -> list[tuple[int, str]]:
    return [(i, match.group(1).lower()) for i, q in enumerate(queries) if (match := WRITE.match(q["sql"]))]


@pytest.mark.parametrize("name", list(WRITERS))
def test_each_training_write_marks_the_figures_stale_as_its_last_write(world_a, name):
    w = _workspace(world_a)
    before = _served(world_a)
    changes = _row(world_a).changes
    with CaptureQueriesContext(connection) as ctx:
        WRITERS[name](w)
    written = _written(ctx.captured_queries)
    assert {table for _i, table in written} & REACH_TABLES, "the scenario writes nothing the reach reads"
    assert _row(world_a).changes == changes + 1
    # the snapshot row is the last row the transaction writes or locks: no lock-order deadlock with session rows
    bump = max(i for i, table in written if table == "training_reachsnapshot")
    locks = [i for i, q in enumerate(ctx.captured_queries) if "FOR UPDATE" in q["sql"]]
    assert all(i < bump for i, _table in written if _table != "training_reachsnapshot") and all(
        i < bump for i in locks)
    after = _served(world_a)
    assert after == _live(world_a)
    if name != "sessions.session_create":  # an empty session reaches nobody
        assert after != before


@pytest.mark.parametrize("name", list(OTHER_SCENARIOS))
def test_other_training_writes_touch_nothing_the_reach_reads(world_a, name):
    w = _workspace(world_a)
    _served(world_a)
    with CaptureQueriesContext(connection) as ctx:
        OTHER_SCENARIOS[name](w)
    written = {table for _i, table in _written(ctx.captured_queries)}
    assert written and not written & (REACH_TABLES | {"training_reachsnapshot"})


def _rename(w: Workspace) -> None:
    organisation_update(organisation=w.north, actor=w.manager, data={"name": "ONG du Nord"})


def _move(w: Workspace) -> None:
    organisation_update(organisation=w.north, actor=w.manager,
                        data={"region": RegionFactory(tenant=w.world.tenant, name="Gao", zone=Zone.NORTH)})


def _rezone(w: Workspace) -> None:
    region_save(actor=w.manager, region=w.south.region, name="Sikasso", zone=Zone.CENTRE)


def _rename_region(w: Workspace) -> None:
    region_save(actor=w.manager, region=w.south.region, name="Région de Sikasso", zone=Zone.SOUTH)


@pytest.mark.parametrize(("change", "breakdown", "label"), [
    (_rename, "organisation", "ONG du Nord"),
    (_move, "region", "Gao"),
    (_rezone, "zone", "Centre"),
    (_rename_region, "region", "Région de Sikasso"),
])
def test_a_registry_change_the_breakdowns_name_is_served_at_once(world_a, change, breakdown, label):
    """Organisations and regions are the registry's (orgs writes them without knowing the reach): the stored
    figures carry a mark of them, and a changed mark makes the page compute them again."""
    w = _workspace(world_a)
    _served(world_a)
    changes = _row(world_a).changes
    change(w)
    served = _served(world_a)
    assert _row(world_a).changes == changes  # no training write: the mark alone told
    assert served == _live(world_a) and label in [row.label for row in served.breakdowns[breakdown]]


def test_a_region_added_or_an_organisation_created_moves_the_mark_too(world_a):
    _workspace(world_a)
    mark = reach_services.organisations_mark(tenant_id=world_a.tenant.pk)
    RegionFactory(tenant=world_a.tenant, name="Kidal", zone=Zone.NORTH)
    assert reach_services.organisations_mark(tenant_id=world_a.tenant.pk) != mark
    mark = reach_services.organisations_mark(tenant_id=world_a.tenant.pk)
    OrganisationFactory(tenant=world_a.tenant, region=Region.objects.filter(tenant=world_a.tenant).first())
    assert reach_services.organisations_mark(tenant_id=world_a.tenant.pk) != mark


def test_two_organisation_saves_committed_in_either_order_both_move_the_mark(world_a):
    """The latest change date alone would miss the save that took its date first and committed last; the sum of
    versions counts both."""
    w = _workspace(world_a)
    organisations = type(w.north).objects.filter(tenant=world_a.tenant)
    noon = datetime.datetime(2026, 3, 9, 12, tzinfo=datetime.UTC)
    organisations.update(updated_at=noon)
    organisations.filter(pk=w.north.pk).update(updated_at=noon + datetime.timedelta(seconds=10))  # the latest
    before = reach_services.organisations_mark(tenant_id=world_a.tenant.pk)
    # a save dated before the latest change (its date taken first), committed after it, with the version bump
    # organisation_write makes
    organisations.filter(pk=w.south.pk).update(version=w.south.version + 1, name="ONG Sud renommée",
                                               updated_at=noon + datetime.timedelta(seconds=5))
    assert reach_services.organisations_mark(tenant_id=world_a.tenant.pk) != before


# --- Races -------------------------------------------------------------------------------------------------

def test_a_write_during_the_computation_leaves_nothing_stored_and_the_next_view_computes_again(world_a, monkeypatch):
    w = _workspace(world_a)
    _served(world_a)
    participant_register(session=w.planned, actor=w.manager, participant=w.moussa)  # the next view computes
    stale = _row(world_a)
    original = reach_services.reach

    def computing(**kwargs):
        figures = original(**kwargs)
        # committed while the page computed (after its reads): the figures just computed miss it
        participant_create_and_register(session=w.planned, actor=w.manager, values={
            "organisation": w.south, "full_name": "Bakary Sangaré", "sex": Sex.MALE, "age_band": AgeBand.OVER_50})
        return figures

    monkeypatch.setattr(reach_services, "reach", computing)
    missed = _served(world_a)
    monkeypatch.setattr(reach_services, "reach", original)
    row = _row(world_a)
    assert (row.computed_changes, row.data) == (stale.computed_changes, stale.data)  # nothing stored
    assert row.changes == stale.changes + 1
    served = _served(world_a)
    assert served == _live(world_a) and served.participants == missed.participants + 1
    assert _row(world_a).computed_changes == row.changes


def test_the_first_write_of_a_workspace_during_its_first_computation_is_not_lost(world_a, monkeypatch):
    w = _workspace(world_a)
    assert not ReachSnapshot.objects.filter(tenant=world_a.tenant).exists()
    original = reach_services.reach

    def computing(**kwargs):
        figures = original(**kwargs)
        participant_register(session=w.planned, actor=w.manager, participant=w.moussa)  # makes the row
        return figures

    monkeypatch.setattr(reach_services, "reach", computing)
    missed = _served(world_a)
    monkeypatch.setattr(reach_services, "reach", original)
    row = _row(world_a)
    assert (row.changes, row.computed_changes, row.data) == (1, None, None)
    served = _served(world_a)
    assert served == _live(world_a) and served.participants == missed.participants + 1


def test_the_bump_makes_the_row_once_and_counts_every_write(world_a):
    reach_changed(tenant_id=world_a.tenant.pk)
    reach_changed(tenant_id=world_a.tenant.pk)
    assert ReachSnapshot.objects.filter(tenant=world_a.tenant).count() == 1 and _row(world_a).changes == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_a_store_waiting_for_an_uncommitted_write_stores_nothing(world_a, monkeypatch):
    """The writer's bump holds the row lock until it commits: the page's conditional UPDATE waits for it, then
    finds `changes` moved and matches nothing."""
    w = _workspace(world_a)
    reach_changed(tenant_id=world_a.tenant.pk)
    _served(world_a)
    reach_changed(tenant_id=world_a.tenant.pk)  # the next view computes
    bumped, release, errors = threading.Event(), threading.Event(), []

    def writer():
        try:
            with transaction.atomic():
                participant_register(session=w.planned, actor=w.manager, participant=w.moussa)
                bumped.set()
                release.wait(10)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    original = reach_services.reach
    thread = threading.Thread(target=writer)

    def computing(**kwargs):
        figures = original(**kwargs)
        thread.start()
        assert bumped.wait(10)
        threading.Timer(0.3, release.set).start()  # commits while the store below waits for its lock
        return figures

    monkeypatch.setattr(reach_services, "reach", computing)
    stale = _row(world_a)
    missed = _served(world_a)
    thread.join(10)
    monkeypatch.setattr(reach_services, "reach", original)
    assert errors == []
    row = _row(world_a)
    assert row.changes == stale.changes + 1 and row.computed_changes == stale.computed_changes
    served = _served(world_a)
    assert served.participants == missed.participants + 1 and served == _live(world_a)


# --- Workspaces, cost and the views that never read the stored figures ------------------------------------

def test_a_workspace_is_never_served_another_ones_figures(worlds):
    world_a, world_b = worlds
    _programme(world_a, organisations=4, sessions=3, people=20, seed=1)
    _programme(world_b, organisations=3, sessions=2, people=9, seed=2)
    a, b = _served(world_a), _served(world_b)
    assert a == _live(world_a) and b == _live(world_b) and a != b
    assert ReachSnapshot.objects.count() == 2
    assert _served(world_b) == b and _served(world_a) == a  # each from its own row
    before_a = _row(world_a).changes
    w_b = _workspace(world_b)
    participant_register(session=w_b.planned, actor=w_b.manager, participant=w_b.moussa)
    assert _row(world_a).changes == before_a and _served(world_a) == a
    assert _served(world_b) == _live(world_b) != b


def test_serving_the_stored_figures_costs_three_small_queries_whatever_the_programme(world_a):
    _programme(world_a, organisations=3, sessions=1, people=5)
    _served(world_a)
    with CaptureQueriesContext(connection) as few:
        _served(world_a)
    _programme(world_a, organisations=30, sessions=12, people=120, seed=1)
    reach_changed(tenant_id=world_a.tenant.pk)  # the factories write without the services
    _served(world_a)
    with CaptureQueriesContext(connection) as many:
        _served(world_a)
    assert len(few.captured_queries) == len(many.captured_queries) == 3
    tables = " ".join(q["sql"] for q in many.captured_queries)
    assert "training_registration" not in tables and "training_attendance" not in tables


def _plant(world, participants: int) -> None:
    """Stored figures that are current in every respect but their (false) participant count."""
    _served(world)
    row = _row(world)
    data = reach_data(dataclasses.replace(reach_from_data(row.data), participants=participants))
    ReachSnapshot.objects.filter(pk=row.pk).update(data=data)


def test_filtered_views_the_session_page_and_the_exports_compute_their_own_figures(world_a):
    _programme(world_a, organisations=4, sessions=2, people=12)
    _plant(world_a, 999)
    client = world_a.client_for(Role.MANAGER)
    assert "999 participants" in client.get(world_a.url("training/reach/")).content.decode()  # planted: served
    assert "999 participants" in client.get(world_a.url("training/reach/?page=1")).content.decode()
    real = _live(world_a).participants
    session = reach_sessions(actor=world_a.actor(Role.MANAGER)).first()
    topic = session.topic_id
    for query in (f"?topic={topic}", "?start=2000-01-01", "?end=2100-01-01", "?start=2000-01-01&page=1"):
        html = client.get(world_a.url(f"training/reach/{query}")).content.decode()
        assert "999 participants" not in html, query
    html = client.get(world_a.url("training/reach/?start=2000-01-01")).content.decode()
    assert f"{real} participants" in html
    assert "999" not in client.get(world_a.url(f"training/{session.pk}/reach/")).content.decode()
    exported = client.post(world_a.url("training/reach/export/"), {"kind": "aggregated"}).content.decode("utf-8-sig")
    assert f"Total,,{real}," in exported.replace("\r", "") and ",999," not in exported


def test_a_database_that_refuses_the_store_still_serves_the_figures(world_a, monkeypatch):
    """Storing is the only write of the page's GET, and only saves the next view's work: a read-only database (a
    standby, a maintenance window) or a lock timeout must not turn the figures computed into a 500."""
    from django.db import OperationalError

    _programme(world_a, sessions=2, people=10)
    live = _live(world_a)

    def refused(**kwargs):
        with connection.cursor() as cursor:  # something was written in the savepoint before the refusal
            cursor.execute("UPDATE training_reachsnapshot SET changes = changes WHERE tenant_id = %s",
                           [world_a.tenant.pk])
        raise OperationalError("cannot execute UPDATE in a read-only transaction")

    monkeypatch.setattr(reach_services, "reach_store", refused)
    assert _served(world_a) == live
    response = world_a.client_for(Role.MANAGER).get(world_a.url("training/reach/"))
    assert response.status_code == 200 and not ReachSnapshot.objects.filter(tenant=world_a.tenant).exists()
