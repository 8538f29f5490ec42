"""Splitting an award into tranches: exact, in the currency's minor unit, never float."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal

from django.utils.translation import gettext as _

from relais.errors import Refused
from relais.money import minor_unit


def plan_problems(percents: Sequence[Decimal | int | str]) -> list[str]:
    """Why a tranche plan (percentages) is not usable, in the reader's language."""
    try:
        values = [Decimal(str(p)) for p in percents]
    except ArithmeticError:
        return [_("Each tranche is a percentage, for example 40.")]
    if not values:
        return [_("A tranche plan has at least one tranche.")]
    if any(not value.is_finite() or value <= 0 for value in values):
        return [_("Each tranche is a percentage above zero.")]
    if sum(values) != 100:
        return [_("The tranches add up to %(total)s %%, not 100 %%.") % {"total": sum(values)}]
    return []


def split_amount(total: Decimal, percents: Sequence[Decimal | int | str], currency: str) -> list[Decimal]:
    """Split ``total`` by ``percents`` (adding up to 100) into amounts in the currency's minor unit that add
    up exactly to ``total``: each share is rounded down to the minor unit, and the units left over go one
    each to the tranches with the largest remainders (the earliest first on a tie). Refused when the
    plan is not valid or a tranche would be zero (an amount too small for that many tranches)."""
    problems = plan_problems(percents)
    if problems:
        raise Refused(problems)
    unit = Decimal(1).scaleb(-minor_unit(currency))
    if total != total.quantize(unit) or total <= 0:
        raise Refused(_("The amount to split is not a positive amount in %(currency)s.") % {"currency": currency})
    units = int(total / unit)
    exact = [Decimal(units) * Decimal(str(p)) / 100 for p in percents]
    floors = [int(value.to_integral_value(rounding=ROUND_FLOOR)) for value in exact]
    left = units - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    if any(value == 0 for value in floors):
        raise Refused(_("The amount is too small to be split into %(n)s tranches.") % {"n": len(floors)})
    return [Decimal(value) * unit for value in floors]
