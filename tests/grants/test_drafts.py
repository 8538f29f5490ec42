"""Draft rescue (relais.drafts): text POSTed after the session expired is kept only for the user
who was logged in on that browser, for an object they may edit, within size limits, in the
database (never in the cache, where the login rate limits live), and given back only to them."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grants.models import Application, ApplicationStatus
from relais.models import Role
from tests.factories import TEST_PASSWORD, MembershipFactory
from tests.grants.factories import ApplicationFactory
from tests.harness import stored_state

pytestmark = pytest.mark.django_db

RECENT_USER_COOKIE = "relais_recent_user"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A cache of its own, so stored_state() counts only what these tests put in it."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "draft-rescue-tests"}}
    cache.clear()
    yield
    cache.clear()


def section_url(world, app, section="context"):
    return reverse("grants:application_section", kwargs={"tenant_slug": world.tenant.slug,
                                                  "application_pk": app.pk}) + f"?section={section}"


def session_expired_client(user, url) -> Client:
    """A browser where `user` worked on `url`, then the session expired (the recent-user cookie stays)."""
    client = Client()
    client.force_login(user)
    assert client.get(url).status_code == 200
    assert RECENT_USER_COOKIE in client.cookies
    del client.cookies[settings.SESSION_COOKIE_NAME]
    return client


def restored_text(client, user, url) -> str:
    client.force_login(user)
    return client.get(url).content.decode()


def test_text_is_kept_for_the_recent_user_and_restored_after_login(world_a):
    applicant = world_a.user(Role.APPLICANT)
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation, context="ancien")
    url = section_url(world_a, app)
    client = session_expired_client(applicant, url)
    response = client.post(url, {"s-context": "Tapé pendant une heure", "csrfmiddlewaretoken": "x", "autosave": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    app.refresh_from_db()
    assert app.context == "ancien"  # nothing written to the application
    body = restored_text(client, applicant, url)
    assert "Tapé pendant une heure" in body and "restauré" in body
    assert "Tapé pendant une heure" not in client.get(url).content.decode()  # given back once


@pytest.mark.parametrize("path", [
    "{app_url}", "/no-such-workspace/applications/1/edit/?section=context", "/{slug}/applications/999999/edit/",
])
def test_anonymous_posts_store_nothing(world_a, path):
    """Only a CSRF token from the login page: no row, no session, no cache entry, whatever the size."""
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    url = path.format(app_url=section_url(world_a, app), slug=world_a.tenant.slug)
    client = Client()
    before = stored_state()
    for _ in range(3):
        response = client.post(url, {"s-context": "x" * 2_000_000, "s-title": "y"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert stored_state() == before
    assert RECENT_USER_COOKIE not in client.cookies


def test_many_anonymous_posts_do_not_evict_login_failure_counters(world_a):
    """320 anonymous rescues used to evict allauth's counters from the local-memory cache."""
    reviewer = world_a.user(Role.REVIEWER)
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    attacker = Client()
    for _ in range(5):
        attacker.post("/accounts/login/", {"login": reviewer.email, "password": "wrong-password"})
    for n in range(320):
        attacker.post(section_url(world_a, app, f"context&n={n}"), {"s-context": "z"})
    attacker.post("/accounts/login/", {"login": reviewer.email, "password": TEST_PASSWORD})
    assert "_auth_user_id" not in attacker.session  # still locked


@pytest.mark.parametrize("who", ["manager", "other_organisation", "other_tenant", "inactive_user",
                                 "inactive_membership", "submitted"])
def test_nothing_is_kept_for_someone_who_may_not_edit(world_a, world_b, who):
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    url = section_url(world_a, app)
    user = world_a.user(Role.APPLICANT)
    if who == "manager":
        user = world_a.user(Role.MANAGER)
    elif who == "other_organisation":
        user = MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT).user
    elif who == "other_tenant":
        user = world_b.user(Role.APPLICANT)
    elif who == "submitted":
        Application.objects.filter(pk=app.pk).update(status=ApplicationStatus.SUBMITTED)
    client = Client()
    client.force_login(user)
    client.get(world_a.url() if who not in ("other_tenant",) else world_b.url())  # sets the cookie
    del client.cookies[settings.SESSION_COOKIE_NAME]
    if who == "inactive_user":
        user.is_active = False
        user.save()
    elif who == "inactive_membership":
        world_a.members[Role.APPLICANT].is_active = False
        world_a.members[Role.APPLICANT].save()
    before = stored_state()
    response = client.post(url, {"s-context": "Texte"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert stored_state() == before


def test_a_forged_or_old_cookie_keeps_nothing(world_a):
    applicant = world_a.user(Role.APPLICANT)
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    url = section_url(world_a, app)
    forged = Client()
    forged.cookies[RECENT_USER_COOKIE] = f"{applicant.pk}:1700000000:abc"
    before = stored_state()
    forged.post(url, {"s-context": "Forgé"})
    assert stored_state() == before

    four_days_ago = timezone.now() - dt.timedelta(days=4)
    with mock.patch("django.core.signing.time.time", return_value=four_days_ago.timestamp()):
        old = Client()
        old.force_login(applicant)
        old.get(url)
    del old.cookies[settings.SESSION_COOKIE_NAME]
    before = stored_state()
    old.post(url, {"s-context": "Trop tard"})
    assert stored_state() == before


def test_a_password_change_invalidates_the_cookie(world_a):
    applicant = world_a.user(Role.APPLICANT)
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    url = section_url(world_a, app)
    client = session_expired_client(applicant, url)
    applicant.set_password("another-long-passphrase-31")
    applicant.save()
    before = stored_state()
    client.post(url, {"s-context": "Après changement"})
    assert stored_state() == before


def test_logout_forgets_the_recent_user(world_a):
    applicant = world_a.user(Role.APPLICANT)
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    url = section_url(world_a, app)
    client = Client()
    client.post("/accounts/login/", {"login": applicant.email, "password": TEST_PASSWORD})
    assert client.get(url).status_code == 200 and client.cookies[RECENT_USER_COOKIE].value
    client.post("/accounts/logout/")
    assert client.cookies[RECENT_USER_COOKIE].value == ""
    before = stored_state()
    client.post(url, {"s-context": "Poste partagé"})
    assert stored_state() == before


def test_the_cookie_is_signed_http_only_and_lax(world_a):
    client = Client()
    client.force_login(world_a.user(Role.APPLICANT))
    client.get(world_a.url())
    cookie = client.cookies[RECENT_USER_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert str(world_a.user(Role.APPLICANT).pk) in cookie.value and ":" in cookie.value
    assert Client().get("/accounts/login/").cookies.get(RECENT_USER_COOKIE) is None


def test_rescued_text_goes_back_only_to_the_user_who_typed_it(world_a):
    first = world_a.user(Role.APPLICANT)
    colleague = MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT, organisation=world_a.organisation).user
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    url = section_url(world_a, app)
    client = session_expired_client(first, url)
    client.post(url, {"s-context": "Texte de la première"})
    assert "Texte de la première" not in restored_text(client, colleague, url)
    assert "Texte de la première" in restored_text(Client(), first, url)


def test_long_fields_are_cut_and_files_are_never_kept(world_a):
    applicant = world_a.user(Role.APPLICANT)
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    url = section_url(world_a, app)
    client = session_expired_client(applicant, url)
    upload = SimpleUploadedFile("statuts.pdf", b"%PDF-1.4 " + b"0" * 50_000, content_type="application/pdf")
    client.post(url, {"s-context": "a" * 19_990 + "b" * 30_000, "s-a1": upload})
    from relais.models import DraftRescue

    rescue = DraftRescue.objects.get(user=applicant)
    assert rescue.data == {"s-context": ["a" * 19_990 + "b" * 10]} and rescue.truncated
    body = restored_text(client, applicant, url)
    assert "a" * 19_990 + "b" * 10 + "</textarea>" in body
    assert "coupés" in body  # the person is told to check the end of long fields


def test_rescues_per_user_are_capped_in_number_and_size(world_a):
    from relais.drafts import MAX_USER_BYTES, MAX_USER_RESCUES
    from relais.models import DraftRescue

    applicant = world_a.user(Role.APPLICANT)
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    client = session_expired_client(applicant, section_url(world_a, app))
    for n in range(MAX_USER_RESCUES + 3):
        client.post(section_url(world_a, app, f"context&n={n}"), {"s-context": f"brouillon {n} " + "x" * 15_000})
    rows = DraftRescue.objects.filter(user=applicant)
    assert rows.count() <= MAX_USER_RESCUES
    assert sum(row.size for row in rows) <= MAX_USER_BYTES
    newest = section_url(world_a, app, f"context&n={MAX_USER_RESCUES + 2}")
    assert rows.filter(path=newest).exists() and not rows.filter(path__endswith="n=0").exists()


def test_expired_rescues_are_pruned_and_never_restored(world_a):
    from relais.models import DraftRescue

    applicant = world_a.user(Role.APPLICANT)
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    url = section_url(world_a, app)
    client = session_expired_client(applicant, url)
    client.post(url, {"s-context": "Vieux brouillon"})
    DraftRescue.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert "Vieux brouillon" not in restored_text(client, applicant, url)
    other = session_expired_client(world_a.user(Role.APPLICANT), section_url(world_a, app, "risks"))
    other.post(section_url(world_a, app, "risks"), {"s-risks": "Nouveau"})
    assert list(DraftRescue.objects.values_list("path", flat=True)) == [section_url(world_a, app, "risks")]


def test_rescued_text_keeps_its_version_so_it_cannot_overwrite_a_newer_save(world_a):
    from tests.page_forms import form_data

    applicant = world_a.user(Role.APPLICANT)
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation, context="ancien")
    url = section_url(world_a, app)
    client = Client()
    client.force_login(applicant)
    typed = form_data(client.get(url).content)
    other = Client()  # another browser has the same section open
    other.force_login(applicant)
    elsewhere = form_data(other.get(url).content)
    del client.cookies[settings.SESSION_COOKIE_NAME]  # the session expired while typing
    typed["s-context"] = ["Tapé pendant une heure"]
    assert client.post(url, typed).status_code == 302
    other.post(url, {**elsewhere, "s-context": "Enregistré ailleurs", "go": "context"})  # saved meanwhile
    page = restored_text(client, applicant, url)
    assert "Quelqu'un d'autre a enregistré cette fiche" in page and "Enregistré ailleurs" in page
    restored = form_data(page)
    assert restored["s-context"] == ["Tapé pendant une heure"]
    app.refresh_from_db()
    assert app.context == "Enregistré ailleurs" and restored["_version"] == [str(app.version)]

