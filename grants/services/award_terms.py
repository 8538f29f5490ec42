"""The terms of an award before signature: title, period, budget and the tranche plan.

While the award is drafted a manager who is not linked to the grantee sets its terms in one save:
- the period: a start and an end date, the end after the start;
- the budget lines, in the award's currency, whose total is exactly the awarded amount (the refusal
  says by how much it differs);
- the tranche plan: percentages of the award (split exactly in the currency's minor unit by
  grants.tranches.split_amount) or an amount per tranche adding up exactly to the award; each tranche
  has a planned date (in order, within the award's period) and its conditions (grants.conditions).
Once the agreement is issued the terms are frozen: the manager withdraws the agreement first (the
award table's "reopen" step). The save is a compare-and-swap on the award's version (two tabs never
overwrite each other) and is audited with the tranche amounts before and after.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.audit import audit_record
from relais.concurrency import claim_version
from relais.errors import Refused
from relais.money import format_money, minor_unit_problem
from relais.permissions import require
from relais.validators import no_control_characters

from ..conditions import registered_conditions
from ..models import Award, AwardBudgetLine, AwardStatus, BudgetCategory, Tranche
from ..permissions import can_manage_award
from ..tranches import plan_problems, split_amount
from ..workflow import AWARD
from .awards import tranches_replace
from .common import same_tenant
from .reports import report_schedule_rebuild

PLAN_PERCENT = "percent"
PLAN_CUSTOM = "custom"
MAX_TRANCHES = 12
MAX_BUDGET_LINES = 60


@dataclass(frozen=True)
class BudgetLineTerms:
    category_id: int | None
    description: str
    amount: Decimal


@dataclass(frozen=True)
class TrancheTerms:
    due_date: date | None
    conditions: tuple[str, ...] = ()
    percent: Decimal | None = None  # for a percentage plan
    amount: Decimal | None = None  # for a plan of amounts


def difference_text(total: Decimal, amount: Decimal, currency: str) -> str:
    """“1 000 FCFA more than the award” / “… less than …”, for the budget and the tranches."""
    gap = total - amount
    if gap > 0:
        return _("%(gap)s more than the awarded amount") % {"gap": format_money(gap, currency)}
    return _("%(gap)s less than the awarded amount") % {"gap": format_money(-gap, currency)}


def _budget_problems(award: Award, lines: Sequence[BudgetLineTerms], tenant_id: int) -> list[str]:
    problems: list[str] = []
    if len(lines) > MAX_BUDGET_LINES:
        return [_("At most %(n)s budget lines.") % {"n": MAX_BUDGET_LINES}]
    ids = {line.category_id for line in lines if line.category_id is not None}
    known = set(BudgetCategory.objects.filter(tenant_id=tenant_id, pk__in=ids).values_list("pk", flat=True))
    if ids - known:
        raise Refused(_("This budget category belongs to another workspace."), forbidden=True)
    for number, line in enumerate(lines, start=1):
        if not line.description.strip() and line.category_id is None:
            problems.append(_("Budget line %(n)s: give a category or a description.") % {"n": number})
        try:
            no_control_characters(line.description)
        except ValidationError as exc:
            problems.extend(_("Budget line %(n)s: %(problem)s") % {"n": number, "problem": m} for m in exc.messages)
        if not line.amount.is_finite() or line.amount <= 0:
            problems.append(_("Budget line %(n)s: the amount must be above zero.") % {"n": number})
            continue
        unit = minor_unit_problem(line.amount, award.currency)
        if unit:
            problems.append(_("Budget line %(n)s: %(problem)s") % {"n": number, "problem": unit})
    if problems:
        return problems
    total = sum((line.amount for line in lines), Decimal(0))
    if total != award.amount:
        problems.append(_("The budget adds up to %(total)s: %(difference)s (%(amount)s). Adjust the lines so that "
                          "they add up exactly to the award.")
                        % {"total": format_money(total, award.currency),
                           "difference": difference_text(total, award.amount, award.currency),
                           "amount": format_money(award.amount, award.currency)})
    return problems


def _tranche_amounts(award: Award, plan: str, tranches: Sequence[TrancheTerms]) -> tuple[list[Decimal], list[str]]:
    """The tranche amounts of the plan, or the reasons it cannot be used."""
    if not tranches:
        return [], [_("Plan at least one tranche.")]
    if len(tranches) > MAX_TRANCHES:
        return [], [_("At most %(n)s tranches.") % {"n": MAX_TRANCHES}]
    if plan == PLAN_PERCENT:
        if any(t.percent is None for t in tranches):
            return [], [_("Give the share of the award (%) of every tranche.")]
        percents = [t.percent for t in tranches if t.percent is not None]
        problems = plan_problems(percents)
        if problems:
            return [], problems
        try:
            return split_amount(award.amount, percents, award.currency), []
        except Refused as exc:
            return [], list(exc.messages)
    if plan != PLAN_CUSTOM:
        return [], [_("Choose how the award is split: by percentages or by amounts.")]
    problems = []
    amounts = []
    for number, tranche in enumerate(tranches, start=1):
        value = tranche.amount
        if value is None or not value.is_finite() or value <= 0:
            problems.append(_("Tranche %(n)s: the amount must be above zero.") % {"n": number})
            continue
        unit = minor_unit_problem(value, award.currency)
        if unit:
            problems.append(_("Tranche %(n)s: %(problem)s") % {"n": number, "problem": unit})
            continue
        amounts.append(value)
    if problems:
        return [], problems
    total = sum(amounts, Decimal(0))
    if total != award.amount:
        return [], [_("The tranches add up to %(total)s: %(difference)s (%(amount)s).")
                    % {"total": format_money(total, award.currency),
                       "difference": difference_text(total, award.amount, award.currency),
                       "amount": format_money(award.amount, award.currency)}]
    return amounts, []


def _schedule_problems(tranches: Sequence[TrancheTerms], start: date | None, end: date | None) -> list[str]:
    problems = []
    known = {condition.code for condition in registered_conditions()}
    previous: date | None = None
    for number, tranche in enumerate(tranches, start=1):
        unknown = [code for code in tranche.conditions if code not in known]
        if unknown:
            problems.append(_("Tranche %(n)s: unknown condition %(codes)s.")
                            % {"n": number, "codes": ", ".join(unknown)})
        if tranche.due_date is None:
            problems.append(_("Tranche %(n)s: give its planned date.") % {"n": number})
            continue
        if end is not None and tranche.due_date > end:
            problems.append(_("Tranche %(n)s is planned after the end of the award (%(end)s).")
                            % {"n": number, "end": date_format(end, "SHORT_DATE_FORMAT")})
        if previous is not None and tranche.due_date < previous:
            problems.append(_("Tranche %(n)s is planned before tranche %(previous)s: list the tranches in order.")
                            % {"n": number, "previous": number - 1})
        previous = tranche.due_date
    return problems


def _tranche_rows(award: Award) -> list[Tranche]:
    return list(Tranche.objects.filter(tenant_id=award.tenant_id, award=award).order_by("number"))


def award_terms_save(*, award: Award, actor: Actor, expected_version: int | None = None, title: str,
                     start_date: date | None, end_date: date | None, budget_lines: Sequence[BudgetLineTerms],
                     plan: str, tranches: Sequence[TrancheTerms]) -> Award:
    """Save the terms of a drafted award (rules in the module's docstring). Refused with the problems by
    field (`title`, `start_date`, `end_date`, `budget`, `tranches`) and nothing written; Stale when the
    award was saved since `expected_version`."""
    same_tenant(actor, award)
    require(can_manage_award(actor, award))
    with transaction.atomic():
        locked = Award.objects.select_for_update().get(tenant=actor.tenant, pk=award.pk)
        if locked.status != AwardStatus.DRAFTED:
            reopen = next(t.label for t in AWARD.transitions if t.action == "reopen")
            raise Refused(_("The agreement of this award is “%(status)s”: its terms can no longer change. "
                            "A manager can “%(step)s” first.")
                          % {"status": locked.get_status_display(), "step": reopen})
        claim_version(locked, expected=expected_version)
        problems: dict[str, list[str]] = {}
        title = title.strip()
        if not title:
            problems["title"] = [_("Give the project a title.")]
        else:
            try:
                no_control_characters(title)
            except ValidationError as exc:
                problems["title"] = list(exc.messages)
        if start_date is None:
            problems["start_date"] = [_("Give the start date.")]
        if end_date is None:
            problems["end_date"] = [_("Give the end date.")]
        elif start_date is not None and end_date <= start_date:
            problems["end_date"] = [_("The award must end after it starts.")]
        budget = _budget_problems(locked, budget_lines, actor.tenant.pk)
        if budget:
            problems["budget"] = budget
        amounts, plan_issues = _tranche_amounts(locked, plan, tranches)
        plan_issues += _schedule_problems(tranches, start_date, end_date)
        if plan_issues:
            problems["tranches"] = plan_issues
        if problems:
            raise Refused(ValidationError(problems))

        old_tranches = _tranche_rows(locked)
        before: dict[str, Any] = {"tranches": [t.amount for t in old_tranches]}
        after: dict[str, Any] = {"tranches": amounts}
        for name, value in (("title", title), ("start_date", start_date), ("end_date", end_date)):
            if getattr(locked, name) != value:
                before[name], after[name] = getattr(locked, name), value
                setattr(locked, name, value)
        old_lines = list(AwardBudgetLine.objects.filter(tenant_id=locked.tenant_id, award=locked).order_by("id"))
        new_lines = [(line.category_id, line.description.strip(), line.amount) for line in budget_lines]
        if [(line.category_id, line.description, line.amount) for line in old_lines] != new_lines:
            before["budget"] = [line.amount for line in old_lines]
            after["budget"] = [amount for _category, _description, amount in new_lines]
            AwardBudgetLine.objects.filter(tenant_id=locked.tenant_id, award=locked).delete()
            AwardBudgetLine.objects.bulk_create([
                AwardBudgetLine(tenant_id=locked.tenant_id, award=locked, category_id=category_id,
                                description=description, amount=amount)
                for category_id, description, amount in new_lines])
        before["due_dates"] = [t.due_date for t in old_tranches]
        after["due_dates"] = [t.due_date for t in tranches]
        tranches_replace(award=locked, amounts=amounts, tenant=actor.tenant,
                         due_dates=[t.due_date for t in tranches], conditions=[list(t.conditions) for t in tranches])
        locked.save(update_fields=["title", "start_date", "end_date", "version", "updated_at"])
        report_schedule_rebuild(award=locked, actor=actor)  # the reports follow the new tranches and dates
        audit_record(tenant=actor.tenant, actor=actor.user, action="award.terms_saved", target=locked,
                     before=before, after=after)
    award.refresh_from_db()
    return award
