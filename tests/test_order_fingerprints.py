"""An Idempotency-Key's request is recognised by its body as the shop reads it. A
body of the kind clients sent before orders shipped must be recognised as it was
then, so that a retry sent across an upgrade replays instead of being refused as
"a different body" (and placed again under a new key)."""

from __future__ import annotations

from shop.idempotency.service import fingerprint
from shop.orders.schemas import OrderCreate

# As the shop fingerprinted `{"items": [{"variant_id": 1, "quantity": 1}]}` before orders shipped.
BEFORE_SHIPPING = {"items": [{"variant_id": 1, "product_id": None, "quantity": 1}], "user_id": None}


def test_a_body_without_shipping_is_fingerprinted_as_before_orders_shipped() -> None:
    new = OrderCreate.model_validate({"items": [{"variant_id": 1, "quantity": 1}]})
    assert new.fingerprinted() == BEFORE_SHIPPING
    assert fingerprint(new.fingerprinted()) == fingerprint(BEFORE_SHIPPING)


def test_shipping_fields_given_are_part_of_the_fingerprint() -> None:
    plain = OrderCreate.model_validate({"items": [{"variant_id": 1, "quantity": 1}]})
    shipped = OrderCreate.model_validate({"items": [{"variant_id": 1, "quantity": 1}], "shipping_address_id": 7})
    other = OrderCreate.model_validate({"items": [{"variant_id": 1, "quantity": 1}], "shipping_address_id": 8})
    prints = {fingerprint(body.fingerprinted()) for body in (plain, shipped, other)}
    assert len(prints) == 3
