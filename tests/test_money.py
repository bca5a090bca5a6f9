"""Money parses exactly what the contract allows and renders it back unchanged."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import jsonschema
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from shop.kernel.codec import loads_exact
from shop.kernel.money import INPUT_SCHEMA, MAX_CENTS, QUERY_SCHEMA, format_cents, parse_cents

cents = st.integers(min_value=0, max_value=MAX_CENTS)
OUT_OF_RANGE = re.escape("0 to 99999999.99")
REFUSED = "decimal string|two decimal places|0 to 99999999"


@given(cents)
def test_a_formatted_amount_parses_back_to_the_same_cents(amount: int) -> None:
    text = format_cents(amount)
    assert parse_cents(text) == amount
    assert parse_cents(Decimal(text)) == amount
    assert parse_cents(loads_exact(text.encode())) == amount  # as a JSON number
    assert format_cents(parse_cents(text)) == text


@given(cents)
def test_amounts_always_render_with_two_decimals(amount: int) -> None:
    whole, _, fraction = format_cents(amount).partition(".")
    assert len(fraction) == 2
    assert whole == str(amount // 100)


@given(st.integers(min_value=0, max_value=MAX_CENTS // 100))
def test_whole_numbers_are_money_as_strings_and_numbers(units: int) -> None:
    assert parse_cents(units) == parse_cents(str(units)) == units * 100


@given(cents, st.integers(min_value=1, max_value=99))
def test_a_third_decimal_is_refused(amount: int, thousandths: int) -> None:
    text = f"{format_cents(amount)}{thousandths % 10 or 1}"
    with pytest.raises(ValueError, match="two decimal places"):
        parse_cents(text)
    with pytest.raises(ValueError, match="two decimal places"):
        parse_cents(loads_exact(text.encode()))


@given(st.integers(min_value=1, max_value=10**30))
def test_negative_amounts_are_refused(amount: int) -> None:
    for value in (-amount, str(-amount), Decimal(-amount) / 100, f"-{format_cents(amount % MAX_CENTS)}"):
        with pytest.raises(ValueError, match=REFUSED):
            parse_cents(value)


@given(st.integers(min_value=MAX_CENTS + 1, max_value=10**40))
def test_amounts_over_the_maximum_are_refused(over: int) -> None:
    for value in (Decimal(over) / 100, format_cents(over), over // 100 + 1):
        with pytest.raises(ValueError, match=OUT_OF_RANGE):
            parse_cents(value)


@given(st.integers(min_value=-400, max_value=400), st.integers(min_value=1, max_value=10**6))
@example(400, 1)
@example(-400, 1)
def test_exponents_are_exact_or_refused(exponent: int, digits: int) -> None:
    value = Decimal(digits).scaleb(exponent)
    literal = f"{digits}e{exponent}".encode()
    if int(value.as_tuple().exponent) < -2:
        with pytest.raises(ValueError, match="two decimal places"):
            parse_cents(loads_exact(literal))
    elif value > Decimal(MAX_CENTS) / 100:
        with pytest.raises(ValueError, match=OUT_OF_RANGE):
            parse_cents(loads_exact(literal))
    else:
        assert parse_cents(loads_exact(literal)) == int(value * 100)


@pytest.mark.parametrize(
    "value",
    [
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "1e2",
        " 1",
        "1 ",
        "+1",
        "1.",
        ".5",
        "1,00",
        "٣",
        "",
        True,
        False,
        None,
        [1],
        {},
    ],
)
def test_anything_but_a_plain_decimal_is_refused(value: object) -> None:
    with pytest.raises(ValueError, match=REFUSED):
        parse_cents(value)


@pytest.mark.parametrize(
    "value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), float("inf"), float("nan")]
)
def test_non_finite_numbers_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match=REFUSED):
        parse_cents(value)


# -- The document's money schema agrees with parse_cents -----------------------

_SCHEMA = jsonschema.Draft202012Validator(INPUT_SCHEMA)
_QUERY_SCHEMA = jsonschema.Draft202012Validator(QUERY_SCHEMA)


def _shop_takes(value: object) -> bool:
    try:
        parse_cents(value)
    except ValueError:
        return False
    return True


@given(
    st.text(alphabet="0123456789.-+e ", max_size=14) | st.from_regex(r"-?[0-9]{1,10}(\.[0-9]{0,4})?", fullmatch=True)
)
@example("19.99")
@example("0019.99")
@example("99999999.99")
@example("100000000")
@example("19.999")
@example("1e3")
@example("-0")
def test_a_validator_takes_exactly_the_money_strings_the_shop_takes(text: str) -> None:
    assert _SCHEMA.is_valid(text) == _shop_takes(text), text
    assert _QUERY_SCHEMA.is_valid(text) == (_shop_takes(text) or text == ""), text  # empty: not given


@given(st.decimals(min_value=0, max_value=Decimal(MAX_CENTS) / 100, places=2, allow_nan=False))
@example(Decimal("19.99"))
@example(Decimal("0.07"))
def test_a_validator_takes_every_money_number_the_shop_takes(amount: Decimal) -> None:
    """As a JSON number the value reaches a validator as a float (JSON parsers
    read it so); the shop reads it exactly. Every number the shop takes passes."""
    assert _shop_takes(amount)
    assert _SCHEMA.is_valid(json.loads(str(amount))), amount


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2) | st.integers())
def test_a_validator_refuses_every_money_number_out_of_range(amount: Decimal | int) -> None:
    in_range = 0 <= amount <= Decimal(MAX_CENTS) / 100
    assert _SCHEMA.is_valid(json.loads(str(amount))) == in_range == _shop_takes(amount), amount
