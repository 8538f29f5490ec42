"""The ranking table of a call (django-tables2), and the rows of the application and review lists."""

from __future__ import annotations

import django_tables2 as tables
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from relais.links import pk_url_maker
from relais.money import format_money

from .models import ApplicationStatus, ReviewStatus


class RankingTable(tables.Table):
    select = tables.Column(empty_values=(), verbose_name="", orderable=False)
    rank = tables.Column(empty_values=(), verbose_name="#", orderable=False)
    # On a phone the reference stays in view while the row scrolls; the project title gives way.
    reference = tables.Column(accessor="application__reference", verbose_name=_("Reference"), orderable=False,
                              attrs={"th": {"class": "key"}, "td": {"class": "key"}})
    organisation = tables.Column(empty_values=(), verbose_name=_("Organisation"), orderable=False)
    title = tables.Column(accessor="application__title", verbose_name=_("Project"), orderable=False,
                          attrs={"th": {"class": "secondary-col"}, "td": {"class": "secondary-col"}})
    score = tables.Column(verbose_name=_("Weighted score (0–5)"), orderable=False, attrs={"td": {"class": "num"}})
    reviews = tables.Column(empty_values=(), verbose_name=_("Reviews done / expected"), orderable=False)
    spread = tables.Column(verbose_name=_("Spread"), orderable=False, attrs={"td": {"class": "num"}})
    requested = tables.Column(verbose_name=_("Requested"), orderable=False, attrs={"td": {"class": "num"}})
    running_total = tables.Column(verbose_name=_("Running total"), orderable=False, attrs={"td": {"class": "num"}})
    status = tables.Column(empty_values=(), verbose_name=_("Status"), orderable=False)

    class Meta:
        attrs = {"class": "ranking"}
        row_attrs = {"class": lambda record: "" if record.within_envelope else "over-envelope",
                     "id": lambda record: "envelope-line" if record.first_over else None}

    def __init__(self, *args, call, tenant_slug, selectable=False, **kwargs):
        self.call = call
        self.tenant_slug = tenant_slug
        super().__init__(*args, **kwargs)
        if not selectable:
            self.exclude = ("select",)

    def render_select(self, record):
        if record.application.status != ApplicationStatus.DECISION_PENDING:
            return ""
        return format_html('<input type="checkbox" name="applications" value="{}" aria-label="{}">',
                           record.application.pk, record.application.reference or record.application.pk)

    def render_rank(self, record):
        return record.rank

    def render_reference(self, record, value):
        url = reverse("grants:application_detail", kwargs={"tenant_slug": self.tenant_slug,
                                                    "application_pk": record.application.pk})
        return format_html('<a href="{}">{}</a>', url, value or record.application.pk)

    def render_organisation(self, record):
        return record.application.organisation.short_name

    def render_score(self, value):
        return value

    def render_reviews(self, record):
        return f"{record.reviews_done} / {record.reviews_expected}"

    def render_spread(self, record, value):
        if record.disputed:
            return format_html('<span class="badge bad" title="{}">{} ⚠</span>', _("Reviewers disagree"), value)
        return value

    def render_requested(self, value):
        return format_money(value, self.call.currency)

    def render_running_total(self, record, value):
        text = format_money(value, self.call.currency)
        if record.first_over:
            return format_html('{} <span class="badge bad">{}</span>', text, _("envelope exceeded"))
        if not record.within_envelope:
            return format_html('{} <span class="badge warn">{}</span>', text, _("over"))
        return text

    def render_status(self, record):
        return record.application.get_status_display()


# --- list rows written in one pass -------------------------------------------------------------------
# The application and review lists wrote their rows with a template loop: a {% url %}, a
# get_status_display() (which hashes every choice) and a dozen variable lookups per row were most
# of the page's time (issue 10). These write the same markup (tests/grants/test_list_rows.py checks
# them against the loops they replaced), for rows that are the objects or their blind views.

def _status_labels(choices) -> dict[str, str]:
    return {value: escape(label) for value, label in choices}


def application_rows_html(rows, *, tenant_slug: str, organisation_column: bool) -> SafeString:
    detail = pk_url_maker("grants:application_detail", "application_pk", tenant_slug=tenant_slug)
    labels = _status_labels(ApplicationStatus.choices)
    draft = _("draft")  # a translated literal: the template did not escape it either
    out = []
    for app in rows:
        organisation = f"<td>{escape(app.organisation.short_name)}</td>" if organisation_column else ""
        status = labels.get(app.status) or escape(app.get_status_display())
        reference = escape(app.reference) if app.reference else draft
        out.append(
            f'<tr>\n<td class="key"><a href="{escape(detail(app.pk))}">{reference}</a></td>\n'
            f"<td>{escape(app.title) if app.title else '—'}</td>{organisation}"
            f'<td class="secondary-col">{escape(app.call.title)}</td>\n'
            f'<td class="num">{escape(format_money(app.requested_amount, app.call.currency))}</td>'
            f'<td><span class="badge">{status}</span></td></tr>\n')
    return mark_safe("".join(out))  # noqa: S308 - every value went through escape()


def review_rows_html(rows, *, tenant_slug: str, reviewer_column: bool) -> SafeString:
    detail = pk_url_maker("grants:review_detail", "review_pk", tenant_slug=tenant_slug)
    labels = _status_labels(ReviewStatus.choices)
    out = []
    for review in rows:
        app = review.application
        deadline = date_filter(app.call.review_deadline, "SHORT_DATE_FORMAT") or "—"
        reviewer = f"<td>{escape(review.reviewer.display_name)}</td>" if reviewer_column else ""
        status = labels.get(review.status) or escape(review.get_status_display())
        out.append(
            f'<tr><td><a href="{escape(detail(review.pk))}">{escape(app.reference or app.pk)}</a> '
            f'{escape(app.title)}</td><td class="secondary-col">{escape(app.call.title)}</td>{reviewer}'
            f'<td><span class="badge">{status}</span></td><td>{escape(deadline)}</td></tr>\n')
    return mark_safe("".join(out))  # noqa: S308 - every value went through escape()
