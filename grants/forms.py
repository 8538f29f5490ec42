"""Forms. Application section forms never require anything: drafts are saved as typed."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from orgs.models import Region
from relais.ids import pk_like

from .models import (
    Application,
    BudgetCategory,
    BudgetLine,
    Call,
    QuestionKind,
    Recommendation,
    TimelineActivity,
)


class SafeModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not pk_like(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not pk_like(pk):
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": pk})
        return super()._check_values(value)


def _safe_choice_fields(form: forms.BaseForm) -> None:
    for name, field in list(form.fields.items()):
        if isinstance(field, forms.ModelMultipleChoiceField) and not isinstance(field, SafeModelMultipleChoiceField):
            safe = SafeModelMultipleChoiceField(queryset=field.queryset, required=field.required, label=field.label,
                                                widget=field.widget, help_text=field.help_text)
            form.fields[name] = safe
        elif isinstance(field, forms.ModelChoiceField) and not isinstance(field, SafeModelChoiceField):
            safe = SafeModelChoiceField(queryset=field.queryset, required=field.required, label=field.label,
                                        widget=field.widget, help_text=field.help_text, initial=field.initial)
            form.fields[name] = safe


class DraftModelForm(forms.ModelForm):
    """Every field optional; fields that fail validation are reported, the others still saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _safe_choice_fields(self)
        for field in self.fields.values():
            field.required = False

    def save_valid_fields(self, instance: Application) -> None:
        cleaned = getattr(self, "cleaned_data", {})
        for name in self.fields:
            if name in cleaned and name not in self.errors:
                value = cleaned[name]
                model_field = instance._meta.get_field(name)
                if model_field.many_to_many:
                    getattr(instance, name).set(value)
                else:
                    setattr(instance, name, value)


class DateInput(forms.DateInput):
    input_type = "date"


def section_model_form(fields: list[str], widgets: dict | None = None) -> type[DraftModelForm]:
    meta = type("Meta", (), {"model": Application, "fields": fields, "widgets": widgets or {}})
    return type("SectionForm", (DraftModelForm,), {"Meta": meta})


TEXTAREA = forms.Textarea(attrs={"rows": 8})
SECTION_FORMS = {
    "project": section_model_form(["title", "summary"], {"summary": TEXTAREA}),
    "context": section_model_form(["context"], {"context": forms.Textarea(attrs={"rows": 14})}),
    "objectives": section_model_form(["objectives"], {"objectives": forms.Textarea(attrs={"rows": 12})}),
    "activities": section_model_form(["activities"], {"activities": forms.Textarea(attrs={"rows": 12})}),
    "location": section_model_form(
        ["regions", "communes", "start_date", "end_date"],
        {"regions": forms.CheckboxSelectMultiple, "communes": forms.Textarea(attrs={"rows": 3}),
         "start_date": DateInput(format="%Y-%m-%d"), "end_date": DateInput(format="%Y-%m-%d")},
    ),
    "beneficiaries": section_model_form(["women", "men", "youth"]),
    "risks": section_model_form(["risks", "do_no_harm"], {"risks": TEXTAREA, "do_no_harm": TEXTAREA}),
    "budget": section_model_form(["cofunding_amount", "cofunding_source"]),
}


class DraftInlineForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _safe_choice_fields(self)
        for field in self.fields.values():
            field.required = False


class BudgetLineForm(DraftInlineForm):
    class Meta:
        model = BudgetLine
        fields = ["category", "description", "quantity", "unit_cost"]

    def __init__(self, *args, tenant=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = BudgetCategory.objects.filter(tenant=tenant, is_active=True)


class TimelineForm(DraftInlineForm):
    class Meta:
        model = TimelineActivity
        fields = ["activity", "start_month", "end_month"]


class DraftInlineFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        _safe_choice_fields(form)  # the hidden row id, too, must refuse absurd numbers


TimelineFormSet = inlineformset_factory(Application, TimelineActivity, form=TimelineForm, formset=DraftInlineFormSet,
                                        extra=2, can_delete=True)
BudgetFormSet = inlineformset_factory(Application, BudgetLine, form=BudgetLineForm, formset=DraftInlineFormSet,
                                      extra=2, can_delete=True)


class KeepAnsweredFormSet(BaseInlineFormSet):
    """A call's criteria / questions: one already scored or answered cannot be deleted (the cascade would
    erase what reviewers or applicants typed)."""

    answered_by: tuple[type, str] = (None, "")  # (model holding the answers, its foreign key to the row)

    def clean(self):
        super().clean()
        model, field = self.answered_by
        for form in self.deleted_forms:
            if form.instance.pk and model.objects.filter(**{field: form.instance.pk}).exists():
                raise ValidationError(_("“%(name)s” already has scores or answers: it cannot be deleted.")
                                      % {"name": form.instance})


def limit_regions(form: forms.Form, tenant) -> None:
    if "regions" in form.fields:
        form.fields["regions"].queryset = Region.objects.filter(tenant=tenant)


class EligibilityForm(forms.Form):
    def __init__(self, *args, questions=(), initial_answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_answers = initial_answers or {}
        self.questions = list(questions)
        for q in self.questions:
            if q.kind == QuestionKind.YES_NO:
                field = forms.ChoiceField(label=q.text, required=False, widget=forms.RadioSelect,
                                          choices=[("yes", _("Yes")), ("no", _("No"))])
            else:
                field = forms.CharField(label=q.text, required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                        max_length=5000)
            field.initial = initial_answers.get(q.pk, "")
            self.fields[f"q{q.pk}"] = field

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") or "" for q in self.questions
                if f"q{q.pk}" not in self.errors}


class AttachmentsForm(forms.Form):
    def __init__(self, *args, required_documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.documents = list(required_documents)
        for doc in self.documents:
            self.fields[f"a{doc.pk}"] = forms.FileField(label=doc.name, required=False, help_text=doc.description)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason or message"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=5000)
    amount = forms.DecimalField(label=_("Awarded amount"), required=False, min_value=0, max_digits=14,
                                decimal_places=2)


class ConflictForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Conflict of interest"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("no", _("I declare that I have no conflict of interest with this application.")),
                 ("yes", _("I have a conflict of interest (I will be recused)."))],
    )
    details = forms.CharField(label=_("Details of the conflict"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))


def _plain(value) -> str:
    """2.00 -> '2', 1.50 -> '1.5' (never '1E+1')."""
    return str(int(value)) if value == int(value) else format(value.normalize(), "f")


class ReviewForm(forms.Form):
    recommendation = forms.ChoiceField(label=_("Recommendation"), required=False,
                                       choices=[("", "—"), *Recommendation.choices])
    comment = forms.CharField(label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              max_length=10000)

    def __init__(self, *args, criteria=(), existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        existing = existing or {}
        self.criteria = list(criteria)
        for c in self.criteria:
            score, comment = existing.get(c.pk, (None, ""))
            self.fields[f"score_{c.pk}"] = forms.TypedChoiceField(
                label=_("%(name)s (weight %(weight)s)") % {"name": c.name, "weight": _plain(c.weight)},
                required=False, coerce=int, empty_value=None, initial=score, help_text=c.description,
                choices=[("", "—")] + [(n, f"{n} — {text}" if text else str(n)) for n, text in c.level_items()],
            )
            self.fields[f"comment_{c.pk}"] = forms.CharField(
                label=_("Comment"), required=False, initial=comment, max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}))

        self.order_fields([name for c in self.criteria for name in (f"score_{c.pk}", f"comment_{c.pk}")]
                          + ["recommendation", "comment"])

    def scores(self) -> dict[int, tuple[int | None, str]]:
        return {c.pk: (self.cleaned_data.get(f"score_{c.pk}"), self.cleaned_data.get(f"comment_{c.pk}") or "")
                for c in self.criteria}


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=None)

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = users


class CallForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = ["title_fr", "title_en", "description_fr", "description_en", "envelope", "currency",
                  "min_grant", "max_grant", "opens_at", "closes_at", "review_deadline", "eligible_regions",
                  "focus_areas", "reviewers_per_application", "blind_review"]
        widgets = {
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "review_deadline": DateInput(format="%Y-%m-%d"),
            "eligible_regions": forms.CheckboxSelectMultiple, "focus_areas": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, tenant=None, **kwargs):
        super().__init__(*args, **kwargs)
        from orgs.models import FocusArea

        self.fields["eligible_regions"].queryset = Region.objects.filter(tenant=tenant)
        self.fields["focus_areas"].queryset = FocusArea.objects.filter(tenant=tenant)
        _safe_choice_fields(self)  # absurd ids are invalid choices, not a database overflow

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The call must close after it opens."))
        if data.get("min_grant") is not None and data.get("max_grant") is not None \
                and data["max_grant"] < data["min_grant"]:
            self.add_error("max_grant", _("The maximum grant is lower than the minimum grant."))
        if self.instance.pk and "currency" in self.changed_data and self.instance.applications.exists():
            # Amounts already requested are in the old currency: changing it would silently re-denominate them.
            self.add_error("currency", _("The currency can no longer change: applications were already made."))
        if self.instance.pk and "blind_review" in self.changed_data and self.instance.applications.filter(
                reviews__isnull=False).exists():
            # Reviewers already opened applications under one rule; switching it would reveal or hide names mid-way.
            self.add_error("blind_review", _("Blind review can no longer change: reviewers are already assigned."))
        return data
