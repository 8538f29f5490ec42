"""The scores grid on a 360 px phone when one cell is not a number. Chromium keeps letters out of a number
input, but a browser that treats it as text (Opera Mini, an old Android) sends "5O": the page comes back
with every typed score, the wrong cell showing what was typed (a number input would show it blank, and
saving again would clear the score) and why; once corrected, everything is saved."""

from __future__ import annotations

import pytest

from relais.models import Role
from tests.conftest import _world
from tests.e2e.conftest import PHONE, assert_fits_phone, login
from tests.factories import TEST_PASSWORD
from tests.training.factories import ParticipantFactory, RegistrationFactory, TrainingSessionFactory
from training.models import Registration

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_score_that_is_not_a_number_comes_back_as_typed_with_the_others(page, live_server):
    world = _world("scores-phone", "Bailleur des formations")
    session = TrainingSessionFactory(tenant=world.tenant)
    session.trainers.add(world.members[Role.TRAINER])
    awa, binta = (RegistrationFactory(tenant=world.tenant, session=session, participant=ParticipantFactory(
        tenant=world.tenant, organisation=world.organisation, full_name=name)) for name in ("Awa Traoré", "Binta Sow"))
    page.set_viewport_size(PHONE)
    login(page, live_server, world.members[Role.TRAINER].user.email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/scores-phone/training/{session.pk}/scores/")
    page.fill(f"[name=pre_score-{awa.pk}]", "57")
    bad = page.locator(f"[name=pre_score-{binta.pk}]")
    bad.evaluate("input => { input.type = 'text'; }")  # as a browser without number inputs
    bad.fill("5O")
    with page.expect_navigation():
        page.click(".save-bar button[type=submit]")
    assert_fits_phone(page)
    assert page.input_value(f"[name=pre_score-{awa.pk}]") == "57"
    assert page.input_value(f"[name=pre_score-{binta.pk}]") == "5O"
    assert bad.get_attribute("aria-invalid") == "true"
    assert "Pas un nombre entier" in page.inner_text(f"#{bad.get_attribute('aria-describedby')}")
    assert not Registration.objects.filter(pre_score__isnull=False).exists()
    bad.fill("50")
    with page.expect_navigation():
        page.click(".save-bar button[type=submit]")
    assert "Notes et évaluations enregistrées." in page.inner_text(".msg-success")
    assert dict(Registration.objects.values_list("participant__full_name", "pre_score")) == {
        "Awa Traoré": 57, "Binta Sow": 50}
