"""Geography, focus areas and the CSO (organisation) registry."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from unidecode import unidecode

from relais.concurrency import Versioned
from relais.models.tenancy import Role, TenantOwned
from relais.validators import no_control_characters

# Staff roles that open the registry list. A reviewer's list holds only the CSOs of
# their own, non-blind reviews (orgs.selectors.organisation_list).
STAFF_LIST_ROLES = (Role.MANAGER, Role.REVIEWER, Role.FINANCE, Role.TRAINER)


def fold(text: str) -> str:
    """Accent- and case-folded form used for search ('Ségou' -> 'segou')."""
    return unidecode(text or "").lower().strip()


class Zone(models.TextChoices):
    NORTH = "north", _("North")
    CENTRE = "centre", _("Centre")
    SOUTH = "south", _("South")
    NATIONAL = "national", _("National")


class Region(TenantOwned):
    """Tenant-editable geography: Mali changes its regions, so they are data."""

    name = models.CharField(_("name"), max_length=100, validators=[no_control_characters])
    zone = models.CharField(_("zone"), max_length=20, choices=Zone.choices)
    ordering = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["ordering", "name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="region_unique_name_per_tenant")]
        verbose_name = _("region")

    def __str__(self) -> str:
        return self.name


class FocusArea(TenantOwned):
    name = models.CharField(_("name"), max_length=120, validators=[no_control_characters])
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True, validators=[no_control_characters])

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="focusarea_unique_name_per_tenant")]
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")

    def __str__(self) -> str:
        return self.name


class Commune(TenantOwned):
    """A commune (or cercle) inside a region; tenant-editable like regions."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="communes", verbose_name=_("region"))
    name = models.CharField(_("name"), max_length=100, validators=[no_control_characters])

    class Meta:
        ordering = ["region__ordering", "region__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "region", "name"], name="commune_unique_name_per_region")
        ]
        verbose_name = _("commune")

    def __str__(self) -> str:
        return f"{self.name} ({self.region.name})"


class OrganisationType(models.TextChoices):
    WOMEN_LED = "women_led", _("Women-led organisation")
    YOUTH_LED = "youth_led", _("Youth-led organisation")
    COMMUNITY = "community", _("Community association")
    NETWORK = "network", _("Network")
    THINK_TANK = "think_tank", _("Think tank")
    NGO = "ngo", _("NGO")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    BAMBARA = "bm", _("Bambara")
    TAMASHEQ = "tmh", _("Tamasheq")
    FULFULDE = "ff", _("Fulfulde")
    SONGHAI = "son", _("Songhai")
    SONINKE = "snk", _("Soninke")
    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")
    OTHER = "other", _("Other language")


class BudgetBand(models.TextChoices):
    UNDER_5M = "lt5m", _("Under 5 million XOF")
    FROM_5M = "5m-25m", _("5 to 25 million XOF")
    FROM_25M = "25m-100m", _("25 to 100 million XOF")
    FROM_100M = "100m-500m", _("100 to 500 million XOF")
    OVER_500M = "gt500m", _("Over 500 million XOF")


class OrganisationStatus(models.TextChoices):
    PENDING = "pending", _("Pending verification")
    VERIFIED = "verified", _("Verified")
    SUSPENDED = "suspended", _("Suspended")


class Organisation(Versioned, TenantOwned):
    """A CSO known to a tenant. The full registry profile grows in orgs issue #3."""

    name = models.CharField(_("legal name"), max_length=255, validators=[no_control_characters])
    acronym = models.CharField(_("acronym"), max_length=40, blank=True, validators=[no_control_characters])
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("head-office region")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OrganisationStatus.choices, default=OrganisationStatus.PENDING,
        db_index=True,
    )
    status_reason = models.TextField(_("reason for the status"), blank=True)
    search_name = models.CharField(max_length=1000, editable=False, db_index=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    # Registry profile (issue 3).
    type = models.CharField(_("type"), max_length=20, choices=OrganisationType.choices, blank=True)
    registration_number = models.CharField(
        _("registration number (récépissé)"), max_length=60, blank=True, db_index=True,
        validators=[no_control_characters],
    )
    registration_date = models.DateField(_("registration date"), null=True, blank=True)
    founding_year = models.PositiveSmallIntegerField(_("founding year"), null=True, blank=True)
    regions_of_work = models.ManyToManyField(
        Region, blank=True, related_name="organisations_working", verbose_name=_("regions of work")
    )
    communes_of_work = models.ManyToManyField(
        Commune, blank=True, related_name="organisations_working", verbose_name=_("communes of work")
    )
    focus_areas = models.ManyToManyField(
        FocusArea, blank=True, related_name="organisations", verbose_name=_("focus areas")
    )
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    staff_women = models.PositiveIntegerField(_("staff: women"), default=0)
    staff_men = models.PositiveIntegerField(_("staff: men"), default=0)
    volunteers_women = models.PositiveIntegerField(_("volunteers: women"), default=0)
    volunteers_men = models.PositiveIntegerField(_("volunteers: men"), default=0)
    budget_band = models.CharField(_("annual budget"), max_length=20, choices=BudgetBand.choices, blank=True)
    description = models.TextField(_("short description"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        # The organisation list sorts by acronym then name; the due-diligence overview by name.
        indexes = [
            models.Index(fields=["tenant", "acronym", "name"], name="organisation_tenant_acronym"),
            models.Index(fields=["tenant", "name", "id"], name="organisation_tenant_name"),
            # The training reach's registry mark (count, sum of versions, latest change) from the index alone.
            models.Index(fields=["tenant", "updated_at", "version"], name="organisation_tenant_changed"),
        ]
        verbose_name = _("organisation")

    def __str__(self) -> str:
        return f"{self.acronym} — {self.name}" if self.acronym else self.name

    @property
    def short_name(self) -> str:
        return self.acronym or self.name

    def get_languages_display(self) -> list[str]:
        labels = dict(Language.choices)
        return [str(labels.get(code, code)) for code in self.languages or []]


class ContactPerson(Versioned, TenantOwned):
    """Someone to call at a CSO. Sensitive: shown to managers and the CSO's own members only."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200, validators=[no_control_characters])
    role = models.CharField(_("role in the organisation"), max_length=120, blank=True,
                            validators=[no_control_characters])
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[no_control_characters])
    email = models.EmailField(_("e-mail"), blank=True)
    consent = models.BooleanField(
        _("consents to being contacted"), default=False,
        help_text=_("The person agreed that the programme keeps these details and contacts them."),
    )
    email_consent = models.BooleanField(
        _("accepts e-mails"), default=False,
        help_text=_("The person agreed to receive the programme's e-mails about the organisation "
                    "(decisions and their reasons) at this address."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact people")

    def __str__(self) -> str:
        return self.name


class MobileOperator(models.TextChoices):
    ORANGE = "orange_money", "Orange Money"
    MOOV = "moov_money", "Moov Money"


def mask_number(value: str) -> str:
    """'ML12 3456 7890 4321' -> '•••• 4321'; never more than the last four characters."""
    compact = "".join(ch for ch in (value or "") if ch.isalnum())
    if not compact:
        return ""
    return "•••• " + compact[-4:] if len(compact) > 4 else "••••"


def validate_stripe_account(value: str) -> None:
    """A Stripe connected-account id: ``acct_`` then letters and digits."""
    if value and not STRIPE_ACCOUNT_RE.fullmatch(value):
        raise ValidationError(_("A Stripe account id starts with “acct_” followed by letters and digits."),
                              code="stripe_account")


STRIPE_ACCOUNT_RE = re.compile(r"acct_[A-Za-z0-9]{1,50}")


class PaymentDetailsStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("To be verified by finance")
    VERIFIED = "verified", _("Verified by finance")


class PaymentDetails(Versioned, TenantOwned):
    """Where grant money goes. Full numbers: finance and the CSO's own members only.

    Finance verifies them (orgs.workflow.PAYMENT_DETAILS); any change makes them unverified again,
    and the person who changed them (`changed_by`) cannot be the one who verifies them.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="payment_details", verbose_name=_("organisation")
    )
    bank_name = models.CharField(_("bank"), max_length=120, blank=True, validators=[no_control_characters])
    bank_account = models.CharField(_("account number or IBAN"), max_length=60, blank=True,
                                    validators=[no_control_characters])
    bank_account_holder = models.CharField(_("account holder"), max_length=200, blank=True,
                                           validators=[no_control_characters])
    mobile_operator = models.CharField(
        _("mobile money operator"), max_length=20, choices=MobileOperator.choices, blank=True
    )
    mobile_number = models.CharField(_("mobile money number"), max_length=30, blank=True,
                                     validators=[no_control_characters])
    mobile_holder = models.CharField(_("mobile money account holder"), max_length=200, blank=True,
                                     validators=[no_control_characters])
    # A Stripe connected account of the CSO (Stripe transfers; Stripe cannot pay out in Mali).
    stripe_account = models.CharField(
        _("Stripe connected account"), max_length=60, blank=True,
        validators=[no_control_characters, validate_stripe_account],
        help_text=_("The account's id in Stripe, e.g. acct_1MTfjCQ9PRzxEwkZ."),
    )
    status = models.CharField(
        _("verification"), max_length=20, choices=PaymentDetailsStatus.choices,
        default=PaymentDetailsStatus.UNVERIFIED, db_index=True,
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    # Who last changed the numbers: four eyes, that person may not verify them (orgs.workflow).
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payment details")
        verbose_name_plural = _("payment details")

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.masked_bank_account or self.masked_mobile_number}"

    @property
    def needs_verification(self) -> bool:
        return self.status != PaymentDetailsStatus.VERIFIED

    @property
    def masked_bank_account(self) -> str:
        return mask_number(self.bank_account)

    @property
    def masked_mobile_number(self) -> str:
        return mask_number(self.mobile_number)

    def masked(self) -> dict[str, str]:
        """What may be written in an audit log or shown to other staff."""
        return {
            "bank_name": self.bank_name,
            "bank_account": self.masked_bank_account,
            "mobile_operator": self.mobile_operator,
            "mobile_number": self.masked_mobile_number,
            "stripe_account": mask_number(self.stripe_account),
        }
