"""Sanctions lists (imported from files) and the screenings of organisations against them.

A sanctions list is global data in the real world; here each tenant imports
its own copy so that every row stays tenant-owned like the rest of Relais.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.models.tenancy import TenantOwned
from relais.validators import no_control_characters


class SanctionsSourceFormat(models.TextChoices):
    UN_XML = "un_xml", _("UN Security Council consolidated list (XML)")
    CSV = "csv", _("CSV (name, aliases, list, reference)")


class SanctionsSource(models.TextChoices):
    UN = "un", _("United Nations Security Council")
    EU = "eu", _("European Union")
    OFAC = "ofac", _("United States (OFAC)")
    UK = "uk", _("United Kingdom")
    OTHER = "other", _("Other list")


class SanctionsListVersion(TenantOwned):
    """One import of one sanctions list file. Screenings use the latest version of each source."""

    name = models.CharField(_("name"), max_length=200, validators=[no_control_characters])
    source = models.CharField(_("source"), max_length=10, choices=SanctionsSource.choices,
                              default=SanctionsSource.UN)
    source_format = models.CharField(_("format"), max_length=20, choices=SanctionsSourceFormat.choices)
    checksum = models.CharField(_("SHA-256 checksum"), max_length=64)
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    imported_at = models.DateTimeField(_("imported on"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "checksum"], name="sanctions_version_unique_checksum"),
        ]
        verbose_name = _("sanctions list version")

    def __str__(self) -> str:
        return f"{self.name} ({self.imported_at:%Y-%m-%d})" if self.imported_at else self.name


class SanctionsEntry(TenantOwned):
    version = models.ForeignKey(SanctionsListVersion, on_delete=models.CASCADE, related_name="entries")
    primary_name = models.CharField(_("name"), max_length=400)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    list_name = models.CharField(_("list"), max_length=100, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    is_entity = models.BooleanField(_("entity"), default=False)
    # Folded forms of the name and aliases, computed once at import (see orgs.sanctions.fold_name).
    folded_names = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["primary_name"]
        verbose_name = _("sanctions list entry")
        verbose_name_plural = _("sanctions list entries")

    def __str__(self) -> str:
        return f"{self.primary_name} [{self.reference}]"


class ScreeningDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    CLEAR = "clear", _("Clear")
    FALSE_POSITIVE = "false_positive", _("False positive")
    CONFIRMED = "confirmed", _("Confirmed match")


class ScreeningState(models.TextChoices):
    """What the latest screening of an organisation is worth now (computed, not stored)."""

    NEVER = "never", _("Never screened")
    VALID = "valid", _("Screening valid")
    STALE = "stale", _("Names changed since screening")
    EXPIRED = "expired", _("Screening expired")
    REVIEW = "review", _("Screening to review")
    MATCH = "match", _("Confirmed sanctions match")


class Screening(TenantOwned):
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="screenings", verbose_name=_("organisation")
    )
    # The most recent list version used; ``versions_screened`` keeps every version (one per source).
    version = models.ForeignKey(
        SanctionsListVersion, on_delete=models.PROTECT, related_name="screenings", verbose_name=_("list version")
    )
    versions_screened = models.JSONField(_("lists screened"), default=list, blank=True)
    names_screened = models.JSONField(_("names screened"), default=list)
    # orgs.sanctions.names_fingerprint(names_screened): the screening holds only while the
    # organisation's names give the same fingerprint (selectors_due_diligence.screening_status).
    names_fingerprint = models.CharField(_("fingerprint of the names screened"), max_length=64, blank=True,
                                         editable=False)
    # When a change of the names held was first noticed and the managers told (once per screening).
    names_changed_at = models.DateTimeField(_("names changed on"), null=True, blank=True, editable=False)
    threshold = models.PositiveSmallIntegerField(_("threshold"), default=88)
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ran_at = models.DateTimeField(_("screened on"), db_index=True)
    decision = models.CharField(
        _("decision"), max_length=20, choices=ScreeningDecision.choices, default=ScreeningDecision.PENDING
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-ran_at", "-id"]
        verbose_name = _("sanctions screening")

    def __str__(self) -> str:
        return f"{self.organisation_id} @ {self.ran_at:%Y-%m-%d}"


class ScreeningCandidate(TenantOwned):
    """A list entry that resembles one of the screened names."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="candidates")
    entry = models.ForeignKey(SanctionsEntry, on_delete=models.PROTECT, related_name="+")
    screened_name = models.CharField(_("screened name"), max_length=400)
    matched_name = models.CharField(_("matched name"), max_length=400)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("screening candidate")

    def __str__(self) -> str:
        return f"{self.screened_name} ~ {self.matched_name} ({self.score})"
