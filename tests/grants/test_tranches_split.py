"""split_amount, for any amount and plan: the tranches add up to the total, each in the currency's minor
unit and above zero, or the split is refused."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from grants.tranches import split_amount
from relais.errors import Refused
from relais.money import minor_unit


@st.composite
def plans(draw):
    """Percentages adding up to exactly 100, with up to two decimals (e.g. 33.33 / 33.33 / 33.34)."""
    n = draw(st.integers(min_value=1, max_value=8))
    cuts = sorted(draw(st.lists(st.integers(min_value=0, max_value=10000), min_size=n - 1, max_size=n - 1)))
    bounds = [0, *cuts, 10000]
    return [Decimal(b - a) / 100 for a, b in zip(bounds, bounds[1:], strict=False)]


@st.composite
def totals(draw, currency):
    places = minor_unit(currency)
    units = draw(st.integers(min_value=1, max_value=10**12))
    return Decimal(units).scaleb(-places)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), currency=st.sampled_from(["XOF", "EUR"]))
def test_a_split_adds_up_exactly_in_minor_units_or_is_refused(data, currency):
    plan = data.draw(plans())
    total = data.draw(totals(currency))
    unit = Decimal(1).scaleb(-minor_unit(currency))
    if any(p <= 0 for p in plan):
        try:
            split_amount(total, plan, currency)
        except Refused:
            return
        raise AssertionError("a plan with a zero tranche was accepted")
    try:
        parts = split_amount(total, plan, currency)
    except Refused:
        # Refused only when some tranche would round to nothing: fewer units than it takes.
        assert any(total * p / 100 < unit for p in plan)
        return
    assert sum(parts) == total
    assert len(parts) == len(plan)
    assert all(part > 0 and part == part.quantize(unit) for part in parts)
    # Each tranche is within one minor unit of its exact share.
    assert all(abs(part - total * p / 100) < unit for part, p in zip(parts, plan, strict=True))


@given(currency=st.sampled_from(["XOF", "EUR"]), plan=plans())
def test_a_total_with_more_decimals_than_the_currency_is_refused(currency, plan):
    total = Decimal("1000.005") if currency == "EUR" else Decimal("1000.5")
    try:
        split_amount(total, plan, currency)
    except Refused:
        return
    raise AssertionError("an amount with too many decimals was split")
