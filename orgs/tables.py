"""The organisation list table (``dd_status`` comes from selectors.due_diligence.annotate_due_diligence,
computed in the list's SQL query), and the rows of the due-diligence overview."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import django_tables2 as tables
from django.core.paginator import EmptyPage
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_tables2.paginators import LazyPaginator
from django_tables2.templatetags.django_tables2 import table_page_range

from orgs.models import DueDiligenceStatus, Organisation, OrganisationStatus, OrganisationType, Zone
from relais.links import pk_url_maker
from relais.pagination import page_number
from relais.widgets import choice_labels, fast_escape

if TYPE_CHECKING:
    from orgs.selectors.organisations import ReferenceNames

STATUS_BADGES = {OrganisationStatus.VERIFIED: "ok", OrganisationStatus.PENDING: "warn",
                 OrganisationStatus.SUSPENDED: "bad"}
DD_BADGES = {DueDiligenceStatus.COMPLETE: "ok", DueDiligenceStatus.INCOMPLETE: "warn",
             DueDiligenceStatus.EXPIRED: "bad"}


def _n(spaces: int) -> str:
    """A line break and an indentation of django_tables2/table.html (OrganisationTable.html)."""
    return "\n" + " " * spaces


class BoundedPaginator(LazyPaginator):
    """django-tables2 takes ``?per_page=`` from the query string: a negative value raised
    EmptyPage (500) and a huge one would send every row at once. Keep it within 1..100.

    Lazy: it reads one row past the page instead of counting the registry on every view
    (relais.pagination.page_of does the same for the other lists). A page past the end
    (a stale link) shows the first page."""

    def __init__(self, object_list, per_page, *args, **kwargs):
        super().__init__(object_list, min(max(int(per_page), 1), 100), *args, **kwargs)

    def page(self, number):
        try:
            return super().page(page_number(number))
        except EmptyPage:
            return super().page(1)


class OrganisationTable(tables.Table):
    # CSOs are known by their acronym in Mali: sort on it, then on the legal name.
    name = tables.Column(verbose_name=_("Organisation"), order_by=("acronym", "name"),
                         attrs={"th": {"class": "key"}, "td": {"class": "key"}})  # stays in view on a phone
    type = tables.Column(verbose_name=_("Type"))
    region = tables.Column(verbose_name=_("Head office"), order_by=("region__name",))
    zone = tables.Column(verbose_name=_("Zone"), accessor="region__zone", order_by=("region__zone", "name"))
    regions_of_work = tables.Column(verbose_name=_("Regions of work"), orderable=False, empty_values=())
    focus_areas = tables.Column(verbose_name=_("Focus areas"), orderable=False, empty_values=())
    status = tables.Column(verbose_name=_("Status"))
    dd_status = tables.Column(verbose_name=_("Due diligence"), order_by=("dd_status",))

    class Meta:
        model = Organisation
        fields = ("name", "type", "region", "zone", "regions_of_work", "focus_areas", "status", "dd_status")
        order_by = ("name",)
        attrs = {"class": "organisations"}
        template_name = "orgs/organisation_table.html"

    def __init__(self, *args, tenant_slug: str, **kwargs):
        self.tenant_slug = tenant_slug
        # {pk: (regions of work, focus areas)} of the page's rows when the view read them as names
        # (selectors.organisations.names_of_page); otherwise the rows' prefetched relations are read.
        self.related_names: dict[int, tuple[list[str], list[str]]] | None = None
        # The tenant's regions read as names by the view (selectors.organisations.reference_names): the
        # head office and its zone are named from them; otherwise from the rows' region (a join).
        self.reference: ReferenceNames | None = None
        super().__init__(*args, **kwargs)

    def body_html(self) -> str:
        """The page's rows, written here rather than through django-tables2's cell machinery.

        Profiled on the organisation list: rendering 25 rows × 8 columns cell by cell (a bound
        cell, its attributes and a template per cell) took about 60 % of the view's time, more
        than its SQL; then format_html per cell, a reverse() and a get_FOO_display() per row were
        still a third of the page. The same cells as the render_* methods below (tested to be
        identical), written with one reverse() for the page and each choice's label escaped once;
        tables2 still does what it is good at (the order, the page, the columns a role sees)."""
        detail = pk_url_maker("orgs:organisation_detail", "organisation_pk", tenant_slug=self.tenant_slug)
        # str(): escape() of a lazy label stays lazy, translated again in every row. The rows' values
        # are str: the kernel's fast_escape is what escape() runs, without its check of every argument
        # for laziness (some 150 calls a page).
        text = fast_escape
        types = choice_labels(OrganisationType)
        zones = choice_labels(Zone)
        statuses = {value: f'<span class="badge {STATUS_BADGES.get(value, "")}">{escape(label)}</span>'
                    for value, label in OrganisationStatus.choices}
        dd_badges = {value: f'<span class="badge {DD_BADGES.get(value, "")}">{escape(label)}</span>'
                     for value, label in DueDiligenceStatus.choices}

        def name(record: Organisation) -> str:
            if record.acronym:
                return (f'<a href="{text(detail(record.pk))}"><strong>{text(record.acronym)}</strong></a>'
                        f'<br><span class="muted">{text(record.name)}</span>')
            return f'<a href="{text(detail(record.pk))}"><strong>{text(record.name)}</strong></a>'

        reference = self.reference
        region_names = dict(reference.regions) if reference is not None else {}

        def head_office(record: Organisation) -> tuple[str, str] | None:
            """(name, zone) of the head office: from the tenant's regions the view read, else the row's join."""
            if reference is not None:
                pk = record.region_id
                return (region_names[pk], reference.zones[pk]) if pk in region_names else None
            return (record.region.name, record.region.zone) if record.region else None

        def region(record: Organisation) -> str:
            office = head_office(record)
            return text(office[0]) if office else "—"

        def zone(record: Organisation) -> str:
            office = head_office(record)
            if not office:
                return "—"
            return zones.get(office[1]) or text(office[1] or "")

        related_names = self.related_names

        def listed(record: Organisation, index: int, relation: str) -> str:
            """Regions of work (index 0) or focus areas (1): read as names by the view, else prefetched."""
            items = (related_names[record.pk][index] if related_names is not None
                     else [item.name for item in getattr(record, relation).all()])
            return ", ".join(text(name) for name in items) or "—"

        writers = {
            "name": name,
            "type": lambda record: types.get(record.type) or text(record.type or "") or "—",
            "region": region, "zone": zone,
            "regions_of_work": lambda record: listed(record, 0, "regions_of_work"),
            "focus_areas": lambda record: listed(record, 1, "focus_areas"),
            "status": lambda record: statuses.get(record.status) or self.render_status(record),
            "dd_status": lambda record: dd_badges[record.dd_status],
        }
        # Only the visible columns (a role may not see the due-diligence column), each <td> with its attrs.
        columns = [(writers[column.name], f"<td {column.attrs['td'].as_html()}>") for column in self.columns]
        rows = ["<tr>" + "".join(f"{td}{write(row.record)}</td>" for write, td in columns) + "</tr>"
                for row in self.page.object_list]
        return mark_safe("\n".join(rows))  # noqa: S308 - every value above went through escape()

    def html(self) -> SafeString:
        """The whole table as ``{% render_table table %}`` wrote it (django_tables2/table.html with
        orgs/organisation_table.html's body), header and pagination written here too: once the rows
        were written in one pass, tables2's template for the header and the page links (a
        querystring tag and a dozen variable lookups per link) was the costliest part of the page
        left (issue 10). tests/orgs/test_organisations.py compares it, byte for byte, with
        ``{% render_table %}``: ``_n(k)`` is a line break and the template's indentation of k
        spaces. Needs ``self.request`` (RequestConfig) and a page; the table has no footer and no
        thead attributes."""
        params = dict(self.request.GET)

        def link(field: str, value: object) -> str:  # {% querystring_replace field=value %}
            return escape("?" + urlencode({**params, field: value}, doseq=True))

        heads = []
        for column in self.columns:
            header = conditional_escape(column.header)
            if column.orderable:
                order = link(self.prefixed_order_by_field, column.order_by_alias.next)
                cell = f'{_n(32)}<a href="{order}">{header}</a>{_n(28)}'
            else:
                cell = f"{_n(32)}{header}{_n(28)}"
            heads.append(f"{_n(24)}<th {column.attrs['th'].as_html()}>{_n(28)}{cell}{_n(24)}</th>{_n(20)}")
        thead = (f"{_n(16)}<thead >{_n(20)}<tr>{_n(20)}{''.join(heads)}{_n(20)}</tr>{_n(16)}</thead>{_n(12)}"
                 if self.show_header else "")
        if self.page.object_list:
            rows = self.body_html()
        else:
            empty = conditional_escape(self.empty_text or gettext("No organisation."))
            rows = f'<tr><td colspan="{len(self.columns)}">{empty}</td></tr>'
        return mark_safe(  # noqa: S308 - every value above went through escape() or as_html()
            f'\n\n{_n(0)}<div class="table-container">{_n(4)}{_n(8)}<table {self.attrs.as_html()}>{_n(12)}'
            f"{_n(12)}{thead}{_n(12)}{_n(12)}<tbody>{rows}</tbody>{_n(12)}{_n(12)}{_n(12)}"
            f"{_n(8)}</table>{_n(4)}\n{_n(4)}{self._pagination_html(link)}\n</div>\n\n")

    def _pagination_html(self, link: Callable[[str, object], str]) -> str:
        """The pagination block of django_tables2/table.html (see html())."""
        page, field = self.page, self.prefixed_page_field
        if not (page and self.paginator.num_pages > 1):
            return f"{_n(8)}{_n(4)}"

        def step(css: str, number: int, label: str) -> str:
            return (f'{_n(16)}{_n(20)}<li class="{css}">{_n(24)}<a href="{link(field, number)}">{_n(28)}'
                    f"{escape(label)}{_n(24)}</a>{_n(20)}</li>{_n(16)}{_n(12)}")

        previous = step("previous", page.previous_page_number(), gettext("previous")) if page.has_previous() else ""
        following = step("next", page.next_page_number(), gettext("next")) if page.has_next() else ""
        numbers = ""
        if page.has_previous() or page.has_next():
            items = []
            for number in table_page_range(page, self.paginator):
                active = 'class="active"' if number == page.number else ""
                if number == "...":
                    anchor = f'{_n(28)}<a href="#">...</a>{_n(24)}'
                else:
                    anchor = (f'{_n(28)}<a href="{link(field, number)}">{_n(32)}'
                              f"{conditional_escape(localize(number))}{_n(28)}</a>{_n(24)}")
                items.append(f"{_n(20)}<li {active}>{_n(24)}{anchor}{_n(20)}</li>{_n(16)}")
            numbers = f"{_n(12)}{_n(16)}{''.join(items)}{_n(12)}{_n(12)}"
        return (f'{_n(8)}{_n(8)}<ul class="pagination">{_n(12)}{previous}{_n(12)}{numbers}'
                f"{_n(12)}{following}{_n(8)}</ul>{_n(8)}{_n(4)}")

    def render_name(self, record: Organisation):
        url = reverse("orgs:organisation_detail",
                      kwargs={"tenant_slug": self.tenant_slug, "organisation_pk": record.pk})
        if record.acronym:
            return format_html('<a href="{}"><strong>{}</strong></a><br><span class="muted">{}</span>',
                               url, record.acronym, record.name)
        return format_html('<a href="{}"><strong>{}</strong></a>', url, record.name)

    def render_zone(self, record: Organisation):
        return record.region.get_zone_display() if record.region else "—"

    def render_regions_of_work(self, record: Organisation):
        return ", ".join(r.name for r in record.regions_of_work.all()) or "—"

    def render_focus_areas(self, record: Organisation):
        names = [f.name for f in record.focus_areas.all()]
        return format_html_join(", ", "{}", ((n,) for n in names)) if names else "—"

    def render_status(self, record: Organisation):
        return format_html('<span class="badge {}">{}</span>', STATUS_BADGES.get(record.status, ""),
                           record.get_status_display())

    def render_dd_status(self, record: Organisation):
        return format_html('<span class="badge {}">{}</span>', DD_BADGES.get(record.dd_status, ""),
                           DueDiligenceStatus(record.dd_status).label)


def due_diligence_rows_html(rows: list[Organisation], *, tenant_slug: str) -> SafeString:
    """The due-diligence overview's rows (50 a page) in one pass; each badge is rendered once per
    state from its template (the same badges as the other pages). The template loop, with two
    includes, a {% url %} and a get_status_display() per row, was most of the page's time (issue 10);
    tests/orgs/test_documents.py checks that this is the loop's markup."""
    page_url = pk_url_maker("orgs:due_diligence", "organisation_pk", tenant_slug=tenant_slug)
    statuses = choice_labels(OrganisationStatus)
    dd_badges: dict[str, str] = {}
    screening_badges: dict[str, str] = {}
    out = []
    for org in rows:
        if org.dd_status not in dd_badges:
            dd_badges[org.dd_status] = render_to_string("orgs/documents/_dd_badge.html", {"status": org.dd_status})
        if org.screening_state not in screening_badges:
            screening_badges[org.screening_state] = render_to_string("orgs/screening/_state_badge.html",
                                                                     {"state": org.screening_state})
        to_review = ""
        if org.documents_to_review:
            n = org.documents_to_review
            text = ngettext("%(n)s to review", "%(n)s to review", n) % {"n": escape(localize(n))}
            to_review = f'<br><span class="muted">{text}</span>'
        screened = ""
        if org.last_screening_at:
            when = date_filter(localtime(org.last_screening_at), "SHORT_DATE_FORMAT")
            screened = f'<br><span class="muted">{escape(when)}</span>'
        status = statuses.get(org.status) or escape(org.get_status_display())
        out.append(
            f'<tr>\n<td><a href="{escape(page_url(org.pk))}">{escape(org.short_name)}</a><br>'
            f'<span class="muted">{escape(org.name)}</span></td>\n<td>{status}</td>\n'
            f"<td>{dd_badges[org.dd_status]}{to_review}</td>\n"
            f"<td>{screening_badges[org.screening_state]}{screened}</td>\n</tr>")
    return mark_safe("".join(out))  # noqa: S308 - every value went through escape() or a template
