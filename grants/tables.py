"""The ranking table of a call (django-tables2)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from relais.money import format_money

from .models import ApplicationStatus


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
