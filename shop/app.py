"""`create_app()`: the one place where an app is wired together."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping
from typing import Any

import falcon
import falcon.asgi
import falcon.inspect
import falcon.responders
from argon2 import PasswordHasher
from falcon.routing import BaseConverter, CompiledRouter
from loguru import logger

from shop.addresses import resources as addresses
from shop.categories import resources as categories
from shop.categories import service as categories_service
from shop.discounts import resources as discounts
from shop.events import resources as events
from shop.kernel.clock import Clock, utcnow
from shop.kernel.errors import ShopError
from shop.kernel.ids import plain_id
from shop.kernel.logs import access_log
from shop.kernel.passwords import PRODUCTION, Passwords
from shop.kernel.settings import Settings, check_secret_key, load_settings
from shop.kernel.tokens import Tokens
from shop.login.guard import DatabaseAttempts, LoginGuard, RedisAttempts
from shop.login.resources import Login, Logout
from shop.orders import resources as orders
from shop.orders.checkout import Selling
from shop.orders.sweeper import Sweeper
from shop.payments import resources as payments
from shop.payments.service import applied_cents
from shop.products import resources as products
from shop.shipping import resources as shipping
from shop.storage.database import PING_TIMEOUT_SECONDS, Database
from shop.storage.keyset import Totals
from shop.storage.migrate import head_revision
from shop.taxes import resources as taxes
from shop.users import resources as users
from shop.users.service import standing_of
from shop.web.auth import Authentication
from shop.web.docs import (
    DocsFiles,
    Favicon,
    OpenAPIDocument,
    ReDoc,
    Root,
    SwaggerUI,
    ToPage,
)
from shop.web.health import Health, Ready
from shop.web.metrics import Metrics, MetricsEndpoint
from shop.web.middleware import CrossOrigin, RequestMiddleware
from shop.web.paging import CursorSeal
from shop.web.problems import handle_shop_error, handle_unexpected, serialize_problem
from shop.webhooks import resources as webhooks
from shop.webhooks.sender import Sender


class IdConverter(BaseConverter):
    """Path ids: positive integers that fit in 63 bits, written plainly ("7",
    not "07", "+7" or a full-width digit). Anything else matches no route: 404."""

    def convert(self, value: str) -> int | None:
        return plain_id(value)


class _Responders(dict[str, Any]):
    """A route's responders by method. A method HTTP does not define ("BREW")
    gets the same 405 and Allow header as one the route does not support
    (an unsupported method is 405 everywhere), where Falcon would answer 400."""

    def __init__(self, defined: Mapping[str, Any]) -> None:
        super().__init__(defined)
        allowed = sorted(defined) if "OPTIONS" in defined else [*sorted(defined), "OPTIONS"]  # as Falcon's 405s
        self._not_allowed = falcon.responders.create_method_not_allowed(allowed, asgi=True)

    def __missing__(self, method: str) -> Any:
        return self._not_allowed


class Router(CompiledRouter):
    def map_http_methods(self, resource: object, **kwargs: Any) -> Any:
        return _Responders(super().map_http_methods(resource, **kwargs))


# falcon.inspect (and `falcon-inspect-app`) read it as the compiled router it is.
falcon.inspect.register_router(Router)(falcon.inspect.inspect_compiled_router)


def _head_as_get(resource: object) -> None:
    """HEAD wherever GET is (RFC 9110): the GET responder runs, and Falcon
    sends its status and headers, Content-Length included, without the body."""
    on_get = getattr(resource, "on_get", None)
    if on_get is not None and not hasattr(resource, "on_head"):
        resource.on_head = on_get  # type: ignore[attr-defined]


class ShopApp(falcon.asgi.App):  # type: ignore[type-arg]
    """A Falcon ASGI app that owns its database and serves under any mount prefix."""

    def __init__(self, settings: Settings, clock: Clock, hasher: PasswordHasher, **options: Any) -> None:
        super().__init__(router=Router(), **options)
        self.settings = settings
        self.clock = clock
        self.database = Database(settings.database_url)
        # List totals, remembered for a moment (shop.storage.keyset.Totals); forgotten on this app's writes.
        self.totals = Totals(self.database.writes)
        self.cursors = CursorSeal(settings.SECRET_KEY)
        self.metrics = Metrics()
        self.passwords = Passwords(hasher)
        self.tokens = Tokens(settings.SECRET_KEY, settings.JWT_EXPIRES_SECONDS)
        attempts = RedisAttempts(settings.REDIS_URL) if settings.REDIS_URL else DatabaseAttempts(self.database)
        self.login_guard = LoginGuard(attempts, clock)
        self.sweeper = Sweeper(self.database, clock, settings.UNPAID_ORDER_TTL_SECONDS, settings.CURRENCY)
        self.sender = Sender(
            self.database,
            clock,
            retry_base_seconds=settings.WEBHOOK_RETRY_BASE_SECONDS,
            allow_private_networks=settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
        )
        self.routes: list[tuple[str, object]] = []  # (URI template, resource), for the OpenAPI document

    def add_route(self, uri_template: str, resource: object, **kwargs: Any) -> None:
        self.routes.append((uri_template, resource))
        _head_as_get(resource)
        super().add_route(uri_template, resource, **kwargs)

    def add_file_route(self, uri_template: str, resource: object) -> None:
        """A route the OpenAPI document leaves out: a documentation page's files or other address."""
        super().add_route(uri_template, resource)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:  # type: ignore[override]
        # ASGI servers and routers that mount an app under a prefix keep the
        # whole path in `path` and the prefix in `root_path`; route on the rest.
        root_path = scope.get("root_path")
        if root_path and scope["type"] == "http" and scope["path"].startswith(root_path):
            scope = {**scope, "path": scope["path"][len(root_path) :] or "/"}
        await super().__call__(scope, receive, send)


class Lifespan:
    """Opens the app's engine at startup and releases what it holds at shutdown."""

    def __init__(self, app: ShopApp) -> None:
        self.app = app

    async def process_startup(self, scope: Mapping[str, Any], event: Mapping[str, Any]) -> None:
        self.app.database.open()
        await self._say_if_schema_is_behind()
        self.app.sweeper.start()
        self.app.sender.start()

    async def _say_if_schema_is_behind(self) -> None:
        """One clear line at start when the database needs `shop migrate` (and /ready says 503)."""
        try:
            async with asyncio.timeout(PING_TIMEOUT_SECONDS):
                revision = await self.app.database.schema_revision()
        except Exception:  # a database away is /ready's to report, and the requests' to survive
            return
        if revision != head_revision():
            logger.warning(
                "the database schema is at {} but this shop needs {}: run `shop migrate`",
                revision or "no migration at all",
                head_revision(),
            )

    async def process_shutdown(self, scope: Mapping[str, Any], event: Mapping[str, Any]) -> None:
        await self.app.sweeper.stop()
        await self.app.sender.stop()
        await self.app.login_guard.store.close()
        await self.app.database.dispose()
        self.app.passwords.close()


def create_app(
    settings: Settings | None = None, *, clock: Clock = utcnow, hasher: PasswordHasher = PRODUCTION
) -> ShopApp:
    """Build an independent shop. Settings default to the environment and `.env`;
    `clock` tells the time to the rules that count it (tests pass a fake one);
    `hasher` hashes new passwords (Argon2id at RFC 9106's cost; a test harness
    passes a cheap one, as stored hashes carry their own parameters)."""
    settings = settings if settings is not None else load_settings()
    check_secret_key(settings)  # the app signs tokens with it
    app = ShopApp(settings, clock, hasher)
    app.add_middleware(RequestMiddleware(app.metrics, access_log(settings), settings.PUBLIC_BASE_URL))
    if settings.CORS_ORIGINS:
        app.add_middleware(CrossOrigin(settings.CORS_ORIGINS))
    app.add_middleware(Lifespan(app))
    app.add_middleware(Authentication(app.database, app.tokens, functools.partial(standing_of, app.database)))

    app.router_options.converters["id"] = IdConverter  # before the routes that use it
    app.set_error_serializer(serialize_problem)
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(ShopError, handle_shop_error)

    app.add_route("/health", Health())
    app.add_route("/ready", Ready(app.database))
    app.add_route("/metrics", MetricsEndpoint(app.metrics, settings.METRICS_TOKEN))
    app.add_route("/login", Login(app.database, app.passwords, app.tokens, app.login_guard, app.metrics))
    app.add_route("/logout", Logout(app.database))
    database, totals, cursors, currency = app.database, app.totals, app.cursors, settings.CURRENCY
    app.add_route(
        "/users",
        users.Users(database, clock, totals, cursors, app.passwords, open_registration=settings.OPEN_REGISTRATION),
    )
    app.add_route("/users/me", users.Me(database))
    # The caller's address book. Its ids are read by the resource, not the router: any
    # path below it that names no entry of the book is "No such address." (404).
    app.add_route("/users/me/addresses", addresses.Addresses(database, clock, totals, cursors))
    app.add_route("/users/me/addresses/{address_id}", addresses.Address(database, clock))
    app.add_route("/users/{user_id:id}", users.User(database, clock, app.passwords, app.login_guard))
    public = settings.PUBLIC_CATALOGUE
    trees = categories_service.Trees(database)  # which categories are below one, for ?category=
    app.add_route(
        "/products", products.Products(database, clock, totals, cursors, currency, public=public, trees=trees)
    )
    app.add_route("/products/{product_id:id}", products.Product(database, clock, currency, public=public))
    app.add_route(
        "/products/{product_id:id}/variants",
        products.Variants(database, clock, totals, cursors, currency, public=public),
    )
    app.add_route(
        "/products/{product_id:id}/variants/{variant_id:id}",
        products.Variant(database, clock, currency, public=public),
    )
    app.add_route(
        "/products/{product_id:id}/variants/{variant_id:id}/stock-movements",
        products.StockMovements(database, totals, cursors),
    )
    app.add_route("/categories", categories.Categories(database, clock, totals, cursors, public=public))
    app.add_route("/categories/{category_id:id}", categories.Category(database, clock, public=public))
    app.add_route("/shipping-zones", shipping.Zones(database, clock, totals, cursors))
    app.add_route("/shipping-zones/{zone_id:id}", shipping.Zone(database, clock))
    app.add_route("/shipping-zones/{zone_id:id}/rates", shipping.Rates(database, clock, totals, cursors))
    app.add_route("/shipping-zones/{zone_id:id}/rates/{rate_id:id}", shipping.Rate(database, clock))
    app.add_route("/tax-rates", taxes.TaxRates(database, clock, totals, cursors))
    app.add_route("/tax-rates/{tax_rate_id:id}", taxes.TaxRate(database, clock))
    app.add_route("/discounts", discounts.Discounts(database, clock, totals, cursors))
    app.add_route("/discounts/{discount_id:id}", discounts.Discount(database, clock))
    selling = Selling(currency, settings.PRICES_INCLUDE_TAX, settings.SHOP_COUNTRY)
    app.add_route("/orders", orders.Orders(database, clock, totals, cursors, selling, app.metrics))
    app.add_route("/orders/quote", orders.Quote(database, clock, selling))
    app.add_route("/orders/{order_id:id}", orders.Order(database, clock, currency, paid_cents=applied_cents))
    app.add_route("/orders/{order_id:id}/payments", payments.Payments(database, clock, currency))
    app.add_route("/orders/{order_id:id}/refunds", payments.Refunds(database, clock))
    app.add_route(
        "/payments/stripe/webhook", payments.StripeWebhook(database, clock, currency, settings.STRIPE_WEBHOOK_SECRET)
    )
    app.add_route("/events", events.Events(database, totals, cursors))
    private = settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS
    app.add_route("/webhooks", webhooks.Webhooks(database, clock, totals, cursors, allow_private=private))
    app.add_route("/webhooks/{webhook_id:id}", webhooks.WebhookItem(database, clock, allow_private=private))
    app.add_route("/webhooks/{webhook_id:id}/deliveries", webhooks.Deliveries(database, totals, cursors))
    app.add_route(
        "/webhooks/{webhook_id:id}/deliveries/{delivery_id:id}/retry", webhooks.DeliveryRetry(database, clock)
    )
    app.add_route("/openapi.json", OpenAPIDocument(lambda: app.routes))
    app.add_route("/docs", SwaggerUI())
    app.add_route("/redoc", ReDoc())
    app.add_route("/", Root())
    # The documentation pages' own files and other addresses: served, but no part of the API's document.
    app.add_file_route("/docs/swagger-ui/{name}", DocsFiles.swagger_ui())
    app.add_file_route("/docs/shop/{name}", DocsFiles.shop())
    app.add_file_route("/docs/", ToPage("/docs"))
    app.add_file_route("/redoc/", ToPage("/redoc"))
    app.add_file_route("/favicon.ico", Favicon())
    return app
