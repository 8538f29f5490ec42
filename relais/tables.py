"""Rows of the kernel's lists written in one pass (the members page).

A template loop with two {% url %}, a get_role_display() and a dozen lookups per row was a good part
of the page's time (issue 10: lists at half the throughput of a trivial page). The markup is the
loop's; tests/relais/test_tenancy_views.py checks it against the loop.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from relais.links import pk_url_maker
from relais.models import Membership, Role
from relais.permissions import Decision
from relais.widgets import choice_labels


def member_rows_html(rows: Iterable[tuple[Membership, Decision]], *, tenant_slug: str) -> SafeString:
    change_role = pk_url_maker("relais:membership_change_role", "membership_pk", tenant_slug=tenant_slug)
    revoke = pk_url_maker("relais:membership_revoke", "membership_pk", tenant_slug=tenant_slug)
    roles = choice_labels(Role)
    # Translated literals, as {% translate %} wrote them (not escaped).
    active, removed = _("active"), _("access removed")
    change_label, revoke_label = _("Change role"), _("Remove access")
    out = []
    for membership, decision in rows:
        organisation = ""
        if membership.organisation:
            organisation = f'<br><span class="muted">{escape(membership.organisation.short_name)}</span>'
        if decision:
            revoke_link = (f'<p><a href="{escape(revoke(membership.pk))}">{revoke_label}</a></p>'
                           if membership.is_active else "")
            actions = f'\n<a href="{escape(change_role(membership.pk))}">{change_label}</a>\n{revoke_link}\n'
        else:
            actions = f'<span class="muted">{escape(decision.reason)}</span>'
        role = roles.get(membership.role) or escape(membership.get_role_display())
        out.append(
            f'\n<tr>\n<td>{escape(membership.user.display_name)}<br><span class="muted">'
            f"{escape(membership.user.email)}</span></td>\n<td>{role}{organisation}</td>\n"
            f"<td>{active if membership.is_active else removed}</td>\n<td>{actions}</td>\n</tr>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value went through escape() or is a translation
