from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from orgs.models import DueDiligenceItem, ReviewStatus
from relais.ids import pk_like
from relais.models import Tenant
from relais.uploads import ACCEPT_ATTRIBUTE, validate_upload


class ItemChoiceField(forms.ModelChoiceField):
    """A posted id that is not plainly a row id ("²", "٣", 30 digits) is not a valid choice."""

    def to_python(self, value):
        if value not in self.empty_values and not pk_like(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class DocumentUploadForm(forms.Form):
    item = ItemChoiceField(label=_("Checklist item"), queryset=None, widget=forms.HiddenInput)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG, PNG, DOCX or XLSX, 10 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    issued_on = forms.DateField(label=_("Issued on"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    expires_on = forms.DateField(label=_("Expires on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, items: QuerySet[DueDiligenceItem], item: DueDiligenceItem | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The workspace's active items (selectors.due_diligence.checklist): a foreign id is "not a valid choice".
        self.fields["item"].queryset = items
        if item is not None:
            self.initial["item"] = item.pk
            if not item.expires:
                del self.fields["expires_on"]
            else:
                self.fields["expires_on"].help_text = _("Required: this document expires.")

    def clean_file(self):
        file = self.cleaned_data["file"]
        self.detected = validate_upload(file)  # raises ValidationError with the reason
        return file


class DocumentReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(ReviewStatus.ACCEPTED, _("Accept")), (ReviewStatus.REJECTED, _("Reject"))],
        widget=forms.RadioSelect,
    )
    # A rejection without a comment is refused by the document table (orgs.workflow.rejection_explained).
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("Required when rejecting: say what to fix."))


class ChecklistItemForm(forms.ModelForm):
    class Meta:
        model = DueDiligenceItem
        fields = ["name", "name_en", "description", "required", "expires", "validity_months", "ordering", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.tenant = tenant

    def clean(self):
        data = super().clean()
        if data.get("validity_months") and not data.get("expires"):
            self.add_error("validity_months", _("Only an item that expires has a validity."))
        return data
