"""`nox -s bench`: the shop under load, beside a bare Falcon app, in one run.

On its own it makes a fresh database (SQLite file, or PostgreSQL with
--postgres), seeds it with `shop seed`, starts `shop serve` and the bare app
(bench/bare.py) with the same uvicorn settings, logs in, and drives each
scenario with wrk (bench/lua/scenario.lua) in interleaved rounds. With one
worker the servers are pinned to core 0 and wrk to core 1.

It prints a Markdown table (medians over the rounds; statuses summed) and
writes it, with the raw rounds as JSON, under .bench/ (git-ignored).

POST /orders runs twice: as it is, and with a webhook registered for every
event, delivering to a local receiver (bench/receiver.py, on wrk's core): the
outbox's cost on the request, and how many deliveries a second the shop's
sender makes, during the load and, after it, while it works off the backlog.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "lua" / "scenario.lua"
BIN = Path(sys.executable).parent
PASSWORD = "bench-admin-password"
SEEDED_ORDERS = 1000
SEEDED_USERS = 50
PER_PAGE = 20
SETTLE_SECONDS = 8
STRIPE_SECRET = "whsec_bench"  # the shop's and the bare app's, for the webhook scenarios
THREADS = 2  # wrk's
WEBHOOK_DELIVERIES = 100_000  # per run: more than a run sends, so no event repeats


@dataclass
class Scenario:
    name: str
    server: str  # "shop" or "bare"
    path: str
    method: str = "GET"
    body: str | None = None
    ids: int = 1
    # "{id}" is n * id_step + id_offset for a random n in 1..ids: every fourth seeded
    # product has six variants (shop.seed.demo_product), the others one.
    id_step: int = 1
    id_offset: int = 0
    token: bool = True
    connections: int | None = None
    # Stripe deliveries, signed afresh before each run: (how many, the event of the n-th as JSON).
    signed: tuple[int, Callable[[int], str]] | None = None
    # Set up before a run (its warm-up included) and taken down after it: extra figures for the round.
    around: Callable[[], Callable[[], dict[str, Any]]] | None = None


@dataclass
class Result:
    scenario: str
    rounds: list[dict[str, Any]] = field(default_factory=list)

    def median(self, key: str) -> float:
        return float(statistics.median(round_[key] for round_ in self.rounds))

    @property
    def statuses(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for round_ in self.rounds:
            for status, count in round_["statuses"].items():
                total[status] = total.get(status, 0) + count
        return dict(sorted(total.items()))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("bench: installing wrk (Debian's package)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, check=True)
    return shutil.which("wrk") or sys.exit("bench: wrk is not installed")


def pinned(cores: str | None, command: list[str]) -> list[str]:
    return ["taskset", "-c", cores, *command] if cores else command


def wait_ready(url: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"bench: the server at {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"bench: {url} did not answer in {seconds} s")


def call(base: str, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=600) as response:
        answer = response.read()
        return json.loads(answer) if answer else None  # a 204 has no body


def shop(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "shop"), *args], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


async def _ample_stock(url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from shop.storage.database import Database

    database = Database(make_url(url))
    await database.transaction(lambda connection: connection.execute(text("UPDATE variants SET stock = 1000000000")))
    await database.dispose()


def postgres_database(admin_url: str) -> tuple[str, str]:
    """A fresh PostgreSQL database for this run: (its URL, its name)."""
    name = f"shop_bench_{secrets.token_hex(4)}"
    subprocess.run(["psql", admin_url, "-q", "-c", f"CREATE DATABASE {name}"], check=True)
    return admin_url.rsplit("/", 1)[0] + "/" + name, name


_runs = iter(range(1, 1_000_000))


def sign_deliveries(folder: Path, count: int, event: Callable[[int], str]) -> Path:
    """`count` deliveries as Stripe makes them, signed now (the shop takes five
    minutes either way), with event ids no earlier run of this bench used."""
    run = next(_runs)
    at = int(time.time())
    lines = []
    for number in range(count):
        body = event(run * 10_000_000 + number)
        digest = hmac.new(STRIPE_SECRET.encode(), f"{at}.{body}".encode(), hashlib.sha256).hexdigest()
        lines.append(f"t={at},v1={digest}\t{body}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "signed-deliveries.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def payment_event(orders: int) -> Callable[[int], str]:
    """payment_intent.succeeded, each a new event and payment intent, for one of the first `orders` orders."""

    def event(number: int) -> str:
        intent = {
            "id": f"pi_bench_{number}",
            "object": "payment_intent",
            "amount_received": 1999,
            "currency": "usd",
            "metadata": {"order_id": str(number % orders + 1)},
        }
        return json.dumps(
            {
                "id": f"evt_bench_{number}",
                "object": "event",
                "type": "payment_intent.succeeded",
                "created": 1764504000,
                "livemode": False,
                "data": {"object": intent},
            }
        )

    return event


class WebhookReceiving:
    """A webhook for every event, to the bench's receiver, while a scenario runs."""

    def __init__(self, shop_base: str, receiver_base: str, token: str) -> None:
        self.shop_base, self.receiver_base, self.token = shop_base, receiver_base, token

    def received(self) -> int:
        return int(call(self.receiver_base, "GET", "/count")["received"])

    def events(self) -> int:
        return int(call(self.shop_base, "GET", "/events?per_page=1", token=self.token)["total"])

    def __call__(self) -> Callable[[], dict[str, Any]]:
        body = {"url": self.receiver_base + "/hook", "events": ["*"], "description": "bench"}
        webhook = call(self.shop_base, "POST", "/webhooks", body, token=self.token)["id"]
        started, received, events = time.monotonic(), self.received(), self.events()

        def after() -> dict[str, Any]:
            loaded = time.monotonic()
            during = self.received() - received
            told = self.events() - events
            while self.received() - received < told and time.monotonic() - loaded < 600:
                time.sleep(0.05)
            drained = time.monotonic()
            backlog = told - during
            call(self.shop_base, "DELETE", f"/webhooks/{webhook}", token=self.token)
            return {
                "events": told,
                "deliveries_per_s_during_load": during / (loaded - started),
                "backlog": backlog,
                "deliveries_per_s_draining": backlog / (drained - loaded) if backlog > 0 else 0.0,
            }

        return after


def run_wrk(
    wrk: str, cores: str | None, scenario: Scenario, base: str, token: str, args: argparse.Namespace, seconds: float
) -> dict[str, Any]:
    env = {
        **os.environ,
        "BENCH_METHOD": scenario.method,
        "BENCH_PATH": scenario.path,
        "BENCH_IDS": str(scenario.ids),
        "BENCH_ID_STEP": str(scenario.id_step),
        "BENCH_ID_OFFSET": str(scenario.id_offset),
    }
    if scenario.signed is not None:
        env["BENCH_SIGNED"] = str(sign_deliveries(args.out, *scenario.signed))
        env["BENCH_THREADS"] = str(THREADS)
    if scenario.body:
        env["BENCH_BODY"] = scenario.body
    if scenario.token:
        env["BENCH_TOKEN"] = token
    connections = scenario.connections or args.connections
    command = pinned(
        cores,
        [wrk, f"-t{THREADS}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "-s", str(SCRIPT), base],
    )
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    line = next((line for line in finished.stdout.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"bench: wrk gave no result for {scenario.name}:\n{finished.stdout}\n{finished.stderr}")
    result: dict[str, Any] = json.loads(line.removeprefix("BENCH "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["p50_ms"] = result["p50_us"] / 1000
    result["p99_ms"] = result["p99_us"] / 1000
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--postgres",
        nargs="?",
        const="postgresql://postgres@127.0.0.1:5432/postgres",
        help="run on a fresh PostgreSQL database made through this server URL",
    )
    parser.add_argument("--products", type=int, default=1000, help="catalogue size (1000; --million for 1,000,000)")
    parser.add_argument("--million", action="store_true", help="seed 1,000,000 products")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--duration", type=float, default=10, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up before each run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of every scenario")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--only", help="comma-separated scenario names to run (substring match)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin servers and wrk to cores")
    parser.add_argument("--out", type=Path, default=ROOT / ".bench")
    args = parser.parse_args()
    products = 1_000_000 if args.million else args.products

    wrk = ensure_wrk()
    pin = not args.no_pin and args.workers == 1 and (os.cpu_count() or 1) >= 2
    server_cores, wrk_cores = ("0", "1") if pin else (None, None)
    workdir = Path(tempfile.mkdtemp(prefix="shop-bench-"))
    pg_name = None
    if args.postgres:
        database_url, pg_name = postgres_database(args.postgres)
        bare_database = database_url
    else:
        bare_database = str(workdir / "bench.db")
        database_url = f"sqlite+aiosqlite:///{bare_database}"
    # The shop runs at its default settings, what a user runs: the access line
    # included (to a file, as a redirected server's log goes).
    from shop.kernel.settings import Settings

    env = {
        **{name: value for name, value in os.environ.items() if name not in Settings.model_fields},
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "BENCH_BARE_DATABASE": bare_database,
        "STRIPE_WEBHOOK_SECRET": STRIPE_SECRET,
        "BENCH_STRIPE_SECRET": STRIPE_SECRET,
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",  # the bench's receiver is on 127.0.0.1
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        print(f"bench: seeding {products:,} products, {SEEDED_USERS} users, {SEEDED_ORDERS} orders", flush=True)
        started = time.monotonic()
        shop(env, "migrate")
        # Seeded customers are user1..userN on an empty database: seed before adding the admin.
        shop(env, "seed", "--products", str(products), "--users", str(SEEDED_USERS), "--orders", str(SEEDED_ORDERS))
        shop(env, "create-admin", "--username", "bench", "--email", "bench@shop.example", "--password", PASSWORD)
        from shop.kernel.settings import async_database_url

        asyncio.run(_ample_stock(async_database_url(database_url).render_as_string(hide_password=False)))
        print(f"bench: seeded in {time.monotonic() - started:.1f} s", flush=True)

        shop_port, bare_port = free_port(), free_port()
        log = (workdir / "servers.log").open("wb")
        uvicorn_options = ["--host", "127.0.0.1", "--workers", str(args.workers)]
        processes.append(
            subprocess.Popen(
                pinned(
                    server_cores, [str(BIN / "shop"), "serve", "--port", str(shop_port), "--workers", str(args.workers)]
                ),
                env=env,
                cwd=workdir,
                stdout=log,
                stderr=log,
            )
        )
        processes.append(
            subprocess.Popen(
                pinned(
                    server_cores,
                    [
                        str(BIN / "uvicorn"),
                        "bench.bare:app",
                        "--port",
                        str(bare_port),
                        *uvicorn_options,
                        "--log-level",
                        "warning",
                        "--no-access-log",
                    ],
                ),
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=log,
            )
        )
        receiver_port = free_port()
        processes.append(
            subprocess.Popen(
                pinned(wrk_cores, [sys.executable, "-m", "bench.receiver", str(receiver_port)]),
                cwd=ROOT,
                stdout=log,
                stderr=log,
            )
        )
        shop_base, bare_base = f"http://127.0.0.1:{shop_port}", f"http://127.0.0.1:{bare_port}"
        receiver_base = f"http://127.0.0.1:{receiver_port}"
        wait_ready(shop_base + "/ready", processes[0])
        wait_ready(bare_base + "/fixed", processes[1])
        wait_ready(receiver_base + "/count", processes[2])

        token = call(shop_base, "POST", "/login", {"username": "bench", "password": PASSWORD})["access_token"]
        # The seed skips an order whose products are all out of stock: ask how many there are.
        orders = call(shop_base, "GET", "/orders?per_page=1", token=token)["total"]
        depth = int(products * 0.9)
        deep = call(shop_base, "GET", f"/products?page={depth // PER_PAGE}&per_page={PER_PAGE}", token=token)
        cursor = deep["next_cursor"]
        order_body = '{"items": [{"product_id": {id}, "quantity": 1}]}'
        # Products 4k-3, 4k-2 and 4k-1 have one variant each; product 4k has six,
        # whose ids run from 9k-5 (shop.seed.demo_product, on a fresh database).
        fourths = products // 4
        product_lines = (
            '{"items": [' + ", ".join(f'{{"product_id": {{id{d}}}, "quantity": 1}}' for d in ("", "-1", "-2")) + "]}"
        )
        variant_lines = (
            '{"items": [' + ", ".join(f'{{"variant_id": {{id{d}}}, "quantity": 1}}' for d in ("", "+2", "+4")) + "]}"
        )
        # Checkout: Germany taxes at 19% and ships by Parcel; the shipped orders go to Berlin.
        call(shop_base, "POST", "/tax-rates", {"country": "DE", "tax_class": "standard", "rate": "19.00"}, token)
        zone = call(shop_base, "POST", "/shipping-zones", {"name": "Germany", "countries": ["DE"]}, token)
        parcel = {"name": "Parcel", "price": "4.90"}
        rate = call(shop_base, "POST", f"/shipping-zones/{zone['id']}/rates", parcel, token)
        berlin = {"name": "Bench", "line1": "Hauptstr. 1", "city": "Berlin", "postal_code": "10115", "country": "DE"}
        shipping = {"shipping_address": berlin, "shipping_rate_id": rate["id"]}
        shipped_lines = product_lines[:-1] + ", " + json.dumps(shipping)[1:]
        call(shop_base, "POST", "/discounts", {"code": "BENCH10", "kind": "percentage", "value": "10"}, token)
        coded_lines = product_lines[:-1] + ', "discount_code": "BENCH10"}'
        scenarios = [
            Scenario("GET /products/{id}", "shop", "/products/{id}", ids=products),
            Scenario("GET /products/{id}, one variant", "shop", "/products/{id}", ids=fourths, id_step=4, id_offset=-1),
            Scenario("GET /products/{id}, six variants", "shop", "/products/{id}", ids=fourths, id_step=4),
            Scenario("GET /products?page=1", "shop", "/products?page=1"),
            # The first category `shop seed` makes is a department at the top (a tenth of the products).
            Scenario("GET /products?category=<top>", "shop", "/products?category=1"),
            Scenario(f"GET /products?cursor (depth {depth:,})", "shop", f"/products?cursor={cursor}"),
            Scenario("GET /orders/{id}", "shop", "/orders/{id}", ids=orders),
            Scenario(
                "POST /orders", "shop", "/orders", method="POST", body=order_body, ids=fourths, id_step=4, id_offset=-1
            ),
            Scenario(
                "POST /orders, 3 product lines",
                "shop",
                "/orders",
                method="POST",
                body=product_lines,
                ids=fourths,
                id_step=4,
                id_offset=-1,
            ),
            Scenario(
                "POST /orders, 3 product lines, shipped and taxed",
                "shop",
                "/orders",
                method="POST",
                body=shipped_lines,
                ids=fourths,
                id_step=4,
                id_offset=-1,
            ),
            Scenario(
                "POST /orders, 3 product lines, with a code",
                "shop",
                "/orders",
                method="POST",
                body=coded_lines,
                ids=fourths,
                id_step=4,
                id_offset=-1,
            ),
            Scenario(
                "POST /orders/quote, 3 product lines, shipped and taxed",
                "shop",
                "/orders/quote",
                method="POST",
                body=shipped_lines,
                ids=fourths,
                id_step=4,
                id_offset=-1,
            ),
            Scenario(
                "POST /orders, 3 variant lines",
                "shop",
                "/orders",
                method="POST",
                body=variant_lines,
                ids=fourths,
                id_step=9,
                id_offset=-5,
            ),
            Scenario(
                "POST /orders, a webhook for every event",
                "shop",
                "/orders",
                method="POST",
                body=order_body,
                ids=fourths,
                id_step=4,
                id_offset=-1,
                around=WebhookReceiving(shop_base, receiver_base, token),
            ),
            Scenario("GET /products/{id} without a token (401)", "shop", "/products/{id}", ids=products, token=False),
            Scenario("GET /health", "shop", "/health", token=False),
            # Each delivery a new event: a claim, the order's lock, a payment, the order paid once.
            Scenario(
                "POST /payments/stripe/webhook (new events)",
                "shop",
                "/payments/stripe/webhook",
                method="POST",
                token=False,
                signed=(WEBHOOK_DELIVERIES, payment_event(orders)),
            ),
            Scenario(
                "bare: signed webhook, one insert",
                "bare",
                "/webhook",
                method="POST",
                token=False,
                signed=(WEBHOOK_DELIVERIES, payment_event(orders)),
            ),
            Scenario("bare: token + one row", "bare", "/products/{id}", ids=products),
            Scenario("bare: 401", "bare", "/refused", token=False),
            Scenario("bare: fixed JSON", "bare", "/fixed", token=False),
        ]
        if args.only:
            wanted = args.only.split(",")
            scenarios = [s for s in scenarios if any(w in s.name for w in wanted)]
        results = {scenario.name: Result(scenario.name) for scenario in scenarios}
        login = Result("POST /login (16 clients, 50 users)")
        health_under_login = Result("GET /health during the logins (4 clients)")
        for round_number in range(1, args.rounds + 1):
            for scenario in scenarios:
                base = shop_base if scenario.server == "shop" else bare_base
                after = scenario.around() if scenario.around is not None else None
                if args.warmup:
                    run_wrk(wrk, wrk_cores, scenario, base, token, args, args.warmup)
                measured = run_wrk(wrk, wrk_cores, scenario, base, token, args, args.duration)
                if after is not None:
                    measured.update(after())
                results[scenario.name].rounds.append(measured)
                print(
                    f"bench: round {round_number} {scenario.name}: {measured['rps']:,.0f}/s "
                    f"p50 {measured['p50_ms']:.2f} ms p99 {measured['p99_ms']:.2f} ms {measured['statuses']}"
                    + (
                        f" deliveries {measured['deliveries_per_s_during_load']:,.0f}/s during the load, "
                        f"{measured['deliveries_per_s_draining']:,.0f}/s working off {measured['backlog']:,}"
                        if after is not None
                        else ""
                    ),
                    flush=True,
                )
            if args.only and "login" not in args.only:
                continue
            login_body = '{"username": "user{id}", "password": "seeded-user-password"}'
            logins = Scenario(
                "login", "shop", "/login", "POST", login_body, ids=SEEDED_USERS, token=False, connections=16
            )
            health = Scenario("health", "shop", "/health", token=False, connections=4)
            with ThreadPoolExecutor(2) as pool:
                login_run = pool.submit(run_wrk, wrk, wrk_cores, logins, shop_base, token, args, args.duration)
                time.sleep(1)  # let the logins fill the hashing pool first
                health_run = pool.submit(run_wrk, wrk, wrk_cores, health, shop_base, token, args, args.duration - 2)
                login.rounds.append(login_run.result())
                health_under_login.rounds.append(health_run.result())
            # Logins still queued for the hashing pool outlive wrk's run: let them
            # drain before the next round, or its first scenario measures them.
            time.sleep(SETTLE_SECONDS)
            print(
                f"bench: round {round_number} logins {login.rounds[-1]['rps']:.1f}/s, /health meanwhile "
                f"p99 {health_under_login.rounds[-1]['p99_ms']:.1f} ms",
                flush=True,
            )
        all_results = [*results.values(), *([login, health_under_login] if login.rounds else [])]
        report(args, products, pin, all_results, results)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if pg_name and args.postgres:
            subprocess.run(
                ["psql", args.postgres, "-q", "-c", f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"], check=False
            )
        shutil.rmtree(workdir, ignore_errors=True)


RATIOS = {
    "GET /products/{id}": "bare: token + one row",
    "GET /products/{id}, one variant": "bare: token + one row",
    "GET /products/{id}, six variants": "GET /products/{id}, one variant",
    "POST /orders, 3 variant lines": "POST /orders, 3 product lines",
    "POST /orders, 3 product lines, shipped and taxed": "POST /orders, 3 product lines",
    "POST /orders, 3 product lines, with a code": "POST /orders, 3 product lines",
    "POST /orders/quote, 3 product lines, shipped and taxed": "POST /orders, 3 product lines, shipped and taxed",
    "GET /products?category=<top>": "GET /products?page=1",
    "GET /orders/{id}": "bare: token + one row",
    "GET /products/{id} without a token (401)": "bare: 401",
    "GET /health": "bare: fixed JSON",
    "POST /payments/stripe/webhook (new events)": "bare: signed webhook, one insert",
    "POST /orders, a webhook for every event": "POST /orders",
}


def report(
    args: argparse.Namespace, products: int, pin: bool, all_results: list[Result], results: dict[str, Result]
) -> None:
    database = "PostgreSQL" if args.postgres else "SQLite"
    when = datetime.now(UTC)
    title = (
        f"{database}, {products:,} products, {args.workers} worker(s), "
        f"{'pinned: servers core 0, wrk core 1' if pin else 'not pinned'}, {args.connections} connections, "
        f"{args.rounds} rounds of {args.duration:g} s, {when:%Y-%m-%d %H:%M} UTC"
    )
    lines = [
        f"### {title}",
        "",
        "| scenario | requests/s | p50 ms | p99 ms | statuses | vs |",
        "|---|---|---|---|---|---|",
    ]
    for result in all_results:
        ratio = ""
        if result.scenario in RATIOS and RATIOS[result.scenario] in results:
            ratio = f"{result.median('rps') / results[RATIOS[result.scenario]].median('rps'):.0%}"
        statuses = " ".join(f"{status}: {count:,}" for status, count in result.statuses.items())
        lines.append(
            f"| {result.scenario} | {result.median('rps'):,.0f} | {result.median('p50_ms'):.2f} | "
            f"{result.median('p99_ms'):.2f} | {statuses} | {ratio} |"
        )
    lines.append("")
    lines.append("vs: " + "; ".join(f"{shop} against {against}" for shop, against in RATIOS.items()) + ".")
    for result in all_results:
        if result.rounds and "backlog" in result.rounds[0]:
            lines.append("")
            lines.append(
                f"{result.scenario}: the sender delivered {result.median('deliveries_per_s_during_load'):,.0f}/s "
                f"during the load and {result.median('deliveries_per_s_draining'):,.0f}/s working off the "
                f"backlog after it (medians; backlogs {[r['backlog'] for r in result.rounds]})."
            )
    table = "\n".join(lines)
    print("\n" + table + "\n")
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{when:%Y%m%dT%H%M%S}-{database.lower()}-{args.workers}w"
    stem.with_suffix(".md").write_text(table + "\n")
    stem.with_suffix(".json").write_text(
        json.dumps({"title": title, "results": [asdict(result) for result in all_results]}, indent=2)
    )
    print(f"bench: wrote {stem}.md and .json")


if __name__ == "__main__":
    main()
