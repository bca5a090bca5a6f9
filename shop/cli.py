"""The `shop` command: serve, migrate, create-admin, seed, expire-orders, deliver-webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from shop.kernel.errors import ShopError
from shop.kernel.logs import configure_logging
from shop.kernel.settings import Settings, SettingsError, load_settings
from shop.storage.database import Database

cli = typer.Typer(
    help="shop: a fast, asynchronous REST e-commerce backend.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # a traceback must not print passwords held in locals
)


def _version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        from shop.kernel.about import DISTRIBUTION

        typer.echo(f"shop {version(DISTRIBUTION)}")
        raise typer.Exit()


@cli.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", callback=_version, is_eager=True)
    ] = False,
) -> None:
    """shop: a fast, asynchronous REST e-commerce backend."""


def fail(message: str) -> NoReturn:
    typer.echo(f"shop: {message}", err=True)
    raise typer.Exit(code=2)


def settings_or_exit(*, signs_tokens: bool = False) -> Settings:
    try:
        return load_settings(signs_tokens=signs_tokens)
    except SettingsError as error:
        fail(str(error))


def migrate_or_exit(settings: Settings) -> list[str]:
    """The migrations applied, each as "0009: what it does"."""
    from shop.storage.migrate import upgrade

    try:
        return upgrade(settings.migrations_url)
    except Exception as error:  # reported in one line: the database is unreachable or refused
        fail(f"could not migrate the database: {type(error).__name__}: {str(error).splitlines()[0]}")


def run_with_database[T](settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    async def main() -> T:
        database = Database(settings.database_url)
        try:
            return await work(database)
        finally:
            await database.dispose()

    return asyncio.run(main())


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 1,
    head_timeout: Annotated[
        float, typer.Option(help="Seconds a request's line and headers may take to arrive; then 408.", min=0.1)
    ] = 10,
    body_timeout: Annotated[
        float, typer.Option(help="Seconds a request's body may take to arrive; then 408.", min=0.1)
    ] = 30,
    limit_concurrency: Annotated[
        int, typer.Option(help="Connections and requests one worker holds at once; past it, 503.", min=1)
    ] = 1000,
    demo: Annotated[
        bool, typer.Option("--demo", help="Development: DEBUG on; seed an admin, a customer and a catalogue.")
    ] = False,
) -> None:
    """Apply pending migrations, then serve the API with uvicorn."""
    import uvicorn

    if demo:
        os.environ.setdefault("DEBUG", "true")
    settings = settings_or_exit(signs_tokens=True)
    configure_logging(settings)
    # Workers are new processes that read the environment: they must share the key.
    os.environ["SECRET_KEY"] = settings.SECRET_KEY
    from shop.serving import BODY_TIMEOUT, HEAD_TIMEOUT

    os.environ[HEAD_TIMEOUT], os.environ[BODY_TIMEOUT] = str(head_timeout), str(body_timeout)
    migrate_or_exit(settings)
    if demo:
        from shop.seed import DEMO_ACCOUNTS, seed_demo

        seeded = run_with_database(settings, seed_demo)
        typer.echo("Demo data " + ("seeded." if seeded else "already present; the demo accounts are:"))
        for account in DEMO_ACCOUNTS:
            typer.echo(f"  {account.role:<8}  username: {account.username}  password: {account.password}")
    from shop.web.metrics import MULTIPROCESS_DIR, shared_by_workers

    # One worker counts in memory, unless the operator named a folder for the figures.
    shared = workers > 1 or bool(os.environ.get(MULTIPROCESS_DIR))
    with shared_by_workers() if shared else contextlib.nullcontext():
        uvicorn.run(
            "shop.server:app_factory",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,
            access_log=False,
            proxy_headers=True,
            forwarded_allow_ips=settings.FORWARDED_ALLOW_IPS,
            timeout_graceful_shutdown=30,
            server_header=False,  # which software answers is nobody's business
            # Slow or oversized heads and bodies are cut (shop.serving); and no more than this at once.
            http="shop.serving:GuardedHttpToolsProtocol",
            limit_concurrency=limit_concurrency,
        )


@cli.command()
def migrate() -> None:
    """Upgrade the database to the newest migration (same as `alembic upgrade head`)."""
    from shop.storage.migrate import head_revision

    settings = settings_or_exit()
    for applied in migrate_or_exit(settings):
        typer.echo(f"Applied {applied}")
    typer.echo(f"The database is up to date (migration {head_revision()}).")


@cli.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(help="The admin's username.")],
    email: Annotated[str, typer.Option(help="The admin's email address.")],
    password: Annotated[
        str | None, typer.Option(help="Password; else $SHOP_ADMIN_PASSWORD; else a prompt.", show_default=False)
    ] = None,
) -> None:
    """Create an admin user (how a fresh install gets its first admin)."""
    from shop.kernel.clock import utcnow
    from shop.kernel.passwords import hash_password_sync
    from shop.users.schemas import UserCreate
    from shop.users.service import create_user

    settings = settings_or_exit()
    if password is None:
        password = os.environ.get("SHOP_ADMIN_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            fail("no password: pass --password, set SHOP_ADMIN_PASSWORD, or run in a terminal")
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        admin = UserCreate(username=username, email=email, password=password, role="admin")
    except ValidationError as error:
        problem = error.errors(include_url=False)[0]
        fail(f"invalid {problem['loc'][0]}: {problem['msg'].removeprefix('Value error, ')}")
    migrate_or_exit(settings)  # a fresh install runs this first

    async def work(database: Database) -> int:
        password_hash = hash_password_sync(admin.password)
        user = await create_user(
            database,
            username=admin.username,
            email=admin.email,
            password_hash=password_hash,
            role="admin",
            now=utcnow(),
        )
        return user.id

    try:
        user_id = run_with_database(settings, work)
    except ShopError as error:
        fail(error.detail)
    typer.echo(f"Admin {admin.username!r} created with id {user_id}.")


@cli.command()
def seed(
    products: Annotated[int, typer.Option(help="Products to add.", min=0)] = 1000,
    categories: Annotated[
        int | None,
        typer.Option(help="Categories to put them in (a tenth at the top); default one per 1,000, 10 to 1,000.", min=1),
    ] = None,
    users: Annotated[int, typer.Option(help="Customers to add.", min=0)] = 0,
    orders: Annotated[int, typer.Option(help="Orders to add (needs customers and products).", min=0)] = 0,
) -> None:
    """Add bulk demo data in batches, with a progress bar."""
    from shop.seed import SEEDED_USER_PASSWORD, seed_orders, seed_products, seed_users

    settings = settings_or_exit()
    migrate_or_exit(settings)

    async def work(database: Database) -> tuple[str, str] | None:
        with Progress(
            TextColumn("{task.description:<9}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
        ) as bar:

            def advance(label: str, count: int) -> Callable[[int], None]:
                return partial(bar.advance, bar.add_task(label, total=count))

            if products:
                await seed_products(database, products, advance("products", products), categories_count=categories)
            named = await seed_users(database, users, advance("users", users)) if users else None
            if orders:
                await seed_orders(database, orders, advance("orders", orders), currency=settings.CURRENCY)
            return named

    try:
        named = run_with_database(settings, work)
    except ValueError as error:
        fail(str(error))
    if named is not None:
        first, last = named
        who = first if first == last else f"{first} to {last}"
        typer.echo(f"Seeded customers log in as {who} with the password {SEEDED_USER_PASSWORD!r}.")


@cli.command("expire-orders")
def expire_orders() -> None:
    """Expire unpaid orders once (UNPAID_ORDER_TTL_SECONDS), for those who run it from cron;
    `shop serve` also sweeps in the background."""
    from shop.kernel.clock import utcnow
    from shop.orders.service import expire_unpaid

    settings = settings_or_exit()
    if settings.UNPAID_ORDER_TTL_SECONDS <= 0:
        typer.echo("UNPAID_ORDER_TTL_SECONDS is 0: unpaid orders never expire.")
        return
    migrate_or_exit(settings)
    expired = run_with_database(
        settings,
        lambda database: expire_unpaid(
            database, utcnow(), settings.UNPAID_ORDER_TTL_SECONDS, currency=settings.CURRENCY
        ),
    )
    typer.echo(f"{expired} unpaid order{'' if expired == 1 else 's'} expired.")


@cli.command("deliver-webhooks")
def deliver_webhooks(
    once: Annotated[bool, typer.Option("--once", help="Send what is due now, then exit.")] = False,
) -> None:
    """Send webhook deliveries until interrupted; `shop serve` also sends them in the background."""
    from shop.kernel.clock import utcnow
    from shop.webhooks.sender import Sender

    settings = settings_or_exit()
    configure_logging(settings)
    migrate_or_exit(settings)

    async def work(database: Database) -> int:
        sender = Sender(
            database,
            utcnow,
            retry_base_seconds=settings.WEBHOOK_RETRY_BASE_SECONDS,
            allow_private_networks=settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
        )
        if not once:
            await sender.run_forever()  # until interrupted
        try:
            return await sender.send_due()
        finally:
            await sender.stop()

    try:
        sent = run_with_database(settings, work)
    except KeyboardInterrupt:
        return
    typer.echo(f"{sent} deliver{'y' if sent == 1 else 'ies'} attempted.")


def main() -> None:
    cli()
