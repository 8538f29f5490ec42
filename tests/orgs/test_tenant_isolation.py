"""Tenancy cannot be forgotten: every model carries its tenant, every object URL
answers 404 to other tenants. Both tests discover models, factories and URLs."""

from __future__ import annotations

import pytest
from django.db import models
from django.urls import reverse

from relais.models import Role, Tenant
from tests.harness import GLOBAL_MODELS, domain_models, factories_by_model, model_for_kwarg, tenant_routes


def test_every_tenant_owned_model_has_a_non_null_indexed_tenant():
    missing = []
    for model in domain_models():
        if model._meta.label_lower in GLOBAL_MODELS:
            continue
        try:
            field = model._meta.get_field("tenant")
        except Exception:
            missing.append(f"{model._meta.label}: no tenant field")
            continue
        if not isinstance(field, models.ForeignKey) or field.related_model is not Tenant:
            missing.append(f"{model._meta.label}: tenant is not a FK to Tenant")
        elif field.null:
            missing.append(f"{model._meta.label}: tenant is nullable")
        elif not field.db_index:
            missing.append(f"{model._meta.label}: tenant is not indexed")
    assert missing == []


def test_no_float_field_near_money():
    floats = [
        f"{m._meta.label}.{f.name}" for m in domain_models() for f in m._meta.get_fields()
        if isinstance(f, models.FloatField)
    ]
    assert floats == []


def test_harness_sees_the_foundation_routes():
    names = {r.name for r in tenant_routes()}
    assert {"relais:dashboard", "relais:members", "relais:membership_change_role"} <= names


def _object_routes():
    return [r for r in tenant_routes() if r.object_kwargs]


def _build_kwargs(route, tenant):
    registry = factories_by_model()
    kwargs = {}
    for kwarg in route.object_kwargs:
        model = model_for_kwarg(kwarg)
        assert model in registry, f"No factory for {model._meta.label} (needed by URL {route.name})"
        kwargs[kwarg] = registry[model](tenant=tenant).pk
    return kwargs


@pytest.mark.django_db
@pytest.mark.parametrize("route", _object_routes(), ids=lambda r: r.name)
def test_object_urls_answer_404_to_another_tenant(route, worlds):
    """Ids of tenant A's objects, asked for under tenant B by B's members, are 404."""
    world_a, world_b = worlds
    kwargs = _build_kwargs(route, world_a.tenant)
    url = reverse(route.name, kwargs={"tenant_slug": world_b.tenant.slug, **kwargs})
    manager = world_b.client_for(Role.MANAGER)
    # 405 is the same answer for every id on a POST-only action, so it leaks nothing.
    assert manager.get(url).status_code in (404, 405), f"GET {url}"
    assert manager.post(url, {}).status_code == 404, f"POST {url}"
    for role in Role.values:
        status = world_b.client_for(role).post(url, {}).status_code
        assert status in (403, 404), f"{role} POST {url} -> {status}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", tenant_routes(), ids=lambda r: r.name)
def test_tenant_urls_answer_404_to_non_members(route, worlds):
    """B's manager asking for any URL under A's slug gets 404, like a missing tenant."""
    world_a, world_b = worlds
    kwargs = _build_kwargs(route, world_a.tenant)
    url = reverse(route.name, kwargs={"tenant_slug": world_a.tenant.slug, **kwargs})
    client = world_b.client_for(Role.MANAGER)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404
