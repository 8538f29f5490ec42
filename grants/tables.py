"""The ranking table of a call (django-tables2), and the rows of the application and review lists."""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

import django_tables2 as tables
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from relais.audit_describe import datetime_writer
from relais.links import pk_url_maker
from relais.money import Currency, format_money, money_writer
from relais.widgets import choice_labels
from relais.widgets import fast_escape as escape

from .models import ApplicationStatus, AwardStatus, Rail, ReportKind, ReportStatus, ReportTiming, ReviewStatus


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

def application_rows_html(rows, *, tenant_slug: str, organisation_column: bool) -> SafeString:
    detail = pk_url_maker("grants:application_detail", "application_pk", tenant_slug=tenant_slug)
    labels = choice_labels(ApplicationStatus)
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
    labels = choice_labels(ReviewStatus)
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


# --- the money lists: the award list, the finance page ---------------------------------------------
# Their filter form and rows were template loops (a {% url %}, a get_status_display() and four money
# filters per row); tests/grants/test_money_rows.py compares these with the loops they replaced.

def _truncated(text: str, length: int) -> str:
    """``|truncatechars:length``: a text it would leave as it is (no longer than ``length``, already in the NFC
    form it writes) is not walked character by character through a Truncator."""
    if len(text) <= length and unicodedata.is_normalized("NFC", text):
        return text
    return Truncator(text).chars(length)


def award_filters_html(*, filters, calls, regions) -> SafeString:
    """The award list's and the finance page's filter form (it was grants/_award_filters.html)."""
    def options(choices, chosen) -> str:
        return "".join(f'<option value="{escape(value)}"{" selected" if value == chosen else ""}>{label}</option>'
                       for value, label in choices)

    every = escape(_("All"))
    parts = [
        '<form method="get" class="filters">\n',
        f'<div class="field"><label for="q">{escape(_("Search"))}</label><input type="search" name="q" id="q" '
        f'value="{escape(filters.q)}" maxlength="200" placeholder="{escape(_("Reference or organisation"))}"></div>\n',
    ]
    if calls:
        parts.append(f'<div class="field"><label for="call">{escape(_("Call"))}</label><select name="call" id="call">'
                     f'<option value="">{every}</option>'
                     + options([(c.pk, escape(_truncated(c.title, 60))) for c in calls], filters.call)
                     + "</select></div>")
    parts.append("\n")
    if regions:
        parts.append(f'<div class="field"><label for="region">{escape(_("Region"))}</label><select name="region" '
                     f'id="region"><option value="">{every}</option>'
                     + options([(r.pk, escape(r.name)) for r in regions], filters.region) + "</select></div>")
    parts.append("\n")
    parts.append(f'<div class="field"><label for="currency">{escape(_("Currency"))}</label><select name="currency" '
                 f'id="currency"><option value="">{every}</option>'
                 + options([(value, escape(value)) for value in Currency.values], filters.currency)
                 + "</select></div>\n")
    parts.append(f'<div class="field"><label for="status">{escape(_("Status"))}</label><select name="status" '
                 f'id="status"><option value="">{every}</option>'
                 + options([(value, escape(label)) for value, label in AwardStatus.choices], filters.status)
                 + "</select></div>\n")
    parts.append(f'<button type="submit" class="secondary">{escape(_("Filter"))}</button></form>\n')
    return mark_safe("".join(parts))  # noqa: S308 - every value went through escape()


def award_rows_html(rows, *, tenant_slug: str) -> SafeString:
    """The award list's rows."""
    detail = pk_url_maker("grants:award_detail", "award_pk", tenant_slug=tenant_slug)
    labels = choice_labels(AwardStatus)
    money = money_writer(html=True)  # escaped as it is written
    out = []
    for award in rows:
        currency = award.currency
        status = labels.get(award.status) or escape(award.get_status_display())
        out.append(
            f'<tr>\n<td class="key"><a href="{escape(detail(award.pk))}">{escape(award.reference)}</a></td>\n'
            f'<td>{escape(award.organisation.short_name)}</td>'
            f'<td class="secondary-col">{escape(award.call.title)}</td>\n'
            f'<td class="num">{money(award.amount, currency)}</td>'
            f'<td class="num secondary-col">{money(award.paid, currency)}</td>'
            f'<td><span class="badge">{status}</span></td></tr>\n')
    return mark_safe("".join(out))  # noqa: S308 - every value went through escape()


def finance_award_rows_html(rows, *, tenant_slug: str) -> SafeString:
    """The finance page's awards with their money (grants.selectors.finance.FinanceAwardRow)."""
    detail = pk_url_maker("grants:award_detail", "award_pk", tenant_slug=tenant_slug)
    labels = choice_labels(AwardStatus)
    money = money_writer(html=True)  # escaped as it is written
    out = []
    for award in rows:
        currency = award.currency
        status = labels.get(award.status) or escape(award.status)  # get_status_display() of a value not a choice
        out.append(
            f'<tr><td class="key"><a href="{escape(detail(award.pk))}">{escape(award.reference)}</a></td>'
            f'<td>{escape(award.organisation_short_name)}</td>'
            f'<td class="secondary-col">{escape(award.region_name) if award.region_name else "—"}</td>\n'
            f'<td class="num secondary-col">{money(award.amount, currency)}</td>'
            f'<td class="num secondary-col">{money(award.committed, currency)}</td>'
            f'<td class="num">{money(award.paid, currency)}</td>'
            f'<td class="num">{money(award.remaining, currency)}</td>'
            f'<td class="secondary-col"><span class="badge">{status}</span></td></tr>\n')
    return mark_safe("".join(out))  # noqa: S308 - every value went through escape()


def tranche_rows_html(rows, *, tenant_slug: str) -> SafeString:
    """The finance page's tranches to pay (TrancheToPay rows), with the conditions not met."""
    detail = pk_url_maker("grants:award_detail", "award_pk", tenant_slug=tenant_slug)
    ready = f'<span class="badge ok">{escape(_("Ready to pay"))}</span>'
    not_ready = f'<span class="badge warn">{escape(_("Not ready"))}</span>'
    colon = "\u00a0:" if (get_language() or "").startswith("fr") else ":"
    money = money_writer(html=True)  # escaped as it is written
    day = datetime_writer("d/m/Y")
    out = []
    for row in rows:
        tranche = row.tranche
        award = tranche.award
        due = (f' <span class="muted">{escape(day(tranche.due_date))}</span>'
               if tranche.due_date else "")
        problems = row.problems
        if problems:
            items = "".join(f'<li>{escape(c.label)}{colon} <span class="muted">{escape(c.problem)}</span></li>'
                            for c in problems)
            state = f'{not_ready}<ul class="conditions">{items}</ul>'
        else:
            state = ready
        out.append(
            f'<tr>\n<td class="key"><a href="{escape(detail(award.pk))}#tranches">{escape(award.reference)}</a></td>'
            f'<td class="secondary-col">{escape(award.organisation.short_name)}</td>\n'
            f'<td>{tranche.number}{due}</td>'
            f'<td class="num">{money(tranche.remaining, award.currency)}</td>\n'
            f"<td>{state}</td></tr>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value went through escape()


def awaiting_rows_html(payments, *, tenant_slug: str, user_pk: int | None) -> SafeString:
    """The finance page's payments awaiting a second approval (grants.selectors.finance.PaymentRow)."""
    detail = pk_url_maker("grants:award_detail", "award_pk", tenant_slug=tenant_slug)
    mine = escape(_("You (another finance member approves)"))
    money = money_writer(html=True)  # escaped as it is written
    out = []
    for payment in payments:
        if payment.recorded_by_id == user_pk:
            recorder = mine
        else:
            recorder = escape(payment.recorder_display_name or "—") if payment.recorded_by_id else "—"
        out.append(
            f'<tr><td class="key"><a href="{escape(detail(payment.award_id))}#payments">'
            f'{escape(payment.award_reference)}</a> '
            f'<span class="muted">{escape(payment.organisation_short_name)}</span></td>\n'
            f'<td>{payment.tranche_number}</td><td class="num">{money(payment.amount, payment.currency)}'
            f'</td>\n<td class="secondary-col">{recorder}</td></tr>\n')
    return mark_safe("".join(out))  # noqa: S308 - every value went through escape()


def processing_rows_html(rows, *, tenant_slug: str, can_resend: bool, max_send_attempts: int,
                         csrf_token: Any) -> SafeString:
    """The finance page's payments at a provider (ProcessingRow of a grants.selectors.finance.PaymentRow), with why
    a Stripe payment was not sent and finance's actions on it. ``csrf_token``: the template context's (read only
    if a form is written)."""
    detail = pk_url_maker("grants:award_detail", "award_pk", tenant_slug=tenant_slug)
    rails = choice_labels(Rail)
    money = money_writer(html=True)  # escaped as it is written
    minute = datetime_writer("d/m/Y H:i")  # of the time in the current time zone, as the template showed it
    out = []
    for row in rows:
        payment = row.payment
        rail = rails.get(payment.rail) or escape(payment.rail)  # get_rail_display() of a value not a choice
        if row.not_sent:
            attempts = payment.send_attempts
            if payment.send_stalled_at:
                when = escape(minute(localtime(payment.send_stalled_at)))
                why = ngettext("Stripe did not answer %(n)s attempt; Relais stopped trying on %(date)s.",
                               "Stripe did not answer %(n)s attempts; Relais stopped trying on %(date)s.",
                               attempts) % {"n": attempts, "date": when}
            elif attempts:
                why = gettext("Attempt %(n)s of %(max)s failed; Relais will try again.") % {
                    "n": attempts, "max": max_send_attempts}
            else:
                why = gettext("No answer from Stripe yet.")
            actions = ""
            if can_resend:
                token = (format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token)
                         if csrf_token and csrf_token != "NOTPROVIDED" else "")
                mark = ""
                if payment.send_stalled_at:
                    mark = (f' <a class="button secondary" href="{escape(_mark_not_sent(tenant_slug, payment.pk))}">'
                            f'{gettext("Mark failed…")}</a>')
                actions = (f'<span class="actions"><form method="post" action="'
                           f'{escape(_send_again(tenant_slug, payment.pk))}" class="inline">{token}<button '
                           f'type="submit" class="secondary">{gettext("Try again")}</button></form>{mark}</span>')
            rail = (f'{rail} <span class="badge warn">{gettext("Not sent yet")}</span>\n'
                    f'<br><small class="muted">{why}</small>\n{actions}')
        out.append(
            f'<tr><td class="key"><a href="{escape(detail(payment.award_id))}#payments">'
            f'{escape(payment.award_reference)}</a></td>\n<td>{rail}</td>\n'
            f'<td class="num">{money(payment.amount, payment.currency)}</td><td class="secondary-col">'
            f'{escape(minute(localtime(payment.created_at)))}</td></tr>\n')
    return mark_safe("".join(out))  # noqa: S308 - every value went through escape()


# --- the finance page's sections ----------------------------------------------------------------------
# Around the row writers, the five sections were template text: forty {% translate %} tags (~12 µs each: a
# lazy string resolved, localised and checked for escaping), the totals' loop with four money filters a row and
# the pagination's include (issue 10). Their fixed markup is written once per language, translations being
# fixed while a worker runs; like the template, it writes a translated literal as it is and escapes values.
# tests/grants/test_money_rows.py compares the page with the template it replaced, byte for byte.

def _head(*columns: tuple[str, str]) -> str:
    cells = []
    for css, label in columns:
        attribute = f' class="{css}"' if css else ""
        cells.append(f'<th scope="col"{attribute}>{label}</th>')
    return f'<div class="table-wrap"><table><thead><tr>{"".join(cells)}</tr></thead><tbody>\n'


@functools.cache
def _finance_fixed(language: str | None) -> dict[str, str]:
    """The finance page's fixed markup in ``language`` (the active one, which keys the cache): each section's
    opening (title, introduction, table head), its row when it has none and its note when it has more."""
    _ = gettext  # translated now, in the language the cache is keyed by
    note = '<p class="muted">{}</p>'.format
    return {
        "totals": (f'<section class="card" id="totals"><h2>{_("Totals per currency")}</h2>\n<p class="muted">'
                   f'{_("Each currency is added up on its own: amounts in different currencies are never summed.")}'
                   "</p>\n" + _head(("", _("Currency")), ("num secondary-col", _("Awards")), ("num", _("Awarded")),
                                    ("num", _("Committed")), ("num", _("Paid")), ("num", _("Remaining")))),
        "no_award": f'<tr><td colspan="{{}}">{_("No award matches these filters.")}</td></tr>',
        "to_pay": (f'<section class="card" id="to-pay"><h2>{_("Tranches to pay")}</h2>\n<p class="muted">'
                   + _("Tranches of active awards with money left on them, soonest due first; a tranche is ready when "
                       "all its conditions are met.") + "</p>\n"
                   + _head(("key", _("Award")), ("secondary-col", _("Organisation")), ("", _("Tranche")),
                           ("num", _("Left to pay")), ("", _("Ready?")))),
        "no_tranche": f'<tr><td colspan="5">{_("No tranche to pay.")}</td></tr>',
        "more_tranches": note(_("More tranches are waiting: narrow the filters to see them.")),
        "awaiting": (f'<section class="card" id="awaiting"><h2>{_("Payments awaiting second approval")}</h2>\n'
                     + _head(("key", _("Award")), ("", _("Tranche")), ("num", _("Amount")),
                             ("secondary-col", _("Recorded by")))),
        "no_awaiting": f'<tr><td colspan="4">{_("No payment awaits approval.")}</td></tr>',
        "more_awaiting": note(_("More payments are waiting: narrow the filters to see them.")),
        "processing": (f'<section class="card" id="processing"><h2>{_("Automated payments processing")}</h2>\n'
                       f'<p class="muted">{_("Sent through Stripe or HUB2 and not confirmed by the provider yet.")}'
                       "</p>\n" + _head(("key", _("Award")), ("", _("Payment method")), ("num", _("Amount")),
                                        ("secondary-col", _("Sent on")))),
        "no_processing": f'<tr><td colspan="4">{_("No payment in progress.")}</td></tr>',
        "more_processing": note(_("More payments are in progress: narrow the filters to see them.")),
        "awards": (f'<section class="card" id="awards"><h2>{_("Awards")}</h2>\n'
                   + _head(("key", _("Reference")), ("", _("Organisation")), ("secondary-col", _("Region")),
                           ("num secondary-col", _("Awarded")), ("num secondary-col", _("Committed")),
                           ("num", _("Paid")), ("num", _("Remaining")), ("secondary-col", _("Status")))),
    }


def totals_rows_html(totals) -> str:
    """The finance page's totals per currency (grants.selectors.finance.CurrencyTotal)."""
    money = money_writer(html=True)  # escaped as it is written
    out = []
    for total in totals:
        currency = total.currency
        out.append(
            f'<tr><th scope="row">{escape(currency)}</th><td class="num secondary-col">{escape(localize(total.awards))}'
            f'</td><td class="num">{money(total.amount, currency)}</td><td class="num">'
            f'{money(total.committed, currency)}</td><td class="num">{money(total.paid, currency)}'
            f'</td><td class="num">{money(total.remaining, currency)}</td></tr>\n')
    return "".join(out)


def finance_sections_html(*, totals, tranche_rows: str, more_tranches: bool, awaiting_rows: str,
                          more_awaiting: bool, processing_rows: str, more_processing: bool, award_rows: str,
                          pagination: str) -> SafeString:
    """The finance page's five sections (what templates/grants/finance.html held from the totals to the awards):
    the rows come written (the writers above, relais.pagination.pagination_html)."""
    fixed = _finance_fixed(get_language())
    end = "\n</tbody></table></div>"
    sections = (
        f"{fixed['totals']}{totals_rows_html(totals) or fixed['no_award'].format(6)}{end}</section>",
        f"{fixed['to_pay']}{tranche_rows or fixed['no_tranche']}{end}"
        f"{fixed['more_tranches'] if more_tranches else ''}</section>",
        f"{fixed['awaiting']}{awaiting_rows or fixed['no_awaiting']}{end}"
        f"{fixed['more_awaiting'] if more_awaiting else ''}</section>",
        f"{fixed['processing']}{processing_rows or fixed['no_processing']}{end}"
        f"{fixed['more_processing'] if more_processing else ''}</section>",
        f"{fixed['awards']}{award_rows or fixed['no_award'].format(8)}{end}\n{pagination}</section>",
    )
    return mark_safe("\n\n".join(sections))  # noqa: S308 - values escaped by the row writers and above


def _send_again(tenant_slug: str, pk: int) -> str:
    return reverse("grants:disbursement_send_again", kwargs={"tenant_slug": tenant_slug, "disbursement_pk": pk})


def _mark_not_sent(tenant_slug: str, pk: int) -> str:
    return reverse("grants:disbursement_mark_not_sent", kwargs={"tenant_slug": tenant_slug, "disbursement_pk": pk})


def report_filters_html(*, filters, calls, regions) -> SafeString:
    """The workspace's report list's filter form."""
    def select(name: str, label: Any, options: str) -> str:
        return (f'<div class="field"><label for="f-{name}">{escape(label)}</label><select name="{name}" '
                f'id="f-{name}"><option value="">{escape(_("All"))}</option>{options}</select></div>\n')

    def options(choices, chosen) -> str:
        return "".join(f'<option value="{escape(value)}"{" selected" if value == chosen else ""}>{escape(label)}'
                       f"</option>" for value, label in choices)

    overdue = f'<option value="overdue"{" selected" if filters.overdue else ""}>{escape(_("Overdue"))}</option>'
    return mark_safe(  # noqa: S308 - every value went through escape()
        '<form method="get" class="filters">\n'
        + select("status", _("Status"), options(ReportStatus.choices, filters.status))
        + select("timing", _("Timing"), overdue)
        + select("call", _("Call"), options([(c.pk, c.title) for c in calls], filters.call_id))
        + select("region", _("Region"), options([(r.pk, r.name) for r in regions], filters.region_id))
        + f'<button type="submit" class="secondary">{escape(_("Filter"))}</button></form>')


def report_rows_html(rows, *, tenant_slug: str, today) -> SafeString:
    """The workspace's report list's rows (managers and finance: grants.selectors.reports.ReportRow), with
    the timing of those to write."""
    detail = pk_url_maker("grants:report_detail", "progressreport_pk", tenant_slug=tenant_slug)
    kinds = choice_labels(ReportKind)
    statuses = choice_labels(ReportStatus)
    timings = {ReportTiming.OVERDUE: f'<span class="badge warn">{escape(_("Overdue"))}</span>',
               ReportTiming.DUE: f'<span class="badge">{escape(_("Due"))}</span>',
               ReportTiming.UPCOMING: f'<span class="badge">{escape(_("Upcoming"))}</span>'}
    out = []
    for row in rows:
        where = f' <span class="muted">{escape(row.region_name)}</span>' if row.region_id is not None else ""
        kind = kinds.get(row.kind) or escape(row.kind)
        status = statuses.get(row.status) or escape(row.status)
        timing = timings.get(row.timing(today), "")  # type: ignore[call-overload]
        out.append(
            f'<tr><td class="key"><a href="{escape(detail(row.pk))}">{kind} {row.number}</a></td>\n'
            f"<td>{escape(row.organisation_short_name)}{where}</td>"
            f'<td class="secondary-col">{escape(row.award_reference or row.award_title)}</td>'
            f'<td>{escape(date_filter(row.due_date, "d/m/Y"))}</td>\n'
            f'<td><span class="badge">{status}</span> {timing}\n</td></tr>\n')
    return mark_safe("".join(out))  # noqa: S308 - every value went through escape()
