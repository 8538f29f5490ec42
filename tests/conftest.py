"""Shared fixtures: two tenants with data are always present, one member per role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from orgs.models import Organisation
from relais.actor import Actor
from relais.models import Membership, Role, Tenant
from tests.factories import MembershipFactory, OrganisationFactory, TenantFactory


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        # Uploaded documents of a test go to its own folder, never to var/private.
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None}},
    }
    settings.LANGUAGE_CODE = "fr"


@pytest.fixture
def english():
    """Run a test in English (messages are French by default)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@dataclass
class World:
    """One tenant as the tests see it: members by role and one CSO."""

    tenant: Tenant
    organisation: Organisation
    members: dict[str, Membership]

    def client_for(self, role: str) -> Client:
        client = Client()
        client.force_login(self.members[role].user)
        return client

    def user(self, role: str):
        return self.members[role].user

    def actor(self, role: str) -> Actor:
        return Actor.of(self.members[role])

    def url(self, path: str = "") -> str:
        return f"/{self.tenant.slug}/{path}"


def _world(slug: str, name: str) -> World:
    tenant = TenantFactory(slug=slug, name=name)
    organisation = OrganisationFactory(tenant=tenant)
    members = {}
    for role in Role.values:
        members[role] = MembershipFactory(
            tenant=tenant, role=role, organisation=organisation if role == Role.APPLICANT else None,
            user__email=f"{role}@{slug}.test",
        )
    return World(tenant=tenant, organisation=organisation, members=members)


@pytest.fixture
def world_a(db) -> World:
    return _world("tenant-a", "Bailleur A")


@pytest.fixture
def world_b(db) -> World:
    return _world("tenant-b", "Bailleur B")


@pytest.fixture
def worlds(world_a, world_b) -> tuple[World, World]:
    """Both tenants, always with data, so a leak between them shows."""
    return world_a, world_b


@pytest.fixture
def tenant(world_a) -> Tenant:
    return world_a.tenant


@pytest.fixture(params=Role.values)
def any_role(request) -> str:
    return request.param


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need real row locks: they run in CI's PostgreSQL
    pass and are deselected (not skipped) on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    kept = [item for item in items if item.get_closest_marker("postgres") is None]
    deselected = [item for item in items if item.get_closest_marker("postgres") is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


# --- The demo, seeded once per module ------------------------------------------------------------
# Seeding the demo takes seconds; a module whose tests only read it seeds it once. The rows live in a
# transaction opened for the module and rolled back after its last test; pytest-django's `db` runs
# each test in a savepoint inside it, so whatever a test writes (a login's session and last_login,
# a second seed) is undone before the next test, and the next module starts from an empty database.
# Only for tests that do not need committed data (no `transactional_db`, no threads).

@pytest.fixture(scope="module")
def demo_seeded_module(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed the demo once for the requesting module; returns the folder of its private files."""
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    private = tmp_path_factory.mktemp("demo-private")
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block._from_testcase = True  # like TestCase's class-level transaction: durable blocks may nest
        with block:
            # The same settings as _test_settings gives each test (that fixture is function-scoped).
            with override_settings(
                DEBUG=True,
                TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                STORAGES=_with_private_storage(private),
                LANGUAGE_CODE="fr",
            ):
                call_command("seed_demo", "--quiet-accounts")
            yield private
            transaction.set_rollback(True)


def _with_private_storage(location) -> dict:
    from django.conf import settings

    return {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(location), "base_url": None}},
    }


@pytest.fixture
def demo_db(demo_seeded_module, db, settings, _test_settings):
    """The module's demo for one test (DEBUG on, as seed_demo requires), in a savepoint rolled back after it."""
    from django.core.cache import cache

    cache.clear()  # allauth's login rate limits live in the cache
    settings.DEBUG = True
    settings.STORAGES = _with_private_storage(demo_seeded_module)
    return demo_seeded_module
