"""Forms of the capacity assessments: framework editing, a new assessment, scores, the action plan."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils.translation import gettext_lazy as _

from relais.forms import OrganisationLookupField

from .models import LEVELS, ActionItem, AssessmentDomain, AssessmentKind, AssessmentSubArea

NOT_SCORED = "0"  # a value of its own: a radio button with an empty value is sent as "on" by some clients
SCORE_CHOICES = [(NOT_SCORED, _("Not scored")), *((str(level), str(level)) for level in LEVELS)]


class DomainForm(forms.ModelForm):
    class Meta:
        model = AssessmentDomain
        fields = ("name_fr", "name_en", "order")


class RowsFormSet(BaseModelFormSet):
    def rows(self, fields: tuple[str, ...]) -> list[dict[str, Any]]:
        """The changed rows that validated, as plain data: `id` (None for a new row), `delete`, the fields."""
        rows = []
        for form in self.forms:
            if not form.has_changed() or not form.is_valid():
                continue
            delete = bool(self.can_delete and form.cleaned_data.get("DELETE"))
            if delete and form.instance.pk is None:
                continue
            row = {"id": form.instance.pk, "delete": delete}
            row.update({name: form.cleaned_data[name] for name in fields if name in form.cleaned_data
                        and not form.fields[name].disabled})
            rows.append(row)
        return rows


SubAreaRowsFormSet = modelformset_factory(AssessmentSubArea, fields=("name_fr", "name_en", "order"),
                                          formset=RowsFormSet, extra=1, max_num=12, validate_max=True,
                                          absolute_max=12)


class SubAreaForm(forms.Form):
    """A sub-area's names and what each level looks like, in French and English."""

    name_fr = forms.CharField(label=_("name (French)"), max_length=200)
    name_en = forms.CharField(label=_("name (English)"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for level in LEVELS:
            self.fields[f"text_fr_{level}"] = forms.CharField(
                label=_("Level %(level)s (French)") % {"level": level}, required=False,
                widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[f"text_en_{level}"] = forms.CharField(
                label=_("Level %(level)s (English)") % {"level": level}, required=False,
                widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def initial_of(cls, sub_area: AssessmentSubArea) -> dict[str, Any]:
        initial: dict[str, Any] = {"name_fr": sub_area.name_fr, "name_en": sub_area.name_en}
        for d in sub_area.descriptors.all():
            initial[f"text_fr_{d.level}"], initial[f"text_en_{d.level}"] = d.text_fr, d.text_en
        return initial


class AssessmentCreateForm(forms.Form):
    organisation = OrganisationLookupField(label=_("organisation"), help_text=_("Acronym or legal name."))
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("kind"), choices=AssessmentKind.choices)
    facilitator: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("facilitator"), queryset=None)

    def __init__(self, *args: Any, organisations: QuerySet[Any], facilitators: Any, **kwargs: Any) -> None:
        """``organisations``: those the actor may assess, typed by acronym or name (never a list of every CSO)."""
        super().__init__(*args, **kwargs)
        cast(OrganisationLookupField, self.fields["organisation"]).queryset = organisations
        facilitator = cast(forms.ModelChoiceField, self.fields["facilitator"])
        facilitator.queryset = facilitators
        facilitator.label_from_instance = lambda user: user.display_name  # type: ignore[method-assign, assignment]

    @property
    def organisation_suggestions(self) -> list[str]:
        return cast(OrganisationLookupField, self.fields["organisation"]).suggestions


class ScoresForm(forms.Form):
    """One score (1–4 or not yet) and one note per sub-area of the framework."""

    def __init__(self, *args: Any, sub_areas: list[AssessmentSubArea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sub_areas = sub_areas
        for sa in sub_areas:
            self.fields[f"score_{sa.pk}"] = forms.TypedChoiceField(
                label=sa.name, choices=SCORE_CHOICES, required=False, coerce=int, empty_value=None,
                widget=forms.RadioSelect)
            self.fields[f"note_{sa.pk}"] = forms.CharField(
                label=_("Note: %(name)s") % {"name": sa.name}, required=False, max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}))

    @staticmethod
    def initial_of(scores: dict[int, Any], sub_areas: list[AssessmentSubArea]) -> dict[str, Any]:
        initial: dict[str, Any] = {f"score_{sa.pk}": NOT_SCORED for sa in sub_areas}
        for sub_area_id, row in scores.items():
            initial[f"score_{sub_area_id}"] = str(row.score)
            initial[f"note_{sub_area_id}"] = row.note
        return initial

    def scores(self) -> dict[int, tuple[int | None, str]]:
        return {sa.pk: (self.cleaned_data.get(f"score_{sa.pk}") or None, self.cleaned_data.get(f"note_{sa.pk}") or "")
                for sa in self.sub_areas}


class ActionItemForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ("item", "owner", "due_date", "status")
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def action_plan_formset(*, facilitator: bool) -> type[RowsFormSet]:
    """Facilitators write the plan; the CSO only moves the status of the items it has."""
    formset: type[RowsFormSet] = modelformset_factory(  # type: ignore[assignment]
        ActionItem, form=ActionItemForm, formset=RowsFormSet,
                                   extra=2 if facilitator else 0, can_delete=facilitator, max_num=40,
                                   validate_max=True, absolute_max=40)
    if facilitator:
        return formset

    class StatusOnly(formset):  # type: ignore[misc, valid-type]
        def add_fields(self, form: forms.Form, index: int | None) -> None:
            super().add_fields(form, index)
            for name in ("item", "owner", "due_date"):
                form.fields[name].disabled = True

    return StatusOnly
