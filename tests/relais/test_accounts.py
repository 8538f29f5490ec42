import datetime as dt

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from relais.models import Role
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _login(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_login_with_email_and_password(world_a):
    client = Client()
    response = _login(client, world_a.user(Role.APPLICANT).email, TEST_PASSWORD)
    assert response.status_code == 302
    assert client.get(world_a.url()).status_code == 200


def test_unverified_email_cannot_use_the_app(db):
    user = UserFactory()
    user.emailaddress_set.update(verified=False)
    client = Client()
    response = _login(client, user.email, TEST_PASSWORD)
    assert response.status_code == 302 and "confirm-email" in response["Location"]


def test_failed_logins_are_rate_limited(world_a):
    email = world_a.user(Role.REVIEWER).email
    client = Client()
    for _ in range(5):
        assert _login(client, email, "wrong-password").status_code == 200
    response = _login(client, email, TEST_PASSWORD)  # even the right password is refused now
    assert response.status_code in (200, 429)
    assert client.get(world_a.url()).status_code == 302  # not logged in


def test_password_change_ends_other_sessions(world_a):
    user = world_a.user(Role.FINANCE)
    laptop, phone = Client(), Client()
    _login(laptop, user.email, TEST_PASSWORD)
    _login(phone, user.email, TEST_PASSWORD)
    assert phone.get(world_a.url()).status_code == 200
    response = laptop.post("/accounts/password/change/", {
        "oldpassword": TEST_PASSWORD, "password1": "a-new-long-passphrase-77", "password2": "a-new-long-passphrase-77",
    })
    assert response.status_code == 302
    assert laptop.get(world_a.url()).status_code == 200  # this session goes on
    assert phone.get(world_a.url()).status_code == 302  # the other one is logged out


def test_sessions_expire_after_inactivity():
    assert settings.SESSION_COOKIE_AGE == 2 * 3600
    assert 0 < settings.SESSION_REFRESH_SECONDS <= 600


class _Clock:
    """timezone.now() moved by hand: the session store reads it for expiry."""

    def __init__(self) -> None:
        from django.utils import timezone

        self.real_now = timezone.now
        self.offset = dt.timedelta()

    def __call__(self):
        return self.real_now() + self.offset


def _session_writes(client, url) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    writes = [q["sql"] for q in queries.captured_queries
              if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]
    return status, len(writes)


def test_an_active_session_is_written_only_every_few_minutes_and_lasts(world_a, monkeypatch):
    """Not rewritten at every click, yet a person who keeps working is never logged out."""
    from django.utils import timezone

    clock = _Clock()
    monkeypatch.setattr(timezone, "now", clock)
    client = world_a.client_for(Role.MANAGER)
    assert _session_writes(client, world_a.url()) == (200, 1)  # first view: the refresh stamp
    assert _session_writes(client, world_a.url()) == (200, 0)  # a click a moment later: no write
    for _ in range(6):  # 6 × 50 minutes of steady work: 5 h, far past the 2 h of one session age
        clock.offset += dt.timedelta(minutes=50)
        assert _session_writes(client, world_a.url()) == (200, 1)


def test_a_session_still_ends_after_two_hours_of_inactivity(world_a, monkeypatch):
    from django.utils import timezone

    clock = _Clock()
    monkeypatch.setattr(timezone, "now", clock)
    client = world_a.client_for(Role.MANAGER)
    assert client.get(world_a.url()).status_code == 200
    clock.offset += dt.timedelta(hours=1, minutes=59)
    assert client.get(world_a.url()).status_code == 200  # renewed: 2 h from now again
    clock.offset += dt.timedelta(hours=2, seconds=1)
    response = client.get(world_a.url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", Role.values)
def test_mfa_required_only_for_manager_and_finance_when_tenant_requires_it(world_a, role):
    world_a.tenant.require_mfa_for_staff = True
    world_a.tenant.save()
    response = world_a.client_for(role).get(world_a.url())
    if role in (Role.MANAGER, Role.FINANCE):
        assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]
    else:
        assert response.status_code == 200


def test_manager_with_totp_can_use_a_tenant_that_requires_mfa(world_a):
    from allauth.mfa.models import Authenticator

    world_a.tenant.require_mfa_for_staff = True
    world_a.tenant.save()
    Authenticator.objects.create(user=world_a.user(Role.MANAGER), type=Authenticator.Type.TOTP,
                                 data={"secret": "JBSWY3DPEHPK3PXP"})
    assert world_a.client_for(Role.MANAGER).get(world_a.url()).status_code == 200


def test_tenant_without_mfa_requirement_lets_manager_in(world_a):
    assert world_a.client_for(Role.MANAGER).get(world_a.url()).status_code == 200
