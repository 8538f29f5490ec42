"""Browser journey (issue 13): on a 360 px phone, a trainer plans a two-day session, registers an existing
participant (found by the search, accents ignored) and a new one, prints the attendance sheet, marks both
days in the grid with one submit, types the pre/post-tests and an evaluation, issues the certificate the
attendance allows (the other is refused with the reason) and downloads it; then someone without an
account checks it on the public page, which shows the session and its dates and nobody's name."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from orgs.models import Organisation, Zone
from relais.actor import Actor
from relais.models import Role
from tests.conftest import _world
from tests.e2e.conftest import PHONE, assert_fits_phone, login
from tests.factories import TEST_PASSWORD, OrganisationFactory, RegionFactory
from tests.training.factories import ParticipantFactory
from training.learning import certificate_eligibility
from training.models import Certificate, Registration, SessionStatus, TrainingSession
from training.services.sessions import topics_seed

pytestmark = pytest.mark.e2e

TITLE = "Médiation communautaire à Sévaré"
KNOWN = "Aïssata Barry"  # trained before: found by the search rather than typed again
NEW = "Boubacar Ongoïba"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def invite(page, organisations: list[Organisation]) -> None:
    """The session form's "invited organisations" step: the acronyms typed one per line (the form lists
    only the organisations already invited, never the whole registry)."""
    page.fill("textarea[name=add_organisations]", "\n".join(o.acronym for o in organisations))


def submit(page, target, message: str) -> None:
    """Click a submit button, wait for the page the POST redirects to, and check its success message
    (waiting for any ".msg-success" could match the message still shown by the previous page)."""
    with page.expect_navigation():
        (page.locator(target) if isinstance(target, str) else target).click()
    assert message in page.inner_text(".msg-success"), page.inner_text("main")


def row(page, name: str):
    """The grid row (attendance or scores) of one participant."""
    return page.locator("tbody tr").filter(has=page.locator("th", has_text=name))


def demo_like_workspace():
    """A workspace like the demo's: the trainer, CSOs of Mopti and Gao, the usual topics, and a youth worker
    of AJCET trained before. A second workspace has someone of the same name, whom the search must not find."""
    world = _world("formation", "Bailleur des formations")
    topics_seed(actor=Actor.system(world.tenant))
    mopti = RegionFactory(tenant=world.tenant, name="Mopti", zone=Zone.CENTRE)
    gao = RegionFactory(tenant=world.tenant, name="Gao", zone=Zone.NORTH)
    ajcet = OrganisationFactory(tenant=world.tenant, acronym="AJCET", region=mopti,
                                name="Association des jeunes contre l'enrôlement dans le terrorisme")
    tassaght = OrganisationFactory(tenant=world.tenant, acronym="TASSAGHT", name="TASSAGHT", region=gao)
    OrganisationFactory(tenant=world.tenant, acronym="AFIP", region=mopti,
                        name="Association des femmes pour les initiatives de paix")  # not invited
    ParticipantFactory(tenant=world.tenant, organisation=ajcet, full_name=KNOWN, role_title="Animatrice jeunesse")
    other = _world("autre-bailleur", "Autre bailleur")
    ParticipantFactory(tenant=other.tenant, organisation=other.organisation, full_name=KNOWN)
    return world, ajcet, tassaght


@pytest.mark.django_db(transaction=True)
def test_a_trainer_runs_a_session_from_planning_to_a_certificate_anyone_can_verify(page, live_server, browser,
                                                                                  browser_context_args):
    world, ajcet, tassaght = demo_like_workspace()
    trainer = world.members[Role.TRAINER]
    first_day = timezone.localdate() - dt.timedelta(days=2)
    base = f"{live_server.url}/formation/training"
    page.set_viewport_size(PHONE)  # every page of the journey is checked at 360 px

    # Plan the session: topic, two days, the place, two invited CSOs.
    login(page, live_server, trainer.user.email, TEST_PASSWORD)
    page.goto(f"{base}/")
    assert_fits_phone(page)
    page.click("main a[href='/formation/training/new/']")
    page.wait_for_url("**/training/new/")
    assert_fits_phone(page)
    page.fill("#id_title", TITLE)
    page.select_option("#id_topic", label="Résolution des conflits et médiation")
    page.fill("#id_start_date", first_day.isoformat())
    page.fill("#id_end_date", (first_day + dt.timedelta(days=1)).isoformat())
    page.fill("#id_venue", "Maison des jeunes de Sévaré")
    page.fill("#id_languages", "Français, peul")
    invite(page, [ajcet, tassaght])
    submit(page, "main form button[type=submit]", "Session de formation enregistrée.")
    assert_fits_phone(page)
    session = TrainingSession.objects.get(tenant=world.tenant, title=TITLE)
    assert session.days == [first_day, first_day + dt.timedelta(days=1)]
    assert set(session.invited_organisations.values_list("acronym", flat=True)) == {"AJCET", "TASSAGHT"}
    assert list(session.trainers.all()) == [trainer]
    detail = page.url

    # Register: the youth worker already known (typed without accents), then someone new of TASSAGHT.
    page.click("main a[href$='/register/']")
    page.wait_for_url("**/register/")
    assert_fits_phone(page)
    page.fill("#q", "aissata barry")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url("**/register/?q=*")
    found = page.locator("main ul li form")
    assert found.count() == 1, page.inner_text("main")  # not the namesake of the other workspace
    assert "AJCET" in found.inner_text()
    submit(page, found.locator("button[type=submit]"), f"{KNOWN} est inscrit(e).")
    assert_fits_phone(page)
    page.fill("#id_organisation", tassaght.acronym)  # typed: the form lists no registry of CSOs
    page.fill("#id_full_name", NEW)
    page.check("#field-sex input[value=male]")
    page.select_option("#id_age_band", value="25_35")
    page.fill("#id_role_title", "Animateur de comité de paix")
    submit(page, "form:has(input[name=new]) button[type=submit]", "Participant ajouté et inscrit.")
    assert_fits_phone(page)
    registered = page.inner_text("main ol")
    assert KNOWN in registered and NEW in registered

    # The attendance sheet for the field: a PDF with both names.
    page.goto(detail)
    assert_fits_phone(page)
    href = page.locator("main a[href$='/attendance/sheet.pdf']").get_attribute("href")
    sheet = page.request.get(f"{live_server.url}{href}")
    assert sheet.ok and sheet.headers["content-type"] == "application/pdf"
    text = pdf_text(sheet.body())
    assert KNOWN in text and NEW in text and TITLE in text

    # Both days in the grid, one submit: the new participant missed the second day.
    page.click("main a[href$='/attendance/']")
    page.wait_for_url("**/attendance/")
    assert_fits_phone(page)
    for name, marks in ((KNOWN, ("present", "late")), (NEW, ("present", "absent"))):
        cells = row(page, name).locator("td")
        for day, mark in enumerate(marks):
            cells.nth(day).locator(f"label.{mark}").click()
    submit(page, ".save-bar button[type=submit]", "Présences enregistrées (4 changements).")
    assert_fits_phone(page)
    assert row(page, KNOWN).locator("input:checked").evaluate_all("els => els.map(e => e.value)") == [
        "present", "late"]
    assert row(page, NEW).locator("input:checked").evaluate_all("els => els.map(e => e.value)") == [
        "present", "absent"]

    # The session took place.
    page.goto(detail)
    submit(page, "button[name=target][value=held]", "Le statut de la session a été mis à jour.")
    assert_fits_phone(page)
    session.refresh_from_db()
    assert session.status == SessionStatus.HELD

    # Pre/post-tests for both, the evaluation of the one who stayed to the end.
    page.click("main a[href$='/scores/']")
    page.wait_for_url("**/scores/")
    assert_fits_phone(page)
    for name, pre, post in ((KNOWN, "40", "75"), (NEW, "55", "")):
        row(page, name).locator("input[name^=pre_score-]").fill(pre)
        row(page, name).locator("input[name^=post_score-]").fill(post)
    row(page, KNOWN).locator("input[name^=satisfaction-]").fill("5")
    row(page, KNOWN).locator("input[name^=evaluation_comment-]").fill("Les jeux de rôle étaient très utiles.")
    submit(page, ".save-bar button[type=submit]", "Notes et évaluations enregistrées.")
    assert_fits_phone(page)
    known = Registration.objects.get(session=session, participant__full_name=KNOWN)
    new = Registration.objects.get(session=session, participant__full_name=NEW)
    assert (known.pre_score, known.post_score, known.gain, known.satisfaction) == (40, 75, 35, 5)
    assert known.evaluation_comment == "Les jeux de rôle étaient très utiles."
    assert (new.pre_score, new.post_score) == (55, None)

    # Certificates: the one who attended both days gets it; the other has no button but the reason, and the
    # server refuses a request sent anyway (a stale tab, a double tap) with the same reason.
    with translation.override("fr"):
        reason = certificate_eligibility(["present", "absent"], days=2).reason
    assert "(50 %)" in reason and "80 %" in reason
    assert row(page, NEW).locator("button").count() == 0
    assert reason in row(page, NEW).inner_text()
    submit(page, row(page, KNOWN).locator("button[type=submit]"), "Certificat délivré.")
    assert_fits_phone(page)
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    issue_new = reverse("training:certificate_issue", kwargs={
        "tenant_slug": "formation", "training_session_pk": session.pk, "registration_pk": new.pk})
    refused = page.request.post(f"{live_server.url}{issue_new}", form={"csrfmiddlewaretoken": token})
    assert refused.ok and reason in refused.text()
    assert not Certificate.objects.filter(registration=new).exists()
    certificate = Certificate.objects.get(registration=known)

    # The certificate PDF: the name, the session, the code and where to check it.
    page.reload()
    with page.expect_download() as download:
        row(page, KNOWN).locator("a[href$='/certificate.pdf']").click()
    text = pdf_text(download.value.path().read_bytes())
    assert KNOWN in text and TITLE in text and certificate.code in text
    verify_url = f"{live_server.url}{reverse('certificate_verify', kwargs={'code': certificate.code})}"
    assert verify_url in re.sub(r"\s+", "", text)

    # Anyone (no account) checks it at the printed address: valid, the session and its dates, no name.
    anonymous = browser.new_context(**{**browser_context_args, "viewport": PHONE})
    try:
        public = anonymous.new_page()
        response = public.goto(verify_url)
        assert response.status == 200
        assert_fits_phone(public)
        shown = public.inner_text("body")
        with translation.override("fr"):
            first = formats.date_format(first_day, "DATE_FORMAT")
        assert "Certificat valide." in shown and TITLE in shown and first in shown.replace("\xa0", " ")
        for private in (KNOWN, NEW, "Barry", ajcet.acronym, ajcet.name, world.tenant.name, trainer.user.email):
            assert private not in shown, private
    finally:
        anonymous.close()
