"""Forms of the kernel's pages: members, invitations, workspace settings, the profile.

Forms never query: the view passes the choices it read through a selector.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from relais.models import Role, Tenant, User


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Organisation (for an applicant)"), queryset=None, required=False
    )

    def __init__(self, *args: Any, organisations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this tenant's organisations can be chosen: a foreign id is "not a valid choice".
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations

    def clean(self) -> dict[str, Any]:
        super().clean()  # returns self.cleaned_data; the stubs say `| None` for overrides
        data = self.cleaned_data
        if data.get("role") == Role.APPLICANT and not data.get("organisation"):
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
