"""Forms. Application section forms never require anything: drafts are saved as typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.forms import BaseInlineFormSet, BaseModelFormSet, inlineformset_factory, modelformset_factory
from django.utils.translation import gettext_lazy as _

from relais.forms import AmountField, use_amount_fields
from relais.ids import pk_like
from relais.money import Currency

from .models import (
    SCORE_LEVELS,
    Application,
    BudgetCategory,
    BudgetLine,
    Call,
    EligibilityQuestion,
    QuestionKind,
    Recommendation,
    RequiredAttachment,
    RubricCriterion,
    TimelineActivity,
)
from .sections import MAX_ROWS, ROW_FIELDS, SECTION_FIELDS
from .services.calls import BUDGET_CATEGORY_FIELDS, MAX_BUDGET_CATEGORIES, MAX_CALL_ROWS


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


class PrefetchedChoiceField(forms.ChoiceField):
    """A choice among objects read once for a whole formset: no query per row to render or validate
    (a ModelChoiceField queries for its choices in every row, and again for every value it checks)."""

    def __init__(self, *, rows: dict[str, Any], empty_label: str | None = "---------", **kwargs):
        self.rows = rows  # the objects to choose from, by their pk as text
        choices = [(key, str(obj)) for key, obj in rows.items()]
        if empty_label is not None:
            choices = [("", empty_label), *choices]
        super().__init__(choices=choices, **kwargs)

    def prepare_value(self, value):
        return getattr(value, "pk", value)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        obj = self.rows.get(str(value))
        if obj is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": value})
        return obj

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def has_changed(self, initial, data):
        return str(self.prepare_value(initial) or "") != str(data or "")


def by_pk(objects) -> dict[str, Any]:
    return {str(obj.pk): obj for obj in objects}


class DraftModelForm(forms.ModelForm):
    """Every field optional; fields that fail validation are reported, the others still saved."""

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "regions" in self.fields:
            if regions is None:
                raise TypeError("A section form with regions needs the tenant's regions (selectors.region_list).")
            self.fields["regions"].queryset = regions
        _safe_choice_fields(self)
        try:
            currency = self.instance.currency  # the call's
        except ObjectDoesNotExist:  # a form without an application's call has no amounts to check
            currency = None
        if currency:
            use_amount_fields(self, currency, *APPLICATION_AMOUNTS)
        for field in self.fields.values():
            field.required = False

    def valid_data(self) -> dict[str, Any]:
        """The cleaned values of the fields that validated (a list for many-to-many fields)."""
        cleaned = getattr(self, "cleaned_data", {})
        return {name: (list(cleaned[name]) if isinstance(self.fields[name], forms.ModelMultipleChoiceField)
                       else cleaned[name])
                for name in self.fields if name in cleaned and name not in self.errors}


# The application's amounts an applicant types, in the call's currency.
APPLICATION_AMOUNTS = ("cofunding_amount",)


class DateInput(forms.DateInput):
    input_type = "date"


def section_model_form(fields: tuple[str, ...], widgets: dict | None = None) -> type[DraftModelForm]:
    meta = type("Meta", (), {"model": Application, "fields": list(fields), "widgets": widgets or {}})
    return type("SectionForm", (DraftModelForm,), {"Meta": meta})


TEXTAREA = forms.Textarea(attrs={"rows": 8})
SECTION_WIDGETS = {
    "project": {"summary": TEXTAREA},
    "context": {"context": forms.Textarea(attrs={"rows": 14})},
    "objectives": {"objectives": forms.Textarea(attrs={"rows": 12})},
    "activities": {"activities": forms.Textarea(attrs={"rows": 12})},
    "location": {"regions": forms.CheckboxSelectMultiple, "communes": forms.Textarea(attrs={"rows": 3}),
                 "start_date": DateInput(format="%Y-%m-%d"), "end_date": DateInput(format="%Y-%m-%d")},
    "risks": {"risks": TEXTAREA, "do_no_harm": TEXTAREA},
}
SECTION_FORMS = {section: section_model_form(fields, SECTION_WIDGETS.get(section))
                 for section, fields in SECTION_FIELDS.items() if fields}


class DraftInlineForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _safe_choice_fields(self)
        for field in self.fields.values():
            field.required = False


class BudgetLineForm(DraftInlineForm):
    class Meta:
        model = BudgetLine
        fields = list(ROW_FIELDS["lines"])

    def __init__(self, *args, categories: dict[str, Any] | None = None, currency: str = Currency.XOF, **kwargs):
        super().__init__(*args, **kwargs)
        old = self.fields["category"]
        self.fields["category"] = PrefetchedChoiceField(rows=categories or {}, required=False, label=old.label)
        use_amount_fields(self, currency, "unit_cost")
        self.fields["unit_cost"].required = False
        if self.instance.quantity is not None:  # '12', '2.5' as people type them, not '12.00'
            self.initial["quantity"] = _plain(self.instance.quantity)

    def _get_validation_exclusions(self):
        # The category was checked against the tenant's active categories read once for the formset;
        # the model's foreign key check would query again for every row.
        return {*super()._get_validation_exclusions(), "category"}


class TimelineForm(DraftInlineForm):
    class Meta:
        model = TimelineActivity
        fields = list(ROW_FIELDS["timeline"])


class PrefetchedRowsFormSet(BaseModelFormSet):
    """The hidden id of each row is checked against the formset's own rows, read once (not with a query
    per row, and never against another parent's rows); absurd ids are invalid choices."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        name = self.model._meta.pk.name
        old = form.fields[name]
        if not hasattr(self, "_rows_by_pk"):
            self._rows_by_pk = by_pk(self.get_queryset())
        form.fields[name] = PrefetchedChoiceField(rows=self._rows_by_pk, empty_label=None, required=False,
                                                  initial=old.initial, widget=old.widget)

    def rows(self, fields: tuple[str, ...]) -> list[dict[str, Any]]:
        """The changed rows that validated, as plain data: `id` (None for a new row), `delete` and the fields.
        Rows with errors stay on screen with them; nothing when the formset as a whole is refused."""
        if not self.management_form.is_valid() or self.non_form_errors():
            return []
        rows = []
        for form in self.forms:
            if not form.has_changed() or not form.is_valid():
                continue
            pk = form.instance.pk
            delete = bool(self.can_delete and form.cleaned_data.get("DELETE"))
            if delete and pk is None:
                continue
            rows.append({"id": pk, "delete": delete,
                         **{name: form.cleaned_data[name] for name in fields if name in form.cleaned_data}})
        return rows

    def has_errors(self) -> bool:
        if not self.management_form.is_valid() or self.non_form_errors():
            return True
        return any(f.errors for f in self.forms if f.has_changed() or f.instance.pk)


class DraftInlineFormSet(PrefetchedRowsFormSet, BaseInlineFormSet):
    """An application's rows. A fresh application shows BLANK_WHEN_EMPTY blank rows, one with rows
    BLANK_BELOW more under the last one (after every save too), within the cap (max_num)."""

    BLANK_WHEN_EMPTY = 5
    BLANK_BELOW = 3

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:  # a bound formset counts the rows it was posted with
            self.extra = self.BLANK_BELOW if self.initial_form_count() else self.BLANK_WHEN_EMPTY


def _row_formset(parent, model, form, *, fields=None, extra: int, max_num: int, formset=DraftInlineFormSet):
    return inlineformset_factory(parent, model, form=form, formset=formset, fields=fields, extra=extra,
                                 can_delete=True, max_num=max_num, validate_max=True, absolute_max=max_num)


TimelineFormSet = _row_formset(Application, TimelineActivity, TimelineForm, extra=2, max_num=MAX_ROWS["timeline"])
BudgetFormSet = _row_formset(Application, BudgetLine, BudgetLineForm, extra=2, max_num=MAX_ROWS["lines"])


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
    amount = AmountField(label=_("Awarded amount"), required=False, min_value=0)

    def __init__(self, *args, currency: str = Currency.XOF, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].currency = currency


class EnvelopeForm(forms.Form):
    """A call's new envelope and why it changes (grants.services.calls.call_envelope_change)."""

    envelope = forms.DecimalField(label=_("New envelope"), min_value=0, max_digits=14, decimal_places=2)
    reason = forms.CharField(label=_("Reason for the change"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


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


CALL_AMOUNTS = ("envelope", "min_grant", "max_grant")


class CallForm(forms.ModelForm):
    """The call's own fields. What may still change once applications or reviews exist is the service's
    rule (grants.services.calls.call_update), not the form's."""

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

    def __init__(self, *args, regions, focus_areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["eligible_regions"].queryset = regions
        self.fields["focus_areas"].queryset = focus_areas
        _safe_choice_fields(self)  # absurd ids are invalid choices, not a database overflow
        # Amounts follow the currency posted with them (else the call's): XOF refuses centimes.
        currency = self.data.get(self.add_prefix("currency")) if self.is_bound else None
        if currency not in Currency.values:
            currency = self.initial.get("currency") or self.instance.currency or Currency.XOF
        use_amount_fields(self, currency, *CALL_AMOUNTS)

    def data_for_service(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        for name in ("eligible_regions", "focus_areas"):
            if name in data:
                data[name] = list(data[name])
        return data


class CallRowsFormSet(PrefetchedRowsFormSet, BaseInlineFormSet):
    """A call's criteria, questions or documents. Deleting one already scored or answered is refused by
    the service (grants.services.calls), which sees every row."""


def _call_rows(model, fields: list[str], max_num: int, form=forms.ModelForm):
    return inlineformset_factory(Call, model, form=form, formset=CallRowsFormSet, fields=fields, extra=1,
                                 can_delete=True, max_num=max_num, validate_max=True, absolute_max=max_num)


class CriterionForm(forms.ModelForm):
    """A rubric criterion with what each score means (0 to 5), shown to reviewers beside each score.
    The six texts are kept together in the criterion's `levels` ({"0": "...", ..., "5": "..."})."""

    class Meta:
        model = RubricCriterion
        fields = ["name_fr", "name_en", "description", "weight"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        levels = self.instance.levels or {}
        for n in SCORE_LEVELS:
            self.fields[f"level_{n}"] = forms.CharField(
                label=_("Level %(n)s means") % {"n": n}, required=False, max_length=300,
                initial=str(levels.get(str(n), "")))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        texts = {str(n): (cleaned.get(f"level_{n}") or "").strip() for n in SCORE_LEVELS}
        cleaned["levels"] = {n: text for n, text in texts.items() if text}
        return cleaned


CriterionFormSet = _call_rows(RubricCriterion, ["name_fr", "name_en", "description", "weight"],
                              MAX_CALL_ROWS["criteria"], form=CriterionForm)
QuestionFormSet = _call_rows(EligibilityQuestion, ["text_fr", "text_en", "kind", "disqualifying_answer"],
                             MAX_CALL_ROWS["questions"])
DocumentFormSet = _call_rows(RequiredAttachment, ["name_fr", "name_en", "description"], MAX_CALL_ROWS["documents"])
CALL_FORMSETS = (("criteria", CriterionFormSet), ("questions", QuestionFormSet), ("documents", DocumentFormSet))


class BudgetCategoryFormSet(PrefetchedRowsFormSet):
    pass


BudgetCategoriesFormSet = modelformset_factory(
    BudgetCategory, formset=BudgetCategoryFormSet, fields=list(BUDGET_CATEGORY_FIELDS), extra=2,
    max_num=MAX_BUDGET_CATEGORIES, validate_max=True, absolute_max=MAX_BUDGET_CATEGORIES)


class StripeSettingsForm(forms.Form):
    """Stripe transfers: the switch and the workspace's own keys. The keys are write-only inputs (never
    filled in from what is stored); a blank one keeps the key in force, the checkbox removes it."""

    stripe_enabled = forms.BooleanField(label=_("Pay by Stripe transfer"), required=False)
    secret_key = forms.CharField(
        label=_("New secret key"), required=False, max_length=255,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Leave blank to keep the key in force."))
    clear_secret_key = forms.BooleanField(label=_("Remove the workspace's secret key"), required=False)
    webhook_secret = forms.CharField(
        label=_("New webhook signing secret"), required=False, max_length=255,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Leave blank to keep the secret in force."))
    clear_webhook_secret = forms.BooleanField(label=_("Remove the workspace's webhook signing secret"),
                                              required=False)
