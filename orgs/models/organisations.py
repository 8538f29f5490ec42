"""Geography, focus areas and the CSO (organisation) registry."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from unidecode import unidecode

from .tenancy import TenantOwned


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

    name = models.CharField(_("name"), max_length=100)
    zone = models.CharField(_("zone"), max_length=20, choices=Zone.choices)
    ordering = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["ordering", "name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="region_unique_name_per_tenant")]
        verbose_name = _("region")

    def __str__(self) -> str:
        return self.name


class FocusArea(TenantOwned):
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="focusarea_unique_name_per_tenant")]
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")

    def __str__(self) -> str:
        return self.name


class OrganisationStatus(models.TextChoices):
    PENDING = "pending", _("Pending verification")
    VERIFIED = "verified", _("Verified")
    SUSPENDED = "suspended", _("Suspended")


class Organisation(TenantOwned):
    """A CSO known to a tenant. The full registry profile grows in orgs issue #3."""

    name = models.CharField(_("legal name"), max_length=255)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("head-office region")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OrganisationStatus.choices, default=OrganisationStatus.PENDING,
        db_index=True,
    )
    status_reason = models.TextField(_("reason for the status"), blank=True)
    search_name = models.CharField(max_length=400, editable=False, db_index=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")

    def __str__(self) -> str:
        return f"{self.acronym} — {self.name}" if self.acronym else self.name

    @property
    def short_name(self) -> str:
        return self.acronym or self.name
