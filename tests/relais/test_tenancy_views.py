import pytest
from django.test import Client

from relais.models import AuditEvent, Invitation, Membership, Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_visitor_sees_what_relais_is_and_a_login_link(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"/accounts/login/" in response.content
    assert "Relais" in response.content.decode()


def test_member_of_one_tenant_goes_straight_to_its_dashboard(world_a):
    response = world_a.client_for(Role.APPLICANT).get("/")
    assert response.status_code == 302 and response["Location"] == world_a.url()


def test_picker_lists_only_the_users_workspaces(worlds):
    world_a, world_b = worlds
    user = world_a.user(Role.REVIEWER)
    MembershipFactory(tenant=world_b.tenant, user=user, role=Role.TRAINER)
    third = MembershipFactory(role=Role.MANAGER).tenant  # a tenant this user is not in
    client = Client()
    client.force_login(user)
    page = client.get("/").content.decode()
    assert world_a.tenant.name in page and world_b.tenant.name in page
    assert third.name not in page


def test_user_without_workspace_gets_an_explanation(db):
    client = Client()
    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 200
    assert "invit" in response.content.decode().lower()


def test_anonymous_tenant_url_redirects_to_login(world_a, client):
    response = client.get(world_a.url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_dashboard_is_role_appropriate(world_a, any_role):
    page = world_a.client_for(any_role).get(world_a.url()).content.decode()
    manager_only = f'href="{world_a.url("members/")}"'
    assert (manager_only in page) == (any_role == Role.MANAGER)
    if any_role == Role.APPLICANT:
        assert world_a.organisation.name in page


def test_dashboard_is_french_by_default_and_english_after_switch(world_a):
    client = world_a.client_for(Role.APPLICANT)
    assert "Tableau de bord" in client.get(world_a.url()).content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": world_a.url()})
    assert response.status_code == 302
    assert "Dashboard" in client.get(world_a.url()).content.decode()


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.MANAGER])
def test_members_page_is_403_with_a_reason_for_other_roles(world_a, role):
    response = world_a.client_for(role).get(world_a.url("members/"))
    assert response.status_code == 403
    assert "Gestionnaire de programme" in response.content.decode()  # the reason names the required role


def test_manager_invites_through_the_form(world_a, mailoutbox, django_capture_on_commit_callbacks):
    client = world_a.client_for(Role.MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(world_a.url("members/"), {"email": "trainer2@example.org", "role": Role.TRAINER})
    assert response.status_code == 302
    assert Invitation.objects.filter(tenant=world_a.tenant, email="trainer2@example.org").exists()
    assert len(mailoutbox) == 1


def test_invalid_invitation_form_keeps_what_was_typed(world_a):
    client = world_a.client_for(Role.MANAGER)
    response = client.post(world_a.url("members/"), {"email": "typed@example.org", "role": Role.APPLICANT})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="typed@example.org"' in page
    assert not Invitation.objects.exists()


def test_invitation_form_refuses_an_organisation_of_another_tenant(worlds):
    world_a, world_b = worlds
    response = world_a.client_for(Role.MANAGER).post(
        world_a.url("members/"),
        {"email": "x@example.org", "role": Role.APPLICANT, "organisation": world_b.organisation.pk},
    )
    assert response.status_code == 200
    assert not Invitation.objects.exists()


def test_accepting_an_invitation_needs_a_post(world_a):
    from relais.services.tenancy import invitation_create

    _, token = invitation_create(email="guest@example.org", role=Role.REVIEWER, actor=world_a.actor(Role.MANAGER))
    guest = UserFactory(email="guest@example.org")
    client = Client()
    client.force_login(guest)
    assert client.get(f"/invitations/{token}/").status_code == 200
    assert not Membership.objects.filter(user=guest).exists()  # GET changed nothing
    response = client.post(f"/invitations/{token}/")
    assert response.status_code == 302 and response["Location"] == world_a.url()
    assert Membership.objects.get(user=guest).role == Role.REVIEWER


def test_unknown_invitation_token_is_404(client, db):
    assert client.get("/invitations/not-a-token/").status_code == 404


def test_role_change_view_refuses_own_membership_without_500(world_a):
    own = world_a.members[Role.MANAGER]
    client = world_a.client_for(Role.MANAGER)
    response = client.post(world_a.url(f"members/{own.pk}/role/"), {"role": Role.REVIEWER}, follow=True)
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.role == Role.MANAGER


def test_role_change_view_changes_and_audits(world_a):
    target = world_a.members[Role.TRAINER]
    client = world_a.client_for(Role.MANAGER)
    client.post(world_a.url(f"members/{target.pk}/role/"), {"role": Role.REVIEWER})
    target.refresh_from_db()
    assert target.role == Role.REVIEWER
    assert AuditEvent.objects.filter(action="membership.role_changed").count() == 1


def test_audit_log_is_for_managers_and_shows_only_this_tenant(worlds):
    world_a, world_b = worlds
    from relais.services.tenancy import membership_revoke

    membership_revoke(membership=world_b.members[Role.TRAINER], actor=world_b.actor(Role.MANAGER))
    page = world_a.client_for(Role.MANAGER).get(world_a.url("audit/")).content.decode()
    events = page[page.index('<ol class="audit">'):]  # the action filter lists every action code
    assert "retiré l&#x27;accès à" not in events and world_b.members[Role.TRAINER].user.display_name not in events
    assert world_a.client_for(Role.FINANCE).get(world_a.url("audit/")).status_code == 403


def test_logout_needs_post(world_a):
    client = world_a.client_for(Role.APPLICANT)
    client.get("/accounts/logout/")
    assert client.get(world_a.url()).status_code == 200  # still logged in after a GET
    client.post("/accounts/logout/")
    assert client.get(world_a.url()).status_code == 302


def test_security_headers(world_a):
    response = world_a.client_for(Role.APPLICANT).get(world_a.url())
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert len(response["X-Request-ID"]) == 32


def test_manager_edits_workspace_settings_and_it_is_audited(world_a):
    client = world_a.client_for(Role.MANAGER)
    response = client.post(world_a.url("settings/"), {
        "name": world_a.tenant.name, "default_language": "fr", "default_currency": "XOF",
        "applicants_may_self_register": "", "require_mfa_for_staff": "", "screening_validity_days": "180",
        "reference_prefix": "BA",
    })
    assert response.status_code == 302
    world_a.tenant.refresh_from_db()
    assert world_a.tenant.screening_validity_days == 180 and not world_a.tenant.applicants_may_self_register
    event = AuditEvent.objects.get(action="tenant.settings_changed")
    assert event.after["screening_validity_days"] == 180


def test_workspace_settings_are_for_managers_only(world_a):
    assert world_a.client_for(Role.FINANCE).post(world_a.url("settings/"), {"name": "x"}).status_code == 403


def test_profile_sets_the_language_for_emails(world_a):
    client = world_a.client_for(Role.APPLICANT)
    response = client.post("/profile/", {"full_name": "Mariam Cissé", "language": "en"})
    assert response.status_code == 302
    user = world_a.user(Role.APPLICANT)
    user.refresh_from_db()
    assert user.language == "en" and user.full_name == "Mariam Cissé"


def test_switch_workspace_link_only_with_several_workspaces(worlds):
    world_a, world_b = worlds
    client = world_a.client_for(Role.TRAINER)
    assert "/workspaces/" not in client.get(world_a.url()).content.decode()
    MembershipFactory(tenant=world_b.tenant, user=world_a.user(Role.TRAINER), role=Role.TRAINER)
    assert "/workspaces/" in client.get(world_a.url()).content.decode()


def test_workspaces_are_counted_with_the_membership_not_in_a_query_of_their_own(worlds):
    """Every workspace page shows "Switch workspace" to a member of several: the count comes with
    TenantMiddleware's membership query (throughput at scale, issue 10), not one more query per page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world_a, world_b = worlds
    client = world_a.client_for(Role.TRAINER)
    client.get(world_a.url())
    for several in (False, True):
        if several:
            MembershipFactory(tenant=world_b.tenant, user=world_a.user(Role.TRAINER), role=Role.TRAINER)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(world_a.url()).content.decode()
        assert ("/workspaces/" in html) is several
        membership_reads = [q["sql"] for q in queries.captured_queries if 'FROM "relais_membership"' in q["sql"]]
        assert len(membership_reads) == 1, membership_reads


def test_audit_log_names_actions_in_french(world_a):
    from relais.services.tenancy import membership_revoke

    membership_revoke(membership=world_a.members[Role.TRAINER], actor=world_a.actor(Role.MANAGER))
    page = world_a.client_for(Role.MANAGER).get(world_a.url("audit/")).content.decode()
    events = page[page.index('<ol class="audit">'):]  # the action filter lists every action code
    name = world_a.members[Role.TRAINER].user.display_name
    assert "a retiré l&#x27;accès à <a" in events and f">{name}</a>" in events and "membership.revoked" not in events


def test_members_page_query_count_does_not_grow_with_members(world_a, django_assert_max_num_queries):
    """Each row had a role form with a <select> of every organisation; now a page of rows and a link."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import OrganisationFactory

    client = world_a.client_for(Role.MANAGER)
    OrganisationFactory.create_batch(3, tenant=world_a.tenant)
    with CaptureQueriesContext(connection) as few:
        assert client.get(world_a.url("members/")).status_code == 200
    for _ in range(40):
        MembershipFactory(tenant=world_a.tenant, role=Role.REVIEWER)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(world_a.url("members/"))
    html = response.content.decode()
    assert f'<option value="{world_a.organisation.pk}"' not in html  # no list of organisations
    assert html.count("/role/") == 24  # one page of 25 members, an edit link for all but oneself
    assert 'rel="next"' in html


def test_members_page_searches_name_and_email_and_pages_keep_the_search(world_a):
    for n in range(30):
        MembershipFactory(tenant=world_a.tenant, role=Role.REVIEWER, user__email=f"evaluateur{n}@example.org")
    MembershipFactory(tenant=world_a.tenant, role=Role.FINANCE, user__full_name="Aminata Traoré",
                      user__email="at@example.org")
    client = world_a.client_for(Role.MANAGER)
    html = client.get(world_a.url("members/"), {"q": "traoré"}).content.decode()
    assert "at@example.org" in html and "evaluateur1@" not in html
    html = client.get(world_a.url("members/"), {"q": "EVALUATEUR"}).content.decode()
    assert "evaluateur" in html and "at@example.org" not in html
    assert 'href="?q=EVALUATEUR&amp;page=2"' in html
    second = client.get(world_a.url("members/"), {"q": "evaluateur", "page": "2"}).content.decode()
    assert second.count("@example.org") == 5


def test_membership_edit_page_names_the_organisation_by_acronym(worlds):
    world_a, world_b = worlds
    from tests.factories import OrganisationFactory

    target = world_a.members[Role.TRAINER]
    cso = OrganisationFactory(tenant=world_a.tenant, name="Femmes de Ségou pour la paix", acronym="FSP")
    client = world_a.client_for(Role.MANAGER)
    page = client.get(world_a.url(f"members/{target.pk}/role/"))
    assert page.status_code == 200 and 'name="organisation"' in page.content.decode()
    response = client.post(world_a.url(f"members/{target.pk}/role/"), {"role": Role.APPLICANT, "organisation": "fsp"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.role, target.organisation) == (Role.APPLICANT, cso)
    # The edit page shows the current organisation as typed text.
    edit_page = client.get(world_a.url(f"members/{target.pk}/role/")).content.decode()
    assert 'value="FSP — Femmes de Ségou pour la paix"' in edit_page


def test_membership_edit_refuses_unknown_ambiguous_and_foreign_organisations(worlds):
    world_a, world_b = worlds
    from tests.factories import OrganisationFactory

    target = world_a.members[Role.TRAINER]
    OrganisationFactory(tenant=world_a.tenant, name="Jeunes de Ségou", acronym="JS1")
    OrganisationFactory(tenant=world_a.tenant, name="Jeunes de Segou-Koura", acronym="JS2")
    OrganisationFactory(tenant=world_b.tenant, name="Étrangère", acronym="ETR")
    client = world_a.client_for(Role.MANAGER)
    url = world_a.url(f"members/{target.pk}/role/")
    ambiguous = client.post(url, {"role": Role.APPLICANT, "organisation": "segou"})
    html = ambiguous.content.decode()
    assert ambiguous.status_code == 200
    assert '<datalist id="organisation-suggestions">' in html
    assert 'value="JS1 — Jeunes de Ségou"' in html and 'value="JS2 — Jeunes de Segou-Koura"' in html
    for text in ("ETR", "Étrangère", str(world_b.organisation.pk), "nothing like it"):
        response = client.post(url, {"role": Role.APPLICANT, "organisation": text})
        assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    target.refresh_from_db()
    assert target.role == Role.TRAINER and target.organisation is None


def test_membership_edit_page_of_oneself_explains_and_offers_no_form(world_a):
    own = world_a.members[Role.MANAGER]
    html = world_a.client_for(Role.MANAGER).get(world_a.url(f"members/{own.pk}/role/")).content.decode()
    assert 'name="role"' not in html and "propre rôle" in html


def test_invitation_names_the_organisation_by_acronym(world_a, django_capture_on_commit_callbacks):
    from tests.factories import OrganisationFactory

    cso = OrganisationFactory(tenant=world_a.tenant, acronym="AJCET")
    with django_capture_on_commit_callbacks(execute=True):
        response = world_a.client_for(Role.MANAGER).post(
            world_a.url("members/"), {"email": "cso@example.org", "role": Role.APPLICANT, "organisation": "AJCET"})
    assert response.status_code == 302
    assert Invitation.objects.get(email="cso@example.org").organisation == cso


def test_managers_cannot_switch_mfa_off(world_a):
    from django.core.exceptions import ValidationError as DjangoValidationError

    from relais.services.tenancy import tenant_update_settings

    world_a.tenant.require_mfa_for_staff = True
    world_a.tenant.save()
    with pytest.raises(DjangoValidationError):
        tenant_update_settings(actor=world_a.actor(Role.MANAGER), require_mfa_for_staff=False)
    world_a.tenant.refresh_from_db()
    assert world_a.tenant.require_mfa_for_staff


MEMBER_LOOP = """{% load i18n %}{% for m, decision in rows %}
<tr>
<td>{{ m.user.display_name }}<br><span class="muted">{{ m.user.email }}</span></td>
<td>{{ m.get_role_display }}{% if m.organisation %}<br><span class="muted">{{ m.organisation.short_name }}</span>{% endif %}</td>
<td>{% if m.is_active %}{% translate "active" %}{% else %}{% translate "access removed" %}{% endif %}</td>
<td>{% if decision %}
<a href="{% url 'relais:membership_change_role' tenant_slug=current_tenant.slug membership_pk=m.pk %}">{% translate "Change role" %}</a>
{% if m.is_active %}<p><a href="{% url 'relais:membership_revoke' tenant_slug=current_tenant.slug membership_pk=m.pk %}">{% translate "Remove access" %}</a></p>{% endif %}
{% else %}<span class="muted">{{ decision.reason }}</span>{% endif %}</td>
</tr>
{% endfor %}"""  # noqa: E501 - the loop as templates/relais/members.html held it


@pytest.mark.parametrize("language", ["fr", "en"])
def test_member_rows_are_the_rows_of_the_template_loop(world_a, language):
    """relais.tables.member_rows_html writes the members page's rows in one pass (throughput, issue 10):
    the markup of the loop it replaced, for oneself (a reason instead of links), removed members and
    applicants with their organisation."""
    from django.template import engines
    from django.utils import translation

    from relais.services.tenancy import membership_revoke

    odd = MembershipFactory(tenant=world_a.tenant, user=UserFactory(full_name="Awa <Diallo> & fils"),
                            role=Role.APPLICANT)
    membership_revoke(membership=world_a.members[Role.TRAINER], actor=world_a.actor(Role.MANAGER))
    with translation.override(language):
        response = world_a.client_for(Role.MANAGER).get(world_a.url("members/"), HTTP_ACCEPT_LANGUAGE=language)
        rows = response.context["rows"]
        expected = engines["django"].from_string(MEMBER_LOOP).render({"rows": rows, "current_tenant": world_a.tenant})
    html = response.content.decode()
    assert f"<tbody>\n{expected}\n</tbody>" in html
    assert any(not decision for _m, decision in rows) and any(not m.is_active for m, _d in rows)
    assert odd.organisation.short_name in html and "Awa &lt;Diallo&gt; &amp; fils" in html
    empty = world_a.client_for(Role.MANAGER).get(world_a.url("members/"), {"q": "nobody-at-all"}).content.decode()
    assert '<tbody>\n<tr><td colspan="4">' in empty


_NAV_LOOP = (
    "<nav aria-label=\"{% translate 'Main navigation' %}\"><details class=\"menu\">\n"
    "    <summary>{% translate \"Menu\" %}{% for item in nav_items %}{% if item.active %}"
    "<span class=\"menu-current\"> · {{ item.label }}</span>{% endif %}{% endfor %}</summary><ul>\n"
    "    {% for item in nav_items %}<li><a href=\"{{ item.url }}\"{% if item.active %} aria-current=\"page\""
    "{% endif %}>{{ item.label }}</a></li>{% endfor %}\n"
    "    {% if has_several_workspaces %}<li><a href=\"{% url 'workspaces' %}\">{% translate \"Switch workspace\" %}"
    "</a></li>{% endif %}\n"
    "  </ul></details></nav>")


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("several", [False, True])
def test_the_navigation_is_the_template_loops_markup(world_a, language, several):
    """base.html's <nav> is written in one pass (relais.dashboard.nav_html, issue 10): the markup of the
    template loops it replaced, for each role, on the dashboard (active by exact path), a list page, and
    with labels or URLs that need escaping."""
    from django.template import engines
    from django.test import RequestFactory
    from django.utils import translation

    from relais.context_processors import navigation
    from relais.dashboard import nav_html

    loop = engines["django"].from_string("{% load i18n %}" + _NAV_LOOP)
    for role in Role.values:
        actor = world_a.actor(role)
        for path in (world_a.url(), world_a.url("audit/"), world_a.url("applications/12/")):
            request = RequestFactory().get(path)
            request.user, request.actor, request.workspace_count = actor.user, actor, 2 if several else 1
            with translation.override(language):
                context = navigation(request)
                assert context["nav_items"]
                assert str(context["nav_html"]()) == loop.render(context)
                assert several is ("/workspaces/" in loop.render(context))
    odd = [{"label": "A & <b>", "url": "/x?a=1&b=\"2\"", "active": True},
           {"label": "l'été", "url": "/y/", "active": False}]
    assert str(nav_html(odd, lambda: several)) == loop.render(
        {"nav_items": odd, "has_several_workspaces": lambda: several})
