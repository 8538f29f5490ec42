"""Login rate limits: wrong passwords lock the account they target, never everyone.

Failures are counted per account and, with a higher limit, per client address. Behind
the reverse proxy every request comes from the proxy's address: the client address is
then read from X-Forwarded-For, trusting as many hops as ALLAUTH_TRUSTED_PROXY_COUNT says.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from relais.models import Role
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"  # the reverse proxy: REMOTE_ADDR of every request behind it
ATTACKER = "203.0.113.5"
NEIGHBOUR = "198.51.100.7"


class Clock:
    """allauth's rate-limit clock, moved by hand so a test can spread attempts over minutes."""

    def __init__(self) -> None:
        import time

        self._time = time
        self.now = time.time()

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self._time.monotonic()

    def sleep(self, seconds: float) -> None:
        self._time.sleep(seconds)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    cache.clear()
    fake = Clock()
    monkeypatch.setattr(allauth_ratelimit, "time", fake)
    yield fake
    cache.clear()


def _login(email: str, password: str, *, client_address: str | None = None, remote: str = "127.0.0.1") -> bool:
    client = Client(REMOTE_ADDR=remote)
    extra = {"HTTP_X_FORWARDED_FOR": client_address} if client_address else {}
    client.post("/accounts/login/", {"login": email, "password": password}, **extra)
    return "_auth_user_id" in client.session


def test_wrong_passwords_lock_the_account_from_every_address(world_a, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    email = world_a.user(Role.REVIEWER).email
    for _ in range(5):
        assert not _login(email, "wrong-password", client_address=ATTACKER, remote=PROXY)
    assert not _login(email, TEST_PASSWORD, client_address=NEIGHBOUR, remote=PROXY)


def test_a_locked_account_does_not_lock_the_other_accounts_from_the_same_address(world_a, clock):
    locked = world_a.user(Role.REVIEWER).email
    for _ in range(5):
        assert not _login(locked, "wrong-password")
    # Someone keeps hammering the locked account from the same office for four minutes.
    for _ in range(25):
        clock.now += 6
        assert not _login(locked, "wrong-password")
    assert not _login(locked, TEST_PASSWORD)  # still locked
    assert _login(world_a.user(Role.FINANCE).email, TEST_PASSWORD)


def test_guessing_across_many_accounts_locks_that_address_only(world_a, settings, clock):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    victims = [UserFactory().email for _ in range(10)]
    for attempt in range(30):
        clock.now += 3  # stays under the general limit of 30 login forms a minute
        assert not _login(victims[attempt % 10], "wrong-password", client_address=ATTACKER, remote=PROXY)
    other = world_a.user(Role.FINANCE).email
    assert not _login(other, TEST_PASSWORD, client_address=ATTACKER, remote=PROXY)  # that address is blocked
    assert _login(other, TEST_PASSWORD, client_address=NEIGHBOUR, remote=PROXY)  # everyone else is not
    assert _login(victims[0], TEST_PASSWORD, client_address=NEIGHBOUR, remote=PROXY)  # 3 failures: not locked


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(world_a):
    victims = [UserFactory().email for _ in range(10)]
    for attempt in range(30):
        _login(victims[attempt % 10], "wrong-password", client_address=f"192.0.2.{attempt}")
    assert not _login(world_a.user(Role.FINANCE).email, TEST_PASSWORD, client_address=NEIGHBOUR)


def test_proxy_settings_come_from_the_environment(tmp_path):
    env = {**os.environ, "VAR_DIR": str(tmp_path), "ALLAUTH_TRUSTED_PROXY_COUNT": "1",
           "ALLAUTH_TRUSTED_CLIENT_IP_HEADER": "X-Real-IP"}
    code = ("import django,os;os.environ['DJANGO_SETTINGS_MODULE']='config.settings';django.setup();"
            "from django.conf import settings as s;"
            "print(s.ALLAUTH_TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_CLIENT_IP_HEADER)")
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.stdout.split() == ["1", "X-Real-IP"], result.stderr


def test_proxy_settings_default_to_trusting_nothing():
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    assert settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER is None


def test_a_lock_survives_a_flood_of_other_rate_limit_entries(world_a, rf):
    """The default cache holds the counters only, and has room for them: a flood of failed logins for
    other e-mails from many addresses (thousands of entries) does not evict the lock of an account."""
    from allauth.core import ratelimit

    email = world_a.user(Role.REVIEWER).email
    for _ in range(5):
        assert not _login(email, "wrong-password")
    for n in range(1200):
        request = rf.post("/accounts/login/", REMOTE_ADDR=f"10.{n // 250}.{n % 250}.1")
        ratelimit.consume(request, action="login_failed", key=f"testserver:spray{n}@example.org")
    assert not _login(email, TEST_PASSWORD)
