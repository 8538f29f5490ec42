"""FastSelect writes what Django's select templates write, byte for byte, without the templates."""

from __future__ import annotations

import html

import pytest
from django import forms
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from relais.widgets import FastSelect

CHOICES = [
    ("", gettext_lazy("All")),
    ("a", "Ségou & Mopti <nord>"),
    (3, 'quote " and apostrophe \''),
    ("safe", mark_safe("<b>déjà sûr</b>")),  # noqa: S308 - a label marked safe stays as it is
    ("Régions", [("x", "Kayes"), ("y", "Sikasso")]),
    (gettext_lazy("Zone"), [(7, "Nord")]),
]
CASES = [
    (None, None), ("", None), ("a", {"id": "id_f"}), (3, {"id": "x", "required": True, "disabled": False}),
    ("y", {"class": 'a"b', "data-n": 4}), ("7", {"autofocus": True}), (["a", "x"], None), ("absent", None),
]


@pytest.mark.parametrize(("value", "attrs"), CASES)
def test_fast_select_writes_the_templates_markup(value, attrs):
    for language in ("fr", "en"):
        with override(language):
            expected = forms.Select(choices=CHOICES).render("f", value, attrs)
            got = FastSelect(choices=CHOICES).render("f", value, attrs)
        assert got == expected
        assert "<option" in got and "</select>" in got


def test_fast_select_is_the_same_inside_a_form_and_a_template():
    class Slow(forms.Form):
        f = forms.ChoiceField(choices=CHOICES, required=False)

    class Fast(forms.Form):
        f = forms.ChoiceField(choices=CHOICES, required=False, widget=FastSelect)

    template = engines["django"].from_string("{% for field in form %}{{ field.label_tag }}{{ field }}{% endfor %}")
    for data in ({}, {"f": "x"}, {"f": "nope"}):
        assert template.render({"form": Fast(data)}) == template.render({"form": Slow(data)})


def test_fast_select_renders_model_choices_like_the_templates(world_a, django_db_blocker):
    from django.db import connection

    from orgs.models import Region
    from orgs.selectors.organisations import region_list

    region = Region.objects.filter(tenant=world_a.tenant).first() or Region.objects.create(
        tenant=world_a.tenant, name="Tombouctou", zone="north")
    slow = forms.ModelChoiceField(queryset=region_list(actor=world_a.actor("manager")), required=False)
    fast = forms.ModelChoiceField(queryset=region_list(actor=world_a.actor("manager")), required=False,
                                  widget=FastSelect)
    with CaptureQueriesContext(connection) as queries:
        got = fast.widget.render("region", region.pk, {"id": "id_region"})
    assert got == slow.widget.render("region", region.pk, {"id": "id_region"})
    assert f'<option value="{region.pk}" selected>' in got
    assert len(queries.captured_queries) == 1  # the choices, read once


def test_a_subclass_with_its_own_option_template_keeps_the_template():
    class Custom(FastSelect):
        option_template_name = "django/forms/widgets/input_option.html"  # any other template

    expected = forms.Select(choices=CHOICES)
    expected.option_template_name = Custom.option_template_name
    assert Custom(choices=CHOICES).render("f", "a") == expected.render("f", "a")


class _LabelForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False)
    amp = forms.CharField(label="Ségou & <Mopti>")
    asked = forms.CharField(label="Encore ?", required=False)
    own_id = forms.CharField(label="Id", widget=forms.TextInput(attrs={"id": 'mine"1'}))
    picked = forms.ChoiceField(label="Choix", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    own_suffix = forms.CharField(label="Suffixe", label_suffix=" →")
    empty = forms.CharField(label="")


class _RequiredClassForm(_LabelForm):
    required_css_class = "req"


@pytest.mark.parametrize("form_kwargs", [{}, {"auto_id": False}, {"auto_id": "f_%s"}, {"label_suffix": ""},
                                         {"label_suffix": " & :"}, {"prefix": "p"}])
@pytest.mark.parametrize("form_class", [_LabelForm, _RequiredClassForm])
def test_label_html_writes_the_label_templates_markup(form_kwargs, form_class):
    from relais.widgets import label_html

    for language in ("fr", "en"):
        with override(language):
            form = form_class(**form_kwargs)
            for field in form:
                assert str(label_html(field)) == str(field.label_tag()), (language, field.name)


INPUT_CASES = [None, "", "Ségou & <Mopti>", 'a "quote"', mark_safe("<b>sûr</b>"), 12, "2026-03-01"]  # noqa: S308


@pytest.mark.parametrize("value", INPUT_CASES)
@pytest.mark.parametrize("attrs", [None, {"id": "id_f", "maxlength": "100"}, {"required": True, "disabled": False},
                                   {"class": 'a"b', "aria-describedby": "id_f_helptext"}])
def test_fast_inputs_write_the_templates_markup(value, attrs):
    """The text and date inputs of the filter forms: input.html's markup without the templates."""
    import datetime as dt

    from relais.widgets import FastDateInput, FastTextInput

    pairs = [(FastTextInput(), forms.TextInput()),
             (FastTextInput({"type": "search"}), forms.TextInput({"type": "search"})),
             (FastDateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
              forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")),
             (FastDateInput(), forms.DateInput())]
    for language in ("fr", "en"):
        with override(language):
            for fast, slow in pairs:
                assert fast.render("f", value, attrs) == slow.render("f", value, attrs), (fast, value)
            date = dt.date(2026, 3, 1)
            for fast, slow in pairs[2:]:
                assert fast.render("d", date, attrs) == slow.render("d", date, attrs)


def test_choice_labels_are_the_escaped_labels_in_the_active_language():
    """relais.widgets.choice_labels: each list's choice labels translated and escaped once per language."""
    from django.utils import translation

    from grants.models import AwardStatus
    from relais.widgets import choice_labels

    for language in ("fr", "en"):
        with translation.override(language):
            labels = choice_labels(AwardStatus)
            assert labels == {value: html.escape(str(label)) for value, label in AwardStatus.choices}
            assert choice_labels(AwardStatus) is labels  # the same dictionary: built once
    with translation.override("fr"):
        french = choice_labels(AwardStatus)
    with translation.override("en"):
        assert choice_labels(AwardStatus) != french
