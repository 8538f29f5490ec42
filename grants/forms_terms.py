"""Forms of the award terms page and of the workspace's grant settings (issue 11).

They only read what was typed; the rules (sums, dates, states) are the services'
(grants.services.award_terms, grants.services.grant_settings).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from relais.forms import AmountField
from relais.money import Currency
from relais.validators import no_control_characters

from .conditions import default_conditions, registered_conditions
from .forms import DateInput, PrefetchedChoiceField, by_pk
from .services.award_terms import MAX_BUDGET_LINES, MAX_TRANCHES, PLAN_CUSTOM, PLAN_PERCENT
from .services.grant_settings import (
    CLAUSE_PLACEHOLDERS,
    clause_problems,
    logo_problem,
    variance_threshold_problems,
)
from .services.reminders import parse_reminder_days, reminder_days_problems

DATE = DateInput(format="%Y-%m-%d")


class AwardTermsForm(forms.Form):
    title = forms.CharField(label=_("Project title"), max_length=200, validators=[no_control_characters])
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    end_date = forms.DateField(label=_("End date"), widget=DATE)
    plan = forms.ChoiceField(label=_("How the award is split into tranches"), widget=forms.RadioSelect, choices=[
        (PLAN_PERCENT, _("By percentages of the award (e.g. 40 / 40 / 20): the amounts are computed exactly")),
        (PLAN_CUSTOM, _("By amounts: the amounts typed must add up exactly to the award")),
    ])

    def clean(self) -> dict[str, Any]:
        super().clean()
        start, end = self.cleaned_data.get("start_date"), self.cleaned_data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", _("The award must end after it starts."))
        return self.cleaned_data


class TermsRowForm(forms.Form):
    """A row that may stay blank (the spare rows under the last one): blank rows are not saved."""

    filled_fields: tuple[str, ...] = ()

    def is_blank(self) -> bool:
        if not self.is_bound:
            return False
        data = getattr(self, "cleaned_data", None)
        if data is None:
            return False
        return all(data.get(name) in (None, "") for name in self.filled_fields)

    def is_deleted(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("DELETE"))


class BudgetLineTermsForm(TermsRowForm):
    filled_fields = ("category", "description", "amount")

    description = forms.CharField(label=_("Description"), max_length=255, required=False,
                                  validators=[no_control_characters])
    amount = AmountField(label=_("Amount"), required=False, min_value=0)

    def __init__(self, *args: Any, categories: dict[str, Any], currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = PrefetchedChoiceField(rows=categories, required=False, label=_("Category"))
        self.order_fields(["category", "description", "amount"])
        amount = self.fields["amount"]
        assert isinstance(amount, AmountField)
        amount.currency = currency


class TrancheTermsForm(TermsRowForm):
    filled_fields = ("percent", "amount", "due_date")

    percent = forms.DecimalField(label=_("Share (%)"), required=False, max_digits=5, decimal_places=2,
                                 min_value=Decimal("0.01"), max_value=100)
    amount = AmountField(label=_("Amount"), required=False, min_value=0,
                         help_text=_("Used when the award is split by amounts."))
    due_date = forms.DateField(label=_("Planned date"), required=False, widget=DATE)
    conditions = forms.MultipleChoiceField(label=_("Conditions before payment"), required=False,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, currency: str, number: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        amount = self.fields["amount"]
        assert isinstance(amount, AmountField)
        amount.currency = currency
        conditions = self.fields["conditions"]
        assert isinstance(conditions, forms.MultipleChoiceField)
        conditions.choices = [(c.code, c.label) for c in registered_conditions()]
        if "conditions" not in self.initial:  # a new tranche starts with the usual conditions
            self.initial["conditions"] = default_conditions(number)


class TrancheTermsFormSetBase(forms.BaseFormSet):
    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "number": (index or 0) + 1}


def _rows_formset(form: type[forms.Form], max_num: int, extra: int, formset: type[forms.BaseFormSet]
                  = forms.BaseFormSet) -> type[forms.BaseFormSet]:
    return formset_factory(form, formset=formset, extra=extra, can_delete=True, max_num=max_num,
                           validate_max=True, absolute_max=max_num)


BudgetTermsFormSet = _rows_formset(BudgetLineTermsForm, MAX_BUDGET_LINES, 2)
TrancheTermsFormSet = _rows_formset(TrancheTermsForm, MAX_TRANCHES, 1, TrancheTermsFormSetBase)


def kept_rows(formset: forms.BaseFormSet) -> list[TermsRowForm]:
    """The rows to save: valid, not blank, not ticked for removal."""
    return [form for form in formset.forms if isinstance(form, TermsRowForm)
            and not form.is_blank() and not form.is_deleted()]


def terms_forms(*, award: Any, lines: list[Any], tranches: list[Any], categories: list[Any],
                data: Any = None) -> tuple[AwardTermsForm, forms.BaseFormSet, forms.BaseFormSet]:
    """The page's three forms, showing the award as saved (initial) or bound to `data`."""
    percents = percents_of(award.amount, [t.amount for t in tranches], award.currency)
    form = AwardTermsForm(data, initial={
        "title": award.title, "start_date": award.start_date, "end_date": award.end_date,
        "plan": PLAN_PERCENT if percents is not None else PLAN_CUSTOM,
    })
    line_formset = BudgetTermsFormSet(data, prefix="lines", initial=[
        {"category": line.category_id, "description": line.description, "amount": line.amount} for line in lines
    ], form_kwargs={"categories": by_pk(categories), "currency": award.currency})
    tranche_formset = TrancheTermsFormSet(data, prefix="tranches", initial=[
        {"percent": percents[i] if percents else None, "amount": t.amount, "due_date": t.due_date,
         "conditions": list(t.conditions or [])} for i, t in enumerate(tranches)
    ], form_kwargs={"currency": award.currency})
    return form, line_formset, tranche_formset


def percents_of(total: Decimal, amounts: list[Decimal], currency: str) -> list[Decimal] | None:
    """The percentages that give these amounts (whole or with two decimals), or None when the amounts
    were typed by hand: the page then shows the plan as amounts."""
    from .tranches import split_amount

    if not amounts or not total:
        return None
    percents = [(amount * 100 / total).quantize(Decimal("0.01")).normalize() for amount in amounts]
    if sum(percents) != 100:
        return None
    try:
        if split_amount(total, percents, currency) == list(amounts):
            return [p if p != p.to_integral_value() else p.quantize(Decimal(1)) for p in percents]
    except (ValidationError, ArithmeticError):  # Refused: not a usable plan
        return None
    return None


# --- the workspace's grant settings -------------------------------------------------------------

PLAN_SEPARATORS = re.compile(r"[/;\s]+")


def parse_plan(text: str) -> list[Decimal] | None:
    """“40 / 40 / 20” (or “33,34 / 33,33 / 33,33”) as numbers; None when a part is not a number."""
    parts = [part for part in PLAN_SEPARATORS.split(text.strip()) if part]
    try:
        return [Decimal(part.replace(",", ".")) for part in parts]
    except InvalidOperation:
        return None


def plan_text(plan: list[Any]) -> str:
    return " / ".join(str(value).replace(".", ",") for value in plan)


class GrantSettingsForm(forms.Form):
    tranche_plan = forms.CharField(
        label=_("Default tranche plan (%)"), max_length=100,
        help_text=_("The share of the award paid in each tranche, separated by “/”: for example 40 / 40 / 20. "
                    "New awards start with this plan."))
    clauses_fr = forms.CharField(label=_("Agreement clauses (French)"), required=False, max_length=20000,
                                 widget=forms.Textarea(attrs={"rows": 10}))
    clauses_en = forms.CharField(label=_("Agreement clauses (English)"), required=False, max_length=20000,
                                 widget=forms.Textarea(attrs={"rows": 10}))
    logo = forms.FileField(label=_("Logo"), required=False,
                           help_text=_("PNG or JPEG, at most 1 MB. It is printed at the top of the agreement."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg"}))
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    reminder_days = forms.CharField(
        label=_("Reminders before the due date (days)"), max_length=100, required=False,
        help_text=_("The grantee is reminded this many days before a report is due, separated by commas: for "
                    "example 14, 3. Empty: no reminder before the due date. It is also reminded on the due date, "
                    "then every week while the report is late."))
    variance_threshold = forms.DecimalField(
        label=_("Variance needing an explanation (%)"), max_digits=6, decimal_places=3,
        help_text=_("A budget line spent more than this percentage above its budget (or below, "
                                   "on the final report) needs an explanation in the report."))

    def __init__(self, *args: Any, has_logo: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_logo:
            del self.fields["remove_logo"]
        placeholders = ", ".join(f"{{{name}}}" for name in CLAUSE_PLACEHOLDERS)
        for name in ("clauses_fr", "clauses_en"):
            self.fields[name].help_text = _("Replaced by the award's values: %(placeholders)s.") % {
                "placeholders": placeholders}
        self.fields["logo"].widget = forms.FileInput(attrs={"accept": ".png,.jpg,.jpeg"})
        for currency in Currency:
            self.fields[threshold_field(currency)] = AmountField(
                currency=currency, label=_("Second approval threshold (%(currency)s)") % {"currency": currency.value},
                required=False, min_value=0,
                help_text=_("Empty: every payment in %(currency)s needs a second approval.")
                % {"currency": currency.value})
        self.order_fields(["tranche_plan", *[threshold_field(c) for c in Currency]])

    def clean_tranche_plan(self) -> list[Decimal]:
        from .tranches import plan_problems

        plan = parse_plan(self.cleaned_data["tranche_plan"])
        if plan is None:
            raise forms.ValidationError(_("Each tranche is a percentage, for example 40."))
        problems = plan_problems(plan)
        if problems:
            raise forms.ValidationError(problems)
        return plan

    def _clean_clauses(self, name: str) -> str:
        text = self.cleaned_data[name]
        problems = clause_problems(text)
        if problems:
            raise forms.ValidationError(problems)
        return text

    def clean_clauses_fr(self) -> str:
        return self._clean_clauses("clauses_fr")

    def clean_clauses_en(self) -> str:
        return self._clean_clauses("clauses_en")

    def clean_reminder_days(self) -> list[int]:
        days = parse_reminder_days(self.cleaned_data["reminder_days"])
        if days is None:
            raise forms.ValidationError(_("Write whole numbers of days separated by commas, for example 14, 3."))
        problems = reminder_days_problems(days)
        if problems:
            raise forms.ValidationError(problems)
        return days

    def clean_variance_threshold(self) -> Decimal:
        value = self.cleaned_data["variance_threshold"]
        problems = variance_threshold_problems(value)
        if problems:
            raise forms.ValidationError(problems)
        return value

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if logo:
            logo_problem(logo)
        return logo

    def logo_removed(self) -> bool:
        return bool(self.cleaned_data.get("remove_logo"))

    def thresholds(self) -> dict[str, Decimal | None]:
        return {currency.value: self.cleaned_data.get(threshold_field(currency)) for currency in Currency}


def threshold_field(currency: str) -> str:
    return f"threshold_{currency}"


def _percent(value: Decimal) -> Decimal:
    """10.00 -> 10, 12.50 -> 12.5 (never 1E+1)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def settings_initial(settings: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {"tranche_plan": plan_text(settings.tranche_plan), "clauses_fr": settings.clauses_fr,
                               "clauses_en": settings.clauses_en,
                               "reminder_days": ", ".join(str(day) for day in settings.reminder_days or []),
                               "variance_threshold": _percent(settings.variance_threshold)}
    for currency in Currency:
        raw = (settings.approval_thresholds or {}).get(currency.value)
        initial[threshold_field(currency)] = Decimal(str(raw)) if raw not in (None, "") else None
    return initial
