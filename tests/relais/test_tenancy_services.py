from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from relais.actor import Actor
from relais.errors import Refused
from relais.models import AuditEvent, Invitation, Membership, OutboundEmail, Role
from relais.services import tenancy
from tests.factories import OrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_invitation_is_emailed_and_binds_role_to_its_tenant_only(
    worlds, mailoutbox, django_capture_on_commit_callbacks
):
    world_a, world_b = worlds
    manager = world_a.actor(Role.MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = tenancy.invitation_create(
            email="New.Reviewer@example.org", role=Role.REVIEWER, actor=manager
        )
    assert len(mailoutbox) == 1
    assert token in mailoutbox[0].body
    assert mailoutbox[0].to == ["new.reviewer@example.org"]
    assert invitation.token_hash != token  # only the hash is stored

    user = UserFactory(email="new.reviewer@example.org")
    membership = tenancy.invitation_accept(token=token, user=user)
    assert membership.tenant == world_a.tenant and membership.role == Role.REVIEWER
    assert not Membership.objects.filter(tenant=world_b.tenant, user=user).exists()
    assert AuditEvent.objects.filter(tenant=world_a.tenant, action="invitation.accepted").exists()


def test_invitation_works_once(world_a):
    _, token = tenancy.invitation_create(
        email="once@example.org", role=Role.TRAINER, actor=world_a.actor(Role.MANAGER)
    )
    user = UserFactory(email="once@example.org")
    tenancy.invitation_accept(token=token, user=user)
    with pytest.raises(ValidationError, match="already been used"):
        tenancy.invitation_accept(token=token, user=user)


def test_expired_invitation_is_refused(world_a):
    invitation, token = tenancy.invitation_create(
        email="late@example.org", role=Role.TRAINER, actor=world_a.actor(Role.MANAGER)
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="expired"):
        tenancy.invitation_accept(token=token, user=UserFactory(email="late@example.org"))
    assert not Membership.objects.filter(user__email="late@example.org").exists()


def test_invitation_for_another_address_is_refused(world_a):
    _, token = tenancy.invitation_create(
        email="right@example.org", role=Role.FINANCE, actor=world_a.actor(Role.MANAGER)
    )
    with pytest.raises(ValidationError, match="another e-mail"):
        tenancy.invitation_accept(token=token, user=UserFactory(email="wrong@example.org"))


def test_revoked_invitation_is_refused(world_a):
    manager = world_a.actor(Role.MANAGER)
    invitation, token = tenancy.invitation_create(
        email="gone@example.org", role=Role.FINANCE, actor=manager
    )
    tenancy.invitation_revoke(invitation=invitation, actor=manager)
    with pytest.raises(ValidationError, match="cancelled"):
        tenancy.invitation_accept(token=token, user=UserFactory(email="gone@example.org"))


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.MANAGER])
def test_only_managers_invite(world_a, role):
    with pytest.raises(Refused) as caught:
        tenancy.invitation_create(email="x@example.org", role=Role.MANAGER, actor=world_a.actor(role))
    assert caught.value.forbidden


def test_applicant_invitation_needs_an_organisation_of_the_same_tenant(worlds):
    world_a, world_b = worlds
    manager = world_a.actor(Role.MANAGER)
    with pytest.raises(ValidationError):
        tenancy.invitation_create(email="a@example.org", role=Role.APPLICANT, actor=manager)
    with pytest.raises(ValidationError):
        tenancy.invitation_create(email="a@example.org", role=Role.APPLICANT,
                                  organisation=world_b.organisation, actor=manager)


def test_manager_changes_a_role_and_it_is_audited(world_a):
    target = world_a.members[Role.REVIEWER]
    tenancy.membership_change_role(membership=target, role=Role.FINANCE, actor=world_a.actor(Role.MANAGER))
    target.refresh_from_db()
    assert target.role == Role.FINANCE
    event = AuditEvent.objects.get(tenant=world_a.tenant, action="membership.role_changed", target_id=str(target.pk))
    assert event.before == {"role": "reviewer", "organisation": None}
    assert event.after["role"] == "finance"
    assert event.actor == world_a.user(Role.MANAGER)


def test_nobody_changes_their_own_role(world_a):
    own = world_a.members[Role.MANAGER]
    with pytest.raises(Refused) as caught:
        tenancy.membership_change_role(membership=own, role=Role.APPLICANT,
                                       organisation=world_a.organisation, actor=Actor.of(own))
    assert caught.value.forbidden


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.MANAGER])
def test_non_managers_cannot_raise_their_own_or_others_roles(world_a, role):
    own = world_a.members[role]
    with pytest.raises(Refused) as caught:
        tenancy.membership_change_role(membership=own, role=Role.MANAGER, actor=Actor.of(own))
    assert caught.value.forbidden
    other = world_a.members[Role.TRAINER if role != Role.TRAINER else Role.REVIEWER]
    with pytest.raises(Refused) as caught:
        tenancy.membership_change_role(membership=other, role=Role.MANAGER, actor=Actor.of(own))
    assert caught.value.forbidden
    own.refresh_from_db()
    assert own.role == role


def test_revoked_member_loses_access(world_a):
    target = world_a.members[Role.TRAINER]
    client = world_a.client_for(Role.TRAINER)
    assert client.get(world_a.url()).status_code == 200
    tenancy.membership_revoke(membership=target, actor=world_a.actor(Role.MANAGER))
    assert client.get(world_a.url()).status_code == 404
    assert AuditEvent.objects.filter(action="membership.revoked", target_id=str(target.pk)).exists()


def test_membership_grant_refuses_an_organisation_of_another_tenant(worlds):
    world_a, world_b = worlds
    with pytest.raises(ValidationError):
        tenancy.membership_grant(actor=Actor.system(world_a.tenant), user=UserFactory(), role=Role.APPLICANT,
                                 organisation=OrganisationFactory(tenant=world_b.tenant))


@pytest.mark.parametrize("slug", ["accounts", "admin", "static", "media", "i18n", "invitations", "workspaces"])
def test_reserved_slugs_are_refused(db, slug):
    with pytest.raises(ValidationError):
        tenancy.tenant_create(name="X", slug=slug)


def test_create_tenant_command(db):
    from django.core.management import call_command

    call_command("create_tenant", "ong-sahel", "ONG Sahel", "--require-mfa")
    event = AuditEvent.objects.get(action="tenant.created")
    assert event.tenant.slug == "ong-sahel" and event.tenant.require_mfa_for_staff


def test_create_tenant_command_refuses_reserved_slug(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="reserved"):
        call_command("create_tenant", "admin", "Admin")


# --- the invitation link never sits in the task queue ------------------------------------------------------------


def _link_token(body: str) -> str:
    import re

    return re.search(r"/invitations/([^/\s]+)/", body).group(1)


def test_the_queued_invitation_email_holds_no_token_and_its_link_works(
    world_a, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """The task's arguments are stored in the queue's table (and shown in the admin): storing only the
    token's hash meant nothing while the raw token sat there."""
    import json

    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = tenancy.invitation_create(
            email="queued@example.org", role=Role.REVIEWER, actor=world_a.actor(Role.MANAGER)
        )
    [queued] = DBTaskResult.objects.filter(task_path="relais.tasks.send_outbound_email")
    [row] = OutboundEmail.objects.filter(tenant=world_a.tenant, kind="invitation")
    assert queued.args_kwargs == {"args": [], "kwargs": {"outbound_email_id": row.pk}}
    assert token not in json.dumps(queued.args_kwargs)
    assert token not in json.dumps(list(Invitation.objects.filter(pk=invitation.pk).values()), default=str)
    assert token not in json.dumps(list(OutboundEmail.objects.filter(pk=row.pk).values()), default=str)
    assert "/invitations/" not in row.body and row.status == "queued"
    assert mailoutbox == []  # the worker has not run yet

    queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])  # what the worker does
    [mail] = mailoutbox
    assert _link_token(mail.body) == token
    membership = tenancy.invitation_accept(token=token, user=UserFactory(email="queued@example.org"))
    assert membership.tenant == world_a.tenant and membership.role == Role.REVIEWER


def test_the_link_is_rebuilt_after_a_key_change_kept_in_fallbacks(world_a, settings, mailoutbox):
    from tests.outbox import send_invitation_email

    invitation, token = tenancy.invitation_create(
        email="later@example.org", role=Role.TRAINER, actor=world_a.actor(Role.MANAGER)
    )
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-for-this-test-only-a-new-key-for-this-test-only"
    send_invitation_email(invitation)
    assert _link_token(mailoutbox[-1].body) == token
    assert tenancy.invitation_link_token(invitation=invitation) == token  # what a "copy the link" button shows


def test_an_invitation_whose_link_cannot_be_rebuilt_gets_a_new_working_one(world_a, mailoutbox):
    """Invitations made before links were derived (or after SECRET_KEY changed without a fallback) have a
    hash nobody can turn back into a link: the e-mail carries a new link and the old one stops working."""
    from tests.factories import InvitationFactory
    from tests.outbox import send_invitation_email

    old_token, old_hash = "an-old-random-token", Invitation.hash("an-old-random-token")
    invitation = InvitationFactory(tenant=world_a.tenant, email="old@example.org", role=Role.FINANCE,
                                   token_salt="", token_hash=old_hash)
    send_invitation_email(invitation)
    new_token = _link_token(mailoutbox[-1].body)
    assert new_token != old_token
    with pytest.raises(ValidationError, match="not valid"):
        tenancy.invitation_accept(token=old_token, user=UserFactory(email="old@example.org"))
    membership = tenancy.invitation_accept(token=new_token, user=UserFactory(email="old@example.org"))
    assert membership.role == Role.FINANCE


def test_no_email_is_sent_for_an_invitation_cancelled_before_the_worker_ran(world_a, mailoutbox):
    from tests.outbox import send_invitation_email

    manager = world_a.actor(Role.MANAGER)
    invitation, _token = tenancy.invitation_create(
        email="cancelled@example.org", role=Role.TRAINER, actor=manager
    )
    tenancy.invitation_revoke(invitation=invitation, actor=manager)
    row = send_invitation_email(invitation)
    assert mailoutbox == []
    assert row.status == "failed" and "plus valable" in row.failure_reason  # in the workspace's language




# --- the reference prefix and names stay on one line -------------------------------------------------------------


@pytest.mark.parametrize("prefix", ['W"M', "W\r\nX: 1", "PD\n", "pd", "P D", "-PD", "ABCDEFGHIJK"])
def test_unsafe_reference_prefixes_are_refused(world_a, prefix):
    """The prefix starts every application reference, which goes into the PDF's file name and e-mail subjects."""
    with pytest.raises(ValidationError) as exc:
        tenancy.tenant_update_settings(actor=world_a.actor(Role.MANAGER),
                                       reference_prefix=prefix)
    assert "reference_prefix" in exc.value.message_dict
    world_a.tenant.refresh_from_db()
    assert world_a.tenant.reference_prefix == "T"


@pytest.mark.parametrize("prefix", ["PD", "WANEP-ML", "P2", ""])
def test_ordinary_reference_prefixes_are_accepted(world_a, prefix):
    tenant = tenancy.tenant_update_settings(actor=world_a.actor(Role.MANAGER),
                                            reference_prefix=prefix)
    assert tenant.reference_prefix == prefix


def test_the_settings_form_refuses_a_prefix_that_would_break_a_header(world_a):
    from relais.forms import TenantSettingsForm

    data = {"name": "Bailleur A", "default_language": "fr", "default_currency": "XOF",
            "applicants_may_self_register": "on", "screening_validity_days": "365"}
    for prefix, valid in (('W"M', False), ("W\r\nX: 1", False), ("WM", True)):
        form = TenantSettingsForm({**data, "reference_prefix": prefix}, instance=world_a.tenant)
        assert form.is_valid() is valid, (prefix, form.errors)
        if not valid:
            assert list(form.errors) == ["reference_prefix"]


def test_workspace_and_person_names_refuse_line_breaks(world_a):
    from relais.forms import ProfileForm

    with pytest.raises(ValidationError):
        tenancy.tenant_update_settings(actor=world_a.actor(Role.MANAGER),
                                       name="Bailleur A\r\nBcc: x@example.org")
    user = world_a.user(Role.TRAINER)
    assert not ProfileForm({"full_name": "Awa\r\nBcc: x", "language": "fr"}, instance=user).is_valid()
    with pytest.raises(ValidationError):
        tenancy.user_update_profile(user=user, full_name="Awa\r\nBcc: x", language="fr")
    user.refresh_from_db()
    assert "\n" not in user.full_name
