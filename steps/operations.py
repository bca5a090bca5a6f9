"""Steps about running the shop: health, settings, embedding and the command line."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from argon2 import extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY
from loguru import logger
from pytest_bdd import given, parsers, then, when
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import URL, Connection
from starlette.applications import Starlette
from starlette.routing import Mount

from conftest import Databases
from shop.app import ShopApp
from shop.kernel.settings import Settings
from shop.seed import DEMO_ACCOUNTS
from shop.storage.database import Database
from shop.storage.models import (
    Base,
    Category,
    Order,
    OrderLine,
    Product,
    ProductCategory,
    StockMovement,
    User,
    Variant,
)
from steps.accounts import add_user
from steps.grammar import step
from steps.http import Exchange, in_process_app, send, start_shop, test_settings
from steps.processes import Operator
from steps.shop_client import InProcessShop

SHOP_TABLES = set(Base.metadata.tables)


def unreachable_database(databases: Databases) -> URL:
    """A database URL that cannot answer: a closed port, or a folder that does not exist."""
    if databases.backend == "postgresql":
        assert databases.server is not None
        return databases.server.set(port=1, database="nowhere")
    return URL.create("sqlite+aiosqlite", database="/nonexistent-folder/for/shop/tests.db")


# -- Logs ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def log_records() -> Iterator[list[dict[str, Any]]]:
    """Every record the shop logs during the scenario."""
    records: list[dict[str, Any]] = []
    sink = logger.add(lambda message: records.append(dict(message.record)), level="DEBUG")
    yield records
    with contextlib.suppress(ValueError):  # a test that configured logging removed it already
        logger.remove(sink)


@then(step('the log has an error for request "{request_id:q}" with the traceback'))
def logged_error(log_records: list[dict[str, Any]], request_id: str) -> None:
    errors = [r for r in log_records if r["level"].name == "ERROR" and r["extra"].get("request_id") == request_id]
    assert len(errors) == 1, log_records
    assert errors[0]["exception"] is not None and errors[0]["exception"].traceback is not None


@then(
    step(
        'the log has one access line for request "{request_id:q}" '
        'that says {method:method} "{path:q}" answered {status:d}'
    )
)
def access_line(log_records: list[dict[str, Any]], request_id: str, method: str, path: str, status: int) -> None:
    lines = [r for r in log_records if r["extra"].get("request_id") == request_id and "status" in r["extra"]]
    assert len(lines) == 1, log_records
    extra = lines[0]["extra"]
    assert (extra["method"], extra["path"], extra["status"]) == (method, path, status)
    assert isinstance(extra["duration_ms"], float) and extra["duration_ms"] >= 0
    assert f"{method} {path} {status}" in lines[0]["message"]


# -- Health and errors --------------------------------------------------------


@given("a shop on a database that was never migrated", target_fixture="shop")
def shop_unmigrated(
    request: pytest.FixtureRequest, databases: Databases, log_records: list[dict[str, Any]]
) -> InProcessShop:
    url = databases.empty()
    request.addfinalizer(lambda: databases.release(url))
    request.node.unmigrated = url
    return start_shop(request, test_settings(url))


@when("the operator migrates that database")
def migrate_that_database(request: pytest.FixtureRequest) -> None:
    from shop.storage.migrate import upgrade

    upgrade(request.node.unmigrated)


@then(step('the log warns once that the schema needs "{text:q}"'))
def warned_schema(log_records: list[dict[str, Any]], text: str) -> None:
    warnings = [r for r in log_records if r["level"].name == "WARNING" and text in r["message"]]
    assert len(warnings) == 1, [r["message"] for r in log_records]


@given("a shop whose database cannot be reached", target_fixture="shop")
def shop_without_database(request: pytest.FixtureRequest, database_url: URL, databases: Databases) -> InProcessShop:
    return start_shop(request, test_settings(database_url, DATABASE_URL=str(unreachable_database(databases))))


@when(step('a client with a valid token sends {method:method} "{path:q}"'))
def send_with_forged_token(exchange: Exchange, shop: InProcessShop, method: str, path: str) -> None:
    # Signed with the shop's own key: only the database can say who user 1 is.
    exchange.token = shop.app.tokens.issue(1, "admin", 0)
    send(exchange, shop, method, path)


class Explodes:
    anonymous = frozenset({"GET"})

    async def on_get(self, req: Any, resp: Any) -> None:
        raise RuntimeError("secret detail that must not reach the client")


@given(step('the shop has a route "{path:q}" that fails unexpectedly'))
def failing_route(shop: InProcessShop, path: str, log_records: list[dict[str, Any]]) -> None:
    shop.app.add_route(path, Explodes())


# -- Two shops side by side ---------------------------------------------------


@given(step('two shops, "{first:q}" and "{second:q}", on two databases'))
def two_shops(
    request: pytest.FixtureRequest, databases: Databases, shops: dict[str, InProcessShop], first: str, second: str
) -> None:
    for name in (first, second):
        url = databases.migrated()
        request.addfinalizer(partial(databases.release, url))
        shops[name] = start_shop(request, test_settings(url))


@given(step('two shops, "{first:q}" and "{second:q}", where the "{broken:q}" database cannot be reached'))
def two_shops_one_broken(
    request: pytest.FixtureRequest,
    databases: Databases,
    database_url: URL,
    shops: dict[str, InProcessShop],
    first: str,
    second: str,
    broken: str,
) -> None:
    for name in (first, second):
        url = unreachable_database(databases) if name == broken else database_url
        shops[name] = start_shop(request, test_settings(url))


@given(step('an admin "{username:q}" with the password "{password:q}" in the "{name:q}" shop'))
def admin_in_shop(shops: dict[str, InProcessShop], username: str, password: str, name: str) -> None:
    add_user(shops[name], shops[name].app, username, password, "admin")


def login_status(client: InProcessShop, path: str, username: str, password: str) -> int:
    return client.request("POST", path, json={"username": username, "password": password}).status_code


@then(step('"{username:q}" can log in to the "{name:q}" shop'))
def can_log_in(shops: dict[str, InProcessShop], username: str, name: str) -> None:
    assert login_status(shops[name], "/login", username, "correct horse battery") == 200


@then(step('"{username:q}" cannot log in to the "{name:q}" shop'))
def cannot_log_in(shops: dict[str, InProcessShop], username: str, name: str) -> None:
    assert login_status(shops[name], "/login", username, "correct horse battery") == 401


@when(step('the "{name:q}" shop shuts down'))
def shut_down(shops: dict[str, InProcessShop], name: str) -> None:
    shops[name].stop()


@then(step('the "{name:q}" shop is ready'))
def is_ready(shops: dict[str, InProcessShop], name: str) -> None:
    assert shops[name].request("GET", "/ready").status_code == 200


@then(step('the "{name:q}" shop is not ready'))
def is_not_ready(shops: dict[str, InProcessShop], name: str) -> None:
    assert shops[name].request("GET", "/ready").status_code == 503


# -- Mounted under a prefix ---------------------------------------------------


@given(step('a shop mounted at "{prefix:q}" inside a Starlette application'), target_fixture="host")
def mounted_shop(request: pytest.FixtureRequest, settings: Settings, prefix: str) -> InProcessShop:
    shop_app = in_process_app(settings)
    host = start_shop_host(request, Starlette(routes=[Mount(prefix, app=shop_app)]))  # type: ignore[arg-type]
    host.mounted = shop_app  # type: ignore[attr-defined]
    return host


def start_shop_host(request: pytest.FixtureRequest, app: Any) -> InProcessShop:
    running = InProcessShop(app)
    request.addfinalizer(running.close)
    return running


@given(step('an admin "{username:q}" with the password "{password:q}" in the mounted shop'))
def admin_in_mounted(host: InProcessShop, username: str, password: str) -> None:
    mounted: ShopApp = host.mounted  # type: ignore[attr-defined]
    add_user(host, mounted, username, password, "admin")


@then(step('GET "{path:q}" on the host application answers {status:d}'))
def host_answers(host: InProcessShop, path: str, status: int) -> None:
    assert host.request("GET", path).status_code == status


@then(step('GET "{path:q}" on the host application answers a 404 problem'))
def host_answers_problem(host: InProcessShop, path: str) -> None:
    response = host.request("GET", path)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["request_id"] == response.headers["X-Request-ID"]


@then(step('"{username:q}" can log in through "{path:q}"'))
def log_in_through(host: InProcessShop, username: str, path: str) -> None:
    assert login_status(host, path, username, "correct horse battery") == 200


# -- Imports ------------------------------------------------------------------


@pytest.fixture
def import_probe() -> dict[str, Any]:
    return {}


@when("a new Python process imports shop in an empty directory")
def import_shop(tmp_path: Path, import_probe: dict[str, Any]) -> None:
    code = (
        "import shop, shop.app, shop.cli, shop.storage.models, shop.server\n"
        "from loguru import logger\n"
        "import logging\n"
        "print(len(logger._core.handlers), len(logging.getLogger().handlers))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    import_probe["handlers"] = done.stdout.split()
    import_probe["files"] = sorted(p.name for p in tmp_path.iterdir())


@then("no file was created")
def no_file(import_probe: dict[str, Any]) -> None:
    assert import_probe["files"] == []


@then("no log sink was added")
def no_sink(import_probe: dict[str, Any]) -> None:
    # Loguru's one default stderr sink, and no handler on the root logger.
    assert import_probe["handlers"] == ["1", "0"]


# -- The operator's shell -----------------------------------------------------


@pytest.fixture
def operator(tmp_path: Path, database_url: URL) -> Iterator[Operator]:
    workdir = tmp_path / "operator"
    workdir.mkdir()
    shell = Operator.fresh(
        workdir,
        DATABASE_URL=database_url.render_as_string(hide_password=False),
        SECRET_KEY=secrets.token_urlsafe(48),
    )
    yield shell
    shell.stop_all()


@given(parsers.re(r'the environment sets (?P<name>[A-Z_]+) to "(?P<value>[^"]*)"'))
def env_sets(operator: Operator, name: str, value: str) -> None:
    operator.env[name] = value


@given(step("the environment has no {name:w}"))
def env_unsets(operator: Operator, name: str) -> None:
    operator.env.pop(name, None)


@given("an empty database")
def empty_database(request: pytest.FixtureRequest, operator: Operator, databases: Databases) -> None:
    url = databases.empty()
    request.addfinalizer(lambda: databases.release(url))
    operator.env["DATABASE_URL"] = url.render_as_string(hide_password=False)


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    return tmp_path / "named-by-a-setting.db"


@given("a .env file that sets DATABASE_URL to a new SQLite file")
def dotenv_file(operator: Operator, sqlite_file: Path) -> None:
    operator.env.pop("DATABASE_URL")
    (operator.workdir / ".env").write_text(f"DATABASE_URL=sqlite:///{sqlite_file}\n")


@given("a .env file with the seed's names SQLITE_URI, ALEMBIC_URI and SECRET_KEY")
def seed_dotenv(operator: Operator, sqlite_file: Path) -> None:
    for name in ("DATABASE_URL", "SECRET_KEY"):
        operator.env.pop(name)
    (operator.workdir / ".env").write_text(
        f"SQLITE_URI=sqlite+aiosqlite:///{sqlite_file}\n"
        f"ALEMBIC_URI=sqlite:///{sqlite_file}\n"
        f"SECRET_KEY={secrets.token_urlsafe(48)}\n"
    )


@given(step("the environment sets {name:w} to a new SQLite file"))
def env_sqlite_file(operator: Operator, sqlite_file: Path, name: str) -> None:
    operator.env.pop("DATABASE_URL")
    operator.env[name] = f"sqlite:///{sqlite_file}"


@given("the environment sets SQLITE_URI to a new SQLite file with the demo admin")
def sqlite_uri_with_admin(monkeypatch: pytest.MonkeyPatch, sqlite_file: Path) -> None:
    from shop.storage.migrate import upgrade

    url = f"sqlite+aiosqlite:///{sqlite_file}"
    upgrade(url)
    admin = DEMO_ACCOUNTS[0]
    running = InProcessShop(in_process_app(test_settings(URL.create("sqlite+aiosqlite", database=str(sqlite_file)))))
    try:
        add_user(running, running.app, admin.username, admin.password, admin.role)
    finally:
        running.close()
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SQLITE_URI", url)
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))


@when("a shop starts with those settings", target_fixture="shop")
def shop_from_environment(request: pytest.FixtureRequest) -> InProcessShop:
    from shop.kernel.settings import load_settings

    return start_shop(request, load_settings(_env_file=None))


@then("the demo admin can log in to it")
def demo_admin_logs_in(shop: InProcessShop) -> None:
    admin = DEMO_ACCOUNTS[0]
    assert login_status(shop, "/login", admin.username, admin.password) == 200


@when(step('the operator runs "{command:q}"'))
def operator_runs(operator: Operator, command: str) -> None:
    operator.run(command)


@then("the command succeeds")
def command_succeeds(operator: Operator) -> None:
    assert operator.result is not None
    assert operator.result.returncode == 0, operator.result.stderr


def failure_line(operator: Operator) -> str:
    result = operator.result
    assert result is not None
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@then(step("the command fails with one line that names {name:w}"))
def fails_naming(operator: Operator, name: str) -> None:
    assert name in failure_line(operator)


@then(step('the command fails with one line that says "{text:q}"'))
def fails_saying(operator: Operator, text: str) -> None:
    assert text.lower() in failure_line(operator).lower()


@then(step('the output does not contain "{text:q}"'))
def output_silent_on(operator: Operator, text: str) -> None:
    assert operator.result is not None
    assert text not in operator.result.stdout + operator.result.stderr


@then(step('its output mentions "{text:q}"'))
def output_mentions(operator: Operator, text: str) -> None:
    assert operator.result is not None and text in operator.result.stdout


def shipped_migrations() -> list[str]:
    """Every migration the shop ships, oldest first, as `shop migrate` names them."""
    from alembic.script import ScriptDirectory

    from shop.storage.migrate import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config(""))
    return [
        f"{script.revision}: {(script.doc or '').strip().splitlines()[0]}"
        for script in reversed(list(scripts.walk_revisions()))
    ]


@then("its output names every migration the shop ships, oldest first, and the newest as where the database is")
def output_names_migrations(operator: Operator) -> None:
    assert operator.result is not None
    lines = operator.result.stdout.splitlines()
    shipped = shipped_migrations()
    assert lines == [f"Applied {migration}" for migration in shipped] + [
        f"The database is up to date (migration {shipped[-1].split(':')[0]})."
    ], lines


@then("its output is only that the database is up to date")
def output_up_to_date(operator: Operator) -> None:
    assert operator.result is not None
    newest = shipped_migrations()[-1].split(":")[0]
    assert operator.result.stdout.splitlines() == [f"The database is up to date (migration {newest})."]


@then("that SQLite file has the shop's tables")
def sqlite_file_has_tables(sqlite_file: Path) -> None:
    with sqlite3.connect(sqlite_file) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert names >= SHOP_TABLES, names


def on_operators_database[T](shop: InProcessShop, operator: Operator, work: Callable[[Connection], T]) -> T:
    """`work` run on the database the operator's commands use (not the shop's under test)."""
    from shop.kernel.settings import async_database_url

    async def run() -> T:
        database = Database(async_database_url(operator.env["DATABASE_URL"]))
        try:
            return await database.transaction(work)
        finally:
            await database.dispose()

    return shop.run(run())


@then("the database has the shop's tables")
def database_has_tables(shop: InProcessShop, operator: Operator) -> None:
    assert set(on_operators_database(shop, operator, lambda sync: inspect(sync).get_table_names())) >= SHOP_TABLES


@then(step('the database holds the admin "{username:q}"'))
def database_holds_admin(shop: InProcessShop, operator: Operator, username: str) -> None:
    role = select(User.role).where(User.username == username)
    assert on_operators_database(shop, operator, lambda sync: sync.execute(role).scalar_one_or_none()) == "admin"


@then(step("the database holds {count:d} products"))
def database_holds_products(shop: InProcessShop, operator: Operator, count: int) -> None:
    counted = select(func.count()).select_from(Product)
    assert on_operators_database(shop, operator, lambda sync: sync.execute(counted).scalar_one()) == count


@then(step('"{username:q}" can log in with the password "{password:q}" as an admin'))
def logs_in_as_admin(shop: InProcessShop, settings: Settings, username: str, password: str) -> None:
    response = shop.request("POST", "/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text

    statement = select(User.role).where(User.username == username)
    assert shop.in_database(lambda connection: connection.execute(statement).scalar_one()) == "admin"


@then(step('the password of "{username:q}" is stored as Argon2id at RFC 9106\'s cost: 64 MiB, 3 passes, 4 lanes'))
def stored_at_production_cost(shop: InProcessShop, operator: Operator, username: str) -> None:
    stored = select(User.password_hash).where(User.username == username)
    password_hash = on_operators_database(shop, operator, lambda sync: sync.execute(stored).scalar_one())
    assert password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), password_hash
    assert extract_parameters(password_hash) == RFC_9106_LOW_MEMORY


@then(step("the database holds {products:d} products, {users:d} users and {orders:d} orders"))
def database_holds(shop: InProcessShop, products: int, users: int, orders: int) -> None:
    def counts(connection: Connection) -> tuple[int, ...]:
        return tuple(int(connection.execute(select(func.count()).select_from(m)).scalar_one()) for m in tables)

    tables = (Product, User, Order)
    assert shop.in_database(counts) == (products, users, orders)


@then(step("the database holds {products:d} products in {categories:d} categories, {tops:d} of them at the top"))
def database_holds_catalogue(shop: InProcessShop, products: int, categories: int, tops: int) -> None:
    def counts(connection: Connection) -> tuple[int, int, int]:
        top = select(func.count()).select_from(Category).where(Category.parent_id.is_(None))
        return (
            int(connection.execute(select(func.count()).select_from(Product)).scalar_one()),
            int(connection.execute(select(func.count()).select_from(Category)).scalar_one()),
            int(connection.execute(top).scalar_one()),
        )

    assert shop.in_database(counts) == (products, categories, tops)


@then("every product is in one category below the top, with two https pictures")
def seeded_products_placed(shop: InProcessShop) -> None:
    statement = (
        select(Product.id, Product.images, Product.category_ids, Category.parent_id)
        .join(ProductCategory, ProductCategory.product_id == Product.id)
        .join(Category, Category.id == ProductCategory.category_id)
    )
    rows = shop.in_database(lambda connection: connection.execute(statement).all())
    assert len(rows) == shop.in_database(lambda c: c.execute(select(func.count()).select_from(Product)).scalar_one())
    for _, images, category_ids, parent_id in rows:
        assert parent_id is not None and len(json.loads(category_ids)) == 1
        pictures = json.loads(images)
        assert len(pictures) == 2 and all(picture["url"].startswith("https://") for picture in pictures), pictures


@then("every fourth product comes in six variants, the others in one")
def seeded_variants(shop: InProcessShop) -> None:
    statement = select(Variant.product_id, func.count()).group_by(Variant.product_id).order_by(Variant.product_id)
    counted = shop.in_database(lambda connection: connection.execute(statement).all())
    assert counted and all(count == (6 if product_id % 4 == 0 else 1) for product_id, count in counted), counted


@then("every variant's stock movements add up to its stock")
def seeded_ledger(shop: InProcessShop) -> None:
    moved = (
        select(Variant.id, Variant.stock, func.coalesce(func.sum(StockMovement.delta), 0))
        .outerjoin(StockMovement, StockMovement.variant_id == Variant.id)
        .group_by(Variant.id, Variant.stock)
    )
    rows = shop.in_database(lambda connection: connection.execute(moved).all())
    assert rows and all(stock == total for _, stock, total in rows), [row for row in rows if row[1] != row[2]][:5]


@then("every seeded order has lines and a total equal to the sum of its lines")
def seeded_orders_consistent(shop: InProcessShop) -> None:
    lines = (
        select(OrderLine.order_id, func.sum(OrderLine.unit_price_cents * OrderLine.quantity).label("sum"))
        .group_by(OrderLine.order_id)
        .subquery()
    )
    statement = select(Order.total_cents, lines.c.sum).outerjoin(lines, lines.c.order_id == Order.id)

    def totals(connection: Connection) -> list[tuple[int, int | None]]:
        return [(row[0], row[1]) for row in connection.execute(statement)]

    found = shop.in_database(totals)
    assert found and all(total == line_sum for total, line_sum in found), found


# -- Servers ------------------------------------------------------------------


@pytest.fixture
def server_holder() -> dict[str, Any]:
    return {}


@when(step('the operator starts "{command:q}"'))
def operator_starts(operator: Operator, server_holder: dict[str, Any], command: str) -> None:
    server_holder["server"] = operator.start(command)


@then(step('the server answers GET "{path:q}" with {status:d}'))
def server_answers(server_holder: dict[str, Any], path: str, status: int) -> None:
    assert server_holder["server"].request("GET", path)[0] == status


@when(step('a client sends the server GET "{path:q}" with the headers "{first:q}" and "{second:q}"'))
def server_request_with_headers(server_holder: dict[str, Any], path: str, first: str, second: str) -> None:
    headers = dict(header.split(": ", 1) for header in (first, second))
    server_holder["answer"] = server_holder["server"].request("GET", path, headers=headers)


@then(step('the Link header of that answer starts with "{start:q}"'))
def answer_link_starts(server_holder: dict[str, Any], start: str) -> None:
    status, headers, _ = server_holder["answer"]
    assert status == 200 and headers["link"].startswith(start), headers


@then(step('the server\'s access line for it names the client "{client:q}"'))
def access_line_client(server_holder: dict[str, Any], client: str) -> None:
    request_id = server_holder["answer"][1]["x-request-id"]
    lines = [line for line in server_holder["server"].output_with(request_id).splitlines() if request_id in line]
    assert lines and f"client={client}" in lines[-1], server_holder["server"].output


@then("the server's output shows the demo credentials")
def shows_credentials(server_holder: dict[str, Any]) -> None:
    output = server_holder["server"].output
    for account in DEMO_ACCOUNTS:
        assert account.username in output and account.password in output


@then("the demo admin can log in to the server")
def demo_admin_logs_in_to_server(server_holder: dict[str, Any]) -> None:
    admin = DEMO_ACCOUNTS[0]
    status, _, body = server_holder["server"].request(
        "POST", "/login", {"username": admin.username, "password": admin.password}
    )
    assert status == 200 and body["token_type"] == "Bearer"


@when(step('the demo admin adds the customer "{username:q}" with the password "{password:q}" through the server'))
def demo_admin_adds_customer(server_holder: dict[str, Any], username: str, password: str) -> None:
    server = server_holder["server"]
    admin = DEMO_ACCOUNTS[0]
    _, _, body = server.request("POST", "/login", {"username": admin.username, "password": admin.password})
    customer = {"username": username, "email": f"{username}@shop.example", "password": password}
    status, _, created = server.request(
        "POST", "/users", customer, headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert status == 201, created


@when(step('"{username:q}" logs in to the server with the password "{password:q}"'))
@then(step('"{username:q}" logs in to the server with the password "{password:q}"'))
def logs_in_to_server(server_holder: dict[str, Any], exchange: Exchange, username: str, password: str) -> None:
    status, headers, body = server_holder["server"].request(
        "POST", "/login", {"username": username, "password": password}
    )
    assert status == 200
    server_holder["token"] = body["access_token"]
    server_holder["request_id"] = headers["x-request-id"]


@then(step('no line of the server\'s log starts with "{start:q}"'))
def no_forged_line(server_holder: dict[str, Any], start: str) -> None:
    # The request's own access line is written (escaped) before we look.
    output = server_holder["server"].output_with("forged")
    assert "forged" in output and not [line for line in output.splitlines() if line.startswith(start)], output


@then("the server's answers do not name the software behind them")
def no_server_header(server_holder: dict[str, Any]) -> None:
    # A Server header tells an attacker which advisories to try.
    status, headers, _ = server_holder["server"].request("GET", "/health")
    assert status == 200 and "server" not in headers, headers


@then(step('the server\'s log has an access line for {method:method} "{path:q}"'))
def server_access_line(server_holder: dict[str, Any], method: str, path: str) -> None:
    assert f"{method} {path} 200" in server_holder["server"].output_with(f"{method} {path} 200")


@then("every line of the server's log is a flat JSON object with a time, a level and a message")
def json_lines(server_holder: dict[str, Any]) -> None:
    lines = server_holder["server"].output.splitlines()
    assert lines
    for line in lines:
        record = json.loads(line)
        assert isinstance(record, dict) and {"time", "level", "message"} <= record.keys(), line
        assert not any(isinstance(value, dict | list) for value in record.values()), line


def _token_subject(token: str) -> int:
    payload = token.split(".")[1]
    return int(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


@then("the server's access line for that login has these fields")
def json_access_line(server_holder: dict[str, Any], datatable: list[list[str]]) -> None:
    request_id = server_holder["request_id"]
    records = [json.loads(line) for line in server_holder["server"].output_with(request_id).splitlines()]
    (access,) = [r for r in records if r.get("request_id") == request_id and r.get("logger") == "shop.access"]
    # What the table's words stand for: the rest are the values themselves.
    meaning: dict[str, Callable[[Any], bool]] = {
        "an ISO 8601 time in UTC": lambda v: re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", v) is not None,
        "the login's request id": lambda v: v == request_id,
        "a number of milliseconds": lambda v: isinstance(v, int | float) and v >= 0,
        "root's id": lambda v: v == _token_subject(server_holder["token"]),
        "POST /login 200, in words": lambda v: v.startswith("POST /login 200 ") and "client=127.0.0.1" in v,
    }
    fields = dict(datatable[1:])
    assert set(access) == set(fields), access
    for field, value in fields.items():
        check = meaning.get(value, lambda v, value=value: str(v) == value)
        assert check(access[field]), (field, access[field])


@then("the server's log does not contain the password, the token or the secret key")
def no_secrets(server_holder: dict[str, Any], operator: Operator) -> None:
    output = server_holder["server"].output
    for secret in ("correct horse battery", str(server_holder["token"]), operator.env["SECRET_KEY"]):
        assert secret not in output
