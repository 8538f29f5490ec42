"""Forms of the indicator pages: the workspace's indicators (one row each, with the stamp of what was
shown) and an award's targets (one number per indicator)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from .forms import PrefetchedRowsFormSet
from .models import Indicator, IndicatorTarget
from .services.indicators import INDICATOR_FIELDS, MAX_INDICATORS, indicator_stamp


class IndicatorRowForm(forms.ModelForm):
    stamp = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)

    class Meta:
        model = Indicator
        fields = list(INDICATOR_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["stamp"].initial = indicator_stamp(self.instance)


class IndicatorRowsFormSet(PrefetchedRowsFormSet):
    pass


IndicatorsFormSet = modelformset_factory(
    Indicator, form=IndicatorRowForm, formset=IndicatorRowsFormSet, fields=list(INDICATOR_FIELDS), extra=2,
    max_num=MAX_INDICATORS, validate_max=True, absolute_max=MAX_INDICATORS)


def rows_with_stamps(formset: IndicatorRowsFormSet) -> list[dict[str, Any]]:
    """The changed rows with the stamp each was shown with (the stamp alone never counts as a change)."""
    rows = formset.rows(INDICATOR_FIELDS)
    stamps = {form.instance.pk: form.cleaned_data.get("stamp", "") for form in formset.forms
              if form.instance.pk and hasattr(form, "cleaned_data")}
    for row in rows:
        row["stamp"] = stamps.get(row["id"], "")
    return rows


class TargetsForm(forms.Form):
    """One target per active indicator (and per inactive one that already has a target); blank = none."""

    stamp = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)

    def __init__(self, *args: Any, indicators: list[Indicator], targets: list[IndicatorTarget], stamp: str,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = {t.indicator_id: t.target for t in targets}
        self.indicators = [i for i in indicators if i.is_active or i.pk in current]
        self.fields["stamp"].initial = stamp
        for indicator in self.indicators:
            label = f"{indicator.name} ({indicator.unit})" if indicator.unit else indicator.name
            self.fields[f"t{indicator.pk}"] = forms.DecimalField(
                label=label, required=False, min_value=Decimal("0.01"), max_digits=14, decimal_places=2,
                initial=current.get(indicator.pk),
                help_text=_("Counted by sex and age band") if indicator.by_sex_and_age else "")

    def targets(self) -> dict[int, Decimal | None]:
        return {i.pk: self.cleaned_data.get(f"t{i.pk}") for i in self.indicators}
