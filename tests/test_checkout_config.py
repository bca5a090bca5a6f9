"""What orders read of the shipping and tax configuration, on a real database
(SQLite, and PostgreSQL with TEST_DATABASE_URL): the rates of the zone that
holds a country, and a country's tax rates by class, one query each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import URL

from shop.shipping import service as shipping
from shop.shipping.schemas import ShippingRateCreate, ShippingZoneCreate
from shop.taxes import service as taxes
from shop.taxes.schemas import TaxRateCreate
from steps.http import FakeClock, in_process_app
from steps.http import test_settings as settings_for
from steps.shop_client import InProcessShop

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def shop(database_url: URL) -> Iterator[InProcessShop]:
    running = InProcessShop(in_process_app(settings_for(database_url), FakeClock()))
    yield running
    running.close()


def test_the_rates_of_the_zone_that_holds_a_country(shop: InProcessShop) -> None:
    database = shop.app.database
    europe = shop.run(shipping.create_zone(database, ShippingZoneCreate(name="Europe", countries=["DE", "FR"]), NOW))
    shop.run(shipping.create_zone(database, ShippingZoneCreate(name="Americas", countries=["US"]), NOW))
    express = ShippingRateCreate.model_validate({"name": "Express", "price": "12.00", "max_subtotal": "99.99"})
    standard = ShippingRateCreate.model_validate({"name": "Standard", "price": "4.90", "free_over": "50"})
    made = [shop.run(shipping.create_rate(database, europe.id, new, NOW)) for new in (express, standard)]

    assert shop.run(shipping.zone_rates(database, "FR")) == made
    found = shop.run(shipping.zone_rates(database, "DE"))
    assert found is not None
    assert [(rate.name, rate.price_cents, rate.max_subtotal_cents, rate.free_over_cents) for rate in found] == [
        ("Express", 1200, 9999, None),
        ("Standard", 490, None, 5000),
    ]
    assert shop.run(shipping.zone_rates(database, "US")) == []  # a zone without rates
    assert shop.run(shipping.zone_rates(database, "JP")) is None  # no zone: the shop does not ship there


def test_a_countrys_tax_rates_by_class(shop: InProcessShop) -> None:
    database = shop.app.database
    for country, tax_class, rate in (("DE", "standard", "19"), ("DE", "reduced", "7"), ("CH", "standard", "7.7")):
        new = TaxRateCreate.model_validate({"country": country, "tax_class": tax_class, "rate": rate})
        shop.run(taxes.create_tax_rate(database, new, NOW))

    assert shop.run(taxes.rates_in(database, "DE")) == {"standard": 1900, "reduced": 700}
    assert shop.run(taxes.rates_in(database, "CH")) == {"standard": 770}
    assert shop.run(taxes.rates_in(database, "FR")) == {}
