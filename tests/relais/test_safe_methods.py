"""GET never changes anything: every tenant URL, for every role, leaves the
database as it was (no audit event, no row count change), except the stored figures of DERIVED."""

import pytest
from django.apps import apps
from django.urls import reverse

from relais.models import Role
from tests.harness import DOMAIN_APPS, factories_by_model, model_for_kwarg, tenant_routes

pytestmark = pytest.mark.django_db


# Figures derived from the rows, stored for reading and computed again when stale (the training reach as first
# opened, training.services.reach.programme_figures): the one thing a GET may store. Nothing else.
DERIVED = {"training.ReachSnapshot"}


def _snapshot():
    return {m._meta.label: m.objects.count() for label in DOMAIN_APPS for m in apps.get_app_config(label).get_models()
            if m._meta.label not in DERIVED}


def test_get_changes_nothing_anywhere(world_a):
    registry = factories_by_model()
    visited = 0
    for route in tenant_routes():
        kwargs = {"tenant_slug": world_a.tenant.slug}
        for kwarg in route.object_kwargs:
            kwargs[kwarg] = registry[model_for_kwarg(kwarg)](tenant=world_a.tenant).pk
        if set(kwargs) != set(route.kwargs):
            continue
        url = reverse(route.name, kwargs=kwargs)
        before = _snapshot()
        for role in Role.values:
            response = world_a.client_for(role).get(url)
            assert response.status_code < 500, f"{role} GET {url}"
            visited += 1
        assert _snapshot() == before, f"GET {url} changed the database"
    assert visited >= len(Role.values) * 6
