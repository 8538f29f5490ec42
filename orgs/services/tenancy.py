"""Tenants, memberships and invitations: every change is audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Organisation
from relais.actor import Actor
from relais.audit import audit_record
from relais.models import Invitation, Membership, Role, Tenant, User
from relais.validators import validate_one_line_fields

from .screening import screening_mark_stale_if_names_changed

INVITATION_VALIDITY = timedelta(days=7)


def tenant_create(*, name: str, slug: str, actor: User | None = None, **settings) -> Tenant:
    """Create a workspace. Only superusers (admin or create_tenant) do this."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a platform administrator can create a workspace."))
    tenant = Tenant(name=name, slug=slug, **settings)
    tenant.full_clean()
    with transaction.atomic():
        tenant.save()
        audit_record(tenant=tenant, actor=actor, action="tenant.created", target=tenant,
                     after={"name": name, "slug": slug})
        from .documents import ensure_default_checklist

        ensure_default_checklist(actor=Actor(tenant=tenant, user=actor))
    return tenant


def _check_organisation(tenant: Tenant, role: str, organisation: Organisation | None) -> None:
    if role == Role.APPLICANT and organisation is None:
        raise ValidationError(_("An applicant must be tied to an organisation."))
    if organisation is not None and organisation.tenant_id != tenant.pk:
        raise ValidationError(_("This organisation does not belong to this workspace."))


def _members_changed(*, organisations: Iterable[Organisation | None], actor: User | None) -> None:
    """Members' full names are screened names: someone joining or leaving a CSO changes them."""
    for organisation in {o.pk: o for o in organisations if o is not None}.values():
        screening_mark_stale_if_names_changed(organisation=organisation,
                                              actor=Actor(tenant=organisation.tenant, user=actor))


def membership_grant(
    *, tenant: Tenant, user: User, role: str, organisation: Organisation | None = None, actor: User | None
) -> Membership:
    """Give a user a role in a tenant (used by invitations, seeding and the admin)."""
    if role != Role.APPLICANT:
        organisation = None
    _check_organisation(tenant, role, organisation)
    with transaction.atomic():
        membership, created = Membership.objects.select_for_update().get_or_create(
            tenant=tenant, user=user, defaults={"role": role, "organisation": organisation}
        )
        before = {} if created else {"role": membership.role, "organisation": membership.organisation_id,
                                     "is_active": membership.is_active}
        previous_organisation = None if created else membership.organisation
        membership.role = role
        membership.organisation = organisation
        membership.is_active = True
        membership.save()
        audit_record(tenant=tenant, actor=actor, action="membership.granted", target=membership,
                     before=before, after={"user": user.email, "role": role, "organisation": organisation})
        _members_changed(organisations=[previous_organisation, organisation], actor=actor)
    return membership


def _require_manager(*, tenant: Tenant, actor: User) -> Membership:
    manager = Membership.objects.filter(tenant=tenant, user=actor, role=Role.MANAGER, is_active=True).first()
    if manager is None:
        raise PermissionDenied(_("Only a programme manager can manage members."))
    return manager


def membership_change_role(
    *, membership: Membership, role: str, organisation: Organisation | None = None, actor: User
) -> Membership:
    """A manager changes someone else's role. Nobody changes their own role:
    that rule is what stops anyone raising their own privileges."""
    tenant = membership.tenant
    _require_manager(tenant=tenant, actor=actor)
    if membership.user_id == actor.pk:
        raise PermissionDenied(_("You cannot change your own role."))
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if role != Role.APPLICANT:
        organisation = None
    _check_organisation(tenant, role, organisation)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk, tenant=tenant)
        before = {"role": locked.role, "organisation": locked.organisation_id}
        previous_organisation = locked.organisation
        locked.role = role
        locked.organisation = organisation
        locked.save(update_fields=["role", "organisation"])
        audit_record(tenant=tenant, actor=actor, action="membership.role_changed", target=locked,
                     before=before, after={"role": role, "organisation": organisation})
        _members_changed(organisations=[previous_organisation, organisation], actor=actor)
    return locked


def membership_revoke(*, membership: Membership, actor: User) -> Membership:
    tenant = membership.tenant
    _require_manager(tenant=tenant, actor=actor)
    if membership.user_id == actor.pk:
        raise PermissionDenied(_("You cannot remove your own access."))
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk, tenant=tenant)
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        audit_record(tenant=tenant, actor=actor, action="membership.revoked", target=locked,
                     before={"role": locked.role, "is_active": True}, after={"is_active": False})
        _members_changed(organisations=[locked.organisation], actor=actor)
    return locked


def invitation_create(
    *, tenant: Tenant, email: str, role: str, organisation: Organisation | None = None, actor: User
) -> tuple[Invitation, str]:
    """Create an invitation and e-mail its link (after commit); returns it with its token.

    Only the token's hash and salt are stored, and the e-mail task gets the
    invitation's id only: it rebuilds the link itself (invitation_link_token)."""
    _require_manager(tenant=tenant, actor=actor)
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if role != Role.APPLICANT:
        organisation = None
    _check_organisation(tenant, role, organisation)
    email = email.strip().lower()
    if Membership.objects.filter(tenant=tenant, user__email__iexact=email, is_active=True).exists():
        raise ValidationError(_("This person is already a member of the workspace."))
    salt = Invitation.new_salt()
    token = Invitation.token_for(salt)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            tenant=tenant, email=email, role=role, organisation=organisation, token_salt=salt,
            token_hash=Invitation.hash(token), invited_by=actor, expires_at=timezone.now() + INVITATION_VALIDITY,
        )
        audit_record(tenant=tenant, actor=actor, action="invitation.created", target=invitation,
                     after={"email": email, "role": role, "organisation": organisation})
        from ..tasks import send_invitation_email

        # The id only: the task's arguments are stored in the queue's table, readable in the admin.
        transaction.on_commit(lambda: send_invitation_email.enqueue(invitation_id=invitation.pk))
    return invitation, token


def invitation_link_token(*, invitation: Invitation) -> str:
    """The token of the invitation's link, for its e-mail (or for a manager to copy).

    Rebuilt from the invitation's salt. An invitation whose link cannot be rebuilt
    (made before links were derived, or SECRET_KEY replaced without keeping the old
    key in SECRET_KEY_FALLBACKS) gets a new token; its previous link stops working.
    """
    token = invitation.link_token()
    if token is None:
        salt = Invitation.new_salt()
        token = Invitation.token_for(salt)
        Invitation.objects.filter(pk=invitation.pk).update(token_salt=salt, token_hash=Invitation.hash(token))
        invitation.token_salt, invitation.token_hash = salt, Invitation.hash(token)
    return token


def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    _require_manager(tenant=invitation.tenant, actor=actor)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at:
            raise ValidationError(_("This invitation has already been accepted."))
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(tenant=locked.tenant, actor=actor, action="invitation.revoked", target=locked,
                     after={"email": locked.email})
    return locked


def invitation_accept(*, token: str, user: User) -> Membership:
    """Accept once, before expiry, with the invited address. The role is bound
    to the invitation's tenant only."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().select_related("tenant").filter(token_hash=Invitation.hash(token)).first()
        )
        if invitation is None:
            raise ValidationError(_("This invitation link is not valid."))
        if invitation.accepted_at:
            raise ValidationError(_("This invitation has already been used."))
        if invitation.revoked_at:
            raise ValidationError(_("This invitation has been cancelled."))
        if invitation.expires_at <= timezone.now():
            raise ValidationError(_("This invitation has expired; ask for a new one."))
        if user.email.lower() != invitation.email.lower():
            raise ValidationError(
                _("This invitation was sent to another e-mail address. Log in with %(email)s.")
                % {"email": invitation.email}
            )
        existing = Membership.objects.filter(tenant=invitation.tenant, user=user, is_active=True).first()
        if existing is not None:
            raise ValidationError(_("You are already a member of this workspace."))
        membership = membership_grant(
            tenant=invitation.tenant, user=user, role=invitation.role,
            organisation=invitation.organisation, actor=user,
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(tenant=invitation.tenant, actor=user, action="invitation.accepted", target=invitation,
                     after={"membership": membership.pk})
    return membership


def tenant_update_settings(*, tenant: Tenant, actor: User, **changes) -> Tenant:
    """Managers adjust their workspace's settings; the slug never changes here."""
    _require_manager(tenant=tenant, actor=actor)
    allowed = {"name", "default_language", "default_currency", "applicants_may_self_register",
               "screening_validity_days", "reference_prefix"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("These settings cannot be changed here: %(fields)s") % {"fields": ", ".join(unknown)})
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        before = {k: getattr(locked, k) for k in changes if getattr(locked, k) != changes[k]}
        for key, value in changes.items():
            setattr(locked, key, value)
        locked.full_clean()
        locked.save()
        if before:
            audit_record(tenant=locked, actor=actor, action="tenant.settings_changed", target=locked,
                         before=before, after={k: changes[k] for k in before})
    return locked


def user_update_profile(*, user: User, full_name: str, language: str) -> User:
    """A user's full name is screened for every CSO they act for: a new one may make
    those screenings stale (the managers of each tenant are told)."""
    user.full_name = full_name
    user.language = language
    validate_one_line_fields(user)
    with transaction.atomic():
        user.save(update_fields=["full_name", "language"])
        organisations_of_user_changed(user=user, actor=user)
    return user


def organisations_of_user_changed(*, user: User, actor: User | None) -> None:
    """After a change of ``user``'s full name (the profile page, the admin)."""
    memberships = Membership.objects.filter(user=user, is_active=True, organisation__isnull=False).select_related(
        "organisation__tenant"
    )
    _members_changed(organisations=[m.organisation for m in memberships], actor=actor)
