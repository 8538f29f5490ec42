"""Forms of the organisation registry. Choices come from the selectors, limited to the actor's tenant."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import ContactPerson, Language, Organisation, PaymentDetails, Zone
from orgs.selectors import organisations as selectors
from relais.actor import Actor
from relais.validators import no_control_characters


def _current_year() -> int:
    return timezone.localdate().year


class OrganisationProfileForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Working languages"), choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Organisation
        fields = [
            "name", "acronym", "type", "registration_number", "registration_date", "founding_year", "region",
            "regions_of_work", "communes_of_work", "focus_areas", "languages", "staff_women", "staff_men",
            "volunteers_women", "volunteers_men", "budget_band", "description",
        ]
        widgets = {
            "registration_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "regions_of_work": forms.CheckboxSelectMultiple,
            "focus_areas": forms.CheckboxSelectMultiple,
            "communes_of_work": forms.SelectMultiple(attrs={"size": 6}),
            "description": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        }
        labels = {"name": _("Legal name"), "acronym": _("Acronym"), "region": _("Head office region")}

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        regions = selectors.region_list(actor=actor)
        querysets = {
            "region": regions,
            "regions_of_work": regions,
            "focus_areas": selectors.focus_area_list(actor=actor),
            "communes_of_work": selectors.commune_list(actor=actor),
        }
        for name, queryset in querysets.items():
            if name in self.fields:
                self.fields[name].queryset = queryset
        self.fields["name"].required = True
        for name in ("staff_women", "staff_men", "volunteers_women", "volunteers_men"):
            if name in self.fields:
                self.fields[name].widget.attrs["min"] = 0
        if self.instance.pk:
            self.initial.setdefault("languages", self.instance.languages)

    def clean_founding_year(self):
        year = self.cleaned_data.get("founding_year")
        if year is not None and not (1900 <= year <= _current_year()):
            raise forms.ValidationError(
                _("Enter a year between 1900 and %(year)s.") % {"year": _current_year()}
            )
        return year

    def clean_registration_date(self):
        value = self.cleaned_data.get("registration_date")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("The registration date cannot be in the future."))
        return value

    def clean(self):
        data = super().clean()
        year, date = data.get("founding_year"), data.get("registration_date")
        if year and isinstance(date, datetime.date) and date.year < year:
            self.add_error("registration_date", _("The registration date is before the founding year."))
        return data

    def service_data(self) -> dict:
        """cleaned_data as the service wants it (M2M as lists)."""
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        for name in ("regions_of_work", "communes_of_work", "focus_areas", "languages"):
            if name in data:
                data[name] = list(data[name] or [])
        return data


class SelfRegistrationForm(OrganisationProfileForm):
    """The short version an applicant fills in to register a new CSO; the rest comes later."""

    languages = None

    class Meta(OrganisationProfileForm.Meta):
        fields = ["name", "acronym", "type", "region", "description"]


class ContactPersonForm(forms.ModelForm):
    class Meta:
        model = ContactPerson
        fields = ["name", "role", "phone", "email", "consent", "email_consent"]

    def clean(self):
        data = super().clean()
        if (data.get("phone") or data.get("email")) and not data.get("consent"):
            self.add_error("consent", _("Record a phone number or e-mail only with the person's consent."))
        if data.get("email_consent") and not data.get("email"):
            self.add_error("email_consent", _("Give the e-mail address the person accepted e-mails at."))
        return data


class PaymentDetailsForm(forms.ModelForm):
    class Meta:
        model = PaymentDetails
        fields = ["bank_name", "bank_account", "bank_account_holder", "mobile_operator", "mobile_number",
                  "mobile_holder", "stripe_account"]
        widgets = {"bank_account": forms.TextInput(attrs={"autocomplete": "off"}),
                   "mobile_number": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
                   "stripe_account": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})}

    def __init__(self, *args, with_stripe: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_stripe:  # finance names the Stripe connected account (orgs.services.organisations)
            del self.fields["stripe_account"]


class RegionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, validators=[no_control_characters])
    zone = forms.ChoiceField(label=_("Zone"), choices=Zone.choices)


class FocusAreaForm(forms.Form):
    name = forms.CharField(label=_("Name (French)"), max_length=120, validators=[no_control_characters])
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False,
                              validators=[no_control_characters])


class CommuneForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, validators=[no_control_characters])
    region = forms.ModelChoiceField(label=_("Region"), queryset=None)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = selectors.region_list(actor=actor)


class JoinRequestForm(forms.Form):
    name_or_acronym = forms.CharField(
        label=_("Acronym or legal name of your organisation"), max_length=255,
        help_text=_("Type it exactly as your organisation is registered with this programme."),
    )
    message = forms.CharField(
        label=_("Message to the organisation (optional)"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel file (.csv, .xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 2 MB; split it in several files."))
        return upload
