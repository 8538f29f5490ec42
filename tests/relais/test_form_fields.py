"""relais/form_fields.html, the markup of every form of the application, is written in one pass
(relais.widgets.form_fields_html): it must be, byte for byte, what the template loop below wrote."""

from __future__ import annotations

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from orgs.models import Organisation
from relais.forms import InvitationForm, ProfileForm, TenantSettingsForm
from relais.models import Role
from relais.widgets import FastEmailInput, FastSelect, FastTextInput, form_fields_html
from training.forms import MaterialForm

pytestmark = pytest.mark.django_db

LOOP = (  # templates/relais/form_fields.html before it called the writer
    '{% load i18n %}{% if form.non_field_errors %}<div class="errors" role="alert">{% for e in form.non_field_errors %}'
    "<p>{{ e }}</p>{% endfor %}</div>{% endif %}\n"
    "{% for field in form.hidden_fields %}{{ field }}{% endfor %}\n"
    "{% for field in form.visible_fields %}\n"
    '<div class="field{% if field.errors %} has-error{% endif %}" id="field-{{ field.html_name }}">\n'
    '{% if field.widget_type == "checkbox" %}{{ field }} {{ field.label_tag }}{% else %}{{ field.label_tag }}'
    '{% if field.field.required %} <span class="req" aria-hidden="true">*</span>{% endif %}\n'
    "{{ field }}{% endif %}\n"
    '{% if field.help_text %}<small class="help">{{ field.help_text }}</small>{% endif %}\n'
    '{% for e in field.errors %}<p class="error" role="alert">{{ e }}</p>{% endfor %}\n'
    "</div>\n"
    "{% endfor %}\n"
)


class Awkward(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, initial='a"b')
    second = forms.CharField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label="Nom <b>&</b>", help_text="Acronyme ou <i>nom</i>", max_length=5)
    agree = forms.BooleanField(label="J'accepte", required=False, help_text="Case à cocher")
    kind = forms.ChoiceField(choices=[("a", "Un <a>"), ("b", "Deux")], widget=FastSelect, required=False)
    note = forms.CharField(widget=forms.Textarea, required=False)
    code = forms.CharField(widget=FastTextInput(attrs={"placeholder": "x<y"}), required=False)
    mail = forms.EmailField(widget=FastEmailInput, required=False)
    when = forms.DateField(required=False, label="Date?")

    def clean(self):
        raise forms.ValidationError(["Tout <faux>", "Encore"])


def forms_to_compare(world) -> list[forms.BaseForm]:
    organisations = Organisation.objects.filter(tenant=world.tenant)
    return [
        InvitationForm(organisations=organisations),
        InvitationForm({"email": "pas-un-courriel", "role": "applicant", "organisation": "Inconnue <x>"},
                       organisations=organisations),
        InvitationForm({"email": "a@b.ml", "role": "manager"}, organisations=organisations),
        TenantSettingsForm(instance=world.tenant),
        TenantSettingsForm({"name": ""}, instance=world.tenant),
        ProfileForm(instance=world.user(Role.MANAGER)),
        MaterialForm(),
        MaterialForm({"title": ""}),
        Awkward(),
        Awkward({"token": "t", "name": "beaucoup trop long", "agree": "on", "kind": "zz", "when": "demain",
                 "mail": "x"}),
        Awkward(auto_id=False),
        Awkward(prefix="p"),
    ]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_writer_is_the_template_loop_byte_for_byte(world_a, language):
    loop = Template(LOOP)
    with translation.override(language):
        for form in forms_to_compare(world_a):
            expected = loop.render(Context({"form": form}))
            assert Template('{% include "relais/form_fields.html" %}').render(Context({"form": form})) == expected
            assert form_fields_html(form) + "\n" == expected


def test_the_fast_email_input_is_djangos():
    for value in (None, "", 'a"<b>@c.ml'):
        assert FastEmailInput(attrs={"required": True, "id": "e"}).render("mail", value) == \
            forms.EmailInput(attrs={"required": True, "id": "e"}).render("mail", value)
