"""Learning: scores, gains, evaluations, certificates and their public verification (issue 13)."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from relais.errors import Refused
from relais.models import AuditEvent, Role
from tests.page_forms import form_data
from tests.training.factories import (
    AttendanceFactory,
    CertificateFactory,
    ParticipantFactory,
    RegistrationFactory,
    TrainingSessionFactory,
)
from training.learning import certificate_eligibility, summarise
from training.models import Certificate, Registration, SessionStatus
from training.services import learning as services
from training.services.sessions import session_transition

pytestmark = pytest.mark.django_db


def _session(world, **kwargs):
    session = TrainingSessionFactory(tenant=world.tenant, **kwargs)
    session.trainers.add(world.members[Role.TRAINER])
    session.invited_organisations.add(world.organisation)
    return session


def _registered(world, session, n=1, **kwargs):
    return [RegistrationFactory(tenant=world.tenant, session=session,
                                participant=ParticipantFactory(tenant=world.tenant, organisation=world.organisation,
                                                               **kwargs))
            for _ in range(n)]


def _attend(world, registration, present: int, absent: int = 0):
    days = registration.session.days
    for i, day in enumerate(days[:present + absent]):
        AttendanceFactory(tenant=world.tenant, registration=registration, day=day,
                          status="present" if i < present else "absent")


def _url(world, session, rest=""):
    return world.url(f"training/{session.pk}/{rest}")


# --- gains ---------------------------------------------------------------------------------------

def test_gain_is_post_minus_pre_and_the_session_mean_counts_only_those_with_both():
    rows = [Registration(pre_score=40, post_score=70), Registration(pre_score=50, post_score=45),
            Registration(pre_score=90), Registration(post_score=100, satisfaction=4),
            Registration(satisfaction=5)]
    assert [r.gain for r in rows] == [30, -5, None, None, None]
    summary = summarise(rows)
    assert summary.gain == Decimal("12.5") and summary.scored == 2
    assert summary.pre == Decimal("60.0") and summary.post == Decimal("71.7")
    assert summary.satisfaction == Decimal("4.5") and summary.evaluations == 2
    assert summarise([]).gain is None


def test_the_grid_saves_every_score_in_one_submit_and_the_session_figures_show_the_averages(world_a):
    session = _session(world_a)
    first, second = _registered(world_a, session, 2)
    client = world_a.client_for(Role.TRAINER)
    data = form_data(client.get(_url(world_a, session, "scores/")).content, having="version")
    data.update({f"pre_score-{first.pk}": ["40"], f"post_score-{first.pk}": ["80"],
                 f"satisfaction-{first.pk}": ["5"], f"evaluation_comment-{first.pk}": ["Très utile, merci"],
                 f"pre_score-{second.pk}": ["60"], f"post_score-{second.pk}": ["70"]})
    assert client.post(_url(world_a, session, "scores/"), data).status_code == 302
    first.refresh_from_db()
    assert (first.pre_score, first.post_score, first.satisfaction, first.evaluation_comment) == (
        40, 80, 5, "Très utile, merci")
    assert [e.after for e in AuditEvent.objects.filter(action="training_session.scores_saved")] == [{"rows": 2}]
    page = client.get(_url(world_a, session, "reach/")).content.decode()
    assert "25.0" in page or "25,0" in page  # mean gain of 40 and 10


def test_a_score_out_of_range_writes_nothing(world_a):
    session = _session(world_a)
    (reg,) = _registered(world_a, session)
    with pytest.raises(Refused):
        services.learning_save(session=session, actor=world_a.actor(Role.MANAGER),
                               rows={reg.pk: {"pre_score": 30, "post_score": 101}})
    reg.refresh_from_db()
    assert reg.pre_score is None and reg.post_score is None


def test_the_scores_grid_opened_in_two_tabs_refuses_the_older_one(world_a):
    session = _session(world_a)
    (reg,) = _registered(world_a, session)
    client = world_a.client_for(Role.TRAINER)
    first = form_data(client.get(_url(world_a, session, "scores/")).content, having="version")
    second = form_data(client.get(_url(world_a, session, "scores/")).content, having="version")
    first[f"post_score-{reg.pk}"] = ["75"]
    second[f"post_score-{reg.pk}"] = ["20"]
    assert client.post(_url(world_a, session, "scores/"), first).status_code == 302
    refused = client.post(_url(world_a, session, "scores/"), second)
    assert refused.status_code == 409 and 'value="20"' in refused.content.decode()
    reg.refresh_from_db()
    assert reg.post_score == 75


def test_a_stale_scores_page_can_be_saved_again_after_checking(world_a):
    """The 409 page carries the version it shows, not the one it was loaded from (refused forever)."""
    session = _session(world_a)
    (reg,) = _registered(world_a, session)
    tab1, tab2 = world_a.client_for(Role.TRAINER), world_a.client_for(Role.MANAGER)
    first = form_data(tab1.get(_url(world_a, session, "scores/")).content, having="version")
    second = form_data(tab2.get(_url(world_a, session, "scores/")).content, having="version")
    first[f"pre_score-{reg.pk}"] = ["40"]
    second[f"post_score-{reg.pk}"] = ["75"]
    assert tab1.post(_url(world_a, session, "scores/"), first).status_code == 302
    stale = tab2.post(_url(world_a, session, "scores/"), second)
    assert stale.status_code == 409
    page = stale.content.decode()  # the other tab's score and what this one typed
    assert f'name="pre_score-{reg.pk}" value="40"' in page and f'name="post_score-{reg.pk}" value="75"' in page
    again = form_data(stale.content, having="version") | {  # the grid's inputs sit outside its <form>
        f"pre_score-{reg.pk}": ["40"], f"post_score-{reg.pk}": ["75"]}
    assert tab2.post(_url(world_a, session, "scores/"), again).status_code == 302
    reg.refresh_from_db()
    assert (reg.pre_score, reg.post_score) == (40, 75)


@pytest.mark.parametrize("version", [None, "", "²"])
def test_a_scores_post_without_a_valid_version_is_refused_as_stale(world_a, version):
    session = _session(world_a)
    (reg,) = _registered(world_a, session)
    services.learning_save(session=session, actor=world_a.actor(Role.TRAINER), rows={reg.pk: {"pre_score": 40}})
    garbled = {f"pre_score-{reg.pk}": "10"} | ({} if version is None else {"version": version})
    refused = world_a.client_for(Role.MANAGER).post(_url(world_a, session, "scores/"), garbled)
    assert refused.status_code == 409 and f'name="pre_score-{reg.pk}" value="10"' in refused.content.decode()
    reg.refresh_from_db()
    assert reg.pre_score == 40


def test_a_superscript_digit_in_a_score_is_a_400_not_a_500(world_a):
    """"²".isdigit() is True but int("²") raises: a score is ASCII digits only."""
    session = _session(world_a)
    (reg,) = _registered(world_a, session)
    client = world_a.client_for(Role.TRAINER)
    client.raise_request_exception = False
    r = client.post(_url(world_a, session, "scores/"), {"version": session.version, f"pre_score-{reg.pk}": "²"})
    assert r.status_code == 400
    reg.refresh_from_db()
    assert reg.pre_score is None


def test_the_scores_grid_keeps_every_typed_score_when_one_cell_is_not_a_number(world_a):
    session = _session(world_a)
    first, second = _registered(world_a, session, 2)
    client = world_a.client_for(Role.TRAINER)
    r = client.post(_url(world_a, session, "scores/"), {
        "version": session.version, f"pre_score-{first.pk}": "57", f"post_score-{first.pk}": "80",
        f"pre_score-{second.pk}": "5O"})
    assert r.status_code == 400
    page = r.content.decode()
    assert f'name="pre_score-{first.pk}" value="57"' in page and f'name="post_score-{first.pk}" value="80"' in page
    # the bad cell shows what was typed (a text input: a number input would show it blank) and why
    assert (f'type="text" inputmode="numeric" min="0" max="100" name="pre_score-{second.pk}" value="5O"'
            f' aria-label="{second.participant.full_name} — Pré-test (0–100)" aria-invalid="true"') in page
    assert page.count('aria-invalid="true"') == 1 and "Pas un nombre entier" in page
    first.refresh_from_db()
    assert first.pre_score is None  # nothing is saved while one cell is wrong


def test_a_page_refused_for_a_bad_cell_keeps_the_version_it_was_loaded_from(world_a):
    """Else correcting the cell would save over what another tab saved meanwhile, unseen."""
    session = _session(world_a)
    (reg,) = _registered(world_a, session)
    tab1, tab2 = world_a.client_for(Role.TRAINER), world_a.client_for(Role.MANAGER)
    first = form_data(tab1.get(_url(world_a, session, "scores/")).content, having="version")
    second = form_data(tab2.get(_url(world_a, session, "scores/")).content, having="version")
    first[f"post_score-{reg.pk}"] = ["75"]
    second[f"post_score-{reg.pk}"] = ["2O"]
    assert tab1.post(_url(world_a, session, "scores/"), first).status_code == 302
    bad = tab2.post(_url(world_a, session, "scores/"), second)
    assert bad.status_code == 400
    corrected = form_data(bad.content, having="version") | {f"post_score-{reg.pk}": ["20"]}
    assert tab2.post(_url(world_a, session, "scores/"), corrected).status_code == 409
    reg.refresh_from_db()
    assert reg.post_score == 75


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER, Role.FINANCE])
def test_other_roles_cannot_open_the_scores_grid_or_issue(world_a, role):
    session = _session(world_a)
    (reg,) = _registered(world_a, session)
    _attend(world_a, reg, 3)
    client = world_a.client_for(role)
    assert client.get(_url(world_a, session, "scores/")).status_code in (403, 404)
    assert client.post(_url(world_a, session, f"certificates/{reg.pk}/issue/")).status_code in (403, 404)
    assert not Certificate.objects.exists()


def test_a_trainer_of_another_session_cannot_score_it(world_a):
    session = TrainingSessionFactory(tenant=world_a.tenant)  # no trainer
    _registered(world_a, session)
    assert world_a.client_for(Role.TRAINER).get(_url(world_a, session, "scores/")).status_code == 404
    assert world_a.client_for(Role.MANAGER).get(_url(world_a, session, "scores/")).status_code == 200


def test_the_scores_grid_costs_the_same_queries_for_10_or_100_participants(world_a):
    session = _session(world_a)
    client = world_a.client_for(Role.TRAINER)
    client.get(world_a.url())

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(world_a, session, "scores/")).status_code == 200
        return len(ctx.captured_queries)

    for reg in _registered(world_a, session, 10):
        _attend(world_a, reg, 3)
        CertificateFactory(tenant=world_a.tenant, registration=reg)
    few = count()
    for reg in _registered(world_a, session, 90):
        _attend(world_a, reg, 3)
    assert count() == few


# --- certificates --------------------------------------------------------------------------------

def test_the_threshold_is_80_percent_of_the_days():
    assert certificate_eligibility(["present"] * 79 + ["absent"] * 21, days=100).allowed is False
    assert certificate_eligibility(["present"] * 80, days=100).allowed is True
    assert certificate_eligibility(["present"] * 3 + ["late"], days=5).allowed is True  # late counts
    assert certificate_eligibility(["present"] * 3 + ["excused"], days=5).allowed is False


def test_79_percent_is_refused_with_the_reason_and_80_percent_is_issued_and_audited(world_a):
    actor = world_a.actor(Role.TRAINER)
    long = _session(world_a, status="held", start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 3, 24))  # 24 days
    (short_of,) = _registered(world_a, long)
    _attend(world_a, short_of, 19, 5)  # 79.2 %
    with pytest.raises(Refused) as refused:
        services.certificate_issue(registration=short_of, actor=actor)
    assert "19" in str(refused.value) and "24" in str(refused.value) and "80" in str(refused.value)
    five = _session(world_a, status="held", start_date=dt.date(2026, 4, 6), end_date=dt.date(2026, 4, 10))
    (enough,) = _registered(world_a, five)
    _attend(world_a, enough, 4, 1)
    certificate = services.certificate_issue(registration=enough, actor=actor)
    assert len(certificate.code) >= 20
    assert services.certificate_issue(registration=enough, actor=actor).pk == certificate.pk  # once
    assert Certificate.objects.count() == 1
    events = AuditEvent.objects.filter(action="training_session.certificate_issued")
    assert [e.target_id for e in events] == [str(five.pk)]


def test_certificate_ignores_attendance_on_days_no_longer_in_the_session(world_a):
    """Three days, present on the 10th and 11th; then the session is shortened to the 9th–10th: 1 day of 2
    (50 %), refused, and the grid says so. The mark of the 11th is kept: extending the session brings it back."""
    session = _session(world_a, status="held", start_date=dt.date(2026, 3, 9), end_date=dt.date(2026, 3, 11))
    (reg,) = _registered(world_a, session)
    for day, status in ((9, "absent"), (10, "present"), (11, "present")):
        AttendanceFactory(tenant=world_a.tenant, registration=reg, day=dt.date(2026, 3, day), status=status)
    session.end_date = dt.date(2026, 3, 10)
    session.save()
    reg.refresh_from_db()
    with pytest.raises(Refused) as refused:
        services.certificate_issue(registration=reg, actor=world_a.actor(Role.TRAINER))
    assert "1" in str(refused.value) and "2" in str(refused.value) and "50" in str(refused.value)
    page = world_a.client_for(Role.TRAINER).get(_url(world_a, session, "scores/")).content.decode()
    assert "(50 %)" in page and "/issue/" not in page
    session.end_date = dt.date(2026, 3, 11)
    session.save()
    page = world_a.client_for(Role.TRAINER).get(_url(world_a, session, "scores/")).content.decode()
    assert "2 jours sur 3 (66 %)" in page


def test_the_certificate_counts_the_hours_of_the_session_days_only(world_a):
    session = _session(world_a, status="held", hours_per_day=5)  # 9–11 March
    (reg,) = _registered(world_a, session)
    _attend(world_a, reg, 3)
    AttendanceFactory(tenant=world_a.tenant, registration=reg, day=dt.date(2026, 3, 12), status="present")
    client = world_a.client_for(Role.TRAINER)
    assert client.post(_url(world_a, session, f"certificates/{reg.pk}/issue/")).status_code == 302
    text = _pdf_text(client.get(_url(world_a, session, f"certificates/{reg.pk}/certificate.pdf")))
    assert "3 jours" in text and "15 heures" in text, text


def test_certificate_refused_before_the_session_is_held(world_a):
    """A planned session three weeks ahead with its marks typed ahead: no certificate yet, and the grid says
    why instead of offering the button. Once marked held, the same participant gets it."""
    start = timezone.localdate() + dt.timedelta(days=21)
    session = _session(world_a, start_date=start, end_date=start + dt.timedelta(days=1))
    (reg,) = _registered(world_a, session)
    client = world_a.client_for(Role.TRAINER)
    assert client.post(_url(world_a, session, "attendance/"), {
        "version": session.version, f"m-{reg.pk}-0": "present", f"m-{reg.pk}-1": "present"}).status_code == 302
    response = client.post(_url(world_a, session, f"certificates/{reg.pk}/issue/"))
    assert response.status_code == 302 and not Certificate.objects.exists()
    assert any("marquez-la d’abord comme tenue" in str(m) for m in get_messages(response.wsgi_request))
    page = client.get(_url(world_a, session, "scores/")).content.decode()
    assert "marquez-la d’abord comme tenue" in page and "/issue/" not in page
    session.refresh_from_db()
    session_transition(session=session, actor=world_a.actor(Role.TRAINER), target=SessionStatus.HELD)
    assert "/issue/" in client.get(_url(world_a, session, "scores/")).content.decode()
    assert client.post(_url(world_a, session, f"certificates/{reg.pk}/issue/")).status_code == 302
    assert Certificate.objects.filter(registration=reg).exists()


def test_the_scores_grid_says_why_someone_gets_no_certificate(world_a):
    """Under the threshold the row has no button: it gives the rule, not only the count (the browser
    journey found a trainer left guessing why "2 jours sur 3" gave no certificate)."""
    session = _session(world_a)  # three days
    (short_of,) = _registered(world_a, session, full_name="Boubacar Ongoïba")
    _attend(world_a, short_of, 2, 1)
    page = world_a.client_for(Role.TRAINER).get(_url(world_a, session, "scores/")).content.decode()
    row = next(tr for tr in page.split("<tr>") if "Boubacar Ongoïba" in tr)
    assert "(66 %)" in row and "au moins 80 %" in row
    assert "/issue/" not in row


def _pdf_text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_certificate_prints_the_name_with_accents_hours_trainer_and_code(world_a):
    session = _session(world_a, status="held", hours_per_day=5)
    trainer = world_a.members[Role.TRAINER].user
    trainer.full_name = "Moussa Sangaré"
    trainer.save()
    (reg,) = _registered(world_a, session, full_name="Fatoumata Dembélé")
    _attend(world_a, reg, 3)
    client = world_a.client_for(Role.TRAINER)
    assert client.post(_url(world_a, session, f"certificates/{reg.pk}/issue/")).status_code == 302
    text = _pdf_text(client.get(_url(world_a, session, f"certificates/{reg.pk}/certificate.pdf")))
    code = Certificate.objects.get().code
    assert "Fatoumata Dembélé" in text and session.title in text and "Moussa Sangaré" in text
    assert "15" in text and code in text


def test_certificate_pdf_one_day_is_singular(world_a):
    """"1 jour de présence", not "1 jours" (ngettext on the days, and on the hours)."""
    session = _session(world_a, status="held", start_date=dt.date(2026, 3, 9), end_date=dt.date(2026, 3, 9),
                       hours_per_day=1)
    (reg,) = _registered(world_a, session)
    _attend(world_a, reg, 1)
    services.certificate_issue(registration=reg, actor=world_a.actor(Role.TRAINER))
    client = world_a.client_for(Role.TRAINER)
    text = " ".join(_pdf_text(client.get(_url(world_a, session, f"certificates/{reg.pk}/certificate.pdf"))).split())
    assert "1 jour de présence" in text and "1 heure de formation" in text, text


def test_a_protected_sessions_certificate_prints_initials_only(world_a):
    session = _session(world_a, status="held", protected=True)
    (reg,) = _registered(world_a, session, full_name="Fatoumata Dembélé")
    _attend(world_a, reg, 3)
    client = world_a.client_for(Role.MANAGER)
    client.post(_url(world_a, session, f"certificates/{reg.pk}/issue/"))
    text = _pdf_text(client.get(_url(world_a, session, f"certificates/{reg.pk}/certificate.pdf")))
    assert "F.D." in text and "Dembélé" not in text and "Fatoumata" not in text


# --- public verification -------------------------------------------------------------------------

def test_the_public_page_says_valid_with_title_and_dates_and_nothing_personal(world_a):
    session = _session(world_a)
    (reg,) = _registered(world_a, session, full_name="Fatoumata Dembélé")
    certificate = CertificateFactory(tenant=world_a.tenant, registration=reg)
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        response = Client().get(f"/c/{certificate.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert session.title in page and "2026" in page
    for secret in ("Dembélé", "Fatoumata", reg.participant.code, world_a.organisation.name, world_a.tenant.name,
                   world_a.tenant.slug):
        assert secret not in page, secret
    assert not any(q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
                   for q in ctx.captured_queries)
    assert AuditEvent.objects.count() == before


def test_a_cancelled_sessions_certificate_is_invalid_on_the_public_page(world_a):
    session = _session(world_a, status="cancelled")
    (reg,) = _registered(world_a, session)
    certificate = CertificateFactory(tenant=world_a.tenant, registration=reg)
    response = Client().get(f"/c/{certificate.code}/")
    assert response.status_code == 404 and session.title not in response.content.decode()
    assert "Code invalide" in response.content.decode()


def test_unknown_codes_answer_404_alike_without_naming_workspaces(world_a, world_b):
    other = _session(world_b)
    (reg,) = _registered(world_b, other)
    CertificateFactory(tenant=world_b.tenant, registration=reg)
    answers = [Client().get(f"/c/{code}/") for code in ("nope", "x" * 60, "tenant-a", "tenant-b")]
    assert {a.status_code for a in answers} == {404}
    # the same page whatever was asked (but the CSRF token and the language form's return path)
    bodies = {re.sub(r'name="(csrfmiddlewaretoken|next)" value="[^"]*"', "", a.content.decode()) for a in answers}
    assert len(bodies) == 1
    (body,) = bodies
    assert "tenant-a" not in body and "tenant-b" not in body and world_b.tenant.name not in body
    assert Client().post(f"/c/{Certificate.objects.get().code}/").status_code == 405


def test_the_scores_grid_fits_a_phone_budget_with_30_participants(world_a):
    import gzip

    from django.contrib.staticfiles import finders

    session = _session(world_a)
    _registered(world_a, session, 30)
    html = world_a.client_for(Role.TRAINER).get(_url(world_a, session, "scores/")).content
    css = open(finders.find("training/training.css"), "rb").read()  # noqa: SIM115
    size = len(gzip.compress(html, 6)) + len(gzip.compress(css, 6))
    assert size <= 14 * 1024, size
    assert b'inputmode="numeric"' in html and b".scores input[type=number]" in css


def test_the_session_form_sets_the_hours_per_day(world_a):
    session = _session(world_a)
    client = world_a.client_for(Role.MANAGER)
    data = form_data(client.get(_url(world_a, session, "edit/")).content)
    assert data["hours_per_day"] == ["6"]
    data["hours_per_day"] = ["4"]
    assert client.post(_url(world_a, session, "edit/"), data).status_code == 302
    session.refresh_from_db()
    assert session.hours_per_day == 4


@pytest.mark.parametrize(("statuses", "days", "expected"), [
    (["present"], 2, "Présence : 1 jour sur 2 (50 %)"),
    (["present", "late", "present"], 5, "Présence : 3 jours sur 5 (60 %)"),
    ([], 2, "Présence : 0 jour sur 2 (0 %)"),
])
def test_the_reason_counts_days_in_good_french(statuses, days, expected):
    """"1 jours sur 2" was printed in the scores grid: the count of days takes the plural form it needs."""
    from django.utils import translation

    from training.learning import certificate_eligibility

    with translation.override("fr"):
        reason = certificate_eligibility(statuses, days=days).reason
    assert reason.startswith(expected) and "au moins 80 %" in reason
