"""Pages of the catalogue, put end to end, are exactly the filtered, sorted set.

For random catalogues, filters, sorts and page sizes, walking GET /products
page by page, or cursor by cursor, yields every matching product once, in
order, with no gap and no duplicate.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert
from sqlalchemy.engine import Connection

from shop.kernel.clock import utcnow
from shop.kernel.money import format_cents
from shop.kernel.settings import Settings
from shop.storage.models import Product, Variant
from steps.accounts import shop_with_user
from steps.shop_client import InProcessShop

ALPHABET = "abcAB é_%"
catalogues = st.lists(
    st.tuples(st.text(alphabet=ALPHABET, min_size=1, max_size=6), st.integers(0, 3000), st.integers(0, 3)),
    max_size=25,
    unique_by=lambda product: product[0].casefold(),
)
queries = st.fixed_dictionaries(
    {"per_page": st.integers(1, 7), "sort": st.sampled_from(["id", "name", "price", "created_at"])},
    optional={
        "q": st.text(alphabet=ALPHABET, min_size=1, max_size=2),
        "min_price": st.integers(0, 3000),
        "max_price": st.integers(0, 3000),
        "in_stock": st.booleans(),
    },
)


@pytest.fixture
def catalogue_shop(settings: Settings) -> Iterator[tuple[InProcessShop, str]]:
    with shop_with_user(settings, "ada", "customer") as started:
        yield started


def stock_catalogue(shop: InProcessShop, products: list[tuple[str, int, int]]) -> list[dict[str, Any]]:
    def work(connection: Connection) -> list[dict[str, Any]]:
        connection.execute(delete(Product))
        rows = []
        for n, (name, price, stock) in enumerate(products):
            now = utcnow()  # distinct, increasing: created_at follows the id
            row = {
                "name": name,
                "name_key": name.casefold(),
                "slug": f"product-{n}",
                "description": "",
                "price_cents": price,
                "created_at": now,
                "updated_at": now,
            }
            row["id"] = connection.execute(insert(Product).values(row).returning(Product.id)).scalar_one()
            variant = {"product_id": row["id"], "sku": f"sku-{n}", "sku_key": f"sku-{n}", "options": "{}"}
            connection.execute(
                insert(Variant).values(**variant, values_key="[]", price_cents=price, stock=stock, position=0)
            )
            rows.append({**row, "stock": stock})
        return rows

    return shop.in_database(work)


def expected(rows: list[dict[str, Any]], query: dict[str, Any], descending: bool) -> list[int]:
    def keep(row: dict[str, Any]) -> bool:
        return (
            ("q" not in query or query["q"].casefold() in row["name_key"])
            and row["price_cents"] >= query.get("min_price", 0)
            and row["price_cents"] <= query.get("max_price", 10**12)
            and ("in_stock" not in query or (row["stock"] > 0) == query["in_stock"])
        )

    column = {"id": "id", "name": "name_key", "price": "price_cents", "created_at": "created_at"}[query["sort"]]
    kept = sorted(filter(keep, rows), key=lambda row: (row[column], row["id"]), reverse=descending)
    return [row["id"] for row in kept]


def as_params(query: dict[str, Any], descending: bool) -> dict[str, Any]:
    params = dict(query, sort=("-" if descending else "") + query["sort"])
    for bound in ("min_price", "max_price"):
        if bound in params:
            params[bound] = format_cents(params[bound])
    if "in_stock" in params:
        params["in_stock"] = "true" if params["in_stock"] else "false"
    return params


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(products=catalogues, query=queries, descending=st.booleans())
def test_pages_and_cursors_cover_the_filtered_sorted_catalogue_exactly(
    catalogue_shop: tuple[InProcessShop, str],
    products: list[tuple[str, int, int]],
    query: dict[str, Any],
    descending: bool,
) -> None:
    shop, token = catalogue_shop
    want = expected(stock_catalogue(shop, products), query, descending)
    base = "/products?" + urlencode(as_params(query, descending))

    by_page: list[int] = []
    for page in range(1, 100):
        response = shop.request("GET", f"{base}&page={page}", token=token)
        assert response.status_code == 200, response.text
        assert response.json["total"] == len(want)
        if not response.json["items"]:
            break
        by_page += [item["id"] for item in response.json["items"]]
    assert by_page == want

    by_cursor: list[int] = []
    response = shop.request("GET", base, token=token)
    for _ in range(100):
        assert response.status_code == 200, response.text
        by_cursor += [item["id"] for item in response.json["items"]]
        cursor = response.json["next_cursor"]
        if cursor is None:
            break
        response = shop.request("GET", f"{base}&{urlencode({'cursor': cursor})}", token=token)
    assert by_cursor == want
