"""Discovery helpers for the tenancy tests: models, factories and URL patterns.

Nothing here is a hand-kept list, so a later issue's URLs and models are
checked as soon as they exist:
- domain models are every model of the apps in DOMAIN_APPS;
- factories are every DjangoModelFactory in tests/factories.py and
  tests/<app>/factories.py;
- object URLs are the tenant URL patterns whose kwargs end in ``_pk``; the
  model is found by name (``call_pk`` -> model ``call`` in a domain app).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

import factory
from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

import tests

DOMAIN_APPS = ("relais", "orgs", "grants", "training")
# Models that are global on purpose (not owned by one tenant).
GLOBAL_MODELS = {"relais.user", "relais.tenant"}


def domain_models() -> list[type[models.Model]]:
    return [m for label in DOMAIN_APPS for m in apps.get_app_config(label).get_models()]


def factories_by_model() -> dict[type[models.Model], type[factory.django.DjangoModelFactory]]:
    modules = ["tests.factories"]
    for info in pkgutil.iter_modules(tests.__path__):
        if info.ispkg and importlib.util.find_spec(f"tests.{info.name}.factories"):
            modules.append(f"tests.{info.name}.factories")
    found: dict = {}
    for name in modules:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, factory.django.DjangoModelFactory)
                and value._meta.model is not None
                and not value._meta.abstract
            ):
                found.setdefault(value._meta.model, value)
    return found


def model_for_kwarg(kwarg: str) -> type[models.Model]:
    name = kwarg.removesuffix("_pk")
    for model in domain_models():
        if model._meta.model_name == name.replace("_", ""):
            return model
    raise LookupError(f"URL kwarg {kwarg!r} names no model of {DOMAIN_APPS}; name it <model>_pk.")


@dataclass(frozen=True)
class TenantRoute:
    name: str
    route: str
    kwargs: tuple[str, ...]

    @property
    def object_kwargs(self) -> tuple[str, ...]:
        return tuple(k for k in self.kwargs if k.endswith("_pk"))


def _walk(resolver: URLResolver, prefix: str = "", converters: dict | None = None, namespace: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        conv = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, route, conv, inner)
        elif isinstance(entry, URLPattern):
            yield entry, route, conv, namespace


def tenant_routes() -> list[TenantRoute]:
    routes = []
    for pattern, route, converters, namespace in _walk(get_resolver()):
        if "tenant_slug" in converters and pattern.name:
            routes.append(TenantRoute(namespace + pattern.name, route, tuple(converters)))
    return routes


def stored_state() -> dict[str, int]:
    """Rows of every installed model and entries of the default cache (local memory): a request
    that stores nothing leaves this unchanged."""
    from django.core.cache import cache

    state = {model._meta.label: model._default_manager.count() for model in apps.get_models()}
    state["cache entries"] = len(cache._cache)  # LocMemCache; tests run with it
    return state
