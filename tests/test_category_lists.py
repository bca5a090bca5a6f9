"""The products of a category, put end to end, are exactly the filtered, sorted set,
whichever way the database is asked; and the schema itself keeps a category that
anything is in.

`GET /products?category=` reads a category with few products through its links
and sorts them, and one with many by walking the catalogue in the list's order
(shop.products.service.FEW_IN_CATEGORY): the scenarios' categories are all small,
so both ways are forced here, for random catalogues, queries and page sizes.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shop.categories.service import slug_from
from shop.categories.store import subtree_range
from shop.kernel.clock import utcnow
from shop.kernel.money import format_cents
from shop.kernel.settings import Settings
from shop.kernel.slugs import candidates
from shop.products import service as products
from shop.storage.models import Product, ProductCategory, Variant
from steps.accounts import shop_with_user
from steps.shop_client import InProcessShop

# The tree the catalogues hang on: name -> parent.
TREE = {"Kitchen": None, "Cookware": "Kitchen", "Pans": "Cookware", "Teapots": "Kitchen", "Garden": None}

catalogues = st.lists(
    st.tuples(
        st.integers(0, 3000),  # price
        st.integers(0, 2),  # stock
        st.sets(st.sampled_from(sorted(TREE)), max_size=2),  # its categories
    ),
    max_size=30,
)
queries = st.fixed_dictionaries(
    {
        "per_page": st.integers(1, 6),
        "sort": st.sampled_from(["id", "name", "price", "created_at"]),
    },
    optional={"max_price": st.integers(0, 3000), "in_stock": st.booleans()},
)


@pytest.fixture
def tree_shop(settings: Settings) -> Iterator[tuple[InProcessShop, str, dict[str, int]]]:
    """A shop with an admin and the categories of TREE: the shop, the admin's token, the ids by name."""
    with shop_with_user(settings, "root", "admin") as (shop, token):
        ids: dict[str, int] = {}
        for name, parent in TREE.items():
            body = {"name": name} if parent is None else {"name": name, "parent_id": ids[parent]}
            response = shop.request("POST", "/categories", json=body, token=token)
            assert response.status_code == 201, response.text
            ids[name] = response.json["id"]
        yield shop, token, ids


def stock(shop: InProcessShop, ids: dict[str, int], catalogue: list[tuple[int, int, set[str]]]) -> list[dict[str, Any]]:
    def work(connection: Connection) -> list[dict[str, Any]]:
        connection.execute(delete(Product))  # and their links, by cascade
        rows = []
        for number, (price, stock, names) in enumerate(catalogue):
            now = utcnow()  # distinct, increasing: created_at follows the id
            linked = sorted(ids[name] for name in names)
            row: dict[str, Any] = {
                "name": f"Product {number:02d}",
                "name_key": f"product {number:02d}",
                "slug": f"product-{number:02d}",
                "description": "",
                "price_cents": price,
                "created_at": now,
                "updated_at": now,
                "category_ids": json.dumps(linked),
            }
            row["id"] = connection.execute(insert(Product).values(row).returning(Product.id)).scalar_one()
            sku = f"sku-{number:02d}"
            connection.execute(
                insert(Variant).values(
                    product_id=row["id"],
                    sku=sku,
                    sku_key=sku,
                    options="{}",
                    values_key="[]",
                    price_cents=price,
                    stock=stock,
                    position=0,
                )
            )
            row["stock"] = stock
            for category_id in linked:
                connection.execute(insert(ProductCategory).values(product_id=row["id"], category_id=category_id))
            rows.append({**row, "names": names})
        return rows

    return shop.in_database(work)


def below(name: str) -> set[str]:
    """The category and every category under it."""
    found = {name}
    while True:
        more = {child for child, parent in TREE.items() if parent in found} - found
        if not more:
            return found
        found |= more


def expected(rows: list[dict[str, Any]], query: dict[str, Any], descending: bool) -> list[int]:
    def keep(row: dict[str, Any]) -> bool:
        return (
            bool(row["names"] & below(query["category"]))
            and row["price_cents"] <= query.get("max_price", 10**12)
            and ("in_stock" not in query or (row["stock"] > 0) == query["in_stock"])
        )

    column = {"id": "id", "name": "name_key", "price": "price_cents", "created_at": "created_at"}[query["sort"]]
    kept = sorted(filter(keep, rows), key=lambda row: (row[column], row["id"]), reverse=descending)
    return [row["id"] for row in kept]


def as_params(query: dict[str, Any], descending: bool, ids: dict[str, int]) -> dict[str, Any]:
    params = dict(query, sort=("-" if descending else "") + query["sort"], category=ids[query["category"]])
    if "max_price" in params:
        params["max_price"] = format_cents(params["max_price"])
    if "in_stock" in params:
        params["in_stock"] = "true" if params["in_stock"] else "false"
    return params


# -1: never few, the catalogue is walked in the list's order; 10**9: always few, read through the links.
@pytest.mark.parametrize("few", [-1, 10**9], ids=["walked", "through the links"])
@pytest.mark.parametrize("category", sorted(TREE))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(catalogue=catalogues, query=queries, descending=st.booleans())
def test_pages_and_cursors_of_a_category_cover_its_products_exactly_either_way(
    tree_shop: tuple[InProcessShop, str, dict[str, int]],
    monkeypatch: pytest.MonkeyPatch,
    few: int,
    category: str,
    catalogue: list[tuple[int, int, set[str]]],
    query: dict[str, Any],
    descending: bool,
) -> None:
    shop, token, ids = tree_shop
    monkeypatch.setattr(products, "FEW_IN_CATEGORY", few)
    query = {**query, "category": category}
    want = expected(stock(shop, ids, catalogue), query, descending)
    base = "/products?" + urlencode(as_params(query, descending, ids))

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


def test_the_schema_itself_keeps_a_category_that_anything_is_in(
    tree_shop: tuple[InProcessShop, str, dict[str, int]],
) -> None:
    """Deleting a category with subcategories or products fails in the database,
    whatever code asks (ON DELETE RESTRICT); a deleted product leaves its categories."""
    shop, _, ids = tree_shop
    stock(shop, ids, [(100, 1, {"Teapots"})])

    def delete_category(name: str) -> None:
        shop.in_database(lambda connection: connection.execute(text(f"DELETE FROM categories WHERE id = {ids[name]}")))

    with pytest.raises(IntegrityError):
        delete_category("Cookware")  # Pans is below it
    with pytest.raises(IntegrityError):
        delete_category("Teapots")  # a product is in it
    shop.in_database(lambda connection: connection.execute(delete(Product)))
    delete_category("Teapots")
    count = text("SELECT count(*) FROM product_categories")
    assert shop.in_database(lambda connection: connection.execute(count).scalar_one()) == 0


def test_a_subtree_is_one_range_of_lineages() -> None:
    low, high = subtree_range("0000000000000000007/")
    inside = ["0000000000000000007/", "0000000000000000007/0000000000000000012/"]
    outside = ["", "0000000000000000006/", "0000000000000000070/", "0000000000000000008/", "0000000000000000007"]
    assert all(low <= lineage < high for lineage in inside)
    assert not any(low <= lineage < high for lineage in outside)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Teapots", "teapots"),
        ("  Tea & Coffee!  ", "tea-coffee"),
        ("Crème Brûlée", "creme-brulee"),
        ("ﬁne Ｔｅａ", "fine-tea"),
        ("2024", "category-2024"),
        ("12-34", "12-34"),
        ("日本", "ri-ben"),  # transliterated, as products' slugs are
        ("!!!", "category"),
        ("a" * 250, "a" * 200),
        ("a" * 199 + " b", "a" * 199),
    ],
)
def test_a_slug_made_from_a_name(name: str, slug: str) -> None:
    assert slug_from(name) == slug


def numbered(slug: str, number: int) -> str:
    """The `number`-th slug tried for `slug` (2: "slug-2"), as a taken one is numbered."""
    return list(itertools.islice(candidates(slug, 200), number))[-1]


def test_a_numbered_slug_stays_within_200_characters() -> None:
    assert numbered("kitchen", 2) == "kitchen-2"
    assert numbered("a" * 200, 13) == "a" * 197 + "-13"
    assert numbered("a" * 196 + "-bcd", 2) == "a" * 196 + "-b-2"
    assert numbered("a" * 197 + "-b", 2) == "a" * 197 + "-2"
