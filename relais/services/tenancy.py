"""Tenants, memberships and invitations: every change is audited.

The kernel imports no feature app. What a feature must do when a workspace is
created (orgs: the default due-diligence checklist) or when the people of a CSO
change (orgs: sanctions screenings may go stale) it registers here from its
`AppConfig.ready()`: `register_tenant_setup(fn)` and `register_members_changed(fn)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.audit import audit_record
from relais.concurrency import claim_version
from relais.errors import Refused, refused
from relais.models import Invitation, Membership, Role, Tenant, User
from relais.permissions import can_change_membership, can_manage_members, can_revoke_membership, require
from relais.validators import validate_one_line_fields

INVITATION_VALIDITY = timedelta(days=7)

# --- what features do when a workspace is created or a CSO's people change -------------------

TenantSetup = Callable[..., Any]  # fn(*, actor: Actor) — actor.tenant is the new workspace
MembersChanged = Callable[..., Any]  # fn(*, organisations: list, actor: Actor) — CSOs of actor.tenant

_TENANT_SETUP: list[TenantSetup] = []
_MEMBERS_CHANGED: list[MembersChanged] = []


def register_tenant_setup(setup: TenantSetup) -> None:
    """`setup(*, actor)` runs inside the transaction that creates a workspace."""
    if setup not in _TENANT_SETUP:  # ready() may run twice in tests
        _TENANT_SETUP.append(setup)


def register_members_changed(listener: MembersChanged) -> None:
    """`listener(*, organisations, actor)` runs when someone joins or leaves a CSO, or renames themselves."""
    if listener not in _MEMBERS_CHANGED:
        _MEMBERS_CHANGED.append(listener)


def members_changed(*, organisations: Iterable[Model | None], actor: Actor) -> None:
    """Members' full names are screened names: someone joining or leaving a CSO changes them."""
    unique = list({o.pk: o for o in organisations if o is not None}.values())
    if not unique:
        return
    for listener in _MEMBERS_CHANGED:
        listener(organisations=unique, actor=actor)


# --- checks shared by the writers ---------------------------------------------------------------


def _full_clean(instance: Model) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise refused(exc) from exc


def _check_organisation(actor: Actor, role: str, organisation: Any) -> None:
    if role == Role.APPLICANT and organisation is None:
        raise Refused(_("An applicant must be tied to an organisation."))
    if organisation is not None and getattr(organisation, "tenant_id", None) != actor.tenant.pk:
        raise Refused(_("This organisation does not belong to this workspace."))


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise Refused(_("Unknown role."))


def _same_tenant(actor: Actor, obj: Model, message: str) -> None:
    if getattr(obj, "tenant_id", None) != actor.tenant.pk:
        raise Refused(message, forbidden=True)


# --- workspaces --------------------------------------------------------------------------------

SETTINGS_FIELDS = frozenset({"name", "default_language", "default_currency", "applicants_may_self_register",
                             "screening_validity_days", "reference_prefix"})


def tenant_create(*, name: str, slug: str, operator: User | None = None, **settings: Any) -> Tenant:
    """Create a workspace: the admin and `manage.py create_tenant` both come here, so every new
    workspace gets what the features set up for it. Platform administrators only
    (`operator` None: a command run on the server)."""
    if operator is not None and not operator.is_superuser:
        raise Refused(_("Only a platform administrator can create a workspace."), forbidden=True)
    tenant = Tenant(name=name, slug=slug, **settings)
    _full_clean(tenant)
    with transaction.atomic():
        tenant.save()
        audit_record(tenant=tenant, actor=operator, action="tenant.created", target=tenant,
                     after={"name": name, "slug": slug})
        actor = Actor(tenant=tenant, user=operator)
        for setup in _TENANT_SETUP:
            setup(actor=actor)
    return tenant


def tenant_update_settings(*, actor: Actor, expected_version: int | None = None, **changes: Any) -> Tenant:
    """Managers adjust their workspace's settings; the slug (and two-factor policy) never change here.
    With `expected_version` (the version the page was loaded from), a stale save raises Stale."""
    require(can_manage_members(actor))
    unknown = set(changes) - SETTINGS_FIELDS
    if unknown:
        raise Refused(_("These settings cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=actor.tenant.pk)
        claim_version(locked, expected=expected_version)
        before = {k: getattr(locked, k) for k in changes if getattr(locked, k) != changes[k]}
        for key, value in changes.items():
            setattr(locked, key, value)
        _full_clean(locked)
        locked.save()
        if before:
            audit_record(tenant=locked, actor=actor.user, action="tenant.settings_changed", target=locked,
                         before=before, after={k: changes[k] for k in before})
    return locked


# --- memberships -------------------------------------------------------------------------------


def membership_grant(*, actor: Actor, user: User, role: str, organisation: Any = None) -> Membership:
    """Give a user a role in the actor's tenant. A building block: its callers decide who may
    (an accepted invitation, an approved join request, self-registration, seeding)."""
    _check_role(role)
    if role != Role.APPLICANT:
        organisation = None
    _check_organisation(actor, role, organisation)
    tenant = actor.tenant
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
        audit_record(tenant=tenant, actor=actor.user, action="membership.granted", target=membership,
                     before=before, after={"user": user.email, "role": role, "organisation": organisation})
        members_changed(organisations=[previous_organisation, organisation], actor=actor)
    return membership


def membership_change_role(
    *, actor: Actor, membership: Membership, role: str, organisation: Any = None
) -> Membership:
    """A manager changes someone else's role. Nobody changes their own role:
    that rule is what stops anyone raising their own privileges."""
    require(can_change_membership(actor, membership))
    _check_role(role)
    if role != Role.APPLICANT:
        organisation = None
    _check_organisation(actor, role, organisation)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk, tenant=actor.tenant)
        before = {"role": locked.role, "organisation": locked.organisation_id}
        previous_organisation = locked.organisation
        locked.role = role
        locked.organisation = organisation
        locked.save(update_fields=["role", "organisation"])
        audit_record(tenant=actor.tenant, actor=actor.user, action="membership.role_changed", target=locked,
                     before=before, after={"role": role, "organisation": organisation})
        members_changed(organisations=[previous_organisation, organisation], actor=actor)
    return locked


def membership_revoke(*, actor: Actor, membership: Membership) -> Membership:
    require(can_revoke_membership(actor, membership))
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk, tenant=actor.tenant)
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        audit_record(tenant=actor.tenant, actor=actor.user, action="membership.revoked", target=locked,
                     before={"role": locked.role, "is_active": True}, after={"is_active": False})
        members_changed(organisations=[locked.organisation], actor=actor)
    return locked


# --- invitations -------------------------------------------------------------------------------


def invitation_create(
    *, actor: Actor, email: str, role: str, organisation: Any = None
) -> tuple[Invitation, str]:
    """Create an invitation and e-mail its link (through the outbox); returns it with its token.

    Only the token's hash and salt are stored, and the outbox row holds the e-mail without
    its link: the sending task rebuilds the link itself (invitation_link_token)."""
    require(can_manage_members(actor))
    _check_role(role)
    if role != Role.APPLICANT:
        organisation = None
    _check_organisation(actor, role, organisation)
    tenant = actor.tenant
    email = email.strip().lower()
    if Membership.objects.filter(tenant=tenant, user__email__iexact=email, is_active=True).exists():
        raise Refused(_("This person is already a member of the workspace."))
    salt = Invitation.new_salt()
    token = Invitation.token_for(salt)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            tenant=tenant, email=email, role=role, organisation=organisation, token_salt=salt,
            token_hash=Invitation.hash(token), invited_by=actor.user,
            expires_at=timezone.now() + INVITATION_VALIDITY,
        )
        audit_record(tenant=tenant, actor=actor.user, action="invitation.created", target=invitation,
                     after={"email": email, "role": role, "organisation": organisation})
        from relais.outbox import Recipient
        from relais.services.outbox import email_enqueue, invitation_context, redacted_link

        # The outbox keeps the e-mail without its link: the task rebuilds the link when it sends.
        email_enqueue(actor=actor, kind="invitation", target=invitation, recipients=[Recipient(email=email)],
                      template="relais/email/invitation", context=invitation_context(invitation, redacted_link()),
                      link=reverse("relais:members", kwargs={"tenant_slug": tenant.slug}))
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


def invitation_revoke(*, actor: Actor, invitation: Invitation) -> Invitation:
    require(can_manage_members(actor))
    _same_tenant(actor, invitation, _("This invitation belongs to another workspace."))
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk, tenant=actor.tenant)
        if locked.accepted_at:
            raise Refused(_("This invitation has already been accepted."))
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(tenant=actor.tenant, actor=actor.user, action="invitation.revoked", target=locked,
                     after={"email": locked.email})
    return locked


def invitation_accept(*, token: str, user: User) -> Membership:
    """Accept once, before expiry, with the invited address. The role is bound
    to the invitation's tenant only. The user is not a member yet: they act as
    themselves in the invitation's tenant."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().select_related("tenant")
            .filter(token_hash=Invitation.hash(token)).first()
        )
        if invitation is None:
            raise Refused(_("This invitation link is not valid."))
        if invitation.accepted_at:
            raise Refused(_("This invitation has already been used."))
        if invitation.revoked_at:
            raise Refused(_("This invitation has been cancelled."))
        if invitation.expires_at <= timezone.now():
            raise Refused(_("This invitation has expired; ask for a new one."))
        if user.email.lower() != invitation.email.lower():
            raise Refused(
                _("This invitation was sent to another e-mail address. Log in with %(email)s.")
                % {"email": invitation.email}
            )
        if Membership.objects.filter(tenant=invitation.tenant, user=user, is_active=True).exists():
            raise Refused(_("You are already a member of this workspace."))
        actor = Actor(tenant=invitation.tenant, user=user)
        membership = membership_grant(actor=actor, user=user, role=invitation.role,
                                      organisation=invitation.organisation)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(tenant=invitation.tenant, actor=user, action="invitation.accepted", target=invitation,
                     after={"membership": membership.pk})
    return membership


# --- people ------------------------------------------------------------------------------------


def user_update_profile(*, user: User, full_name: str, language: str) -> User:
    """A user's full name is screened for every CSO they act for: a new one may make
    those screenings stale (the managers of each tenant are told)."""
    user.full_name = full_name
    user.language = language
    try:
        validate_one_line_fields(user)
    except ValidationError as exc:
        raise refused(exc) from exc
    with transaction.atomic():
        user.save(update_fields=["full_name", "language"])
        organisations_of_user_changed(user=user, changed_by=user)
    return user


def organisations_of_user_changed(*, user: User, changed_by: User | None) -> None:
    """After a change of ``user``'s full name (the profile page, the admin): tell the CSOs they act for."""
    memberships = Membership.objects.filter(user=user, is_active=True, organisation__isnull=False).select_related(
        "organisation", "tenant"
    )
    for membership in memberships:
        members_changed(organisations=[membership.organisation],
                        actor=Actor(tenant=membership.tenant, user=changed_by))


# --- the audit log --------------------------------------------------------------------------------


def audit_log_export_record(*, actor: Actor, filters: dict[str, Any]) -> None:
    """A manager exports the audit log (deliberate, so audited like every other export): the event
    keeps the filters, not the rows."""
    if not actor.is_manager:
        raise Refused(_("Only a programme manager can export the audit log."), forbidden=True)
    audit_record(tenant=actor.tenant, actor=actor.user, action="audit_log.exported", target=actor.tenant,
                 after={"filters": {k: v for k, v in filters.items() if v not in (None, "")}})
