from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.models import Organisation
from relais.models import Role, Tenant


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organisation = forms.ModelChoiceField(
        label=_("Organisation (for an applicant)"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this tenant's organisations can be chosen: a foreign id is "not a valid choice".
        self.fields["organisation"].queryset = Organisation.objects.filter(tenant=tenant)

    def clean(self):
        data = super().clean()
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
        from relais.models import User

        model = User
        fields = ["full_name", "language"]
        help_texts = {"language": _("Used for the e-mails Relais sends you.")}
