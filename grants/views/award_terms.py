"""The award terms page: title, period, budget and tranche plan of a drafted award, before signature."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.concurrency import Stale, Stamp, save_versioned
from relais.errors import Refused

from ..forms_terms import kept_rows, terms_forms
from ..models import Award
from ..permissions import can_manage_award
from ..selectors import award_terms as terms_selectors
from ..selectors import awards as award_selectors
from ..services.award_terms import BudgetLineTerms, TrancheTerms, award_terms_save, difference_text

FORMSET_PROBLEMS = ("budget", "tranches")


def _forms(actor: Actor, award: Award, data: Any = None) -> tuple[Any, Any, Any]:
    return terms_forms(award=award, lines=terms_selectors.award_budget_lines(award=award),
                       tranches=award_selectors.award_tranches(award=award),
                       categories=terms_selectors.terms_categories(actor=actor, award=award), data=data)


def _budget_summary(award: Award, lines: list[Any]) -> str:
    total = sum((line.amount for line in lines), Decimal(0))
    if total == award.amount:
        return ""
    return difference_text(total, award.amount, award.currency)


def _save(award: Award, actor: Actor, form: Any, lines: Any, tranches: Any, expected: int | None) -> Award:
    data = form.cleaned_data
    return award_terms_save(
        award=award, actor=actor, expected_version=expected, title=data["title"], start_date=data["start_date"],
        end_date=data["end_date"], plan=data["plan"],
        budget_lines=[BudgetLineTerms(category_id=getattr(row.cleaned_data.get("category"), "pk", None),
                                      description=row.cleaned_data.get("description") or "",
                                      amount=row.cleaned_data.get("amount") or Decimal(0))
                      for row in kept_rows(lines)],
        tranches=[TrancheTerms(due_date=row.cleaned_data.get("due_date"),
                               conditions=tuple(row.cleaned_data.get("conditions") or ()),
                               percent=row.cleaned_data.get("percent"), amount=row.cleaned_data.get("amount"))
                  for row in kept_rows(tranches)],
    )


def award_terms(request: HttpRequest, award_pk: int) -> HttpResponse:
    """GET: the terms as saved; POST: save them (two tabs: 409 with both sides; errors keep what was typed)."""
    actor = request.actor
    award = award_selectors.access_award(actor=actor, pk=award_pk)
    can_manage_award(actor, award).raise_if_denied()
    if request.method != "POST" and not award.is_editable:
        messages.info(request, _("The agreement was issued: withdraw it to change the terms."))
        return redirect("grants:award_detail", tenant_slug=actor.tenant.slug, award_pk=award.pk)
    data = request.POST if request.method == "POST" else None
    form, lines, tranches = _forms(actor, award, data)
    stamp = Stamp.posted(request.POST) if data is not None else Stamp.of(award.version, [form, lines, tranches])
    stale: Stale | None = None
    problems: dict[str, list[str]] = {}

    def current() -> tuple[int, list[Any]]:
        fresh = award_selectors.access_award(actor=actor, pk=award.pk)
        return fresh.version, list(_forms(actor, fresh))

    if data is not None and form.is_valid() and lines.is_valid() and tranches.is_valid():
        try:
            save_versioned(stamp=stamp, data=request.POST, posted=[form, lines, tranches], current=current,
                           save=lambda expected: _save(award, actor, form, lines, tranches, expected))
        except Stale as exc:
            stale, stamp = exc, exc.stamp or stamp
            form, lines, tranches = _forms(actor, award_selectors.access_award(actor=actor, pk=award.pk), exc.data)
        except Refused as exc:
            if hasattr(exc, "error_dict"):
                problems = {key: exc.error_dict.pop(key) for key in FORMSET_PROBLEMS if key in exc.error_dict}
                problems = {key: [m for error in errors for m in error.messages] for key, errors in problems.items()}
            if not hasattr(exc, "error_dict") or exc.error_dict:
                form.add_error(None, exc)
        else:
            messages.success(request, _("The terms of the award were saved."))
            return redirect("grants:award_detail", tenant_slug=actor.tenant.slug, award_pk=award.pk)
    saved_lines = terms_selectors.award_budget_lines(award=award)
    return render(request, "grants/award_terms.html", {
        "award": award, "form": form, "lines": lines, "tranches": tranches, "stamp": stamp, "stale": stale,
        "budget_problems": problems.get("budget", []), "tranche_problems": problems.get("tranches", []),
        "budget_total": sum((line.amount for line in saved_lines), Decimal(0)),
        "budget_gap": _budget_summary(award, saved_lines),
    }, status=409 if stale else 200)
