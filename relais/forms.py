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


class AuditFilterForm(forms.Form):
    """The audit log's filters, read from the query string (GET, no JavaScript needed).

    Actions and object types are bounded lists (what apps registered); the actor is a text search
    on names and e-mail addresses, never a list of every user."""

    who = forms.CharField(label=_("Who"), required=False, max_length=100,
                          help_text=_("Part of a name or e-mail address."))
    action = forms.ChoiceField(label=_("Action"), required=False)
    target_type = forms.ChoiceField(label=_("Object type"), required=False)
    target = forms.CharField(label=_("Object number or reference"), required=False, max_length=64)
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from relais.audit_describe import action_choices, audit_targets, target_type_label

        super().__init__(*args, **kwargs)
        actions = action_choices()
        types = sorted(((t, target_type_label(t)) for t in audit_targets()), key=lambda c: c[1].casefold())
        cast(forms.ChoiceField, self.fields["action"]).choices = [("", _("All actions")), *actions]
        cast(forms.ChoiceField, self.fields["target_type"]).choices = [("", _("All objects")), *types]
        for field in ("date_from", "date_to"):  # the date widget sends ISO dates whatever the language
            cast(forms.DateField, self.fields[field]).input_formats = ["%Y-%m-%d", "%d/%m/%Y"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("target") or "").strip() and not data.get("target_type"):
            self.add_error("target_type", _("Choose the type of object."))
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
