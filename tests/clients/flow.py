"""A storefront's first day, through the Python client that openapi-python-client
generates from the shop's served /openapi.json, and through nothing else.

`nox -s clients` generates the client (package `shop_api_client`), checks this
file with `mypy --strict` against it, and runs it against a live `shop serve`:

    python flow.py BASE_URL ADMIN_USERNAME ADMIN_PASSWORD

Every step asserts what the client parsed: a typed model for a success, the
ProblemDetails model for an error. The script exits non-zero at the first
step that does not hold.
"""

from __future__ import annotations

import sys
import uuid

from shop_api_client import AuthenticatedClient, Client
from shop_api_client.api.auth import log_in
from shop_api_client.api.orders import create_order, list_orders, quote_order, update_order
from shop_api_client.api.products import create_product, get_product, list_products, list_variants, update_product
from shop_api_client.api.shipping_zones import create_shipping_rate, create_shipping_zone
from shop_api_client.api.tax_rates import create_tax_rate
from shop_api_client.api.users import create_address, create_user, get_me
from shop_api_client.models import (
    Address,
    AddressCreate,
    Credentials,
    LineIn,
    ListProductsSort,
    Option,
    Order,
    OrderCreate,
    OrderListing,
    OrderStatus,
    OrderUpdate,
    OrderUpdateStatus,
    ProblemDetails,
    ProblemDetailsType,
    Product,
    ProductCreate,
    ProductListing,
    ProductUpdate,
    Quote,
    ShippingRate,
    ShippingRateCreate,
    ShippingZone,
    ShippingZoneCreate,
    TaxRate,
    TaxRateCreate,
    Token,
    User,
    UserCreate,
    UserCreateRole,
    VariantIn,
    VariantInOptions,
    VariantListing,
)
from shop_api_client.types import Response


def problem[T](response: Response[T], status: int, kind: ProblemDetailsType) -> ProblemDetails:
    """The answer is an error of `status`, parsed into the problem model."""
    assert response.status_code == status, (response.status_code, response.content[:300])
    parsed = response.parsed
    assert isinstance(parsed, ProblemDetails), parsed
    assert parsed.status == status and parsed.type_ is kind, parsed
    assert parsed.request_id == response.headers["X-Request-ID"]
    return parsed


def logged_in(base_url: str, username: str, password: str) -> AuthenticatedClient:
    token = log_in.sync(client=Client(base_url=base_url), body=Credentials(username=username, password=password))
    assert isinstance(token, Token), token
    assert token.token_type == "Bearer" and token.expires_in > 0
    return AuthenticatedClient(base_url=base_url, token=token.access_token)


def main(base_url: str, admin_username: str, admin_password: str) -> None:
    run = uuid.uuid4().hex[:8]  # names of this run's own, so the flow can run again on the same shop
    admin = logged_in(base_url, admin_username, admin_password)

    # 401: a token the shop did not sign.
    anonymous = AuthenticatedClient(base_url=base_url, token="not-a-token")
    problem(get_me.sync_detailed(client=anonymous), 401, ProblemDetailsType.UNAUTHORIZED)

    # An admin stocks the catalogue; 422 for a price that is not money.
    made: list[Product] = []
    for n in range(7):
        new = ProductCreate(name=f"Kettle {run} {n}", price=f"{10 + n}.99", stock=5, description="Whistles.")
        created = create_product.sync_detailed(client=admin, body=new)
        assert created.status_code == 201 and isinstance(created.parsed, Product), created.content
        assert created.headers["Location"].endswith(f"/products/{created.parsed.id}")
        made.append(created.parsed)
    wrong_price = create_product.sync_detailed(
        client=admin, body=ProductCreate(name=f"Jug {run}", price="1.999", stock=1)
    )
    invalid = problem(wrong_price, 422, ProblemDetailsType.VALIDATION)
    assert invalid.errors and invalid.errors[0].loc == ["body", "price"], invalid.errors

    # 409: a name taken (ignoring case).
    taken = create_product.sync_detailed(client=admin, body=ProductCreate(name=f"KETTLE {run} 0", price=1, stock=1))
    problem(taken, 409, ProblemDetailsType.CONFLICT)

    # A customer signs up (by an admin here) and reads themself.
    customer_password = f"a long pass phrase {run}"
    signed_up = create_user.sync(
        client=admin,
        body=UserCreate(
            username=f"ada-{run}",
            email=f"ada-{run}@example.com",
            password=customer_password,
            role=UserCreateRole.CUSTOMER,
        ),
    )
    assert isinstance(signed_up, User), signed_up
    ada = logged_in(base_url, f"ada-{run}", customer_password)
    me = get_me.sync(client=ada)
    assert isinstance(me, User) and me.id == signed_up.id and me.username == f"ada-{run}", me

    # A filtered list, walked to its end by next_cursor (the client sends its defaults with each hop).
    seen: list[int] = []
    page = list_products.sync(
        client=ada, q=f"kettle {run}", min_price="11", sort=ListProductsSort.PRICE_DESC, per_page=2
    )
    while True:
        assert isinstance(page, ProductListing), page
        seen += [product.id for product in page.items]
        if not page.next_cursor:
            break
        page = list_products.sync(
            client=ada,
            q=f"kettle {run}",
            min_price="11",
            sort=ListProductsSort.PRICE_DESC,
            per_page=2,
            cursor=page.next_cursor,
        )
    assert seen == [product.id for product in reversed(made[1:])], seen

    # Read with an ETag, change with If-Match; the old ETag is then stale (412); 404 for no such product.
    kettle = made[0]
    read = get_product.sync_detailed(kettle.id, client=admin)
    assert read.status_code == 200 and isinstance(read.parsed, Product)
    etag = read.headers["ETag"]
    changed = update_product.sync_detailed(kettle.id, client=admin, body=ProductUpdate(stock=4), if_match=etag)
    assert changed.status_code == 200 and isinstance(changed.parsed, Product) and changed.parsed.stock == 4
    assert changed.headers["ETag"] != etag
    stale = update_product.sync_detailed(kettle.id, client=admin, body=ProductUpdate(price="9.50"), if_match=etag)
    problem(stale, 412, ProblemDetailsType.PRECONDITION_FAILED)
    problem(get_product.sync_detailed(2**62, client=ada), 404, ProblemDetailsType.NOT_FOUND)

    # An order with an Idempotency-Key, and its retry: the same answer, replayed, nothing new.
    key = f"order-{run}"
    body = OrderCreate(items=[LineIn(product_id=kettle.id, quantity=2)])
    placed = create_order.sync_detailed(client=ada, body=body, idempotency_key=key)
    assert placed.status_code == 201 and isinstance(placed.parsed, Order), placed.content
    order = placed.parsed
    assert order.status is OrderStatus.PENDING and order.total_price == "21.98" and order.currency == "USD", order
    again = create_order.sync_detailed(client=ada, body=body, idempotency_key=key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert isinstance(again.parsed, Order) and again.parsed.id == order.id

    # 409: more than the stock left.
    short = create_order.sync_detailed(client=ada, body=OrderCreate(items=[LineIn(product_id=kettle.id, quantity=3)]))
    problem(short, 409, ProblemDetailsType.CONFLICT)

    # The customer cancels; the order list shows it; a second cancel is 409.
    cancelled = update_order.sync(order.id, client=ada, body=OrderUpdate(status=OrderUpdateStatus.CANCELLED))
    assert isinstance(cancelled, Order) and cancelled.status is OrderStatus.CANCELLED, cancelled
    again_cancelled = update_order.sync_detailed(
        order.id, client=ada, body=OrderUpdate(status=OrderUpdateStatus.CANCELLED)
    )
    problem(again_cancelled, 409, ProblemDetailsType.CONFLICT)
    orders = list_orders.sync(client=ada)
    assert isinstance(orders, OrderListing) and [listed.id for listed in orders.items] == [order.id], orders
    assert orders.total == 1 and orders.next_cursor is None

    # The stock came back with the cancel.
    after = get_product.sync(kettle.id, client=ada)
    assert isinstance(after, Product) and after.stock == 4, after

    # A T-shirt in two sizes, made with its variants; a customer orders the M by its variant id.
    shirt = create_product.sync_detailed(
        client=admin,
        body=ProductCreate(
            name=f"Shirt {run}",
            options=[Option(name="size", values=["S", "M"])],
            variants=[
                VariantIn(options=VariantInOptions.from_dict({"size": "S"}), price="15.00", stock=3),
                VariantIn(options=VariantInOptions.from_dict({"size": "M"}), price="16.00", stock=2),
            ],
        ),
    )
    assert shirt.status_code == 201 and isinstance(shirt.parsed, Product), shirt.content
    assert (shirt.parsed.price, shirt.parsed.stock, len(shirt.parsed.variants)) == ("15.00", 5, 2), shirt.parsed
    medium = shirt.parsed.variants[1]
    assert medium.options.to_dict() == {"size": "M"}, medium
    bought = create_order.sync(client=ada, body=OrderCreate(items=[LineIn(variant_id=medium.id, quantity=2)]))
    assert isinstance(bought, Order), bought
    (line,) = bought.items
    assert (line.variant_id, line.sku, line.unit_price, bought.total_price) == (medium.id, medium.sku, "16.00", "32.00")
    variants = list_variants.sync(shirt.parsed.id, client=ada)
    assert isinstance(variants, VariantListing) and [v.stock for v in variants.items] == [3, 0], variants

    # Checkout: Germany taxes at 19% and ships by Parcel at 4.90. The customer keeps her
    # address, asks what one S shirt costs shipped there, and the order costs exactly that.
    rate = create_tax_rate.sync(client=admin, body=TaxRateCreate(country="DE", rate="19.00"))
    assert isinstance(rate, TaxRate) and rate.rate == "19.00" and rate.tax_class == "standard", rate
    zone = create_shipping_zone.sync(client=admin, body=ShippingZoneCreate(name=f"Germany {run}", countries=["DE"]))
    assert isinstance(zone, ShippingZone) and zone.countries == ["DE"], zone
    parcel = create_shipping_rate.sync(zone.id, client=admin, body=ShippingRateCreate(name="Parcel", price="4.90"))
    assert isinstance(parcel, ShippingRate) and parcel.price == "4.90", parcel
    home = AddressCreate(name="Ada", line1="Hauptstraße 1", city="Berlin", postal_code="10115", country="DE")
    kept = create_address.sync(client=ada, body=home)
    assert isinstance(kept, Address) and kept.country == "DE", kept
    small = shirt.parsed.variants[0]
    cart = OrderCreate(
        items=[LineIn(variant_id=small.id, quantity=1)], shipping_address_id=kept.id, shipping_rate_id=parcel.id
    )
    quote = quote_order.sync(client=ada, body=cart)
    assert isinstance(quote, Quote), quote
    # 15.00 + 2.85 tax, 4.90 shipping + 0.93 tax.
    assert (quote.subtotal, quote.shipping_total, quote.tax_total, quote.total_price) == (
        "15.00",
        "4.90",
        "3.78",
        "23.68",
    ), quote
    assert [offered.name for offered in quote.shipping_rates] == ["Parcel"], quote.shipping_rates
    shipped = create_order.sync(client=ada, body=cart)
    assert isinstance(shipped, Order) and shipped.total_price == quote.total_price, shipped
    assert shipped.shipping_address is not None and shipped.shipping_address.city == "Berlin", shipped


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
    print("the generated client's flow held")
