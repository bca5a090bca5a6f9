"""What an order costs: every figure of a quote and of the order it becomes, from
one pure function (no I/O), in integer cents. A quote and its order call it with
the same inputs, so they cannot disagree.

The rules, in this order (docs/pricing.md works an example through them):

1. Eligible lines: those a discount applies to (all, without a discount).
2. The discount D: a percentage of the eligible subtotal, rounded; a fixed amount,
   at most that subtotal; or free shipping (D = 0). D is split over the eligible
   lines in proportion to their subtotals by largest remainder (ties to the
   earlier line), so the line discounts add up to D and none exceeds its line.
3. Shipping: the rate's price, or 0 when the subtotal after discounts reaches its
   `free_over`. A rate with a band serves only subtotals (after discounts) in it.
4. Tax, per line and for shipping, on (subtotal - discount), at the rate of its
   tax class (shipping: `standard`); no rate, no tax. Prices without tax: tax =
   base x rate / 100. Prices with tax: tax = base x rate / (100 + rate).
5. A line's total is its subtotal less its discount (plus its tax when prices
   exclude tax); the order's total is the lines' totals plus shipping (plus its
   tax when prices exclude tax).

Every division rounds half up to the cent, once per line: figures are never
rounded from other rounded figures, except as the rules say.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from shop.kernel.percent import HUNDRED

STANDARD = "standard"  # the tax class of shipping, and of goods that name none
DiscountKind = Literal["percentage", "fixed", "free_shipping"]


class Line(NamedTuple):
    """A line to price: the unit price as sold, how many, its tax class, and whether
    the order's discount applies to it."""

    unit_cents: int
    quantity: int
    tax_class: str = STANDARD
    eligible: bool = True


class Rate(NamedTuple):
    """A shipping rate as chosen: its price, its band of subtotals (None: open), and
    the subtotal from which it is free (None: never)."""

    price_cents: int
    min_subtotal_cents: int | None = None
    max_subtotal_cents: int | None = None
    free_over_cents: int | None = None


class Discount(NamedTuple):
    kind: DiscountKind
    value: int = 0  # hundredths of a percent (percentage) or cents (fixed)


class PricedLine(NamedTuple):
    subtotal: int
    discount: int
    tax: int
    tax_rate: int  # hundredths of a percent
    total: int


class Priced(NamedTuple):
    lines: list[PricedLine]
    subtotal: int
    discount: int
    shipping: int
    shipping_tax: int
    tax: int  # the lines' tax and the shipping's
    total: int
    shipping_discount: int = 0  # what a free-shipping code saved

    @property
    def benefit(self) -> int:
        """What the discount is worth: nothing means it was not used."""
        return self.discount + self.shipping_discount


class OutsideBand(ValueError):
    """The rate does not serve this subtotal (after discounts)."""


def divide(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, for numbers >= 0, exactly."""
    return (2 * numerator + denominator) // (2 * denominator)


def tax_of(base: int, rate: int, *, included: bool) -> int:
    """The tax on `base` cents at `rate` hundredths of a percent: added to it, or
    contained in it when prices include tax."""
    return divide(base * rate, HUNDRED + rate if included else HUNDRED)


def split(amount: int, weights: Sequence[int]) -> list[int]:
    """`amount` split in proportion to `weights` by largest remainder: the shares add
    up to `amount`; of equal remainders the earlier weight gets the cent first.
    With `amount` <= sum(weights), no share exceeds its weight."""
    whole = sum(weights)
    if whole == 0:
        return [0] * len(weights)
    shares = [amount * weight // whole for weight in weights]
    remainders = [amount * weight % whole for weight in weights]
    left = amount - sum(shares)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        shares[index] += 1
    return shares


def discount_of(discount: Discount | None, eligible_subtotal: int) -> int:
    """The order's discount D on the eligible lines' subtotal (rule 2)."""
    if discount is None or discount.kind == "free_shipping":
        return 0
    if discount.kind == "percentage":
        return divide(eligible_subtotal * discount.value, HUNDRED)
    return min(discount.value, eligible_subtotal)


def serves(rate: Rate, subtotal_after_discount: int) -> bool:
    """Whether the rate's band takes this subtotal (after discounts)."""
    low, high = rate.min_subtotal_cents, rate.max_subtotal_cents
    return (low is None or subtotal_after_discount >= low) and (high is None or subtotal_after_discount <= high)


def shipping_of(rate: Rate | None, subtotal_after_discount: int, discount: Discount | None) -> int:
    """What shipping costs (rule 3): nothing when nothing ships, for free-shipping
    codes and from the rate's `free_over`. OutsideBand when the rate does not serve."""
    if rate is None:
        return 0
    if not serves(rate, subtotal_after_discount):
        raise OutsideBand("This shipping rate does not serve an order of this subtotal.")
    free = rate.free_over_cents is not None and subtotal_after_discount >= rate.free_over_cents
    return 0 if free or (discount is not None and discount.kind == "free_shipping") else rate.price_cents


@dataclass(frozen=True, slots=True)
class Setting:
    """How the shop taxes: the rates of the tax country by class (hundredths of a
    percent; no rate: no tax), and whether prices include them."""

    tax_rates: Mapping[str, int]
    prices_include_tax: bool = False


def price(lines: Sequence[Line], rate: Rate | None, setting: Setting, discount: Discount | None = None) -> Priced:
    """Every figure of an order of `lines`, shipped at `rate` (None: nothing ships),
    taxed as `setting` says, with `discount` on its eligible lines."""
    subtotals = [line.unit_cents * line.quantity for line in lines]
    eligible = [subtotal if line.eligible else 0 for line, subtotal in zip(lines, subtotals, strict=True)]
    discount_total = discount_of(discount, sum(eligible))
    discounts = split(discount_total, eligible)
    subtotal = sum(subtotals)
    shipping = shipping_of(rate, subtotal - discount_total, discount)
    saved = shipping_of(rate, subtotal - discount_total, None) - shipping
    included = setting.prices_include_tax
    priced = []
    for line, line_subtotal, line_discount in zip(lines, subtotals, discounts, strict=True):
        tax_rate = setting.tax_rates.get(line.tax_class, 0)
        base = line_subtotal - line_discount
        tax = tax_of(base, tax_rate, included=included)
        priced.append(PricedLine(line_subtotal, line_discount, tax, tax_rate, base if included else base + tax))
    shipping_tax = tax_of(shipping, setting.tax_rates.get(STANDARD, 0), included=included)
    total = sum(line.total for line in priced) + shipping + (0 if included else shipping_tax)
    tax = sum(line.tax for line in priced) + shipping_tax
    return Priced(priced, subtotal, discount_total, shipping, shipping_tax, tax, total, saved)
