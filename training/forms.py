"""Forms of the training pages. Querysets are limited to the actor's workspace by the views."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from relais.demographics import AgeBand, Sex
from relais.forms import OrganisationLookupField, OrganisationLookupListField
from relais.ids import pk_like
from relais.selectors import organisation_label

from .models import Topic, TrainingSession

MAX_TICKED = 1000  # the boxes a page can send back (Django refuses more fields than this anyway)
FEW_INVITED = 20  # up to this many invited organisations are offered in the registration form


class SafeModelChoiceField(forms.ModelChoiceField):
    """An absurd id is an invalid choice, not a database overflow."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not pk_like(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value: Any) -> Any:
        for pk in value:
            if not pk_like(pk):
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": pk})
        return super()._check_values(value)  # type: ignore[misc]


class DateInput(forms.DateInput):
    input_type = "date"


class MemberChoiceField(SafeModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.user.full_name or obj.user.email


class OrganisationChoiceField(SafeModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return organisation_label(obj)


class AwardReferenceField(forms.CharField):
    """An award named by its reference (PDM-2026-014), not picked from a <select> of every award: a large
    workspace has thousands. Only the awards of ``queryset`` (the workspace's) can be named."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 60)
        super().__init__(*args, **kwargs)
        self.queryset: QuerySet[Any] | None = None
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        assert self.queryset is not None
        award = self.queryset.filter(reference__iexact=text.strip()).first()
        if award is None:
            raise ValidationError(_("No award of this workspace has the reference “%(reference)s”."),
                                  code="unknown_award", params={"reference": text.strip()})
        return award


class SessionForm(forms.ModelForm):
    """The session's invited organisations are never a list of every CSO of the workspace: the ones
    already invited are ticked boxes (untick to remove) and more are typed by acronym or name."""

    trainers = MemberChoiceField(queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
                                 label=_("Trainers"))
    invited_organisations = OrganisationChoiceField(queryset=None, required=False,
                                                    widget=forms.CheckboxSelectMultiple,
                                                    label=_("Invited organisations"),
                                                    help_text=_("Untick an organisation to remove it."))
    award = AwardReferenceField(required=False, label=_("Linked award (optional)"),
                                help_text=_("Its reference, as on the agreement: e.g. PDM-2026-014."))
    add_organisations = OrganisationLookupListField(
        required=False, label=_("Add organisations"),
        help_text=_("Acronyms or names, one per line or separated by “;”."))

    class Meta:
        model = TrainingSession
        fields = ["title", "topic", "start_date", "end_date", "remote", "region", "commune", "venue", "languages",
                  "capacity", "hours_per_day", "protected", "award", "call"]
        widgets = {"start_date": DateInput(format="%Y-%m-%d"), "end_date": DateInput(format="%Y-%m-%d")}
        field_classes = {"topic": SafeModelChoiceField, "region": SafeModelChoiceField,
                         "commune": SafeModelChoiceField, "call": SafeModelChoiceField}

    def __init__(self, *args: Any, choices: dict[str, Any], organisations: QuerySet[Any],
                 protected_by_default: bool = False, **kwargs: Any) -> None:
        """``organisations``: the workspace's CSOs, the only ones that can be invited (another
        workspace's “does not exist”); ``protected_by_default``: the workspace's training settings."""
        super().__init__(*args, **kwargs)
        for name, queryset in choices.items():
            cast(Any, self.fields[name]).queryset = queryset  # a ModelChoiceField, or the award's lookup
        self.fields["hours_per_day"].required = False  # left blank: the usual 6 hours
        if protected_by_default:  # the workspace's training settings
            if self.instance.pk is None:
                self.initial["protected"] = True
            self.fields["protected"].help_text = _(
                "Names are replaced by codes in every export and printed sheet (people at risk). This workspace "
                "protects new sessions by default: untick only if no participant is at risk.")
        cast(OrganisationLookupListField, self.fields["add_organisations"]).queryset = organisations
        # The boxes: the organisations invited now, and those a page sent back ticked (a page shown again
        # after an error or a save in another tab keeps what the person ticked), never the whole registry.
        invited = list(self.instance.invited_organisations.values_list("pk", flat=True)) if self.instance.pk else []
        ticked = [pk for pk in (self.data.getlist(self.add_prefix("invited_organisations"))
                                if self.is_bound and hasattr(self.data, "getlist") else []) if pk_like(pk)]
        boxes = cast(OrganisationChoiceField, self.fields["invited_organisations"])
        boxes.queryset = organisations.filter(pk__in=[*invited, *ticked[:MAX_TICKED]]).order_by("name", "pk")
        if not invited and not ticked:
            boxes.widget = forms.MultipleHiddenInput()  # nobody invited yet: no empty list of boxes
        if self.instance.award_id is not None:  # the reference, not the id the model gives
            self.initial["award"] = self.instance.award.reference
        if self.instance.pk:
            self.initial.setdefault("trainers", [m.pk for m in self.instance.trainers.all()])
            self.initial.setdefault("invited_organisations", invited)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "invited_organisations" in data and "add_organisations" in data:
            ticked = list(data["invited_organisations"])
            data["invited_organisations"] = ticked + [o for o in data["add_organisations"] if o not in ticked]
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last day cannot be before the first day."))
        if not data.get("remote") and not (data.get("region") or data.get("venue")):
            self.add_error("venue", _("Give the place (region or venue), or tick “remote session”."))
        return data

    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if values.get("hours_per_day") is None:
            values["hours_per_day"] = TrainingSession._meta.get_field("hours_per_day").default
        return values


class ParticipantForm(forms.Form):
    organisation = OrganisationLookupField(label=_("Organisation"), help_text=_("Acronym or legal name."))
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    age_band = forms.ChoiceField(label=_("Age band"), choices=AgeBand.choices)
    role_title = forms.CharField(label=_("Role in the organisation"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)

    def __init__(self, *args: Any, organisations: QuerySet[Any], **kwargs: Any) -> None:
        """``organisations``: those invited to the session (for an applicant, their own)."""
        super().__init__(*args, **kwargs)
        field = cast(OrganisationLookupField, self.fields["organisation"])
        field.queryset = organisations
        # A handful of invited organisations are offered as they are typed (a one-tap choice on a phone),
        # and the only one is filled in; a session open to hundreds offers nothing until a name is typed.
        few = list(organisations.order_by("name", "pk")[:FEW_INVITED + 1])
        if len(few) <= FEW_INVITED:
            field.suggestions = [organisation_label(o) for o in few]
        if len(few) == 1:
            self.initial.setdefault("organisation", few[0])

    @property
    def organisation_suggestions(self) -> list[str]:
        return cast(OrganisationLookupField, self.fields["organisation"]).suggestions


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             max_length=2000)


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"))


class AttendanceCsvForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_(
        "One row per person and day: a “code” (or “name”) column, a “date” column and a “status” column "
        "(present, absent, late or excused)."))


MAX_TOPICS = 60
TOPIC_FIELDS = ("name", "position", "active")
TopicsFormSet = forms.modelformset_factory(Topic, fields=list(TOPIC_FIELDS), extra=2, max_num=MAX_TOPICS,
                                           validate_max=True, absolute_max=MAX_TOPICS)
