"""Forms of the kernel's pages: members, invitations, workspace settings, the profile.

Forms never read on their own: the view passes the rows they may choose from (a selector's queryset).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from relais import selectors
from relais.models import Role, Tenant, User


class OrganisationLookupField(forms.CharField):
    """An organisation typed by acronym or name instead of picked from a <select> of every CSO
    (2,000 options on a large workspace). The text must name exactly one organisation of the
    queryset; otherwise the error lists a few close matches and ``suggestions`` feeds the
    <datalist> the template renders next to the input."""

    widget = forms.TextInput

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


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
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
    email = forms.EmailField(label=_("E-mail address"))
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
