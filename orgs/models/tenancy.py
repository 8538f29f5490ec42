"""Tenants, users, memberships (user x tenant x role) and invitations."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.money import currency_field

# Top-level URL segments a tenant slug may never take.
RESERVED_SLUGS = frozenset(
    {
        "accounts", "admin", "static", "media", "i18n", "invitations", "workspaces",
        "api", "health", "healthz", "favicon.ico", "robots.txt", "login", "logout",
        "signup", "about", "help", "settings", "www", "mfa", "tasks", "new", "join",
    }
)


def validate_tenant_slug(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            _("« %(slug)s » est réservé par l'application ; choisissez un autre identifiant."),
            params={"slug": value},
            code="reserved_slug",
        )


class User(AbstractUser):
    """Users are global; a Membership gives them a role in one tenant."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    full_name = models.CharField(_("nom complet"), max_length=200, blank=True)
    language = models.CharField(
        _("langue préférée"), max_length=8, default="fr", choices=[("fr", "Français"), ("en", "English")]
    )

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class Tenant(models.Model):
    """One grant-making organisation's workspace."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant d'URL"), max_length=50, unique=True, validators=[validate_tenant_slug])
    default_language = models.CharField(
        _("langue par défaut"), max_length=8, default="fr", choices=[("fr", "Français"), ("en", "English")]
    )
    default_currency = currency_field(verbose_name=_("devise par défaut"))
    applicants_may_self_register = models.BooleanField(
        _("les demandeurs peuvent s'inscrire eux-mêmes"), default=True
    )
    require_mfa_for_staff = models.BooleanField(
        _("double authentification obligatoire pour les gestionnaires et la finance"), default=False
    )
    screening_validity_days = models.PositiveIntegerField(
        _("validité d'un criblage (jours)"), default=365
    )
    reference_prefix = models.CharField(
        _("préfixe des références"), max_length=10, blank=True,
        help_text=_("Par exemple « PD » donne des références PD-2026-014."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("espace")
        verbose_name_plural = _("espaces")

    def __str__(self) -> str:
        return self.name


class TenantOwned(models.Model):
    """Base for every row that belongs to one tenant: non-null, indexed tenant."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+", db_index=True)

    class Meta:
        abstract = True


class Role(models.TextChoices):
    MANAGER = "manager", _("Gestionnaire de programme")
    REVIEWER = "reviewer", _("Évaluateur")
    FINANCE = "finance", _("Finance")
    TRAINER = "trainer", _("Formateur")
    APPLICANT = "applicant", _("Demandeur (OSC)")


STAFF_ROLES = frozenset({Role.MANAGER, Role.REVIEWER, Role.FINANCE, Role.TRAINER})
MFA_ROLES = frozenset({Role.MANAGER, Role.FINANCE})


class Membership(TenantOwned):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organisation"),
        help_text=_("Obligatoire pour un demandeur : l'OSC qu'il représente."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_one_per_user_and_tenant"),
            models.CheckConstraint(
                condition=~models.Q(role="applicant") | models.Q(organisation__isnull=False),
                name="membership_applicant_has_organisation",
            ),
        ]
        verbose_name = _("adhésion")
        verbose_name_plural = _("adhésions")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.tenant_id}"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(TenantOwned):
    """An e-mailed link that gives one role in one tenant, once, before it expires.

    Only the SHA-256 of the token is stored, so a database leak does not leak
    working links.
    """

    email = models.EmailField(_("adresse e-mail"))
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("organisation")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, _hash_token(token)

    @staticmethod
    def hash(token: str) -> str:
        return _hash_token(token)

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
