"""A state machine drives the in-process shop with random orders (of variants,
and of products by their one variant), cancellations, status moves, deletions,
restocks, variant deletions (archives, once ordered), product deletions,
payments and refunds (an admin's, and Stripe's signed webhook deliveries), and
after every step checks the shop's promises:

- for every variant, archived ones too, stock + the quantities held by live
  orders (not cancelled, not deleted) = everything ever put in, and its stock
  movements add up to its stock;
- orders ship nowhere, to an address written out or from the customer's book, at
  a rate of its zone (refused when it is not, or its band does not take them),
  and every order's figures are the pricing rules' (shop.orders.pricing) on its
  lines as sold, its rate, its country's tax rates and its discount code; its
  total is theirs, unless an admin set it;
- discount codes with small limits: each code's times_used is the number of live
  orders (pending or paid) that hold a use of it, never above its limit, and each
  customer's uses of it within theirs; a code worth nothing to an order takes no use;
- no stock is below zero;
- a refused request changed nothing, and neither did a repeated Stripe event;
- every cancelled order says why, and after a sweep no order is pending past
  its time to live (unpaid orders expire, their stock back on sale);
- the ledger holds exactly the payments, refunds and Stripe events the model
  expects: each (provider, reference) and each event id once, a payment for an
  order cancelled before it arrived not applied, no payment refunded beyond
  what it took in, and a Stripe payment's refunds never more than Stripe gave
  back (nor less than a delivered charge said, while that fits the payment);
- an order a payment moved to paid is covered by its applied payments while it
  is paid, shipped or delivered; a pending order is not; an order with payments
  is never deleted;
- the outbox tells each change once, as it happened: every order's events walk
  the status machine from order.created to its status now (or to
  order.deleted), one payment.received per payment and one refund.created per
  refund, one product event per product added, changed or removed; and a
  refused request, or a repeated Stripe event, told nothing.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from conftest import Databases
from shop.kernel.money import format_cents, parse_cents
from shop.kernel.percent import parse_hundredths
from shop.kernel.settings import load_settings
from shop.orders.pricing import Discount, Line, Rate, Setting, price
from shop.orders.service import MOVED, MOVES
from shop.storage.models import Discount as DiscountTable
from shop.storage.models import (
    DiscountKind,
    DiscountUse,
    Event,
    Order,
    OrderLine,
    Payment,
    Product,
    ProviderEvent,
    Refund,
    StockMovement,
    Variant,
)
from shop.users.service import create_user
from steps.http import CHEAP_HASHER, FakeClock, in_process_app
from steps.payments import WEBHOOK, payment_intent, stripe_delivery, stripe_event
from steps.shop_client import InProcessShop
from tests.budgets import STATE_MACHINE_EXAMPLES, STATE_MACHINE_STEPS

# Two products of one variant each, and a shirt in three sizes.
PRODUCTS = (("Kettle", 5), ("Mug", 8))
SHIRT = {"name": "Shirt", "options": [{"name": "size", "values": ["S", "M", "L"]}]}
SIZES = (("S", 4), ("M", 2), ("L", 3))
TTL_SECONDS = 60
STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled")
PASSWORD = "correct horse battery"
STRIPE_SECRET = "whsec_state_machine"
# Small pools, so that references, event ids and payment intents come again.
# A manual "pi_1" is not Stripe's pi_1: a reference is unique per provider.
REFERENCES = ("bank 1", "bank 2", "pi_1")
EVENTS = tuple(f"evt_{n}" for n in range(1, 9))
INTENTS = ("pi_1", "pi_2", "pi_3")
UNKNOWN_ORDER = 424242
TAX = {"DE": {"standard": "19.00", "reduced": "7.70"}, "FR": {"standard": "20.00"}}
# name: (the country of its zone, price, min_subtotal, free_over)
RATES = {
    "Parcel": ("DE", "4.90", None, "30.00"),
    "Bulky": ("DE", "25.00", "40.00", None),
    "Colis": ("FR", "6.05", None, None),
}
# Codes with small limits: (kind, value, limits). Every line is eligible for each.
CODES: dict[str, tuple[DiscountKind, str | None, dict[str, int]]] = {
    "TWICE": ("fixed", "1.00", {"usage_limit": 2}),
    "ONCEEACH": ("percentage", "10", {"per_customer_limit": 1}),
    "SHIPFREE": ("free_shipping", None, {"usage_limit": 3}),
}
SHIPPING = (
    "nowhere",
    "DE by Parcel",
    "DE by Bulky",
    "DE by Colis",
    "US by Parcel",
    "ada's book by Colis",
    "nowhere by Parcel",
)


@cache
def password_hash() -> str:
    """Hash once, not three times per example."""
    return CHEAP_HASHER.hash(PASSWORD)


def snapshot(shop: InProcessShop) -> tuple[Any, ...]:
    """Everything a request could change, to compare before and after a refusal."""

    def read(connection: Connection) -> tuple[Any, ...]:
        products = connection.execute(select(Product.id, Product.price_cents)).all()
        variants = connection.execute(select(Variant.id, Variant.product_id, Variant.stock, Variant.archived_at)).all()
        ledger = connection.execute(
            select(StockMovement.variant_id, func.sum(StockMovement.delta), func.count()).group_by(
                StockMovement.variant_id
            )
        ).all()
        orders = connection.execute(select(Order.id, Order.status, Order.total_cents, Order.cancel_reason)).all()
        lines = connection.execute(select(OrderLine.order_id, OrderLine.variant_id, OrderLine.quantity)).all()
        payments = connection.execute(
            select(
                Payment.id, Payment.order_id, Payment.provider, Payment.reference, Payment.amount_cents, Payment.applied
            ).order_by(Payment.id)
        ).all()
        refunds = connection.execute(
            select(Refund.payment_id, Refund.amount_cents, Refund.provider_reference).order_by(Refund.id)
        ).all()
        events = connection.execute(select(ProviderEvent.provider, ProviderEvent.event_id)).all()
        told = connection.execute(select(Event.type, Event.subject, Event.data).order_by(Event.id)).all()
        codes = connection.execute(select(DiscountTable.id, DiscountTable.times_used).order_by(DiscountTable.id)).all()
        uses = connection.execute(select(DiscountUse.discount_id, DiscountUse.user_id, DiscountUse.uses)).all()
        return (
            (tuple(sorted(products)), tuple(sorted(variants, key=repr)), tuple(sorted(ledger))),
            tuple(sorted(orders)),
            tuple(sorted(lines, key=repr)),
            tuple(payments),
            tuple(refunds),
            tuple(sorted(events)),
            tuple(told),
            tuple(codes),
            tuple(sorted(uses)),
        )

    return shop.in_database(read)


@dataclass
class Paid:
    """A payment as the model expects it on record."""

    order_id: int
    amount: int
    applied: bool
    refunded: int = 0  # exactly, for a manual payment; Stripe's are bounded (StripeIntent)


@dataclass
class StripeIntent:
    """A payment intent as Stripe knows it: the refunds made of it there, and
    what the shop must have recorded of them by now."""

    refunds: list[int] = field(default_factory=list)  # amounts, oldest first; Stripe's ids re_<intent>_<n>
    at_least: int = 0  # the most a charge.refunded the shop acted on said, while it fit the payment


def run_machine(databases: Databases) -> None:
    class Shopping(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.url = databases.migrated()
            settings_ = load_settings(
                _env_file=None,
                SECRET_KEY=secrets.token_urlsafe(48),
                DATABASE_URL=str(self.url),
                UNPAID_ORDER_TTL_SECONDS=TTL_SECONDS,
                STRIPE_WEBHOOK_SECRET=STRIPE_SECRET,
                SHOP_COUNTRY="DE",
            )
            self.clock = FakeClock()
            self.shop = InProcessShop(in_process_app(settings_, self.clock))
            self.tokens = {}
            for name, role in (("root", "admin"), ("ada", "customer"), ("bob", "customer")):
                email = f"{name}@shop.example"
                app = self.shop.app
                user = create_user(
                    app.database, username=name, email=email, password_hash=password_hash(), role=role, now=app.clock()
                )
                self.shop.run(user)
                body = {"username": name, "password": PASSWORD}
                self.tokens[name] = self.shop.request("POST", "/login", json=body).json["access_token"]
            self.put_in: dict[int, int] = {}  # by variant, archived ones too: every unit ever put in
            self.product_of: dict[int, int] = {}  # every variant's product, deleted ones too
            self.ordered: set[int] = set()  # variants an order ever took
            self.archived: set[int] = set()
            self.orders: set[int] = set()
            self.deleted: set[int] = set()
            created = [
                self.call("root", "POST", "/products", {"name": name, "price": "2.50", "stock": stock})
                for name, stock in PRODUCTS
            ]
            shirt = {**SHIRT, "variants": [{"options": {"size": s}, "price": "9.00", "stock": n} for s, n in SIZES]}
            shirt["tax_class"] = "reduced"
            created.append(self.call("root", "POST", "/products", shirt))
            for product in created:
                assert product.status_code == 201, product.text
                for variant in product.json["variants"]:
                    self.put_in[variant["id"]] = variant["stock"]
                    self.product_of[variant["id"]] = product.json["id"]
            self.admin_totals: set[int] = set()
            self.ship_to = self.set_up_checkout()
            self.codes = self.set_up_codes()
            # The ledger as it should be: payments by (provider, reference), oldest first.
            self.payments: dict[tuple[str, str], Paid] = {}
            self.events: set[str] = set()  # Stripe event ids acted on (claimed)
            self.intents: dict[str, StripeIntent] = {}  # the payment intents Stripe has told the shop of
            # Orders a payment moved to paid (not an admin's PATCH): covered by what was paid.
            self.covered: set[int] = set()
            self.product_changes = 0  # restocks: each a product.updated
            self.total_changes = 0  # an admin's new totals: each an order.updated
            self.products_deleted = 0

        def set_up_checkout(self) -> dict[str, Any]:
            """Tax rates, zones and their rates, and ada's address book: the ways to ship."""
            for country, rates in TAX.items():
                for tax_class, rate in rates.items():
                    body: dict[str, Any] = {"country": country, "tax_class": tax_class, "rate": rate}
                    assert self.call("root", "POST", "/tax-rates", body).status_code == 201
            self.rates: dict[int, tuple[Rate, str]] = {}  # by id: the rate, and its zone's country
            ids: dict[str, int] = {}
            for country in TAX:
                zone = self.call("root", "POST", "/shipping-zones", {"name": country, "countries": [country]})
                for name, (where, cost, low, free) in RATES.items():
                    if where == country:
                        body = {"name": name, "price": cost, "min_subtotal": low, "free_over": free}
                        made = self.call("root", "POST", f"/shipping-zones/{zone.json['id']}/rates", body).json
                        money = [None if value is None else parse_cents(value) for value in (low, None, free)]
                        self.rates[made["id"]] = (Rate(parse_cents(cost), *money), country)
                        ids[name] = made["id"]
            entry = {"name": "Ada", "line1": "Rue 1", "city": "Paris", "postal_code": "75001", "country": "FR"}
            book = self.call("ada", "POST", "/users/me/addresses", entry).json["id"]

            def written(country: str) -> dict[str, Any]:
                return {"name": "A", "line1": "L", "city": "C", "postal_code": "1", "country": country}

            return {
                "nowhere": {},
                "DE by Parcel": {"shipping_address": written("DE"), "shipping_rate_id": ids["Parcel"]},
                "DE by Bulky": {"shipping_address": written("DE"), "shipping_rate_id": ids["Bulky"]},
                "DE by Colis": {"shipping_address": written("DE"), "shipping_rate_id": ids["Colis"]},
                "US by Parcel": {"shipping_address": written("US"), "shipping_rate_id": ids["Parcel"]},
                "ada's book by Colis": {"shipping_address_id": book, "shipping_rate_id": ids["Colis"]},
                "nowhere by Parcel": {"shipping_rate_id": ids["Parcel"]},
            }

        def set_up_codes(self) -> dict[str, tuple[int, Discount]]:
            """Codes with small limits, by code: their ids and what they take off."""
            made = {}
            for code, (kind, value, limits) in CODES.items():
                body = {"code": code, "kind": kind, **({"value": value} if value else {}), **limits}
                answer = self.call("root", "POST", "/discounts", body)
                assert answer.status_code == 201, answer.text
                amount = parse_hundredths(value) if kind == "percentage" else parse_cents(value) if value else 0
                made[code] = (answer.json["id"], Discount(kind, amount))
            return made

        def teardown(self) -> None:
            self.shop.close()
            databases.release(self.url)

        def call(self, who: str, method: str, path: str, body: Any = None) -> Any:
            before = snapshot(self.shop)
            response = self.shop.request(method, path, json=body, token=self.tokens[who])
            assert response.status_code < 500, response.text
            if response.status_code >= 400:
                assert snapshot(self.shop) == before, f"{method} {path} was refused but changed something"
            return response

        def deliver(self, event: dict[str, Any], repeat: bool) -> str:
            """Stripe's delivery, signed as Stripe signs it: what the shop says it did.
            A repeated event changes nothing."""
            before = snapshot(self.shop) if repeat else None
            body, headers = stripe_delivery(event, STRIPE_SECRET, int(self.clock().timestamp()))
            response = self.shop.request("POST", WEBHOOK, headers=headers, body=body)
            if response.status_code == 409 and not repeat:
                # A refund of a payment not on record yet: refused, not claimed; Stripe sends it again.
                return "refused"
            assert response.status_code == 200, response.text
            if before is not None:
                assert response.json["outcome"] == "repeat", response.json
                assert snapshot(self.shop) == before, f"the repeated event {event['id']} changed something"
            self.events.add(event["id"])
            outcome: str = response.json["outcome"]
            return outcome

        def order_now(self, order_id: int) -> tuple[str, int] | None:
            """The order's status and total in cents, as the database has them."""
            statement = select(Order.status, Order.total_cents).where(Order.id == order_id)
            row = self.shop.in_database(lambda connection: connection.execute(statement).first())
            return None if row is None else (row[0], row[1])

        def applied(self, order_id: int) -> int:
            return sum(p.amount for p in self.payments.values() if p.order_id == order_id and p.applied)

        def amount_for(self, data: st.DataObject, order_id: int) -> int:
            """From 1 cent to more than the order's total; often exactly what is still due."""
            found = self.order_now(order_id)
            total = found[1] if found is not None else 1000
            due = max(total - self.applied(order_id), 1)
            return data.draw(st.one_of(st.just(due), st.integers(1, max(total, 1) + 500)), label="cents")

        def expect_payment(self, key: tuple[str, str], order_id: int, amount: int, before: tuple[str, int]) -> str:
            """Record in the model a payment the shop takes for the order as it was `before`;
            the outcome the shop should report, and check the order's status after."""
            status, total = before
            applied = status != "cancelled"
            self.payments[key] = Paid(order_id, amount, applied)
            after = self.order_now(order_id)
            assert after is not None
            if applied and status == "pending" and self.applied(order_id) >= total:
                assert after[0] == "paid", (key, before, after)
                self.covered.add(order_id)
            else:
                assert after[0] == status, (key, before, after)
            return "applied" if applied else "owed back"

        # -- rules ------------------------------------------------------------

        @rule(
            who=st.sampled_from(["ada", "bob", "root"]),
            picks=st.lists(st.tuples(st.integers(0, 4), st.integers(1, 6), st.booleans()), min_size=1, max_size=3),
            ship=st.sampled_from(SHIPPING),
            code=st.sampled_from([None, None, *CODES, "NOSUCHCODE"]),
        )
        def place_order(self, who: str, picks: list[tuple[int, int, bool]], ship: str, code: str | None) -> None:
            """Lines of variants (archived and deleted ones too), some named by their product,
            shipped one of the ways (some of which cannot be: the rate of another zone, a
            country no zone holds, a book entry that is not the caller's, a rate without an
            address, a band the order misses)."""
            ids = sorted(self.product_of)
            items: dict[int, dict[str, int]] = {}
            for index, quantity, by_product in picks:
                variant_id = ids[index % len(ids)]
                line = {"product_id": self.product_of[variant_id]} if by_product else {"variant_id": variant_id}
                items[variant_id] = {**line, "quantity": quantity}
            body = {"items": list(items.values()), **self.ship_to[ship]}
            if code is not None:
                body["discount_code"] = code
            response = self.call(who, "POST", "/orders", body)
            assert response.status_code in (201, 409, 422), response.text
            if ship in ("DE by Colis", "US by Parcel", "nowhere by Parcel") or (
                ship.startswith("ada") and who != "ada"
            ):
                assert response.status_code == 422, response.text
            if response.status_code == 201:
                self.orders.add(response.json["id"])
                taken = {line["variant_id"] for line in response.json["items"]}
                assert not taken & self.archived, response.json
                self.ordered |= taken

        @precondition(lambda self: self.orders)
        @rule(data=st.data(), who=st.sampled_from(["ada", "bob", "root"]), status=st.sampled_from(STATUSES))
        def move(self, data: st.DataObject, who: str, status: str) -> None:
            order_id = data.draw(st.sampled_from(sorted(self.orders)))
            response = self.call(who, "PATCH", f"/orders/{order_id}", {"status": status})
            assert response.status_code in (200, 403, 404, 409), response.text

        @precondition(lambda self: self.orders)
        @rule(data=st.data(), total=st.integers(0, 10_000))
        def set_total(self, data: st.DataObject, total: int) -> None:
            order_id = data.draw(st.sampled_from(sorted(self.orders)))
            before = self.order_now(order_id)
            response = self.call("root", "PATCH", f"/orders/{order_id}", {"total_price": total})
            assert response.status_code == 200, response.text
            if before is not None and before[1] != total * 100:
                self.total_changes += 1  # each an order.updated
            self.admin_totals.add(order_id)
            applied = self.applied(order_id)
            if before is not None and before[0] == "pending" and 0 < applied >= total * 100:  # (total in units)
                # Brought down to what was paid already: settled, as that payment would have.
                assert response.json["status"] == "paid", response.json
                self.covered.add(order_id)
            else:
                # What covers the order is now the admin's business, not a payment's.
                self.covered.discard(order_id)

        @precondition(lambda self: self.orders)
        @rule(data=st.data(), who=st.sampled_from(["ada", "bob", "root"]))
        def delete_order(self, data: st.DataObject, who: str) -> None:
            order_id = data.draw(st.sampled_from(sorted(self.orders)))
            response = self.call(who, "DELETE", f"/orders/{order_id}")
            assert response.status_code in (204, 403, 404, 409), response.text
            if any(payment.order_id == order_id for payment in self.payments.values()):
                # Its money stays on record: 409 for an admin; a customer may be refused sooner.
                assert response.status_code != 204, response.text
                assert who != "root" or response.status_code == 409, response.text
            if response.status_code == 204:
                self.orders.discard(order_id)
                self.deleted.add(order_id)

        def active(self) -> list[int]:
            return sorted(set(self.put_in) - self.archived)

        @precondition(lambda self: self.active())
        @rule(data=st.data(), more=st.integers(1, 5))
        def restock(self, data: st.DataObject, more: int) -> None:
            variant_id = data.draw(st.sampled_from(self.active()))
            path = f"/products/{self.product_of[variant_id]}/variants/{variant_id}"
            stock = self.call("root", "GET", path).json["stock"]
            response = self.call("root", "PATCH", path, {"stock": stock + more})
            assert response.status_code == 200, response.text
            self.put_in[variant_id] += more
            self.product_changes += 1

        @precondition(lambda self: self.active())
        @rule(data=st.data())
        def delete_variant(self, data: st.DataObject) -> None:
            """Archived when it was ever ordered, else deleted; a product's last active variant stays."""
            variant_id = data.draw(st.sampled_from(self.active()))
            product_id = self.product_of[variant_id]
            response = self.call("root", "DELETE", f"/products/{product_id}/variants/{variant_id}")
            last = [v for v in self.active() if self.product_of[v] == product_id] == [variant_id]
            assert response.status_code == (409 if last else 204), response.text
            if response.status_code == 204:
                self.product_changes += 1
                if variant_id in self.ordered:
                    self.archived.add(variant_id)
                else:
                    del self.put_in[variant_id]

        @precondition(lambda self: self.active())
        @rule(data=st.data())
        def delete_product(self, data: st.DataObject) -> None:
            product_id = self.product_of[data.draw(st.sampled_from(self.active()))]
            assert self.call("root", "DELETE", f"/products/{product_id}").status_code == 204
            for variant_id in [v for v in self.put_in if self.product_of[v] == product_id]:
                del self.put_in[variant_id]
                self.archived.discard(variant_id)
            self.products_deleted += 1

        @rule(seconds=st.integers(1, 2 * TTL_SECONDS))
        def time_passes_and_the_shop_sweeps(self, seconds: int) -> None:
            self.clock.advance(timedelta(seconds=seconds))
            self.shop.run(self.shop.app.sweeper.sweep_once())
            overdue = self.clock() - timedelta(seconds=TTL_SECONDS)
            statement = select(Order.id).where(Order.status == "pending", Order.created_at < overdue)
            assert self.shop.in_database(lambda connection: connection.execute(statement).all()) == []

        @precondition(lambda self: self.orders)
        @rule(data=st.data(), reference=st.sampled_from(REFERENCES))
        def admin_records_a_payment(self, data: st.DataObject, reference: str) -> None:
            order_id = data.draw(st.sampled_from(sorted(self.orders)), label="order")
            amount = self.amount_for(data, order_id)
            before = self.order_now(order_id)
            assert before is not None
            body = {"amount": format_cents(amount), "reference": reference}
            response = self.call("root", "POST", f"/orders/{order_id}/payments", body)
            if ("manual", reference) in self.payments:
                assert response.status_code == 409, response.text
                return
            assert response.status_code == 201, response.text
            outcome = self.expect_payment(("manual", reference), order_id, amount, before)
            assert response.json["applied"] is (outcome == "applied"), response.json

        @precondition(lambda self: self.orders or self.deleted)
        @rule(data=st.data(), event_id=st.sampled_from(EVENTS), intent=st.sampled_from(INTENTS))
        def stripe_delivers_a_payment(self, data: st.DataObject, event_id: str, intent: str) -> None:
            # Mostly an order of this shop; at times one deleted, or one it never had.
            targets = [*sorted(self.orders) * 3, *sorted(self.deleted), UNKNOWN_ORDER]
            order_id = data.draw(st.sampled_from(targets), label="order")
            amount = self.amount_for(data, order_id)
            before = self.order_now(order_id)
            repeat = event_id in self.events
            outcome = self.deliver(
                stripe_event(event_id, "payment_intent.succeeded", payment_intent(intent, amount, "usd", order_id)),
                repeat,
            )
            if repeat:
                return
            self.intents.setdefault(intent, StripeIntent())
            if before is None:
                assert outcome == "needs attention", outcome
            elif ("stripe", intent) in self.payments:
                assert outcome == "repeat", outcome
            else:
                assert outcome == self.expect_payment(("stripe", intent), order_id, amount, before)

        @precondition(lambda self: self.payments)
        @rule(data=st.data())
        def admin_refunds(self, data: st.DataObject) -> None:
            paid_orders = sorted({payment.order_id for payment in self.payments.values()})
            order_id = data.draw(st.sampled_from(paid_orders), label="order")
            newest_first = reversed(self.payments.items())
            manual = [p for (provider, _), p in newest_first if provider == "manual" and p.order_id == order_id]
            most = max((p.amount - p.refunded for p in manual), default=0)
            amount = data.draw(st.one_of(st.just(max(most, 1)), st.integers(1, max(most, 1) + 200)), label="cents")
            body = {"amount": format_cents(amount), "reason": "damaged in the post"}
            response = self.call("root", "POST", f"/orders/{order_id}/refunds", body)
            # From the newest manual payment that has that much left; else refused.
            source = next((p for p in manual if p.amount - p.refunded >= amount), None)
            if source is None:
                assert response.status_code == 409, response.text
                return
            assert response.status_code == 201, response.text
            source.refunded += amount

        @precondition(lambda self: self.intents)
        @rule(data=st.data(), event_id=st.sampled_from(EVENTS), listed=st.booleans())
        def stripe_delivers_a_refund(self, data: st.DataObject, event_id: str, listed: bool) -> None:
            # Mostly one the shop has a payment for; at times one whose payment it could not record.
            paid = [intent for intent in sorted(self.intents) if ("stripe", intent) in self.payments]
            intent = data.draw(st.sampled_from([*paid * 3, *sorted(self.intents)]), label="intent")
            stripe = self.intents[intent]
            payment = self.payments.get(("stripe", intent))
            left = max((payment.amount if payment else 1000) - sum(stripe.refunds), 0)
            # Stripe gives back more (0: it sends what it has again), at times beyond the shop's payment.
            more = data.draw(
                st.one_of(
                    st.integers(0, left // 2), st.integers(0, left), st.just(left), st.integers(left + 1, left + 300)
                ),
                label="cents",
            )
            if more:  # (under an event id used before, a refund the shop never hears of: a delivery lost)
                stripe.refunds.append(more)
            total = sum(stripe.refunds)
            charge: dict[str, Any] = {
                "id": f"ch_{intent}",
                "object": "charge",
                "payment_intent": intent,
                "amount_refunded": total,
            }
            if listed:  # As Stripe sent it before its 2022-11-15 API: the refunds listed, newest first.
                refunds = [
                    {"id": f"re_{intent}_{n}", "object": "refund", "amount": cents, "status": "succeeded"}
                    for n, cents in reversed(list(enumerate(stripe.refunds)))
                ]
                charge["refunds"] = {"object": "list", "data": refunds, "has_more": False}
            repeat = event_id in self.events
            outcome = self.deliver(stripe_event(event_id, "charge.refunded", charge), repeat)
            if repeat:
                return
            if payment is None:
                assert outcome == "refused", outcome
            elif total > payment.amount:
                assert outcome == "needs attention", outcome
            else:
                assert outcome == "refunded", outcome
                stripe.at_least = max(stripe.at_least, total)

        # -- invariants ---------------------------------------------------------

        @invariant()
        def stock_is_conserved(self) -> None:
            (_, variants, ledger), orders, lines, *_ = snapshot(self.shop)
            live = {order_id for order_id, status, _, _ in orders if status != "cancelled"}
            held: dict[int, int] = {}
            for order_id, variant_id, quantity in lines:
                if order_id in live and variant_id is not None:
                    held[variant_id] = held.get(variant_id, 0) + quantity
            stocks = {variant_id: stock for variant_id, _, stock, _ in variants}
            assert set(stocks) == set(self.put_in)
            assert {variant_id for variant_id, _, _, archived in variants if archived is not None} == self.archived
            moved = {variant_id: total for variant_id, total, _ in ledger}
            for variant_id, stock in stocks.items():
                assert stock >= 0
                assert stock + held.get(variant_id, 0) == self.put_in[variant_id], variant_id
                assert moved[variant_id] == stock, (variant_id, moved[variant_id], stock)
            assert {order_id for order_id, _, _, _ in orders} == self.orders
            for _, status, _, reason in orders:
                assert (reason is not None) == (status == "cancelled"), (status, reason)

        @invariant()
        def orders_are_priced_by_the_rules(self) -> None:
            for order_id in self.orders:
                order = self.call("root", "GET", f"/orders/{order_id}").json
                rate = self.rates[order["shipping_rate"]["id"]][0] if order["shipping_rate"] else None
                address = order["shipping_address"]
                country = address["country"] if address else "DE"
                rates = {tax_class: parse_hundredths(rate) for tax_class, rate in TAX[country].items()}
                lines = [
                    Line(parse_cents(item["unit_price"]), item["quantity"], item["tax_class"])
                    for item in order["items"]
                ]
                code = order["discount_code"]
                expected = price(lines, rate, Setting(rates), self.codes[code][1] if code else None)
                figures = (order["subtotal"], order["discount_total"], order["shipping_total"], order["tax_total"])
                assert figures == tuple(
                    map(format_cents, (expected.subtotal, expected.discount, expected.shipping, expected.tax))
                ), (order, expected)
                assert [item["discount"] for item in order["items"]] == [
                    format_cents(line.discount) for line in expected.lines
                ]
                assert [item["line_total"] for item in order["items"]] == [
                    format_cents(line.total) for line in expected.lines
                ]
                if order_id not in self.admin_totals:
                    assert parse_cents(order["total_price"]) == expected.total, order

        @invariant()
        def codes_are_used_as_often_as_live_orders_hold_them(self) -> None:
            def read(connection: Connection) -> tuple[Any, ...]:
                codes = connection.execute(
                    select(DiscountTable.id, DiscountTable.times_used, DiscountTable.usage_limit)
                ).all()
                held = connection.execute(
                    select(Order.discount_id, Order.user_id, func.count())
                    .where(Order.discount_id.is_not(None), Order.status.in_(("pending", "paid")))
                    .group_by(Order.discount_id, Order.user_id)
                ).all()
                uses = connection.execute(select(DiscountUse.discount_id, DiscountUse.user_id, DiscountUse.uses)).all()
                return codes, held, uses

            codes, held, uses = self.shop.in_database(read)
            by_code: dict[int, int] = {}
            for discount_id, _, count in held:
                by_code[discount_id] = by_code.get(discount_id, 0) + count
            for discount_id, times_used, limit in codes:
                assert times_used == by_code.get(discount_id, 0), (discount_id, times_used, held)
                assert limit is None or times_used <= limit, (discount_id, times_used, limit)
            held_by = {(discount_id, user_id): count for discount_id, user_id, count in held}
            for discount_id, user_id, count in uses:
                assert count == held_by.get((discount_id, user_id), 0), (discount_id, user_id, count, held)
            limits = {code_id: CODES[code][2].get("per_customer_limit") for code, (code_id, _) in self.codes.items()}
            assert all(limits[d] is None or n <= limits[d] for (d, _), n in held_by.items()), held_by

        @invariant()
        def the_money_is_accounted_for(self) -> None:
            _, orders, _, payments, refunds, events, *_ = snapshot(self.shop)
            # Each (provider, reference) once, each event once: exactly the model's.
            found = {
                (provider, reference): (order_id, amount, applied)
                for _, order_id, provider, reference, amount, applied in payments
            }
            assert len(found) == len(payments)
            assert found == {key: (p.order_id, p.amount, p.applied) for key, p in self.payments.items()}
            assert sorted(events) == sorted(("stripe", event_id) for event_id in self.events)
            # No payment refunded beyond what it took in; the admin's exactly as asked.
            key_of = {payment_id: (provider, reference) for payment_id, _, provider, reference, _, _ in payments}
            refunded = dict.fromkeys(found, 0)
            for payment_id, amount, _ in refunds:
                refunded[key_of[payment_id]] += amount
            for key, payment in self.payments.items():
                assert refunded[key] <= payment.amount, (key, refunded[key], payment)
                if key[0] == "manual":
                    assert refunded[key] == payment.refunded, (key, refunded[key], payment)
                else:  # Never more than Stripe gave back; never less than a charge it acted on said.
                    stripe = self.intents[key[1]]
                    assert refunded[key] <= sum(stripe.refunds), (key, refunded[key], stripe)
                    if sum(stripe.refunds) <= payment.amount:
                        assert refunded[key] >= stripe.at_least, (key, refunded[key], stripe)
            # Paid by payments means covered by them; pending means not yet.
            applied: dict[int, int] = {}
            for _, order_id, _, _, amount, is_applied in payments:
                applied[order_id] = applied.get(order_id, 0) + (amount if is_applied else 0)
            for order_id, status, total, _ in orders:
                if status in ("paid", "shipped", "delivered") and order_id in self.covered:
                    assert applied.get(order_id, 0) >= total, (order_id, status, total, applied.get(order_id))
                # (An admin's total of 0 leaves an order with nothing paid pending: nothing is due.)
                if status == "pending" and applied.get(order_id, 0):
                    assert applied[order_id] < total, (order_id, status, total, applied[order_id])
            # An order with money on record is never deleted.
            assert {p.order_id for p in self.payments.values()} <= self.orders

        @invariant()
        def the_outbox_tells_each_change_once_as_it_happened(self) -> None:
            _, orders, _, payments, refunds, _, told, *_ = snapshot(self.shop)
            by_subject: dict[str, list[tuple[str, dict[str, Any]]]] = {}
            for kind, subject, data in told:
                by_subject.setdefault(subject, []).append((kind, json.loads(data)))
            now = {order_id: (status, reason) for order_id, status, _, reason in orders}
            for order_id in self.orders | self.deleted:
                story = [
                    (kind, data) for kind, data in by_subject.pop(f"order:{order_id}") if kind.startswith("order.")
                ]
                (first, created), *rest = story
                assert (first, created["status"]) == ("order.created", "pending"), story
                status = "pending"
                for index, (kind, data) in enumerate(rest):
                    if kind == "order.updated":  # a new total, told before the move it may settle
                        assert data["total_price"] != data["previous_total_price"], story
                        assert data["status"] in MOVES[status] | {status}, story
                        continue
                    if kind == "order.deleted":
                        assert index == len(rest) - 1 and data["status"] == status, story
                        assert order_id in self.deleted, story
                        continue
                    assert data["status"] in MOVES[status] and kind == MOVED[data["status"]], story
                    status = data["status"]
                if order_id in self.orders:
                    assert (status, story[-1][1]["cancel_reason"]) == now[order_id], (story, now[order_id])
            # Every order event's subject is an order the model knows (placed, or placed and deleted).
            assert not [subject for subject in by_subject if subject.startswith("order:")], by_subject
            kinds = [kind for kind, _, _ in told]
            received = [json.loads(data)["id"] for kind, _, data in told if kind == "payment.received"]
            assert sorted(received) == sorted(payment[0] for payment in payments)
            assert kinds.count("refund.created") == len(refunds)
            assert kinds.count("product.created") == len(PRODUCTS) + 1
            assert kinds.count("product.updated") == self.product_changes
            assert kinds.count("product.deleted") == self.products_deleted
            assert kinds.count("order.updated") == self.total_changes
            assert kinds.count("user.created") == 3  # root, ada and bob, made before the first step

    run_state_machine_as_test(
        Shopping,
        settings=settings(
            max_examples=STATE_MACHINE_EXAMPLES,
            stateful_step_count=STATE_MACHINE_STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )


def test_orders_keep_their_promises_whatever_happens(databases: Databases) -> None:
    run_machine(databases)
