"""Organisations typed by acronym or name instead of picked from a list of every CSO: the exact match
(case and accents ignored) and the multiple lookup field (relais/forms.py)."""

from __future__ import annotations

import pytest
from django import forms

from orgs.models import Organisation
from relais import selectors
from relais.forms import OrganisationLookupField, OrganisationLookupListField, typed_names
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


class NamesForm(forms.Form):
    names = OrganisationLookupListField(required=False)

    def __init__(self, *args, organisations, max_names=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["names"].queryset = organisations
        if max_names is not None:
            self.fields["names"].max_names = max_names


class OneForm(forms.Form):
    organisation = OrganisationLookupField()

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


@pytest.fixture
def registry(worlds):
    world_a, world_b = worlds
    return {
        "fsp": OrganisationFactory(tenant=world_a.tenant, name="Femmes de Ségou pour la paix", acronym="FSP"),
        "js1": OrganisationFactory(tenant=world_a.tenant, name="Jeunes de Ségou", acronym="JS1"),
        "js2": OrganisationFactory(tenant=world_a.tenant, name="Jeunes de Segou-Koura", acronym="JS2"),
        "aje": OrganisationFactory(tenant=world_a.tenant, name="Association des jeunes pour l'éducation",
                                   acronym="AJÉ"),
        "foreign": OrganisationFactory(tenant=world_b.tenant, name="Étrangère de Ségou", acronym="ETR"),
        "tenant_a": Organisation.objects.filter(tenant=world_a.tenant),
    }


def test_typed_names_split_on_lines_and_semicolons_single_spaced_once_each():
    assert typed_names("AJCET ;  Femmes   de Ségou\r\n\n tassaght;AJCET; ") == ["AJCET", "Femmes de Ségou", "tassaght"]
    assert typed_names("") == [] and typed_names(" ; \n ") == []


@pytest.mark.parametrize("text", ["FSP", "fsp", "Femmes de Ségou pour la paix", "femmes de segou pour la paix",
                                  "FEMMES  DE SEGOU POUR LA PAIX", "FSP — Femmes de Ségou pour la paix",
                                  "fsp — femmes de segou pour la paix"])
def test_an_exact_name_acronym_or_label_matches_whatever_the_case_and_accents(registry, text):
    assert list(selectors.organisation_exact_matches(registry["tenant_a"], text)) == [registry["fsp"]]


def test_an_acronym_with_an_accent_matches_typed_without_it(registry):
    assert list(selectors.organisation_exact_matches(registry["tenant_a"], "aje")) == [registry["aje"]]


def test_part_of_a_name_or_another_workspaces_name_is_no_exact_match(registry):
    for text in ("segou", "Femmes de Ségou", "ETR", "Étrangère de Ségou"):
        assert not selectors.organisation_exact_matches(registry["tenant_a"], text).exists(), text


def test_the_single_field_accepts_a_name_typed_without_accents(registry):
    form = OneForm({"organisation": "femmes de segou pour la paix"}, organisations=registry["tenant_a"])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["organisation"] == registry["fsp"]


def test_the_list_field_resolves_acronyms_and_folded_names_in_the_order_typed_once_each(registry):
    form = NamesForm({"names": "js1\nfemmes de segou pour la paix; FSP;JS2 — Jeunes de Segou-Koura"},
                     organisations=registry["tenant_a"])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["names"] == [registry["js1"], registry["fsp"], registry["js2"]]


def test_an_empty_list_field_is_no_organisation(registry):
    form = NamesForm({"names": " ;\n"}, organisations=registry["tenant_a"])
    assert form.is_valid() and form.cleaned_data["names"] == []


def test_every_unknown_or_ambiguous_name_is_reported_with_its_close_matches(registry, english):
    form = NamesForm({"names": "FSP\nsegou jeunes\nnothing like it\nETR"}, organisations=registry["tenant_a"])
    assert not form.is_valid()
    errors = form.errors["names"]
    assert len(errors) == 3, errors
    ambiguous, unknown, foreign = errors
    assert ambiguous.startswith("“segou jeunes”: no organisation has exactly this name or acronym; close matches:")
    assert "JS1 — Jeunes de Ségou" in ambiguous and "JS2 — Jeunes de Segou-Koura" in ambiguous
    assert unknown == "“nothing like it”: no organisation of this workspace has this name or acronym."
    assert foreign == "“ETR”: no organisation of this workspace has this name or acronym."  # another workspace's
    assert sorted(form.fields["names"].suggestions) == ["JS1 — Jeunes de Ségou", "JS2 — Jeunes de Segou-Koura"]
    # The text is shown again as typed.
    assert "nothing like it" in str(form["names"]) and "segou jeunes" in str(form["names"])


def test_two_organisations_with_the_same_name_are_ambiguous(registry, world_a, english):
    twin = OrganisationFactory(tenant=world_a.tenant, name="Jeunes de Ségou", acronym="JS3")
    form = NamesForm({"names": "jeunes de segou"}, organisations=registry["tenant_a"])
    assert not form.is_valid()
    [error] = form.errors["names"]
    assert error.startswith("“jeunes de segou”: several organisations match")
    assert "JS1 — Jeunes de Ségou" in error and f"JS3 — {twin.name}" in error
    assert "Koura" not in error  # exact matches only, not every name containing the words


def test_the_list_field_refuses_more_names_than_its_limit(registry):
    form = NamesForm({"names": "FSP; JS1; JS2"}, organisations=registry["tenant_a"], max_names=2)
    assert not form.is_valid() and form.has_error("names", "max_names")
