"""Forms of the kernel's pages: members, invitations, workspace settings, the profile.

Forms never read on their own: the view passes the rows they may choose from (a selector's queryset).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from relais import selectors
from relais.models import Role, Tenant, User
from relais.money import Currency, minor_unit, minor_unit_problem, quantize
from relais.widgets import FastDateInput, FastEmailInput, FastSelect, FastTextInput, label_html


class NormalisedChoices(BaseChoiceIterator):
    """Choices already in the shape Django normalises them to ((value, label) pairs, groups as (name,
    list of pairs)): a field takes an iterator as it is, where a list is walked again, option by option,
    each time a form is built (``normalize_choices``: a good part of the audit log's form; issue 10)."""

    def __init__(self, choices: list[Any]) -> None:
        self.choices = choices

    def __iter__(self) -> Iterator[Any]:
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)


class AmountField(forms.DecimalField):
    """An amount in one currency. The input steps by the currency's minor unit (XOF: 1, EUR: 0.01)
    and the form refuses more decimals than the currency has (12 500,75 FCFA) instead of rounding them
    away: a line total must add up from what the person typed. Set ``currency`` once it is known."""

    def __init__(self, *, currency: str = Currency.XOF, **kwargs: Any) -> None:
        self._currency = currency
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    @property
    def currency(self) -> str:
        return self._currency

    @currency.setter
    def currency(self, value: str) -> None:
        self._currency = value
        self.widget.attrs.update(self.widget_attrs(self.widget))

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.NumberInput):
            places = minor_unit(self._currency)
            attrs["step"] = "1" if places == 0 else str(Decimal(1).scaleb(-places))
            attrs["inputmode"] = "numeric" if places == 0 else "decimal"
        return attrs

    def prepare_value(self, value: Any) -> Any:
        # 250000.00 from the database shows as 250000 in XOF (and stays 12.50 in EUR); an amount with
        # more decimals than the currency has is shown as it is, never rounded behind the person's back.
        if isinstance(value, Decimal) and value.is_finite() and value == quantize(value, self._currency):
            return quantize(value, self._currency)
        return super().prepare_value(value)

    def validate(self, value: Any) -> None:
        super().validate(value)
        problem = minor_unit_problem(value, self._currency) if isinstance(value, Decimal) else None
        if problem:
            raise ValidationError(problem, code="minor_unit")


def use_amount_fields(form: forms.BaseForm, currency: str, *names: str) -> None:
    """Turn the form's decimal fields ``names`` (those it has) into AmountFields in ``currency``,
    keeping their label, help text, bounds and requiredness."""
    for name in names:
        old = form.fields.get(name)
        if old is None:
            continue
        if isinstance(old, AmountField):
            old.currency = currency
            continue
        decimal = cast(forms.DecimalField, old)
        form.fields[name] = AmountField(
            currency=currency, required=old.required, label=old.label, help_text=old.help_text,
            initial=old.initial, min_value=decimal.min_value, max_value=decimal.max_value,
            max_digits=decimal.max_digits, decimal_places=decimal.decimal_places,
        )


class OrganisationLookupField(forms.CharField):
    """An organisation typed by acronym or name instead of picked from a <select> of every CSO
    (2,000 options on a large workspace). The text must name exactly one organisation of the
    queryset; otherwise the error lists a few close matches and ``suggestions`` feeds the
    <datalist> the template renders next to the input."""

    widget = FastTextInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 300)
        super().__init__(*args, **kwargs)
        self.queryset: QuerySet | None = None
        self.suggestions: list[str] = []
        self.widget.attrs.update({"list": "organisation-suggestions", "autocomplete": "off"})

    def prepare_value(self, value: Any) -> Any:
        return value if isinstance(value, str) or value is None else selectors.organisation_label(value)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        assert self.queryset is not None
        exact = list(selectors.organisation_exact_matches(self.queryset, text)[:2])
        if len(exact) == 1:
            return exact[0]
        close = exact or selectors.organisation_suggestions(self.queryset, text)
        self.suggestions = [selectors.organisation_label(o) for o in close]
        if not close:
            raise forms.ValidationError(_("No organisation of this workspace has this name or acronym."))
        raise forms.ValidationError(
            _("Several organisations match: type the acronym or choose one (%(names)s).")
            % {"names": "; ".join(self.suggestions[:5])}
        )


NAME_SEPARATORS = re.compile(r"[;\n]")


def typed_names(text: str) -> list[str]:
    """The names of a text typed one per line or separated by “;”, single-spaced, blanks and repeats left out."""
    names = (" ".join(part.split()) for part in NAME_SEPARATORS.split(text or ""))
    return list(dict.fromkeys(name for name in names if name))


class OrganisationLookupListField(forms.CharField):
    """Several organisations typed by acronym or name, one per line or separated by “;”: the multiple
    variant of OrganisationLookupField, for pages that must not list every CSO (2,000 on a large
    workspace). Each name must name exactly one organisation of the queryset (case and accents
    ignored); otherwise the field refuses the whole text, names every unknown or ambiguous one with
    its close matches, and the form shows the text as it was typed. Cleans to a list of
    organisations, in the order typed, each once."""

    widget = forms.Textarea

    def __init__(self, *args: Any, max_names: int = 100, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10_000)
        super().__init__(*args, **kwargs)
        self.max_names = max_names
        self.queryset: QuerySet | None = None
        self.suggestions: list[str] = []
        self.widget.attrs.update({"rows": 3, "autocomplete": "off"})

    def clean(self, value: Any) -> list[Any]:
        names = typed_names(super().clean(value) or "")
        if not names:
            return []
        if len(names) > self.max_names:
            raise forms.ValidationError(
                _("Name at most %(count)s organisations at a time.") % {"count": self.max_names}, code="max_names")
        assert self.queryset is not None
        found: dict[Any, Any] = {}
        problems: list[str] = []
        self.suggestions = []
        for name in names:
            exact = list(selectors.organisation_exact_matches(self.queryset, name)[:6])
            if len(exact) == 1:
                found.setdefault(exact[0].pk, exact[0])
                continue
            close = [selectors.organisation_label(o) for o in exact or selectors.organisation_suggestions(
                self.queryset, name, limit=5)]
            self.suggestions.extend(label for label in close if label not in self.suggestions)
            if exact:
                problems.append(_("“%(name)s”: several organisations match (%(close)s); type the acronym.")
                                % {"name": name, "close": "; ".join(close)})
            elif close:
                problems.append(_("“%(name)s”: no organisation has exactly this name or acronym; close matches: "
                                  "%(close)s.") % {"name": name, "close": "; ".join(close)})
            else:
                problems.append(_("“%(name)s”: no organisation of this workspace has this name or acronym.")
                                % {"name": name})
        if problems:
            raise forms.ValidationError([forms.ValidationError(p, code="organisation") for p in problems])
        return list(found.values())


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, widget=FastSelect)
    organisation = OrganisationLookupField(
        label=_("Organisation (for an applicant)"), required=False,
        help_text=_("Acronym or legal name."),
    )

    def __init__(self, *args: Any, organisations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this tenant's organisations can be named: another workspace's CSO "does not exist".
        cast(OrganisationLookupField, self.fields["organisation"]).queryset = organisations

    @property
    def organisation_suggestions(self) -> list[str]:
        return cast(OrganisationLookupField, self.fields["organisation"]).suggestions

    def clean(self) -> dict[str, Any]:
        super().clean()  # returns self.cleaned_data; the stubs say `| None` for overrides
        data = self.cleaned_data
        if data.get("role") == Role.APPLICANT and not data.get("organisation") and "organisation" not in self.errors:
            self.add_error("organisation", _("Choose the organisation this applicant represents."))
        return data


class InvitationForm(MembershipRoleForm):
    email = forms.EmailField(label=_("E-mail address"), widget=FastEmailInput)
    field_order = ["email", "role", "organisation"]


class TenantSettingsForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = [
            # require_mfa_for_staff is the platform operator's (admin): a stolen manager
            # session must not be able to switch two-factor authentication off.
            "name", "default_language", "default_currency", "applicants_may_self_register",
            "screening_validity_days", "reference_prefix",
        ]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "language"]
        help_texts = {"language": _("Used for the e-mails Relais sends you.")}


_EMPTY_AUDIT_FILTERS: dict[tuple[str, int, int, int], SafeString] = {}


class AuditFilterForm(forms.Form):
    """The audit log's filters, read from the query string (GET, no JavaScript needed).

    Actions and object types are bounded lists (what apps registered); the actor is a text search
    on names and e-mail addresses, never a list of every user."""

    # The fields write themselves without the form renderer (relais.widgets; fields_html), issue 10.
    who = forms.CharField(label=_("Who"), required=False, max_length=100, widget=FastTextInput,
                          help_text=_("Part of a name or e-mail address."))
    # FastSelect: some hundred actions, written in one pass rather than an option template each.
    action = forms.ChoiceField(label=_("Action"), required=False, widget=FastSelect)
    target_type = forms.ChoiceField(label=_("Object type"), required=False, widget=FastSelect)
    target = forms.CharField(label=_("Object number or reference"), required=False, max_length=64,
                             widget=FastTextInput)
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=FastDateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), required=False,
                              widget=FastDateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from relais.audit_describe import filter_choices

        super().__init__(*args, **kwargs)
        actions, types = filter_choices()
        cast(forms.ChoiceField, self.fields["action"]).choices = NormalisedChoices([("", _("All actions")), *actions])
        cast(forms.ChoiceField, self.fields["target_type"]).choices = NormalisedChoices(
            [("", _("All objects")), *types])
        for field in ("date_from", "date_to"):  # the date widget sends ISO dates whatever the language
            cast(forms.DateField, self.fields[field]).input_formats = ["%Y-%m-%d", "%d/%m/%Y"]

    def fields_html(self) -> SafeString:
        """The fields as relais/audit_log.html wrote them ({% for field in form %}<div class="field">{{
        field.label_tag }}{{ field }}{% if field.errors %}{{ field.errors }}{% endif %}</div>{% endfor %}),
        labels and widgets written without templates (tests/relais/test_audit_log.py compares them). With no
        filter (the log as first opened) they are the same for everyone reading one language: written once
        per language and registry (filter_choices_key), as the choices are."""
        from relais.audit_describe import filter_choices_key

        key = filter_choices_key() if self.is_bound and not self.data else None
        if key is not None and key in _EMPTY_AUDIT_FILTERS:
            return _EMPTY_AUDIT_FILTERS[key]
        written = mark_safe("".join(  # noqa: S308 - label_html, the widgets and the error list escape their values
            f'<div class="field">{label_html(field)}{field}{field.errors if field.errors else ""}</div>'
            for field in self))
        if key is not None:
            _EMPTY_AUDIT_FILTERS[key] = written
        return written

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("target") or "").strip() and not data.get("target_type"):
            self.add_error("target_type", _("Choose the type of object."))
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
