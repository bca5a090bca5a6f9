"""The pricing function's figures, for any lines, rates, discounts and settings:
they add up, they round as the written rules say, and they never go negative.

Each rule is checked against a plain restatement in Decimal arithmetic with
ROUND_HALF_UP (what a person does with a calculator), not against the code's
own integer tricks.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.orders.pricing import (
    Discount,
    Line,
    OutsideBand,
    Rate,
    Setting,
    discount_of,
    divide,
    price,
    split,
    tax_of,
)

CENTS = st.integers(min_value=0, max_value=99_999_999_99)
RATES = st.integers(min_value=0, max_value=100_00)  # hundredths of a percent
CLASSES = st.sampled_from(["standard", "reduced", "zero"])


def by_hand(numerator: int, denominator: int) -> int:
    """numerator / denominator to the cent, half up, as a calculator and a person would."""
    quotient = Decimal(numerator) / Decimal(denominator)
    exact = Fraction(numerator, denominator)
    rounded = int(quotient.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    # Decimal's 28 digits are plenty for these sizes; the Fraction proves it.
    assert abs(Fraction(rounded) - exact) <= Fraction(1, 2)
    return rounded


lines_st = st.lists(
    st.builds(
        Line,
        unit_cents=st.integers(min_value=0, max_value=1_000_000_00),
        quantity=st.integers(min_value=1, max_value=10_000),
        tax_class=CLASSES,
        eligible=st.booleans(),
    ),
    min_size=1,
    max_size=100,
)
rate_st = st.none() | st.builds(
    Rate,
    price_cents=st.integers(min_value=0, max_value=100_000_00),
    min_subtotal_cents=st.none(),
    max_subtotal_cents=st.none(),
    free_over_cents=st.none() | st.integers(min_value=0, max_value=1_000_000_00),
)
discount_st = st.none() | st.one_of(
    st.builds(Discount, kind=st.just("percentage"), value=st.integers(min_value=1, max_value=100_00)),
    st.builds(Discount, kind=st.just("fixed"), value=CENTS),
    st.builds(Discount, kind=st.just("free_shipping"), value=st.just(0)),
)
setting_st = st.builds(Setting, tax_rates=st.dictionaries(CLASSES, RATES, max_size=3), prices_include_tax=st.booleans())


@given(numerator=st.integers(min_value=0, max_value=10**22), denominator=st.integers(min_value=1, max_value=20_000))
def test_division_rounds_half_up_to_the_cent(numerator: int, denominator: int) -> None:
    assert divide(numerator, denominator) == by_hand(numerator, denominator)


@given(base=CENTS, rate=RATES)
def test_tax_is_the_written_formula(base: int, rate: int) -> None:
    percent = Decimal(rate) / 100
    added = (Decimal(base) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    contained = (Decimal(base) * percent / (100 + percent)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert tax_of(base, rate, included=False) == added
    assert tax_of(base, rate, included=True) == contained
    assert 0 <= tax_of(base, rate, included=True) <= base


@given(
    amount_share=st.fractions(min_value=0, max_value=1),
    weights=st.lists(st.integers(min_value=0, max_value=1_000_000), min_size=1, max_size=50),
)
def test_a_split_is_the_largest_remainder_one(amount_share: Fraction, weights: list[int]) -> None:
    amount = int(amount_share * sum(weights))
    shares = split(amount, weights)
    assert sum(shares) == amount
    assert all(0 <= share <= weight for share, weight in zip(shares, weights, strict=True))
    if sum(weights):
        quotas = [Fraction(amount * weight, sum(weights)) for weight in weights]
        floors = [int(quota) for quota in quotas]
        extra = [share - floor for share, floor in zip(shares, floors, strict=True)]
        assert set(extra) <= {0, 1}  # every share is its quota rounded down or up
        given_cent = [i for i, e in enumerate(extra) if e]
        kept = [i for i, e in enumerate(extra) if not e]
        # Nobody left without the cent has a larger remainder, or an equal one and an earlier place.
        for winner in given_cent:
            for loser in kept:
                won = quotas[winner] - floors[winner]
                lost = quotas[loser] - floors[loser]
                assert won > lost or (won == lost and winner < loser)


@given(lines=lines_st, rate=rate_st, setting=setting_st, discount=discount_st)
def test_the_figures_always_add_up(
    lines: list[Line], rate: Rate | None, setting: Setting, discount: Discount | None
) -> None:
    priced = price(lines, rate, setting, discount)
    included = setting.prices_include_tax
    assert priced.subtotal == sum(line.unit_cents * line.quantity for line in lines)
    assert priced.discount == sum(line.discount for line in priced.lines)
    assert priced.tax == sum(line.tax for line in priced.lines) + priced.shipping_tax
    assert priced.total == sum(line.total for line in priced.lines) + priced.shipping + (
        0 if included else priced.shipping_tax
    )
    assert priced.total == priced.subtotal - priced.discount + priced.shipping + (0 if included else priced.tax)
    for line, figures in zip(lines, priced.lines, strict=True):
        assert figures.subtotal == line.unit_cents * line.quantity
        assert 0 <= figures.discount <= figures.subtotal
        assert figures.discount == 0 or line.eligible
        assert figures.tax >= 0
        assert figures.tax_rate == setting.tax_rates.get(line.tax_class, 0)
        net = figures.subtotal - figures.discount
        assert figures.total == (net if included else net + figures.tax)
    assert priced.shipping_tax >= 0
    assert 0 <= priced.discount <= sum(f.subtotal for f, line in zip(priced.lines, lines, strict=True) if line.eligible)


@given(lines=lines_st, rate=rate_st, discount=discount_st, classes=st.lists(CLASSES, max_size=3))
def test_at_zero_rates_prices_with_and_without_tax_agree(
    lines: list[Line], rate: Rate | None, discount: Discount | None, classes: list[str]
) -> None:
    zero = dict.fromkeys(classes, 0)
    without = price(lines, rate, Setting(zero, prices_include_tax=False), discount)
    within = price(lines, rate, Setting(zero, prices_include_tax=True), discount)
    assert without == within
    assert without.tax == 0


@given(lines=lines_st, setting=setting_st, discount=discount_st)
def test_with_no_rate_nothing_ships_and_shipping_costs_nothing(
    lines: list[Line], setting: Setting, discount: Discount | None
) -> None:
    priced = price(lines, None, setting, discount)
    assert priced.shipping == priced.shipping_tax == 0


@pytest.mark.parametrize(
    ("discount", "eligible_subtotal", "expected"),
    [
        (Discount("percentage", 10_00), 1999, 200),  # 199.9 -> 200
        (Discount("percentage", 12_50), 4, 1),  # 0.5 -> 1, half up
        (Discount("fixed", 5000), 3000, 3000),  # never more than the eligible lines
        (Discount("free_shipping"), 3000, 0),
        (None, 3000, 0),
    ],
)
def test_the_order_discount(discount: Discount | None, eligible_subtotal: int, expected: int) -> None:
    assert discount_of(discount, eligible_subtotal) == expected


def test_a_rate_serves_only_its_band_after_discounts() -> None:
    rate = Rate(500, min_subtotal_cents=1000, max_subtotal_cents=5000)
    setting = Setting({})
    assert price([Line(1000, 1)], rate, setting).shipping == 500
    assert price([Line(5000, 1)], rate, setting).shipping == 500
    with pytest.raises(OutsideBand):
        price([Line(5001, 1)], rate, setting)
    with pytest.raises(OutsideBand):  # 1200 less 20% is 960: below the band
        price([Line(1200, 1)], rate, setting, Discount("percentage", 20_00))


@given(
    lines=lines_st,
    discount=st.one_of(
        st.builds(Discount, kind=st.just("percentage"), value=st.integers(min_value=1, max_value=100_00)),
        st.builds(Discount, kind=st.just("fixed"), value=CENTS),
    ),
    setting=setting_st,
)
def test_an_orders_discount_is_split_over_its_eligible_lines_by_largest_remainder(
    lines: list[Line], discount: Discount, setting: Setting
) -> None:
    priced = price(lines, None, setting, discount)
    eligible = [line.unit_cents * line.quantity if line.eligible else 0 for line in lines]
    assert priced.discount == discount_of(discount, sum(eligible))
    assert [line.discount for line in priced.lines] == split(priced.discount, eligible)
    assert priced.benefit == priced.discount
