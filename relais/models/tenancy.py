"""Tenants, users, memberships (user x tenant x role) and invitations."""

from __future__ import annotations

import base64
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from relais.concurrency import Versioned
from relais.money import currency_field
from relais.validators import no_control_characters

# Top-level URL segments a tenant slug may never take.
RESERVED_SLUGS = frozenset(
    {
        "accounts", "admin", "static", "media", "i18n", "invitations", "workspaces",
        "api", "health", "healthz", "favicon.ico", "robots.txt", "login", "logout",
        "signup", "about", "help", "settings", "www", "mfa", "tasks", "new", "profile", "join",
        "webhooks", "c",
    }
)


def validate_tenant_slug(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is reserved by the application; choose another identifier."),
            params={"slug": value},
            code="reserved_slug",
        )


# References (PD-2026-014) go into e-mail subjects and PDF file names: letters, digits, hyphens.
validate_reference_prefix = RegexValidator(
    r"\A[A-Z0-9][A-Z0-9-]{0,9}\Z",
    message=_("Use up to 10 capital letters, digits or hyphens, for example PD."),
    code="reference_prefix",
)


class User(AbstractUser):
    """Users are global; a Membership gives them a role in one tenant."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True, validators=[no_control_characters])
    language = models.CharField(
        _("preferred language"), max_length=8, default="fr", choices=[("fr", "Français"), ("en", "English")]
    )

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class Tenant(Versioned):
    """One grant-making organisation's workspace."""

    name = models.CharField(_("name"), max_length=200, validators=[no_control_characters])
    slug = models.SlugField(_("URL identifier"), max_length=50, unique=True, validators=[validate_tenant_slug])
    default_language = models.CharField(
        _("default language"), max_length=8, default="fr", choices=[("fr", "Français"), ("en", "English")]
    )
    default_currency = currency_field(verbose_name=_("default currency"))
    applicants_may_self_register = models.BooleanField(
        _("applicants may self-register"), default=True
    )
    require_mfa_for_staff = models.BooleanField(
        _("require two-factor authentication for managers and finance"), default=False
    )
    screening_validity_days = models.PositiveIntegerField(
        _("screening validity (days)"), default=365
    )
    reference_prefix = models.CharField(
        _("reference prefix"), max_length=10, blank=True,
        validators=[no_control_characters, validate_reference_prefix],
        help_text=_("For example “PD” gives references like PD-2026-014."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")

    def __str__(self) -> str:
        return self.name


class TenantOwned(models.Model):
    """Base for every row that belongs to one tenant: non-null, indexed tenant."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+", db_index=True)

    class Meta:
        abstract = True


class Role(models.TextChoices):
    MANAGER = "manager", _("Programme manager")
    REVIEWER = "reviewer", _("Reviewer")
    FINANCE = "finance", _("Finance")
    TRAINER = "trainer", _("Trainer")
    APPLICANT = "applicant", _("Applicant (CSO)")


STAFF_ROLES = frozenset({Role.MANAGER, Role.REVIEWER, Role.FINANCE, Role.TRAINER})
MFA_ROLES = frozenset({Role.MANAGER, Role.FINANCE})


class Membership(TenantOwned):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organisation"),
        help_text=_("Required for an applicant: the CSO they represent."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_one_per_user_and_tenant"),
            models.CheckConstraint(
                condition=~models.Q(role="applicant") | models.Q(organisation__isnull=False),
                name="membership_applicant_has_organisation",
            ),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.tenant_id}"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(TenantOwned):
    """An e-mailed link that gives one role in one tenant, once, before it expires.

    The link's token is an HMAC of a random per-invitation salt under SECRET_KEY, so
    the e-mail task rebuilds it from the invitation's id (the queue's table never
    holds it) and a manager can copy the link again. The database keeps the salt and
    the token's SHA-256 only: a database leak without SECRET_KEY does not leak working
    links.
    """

    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("organisation")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    # Empty for invitations made before links were derived: their link cannot be rebuilt.
    token_salt = models.CharField(max_length=64, blank=True, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"

    @staticmethod
    def new_salt() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def token_for(salt: str, *, secret: str | bytes | None = None) -> str:
        digest = salted_hmac("relais.Invitation.token", salt, secret=secret, algorithm="sha256").digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    @staticmethod
    def hash(token: str) -> str:
        return _hash_token(token)

    def link_token(self) -> str | None:
        """The link's token, rebuilt from the salt under SECRET_KEY or one of SECRET_KEY_FALLBACKS;
        None when no key gives the stored hash (an older invitation, or a key dropped since)."""
        if not self.token_salt:
            return None
        for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
            token = self.token_for(self.token_salt, secret=secret)
            if constant_time_compare(_hash_token(token), self.token_hash):
                return token
        return None

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"
