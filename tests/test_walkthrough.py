"""docs/walkthrough.md, run: every curl request it shows is sent to a shop, and
every answer it prints must be the shop's (times, request ids, tokens, ETags and
cursors aside), so the guide cannot drift from what the shop does.

The shop is a demo shop whose catalogue is the one the guide happens to show:
50 products, of which four cost 20.00 or less (ids 5, 17, 29 and 42).
"""

from __future__ import annotations

import base64
import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from falcon.testing import Result
from sqlalchemy.engine import URL

from shop.products import service as products
from shop.seed import DEMO_ACCOUNTS
from shop.users import service as users
from steps.http import CHEAP_HASHER, FakeClock, in_process_app
from steps.http import test_settings as settings_for
from steps.shop_client import InProcessShop

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "walkthrough.md"
BASE = "http://127.0.0.1:8000"
SHOWN = {5: ("Classic Clock #5", 1425, 87), 17: ("Red Mug #17", 1240, 640), 29: ("Small Plant #29", 990, 12)}
SHOWN[42] = ("Vintage Lamp #42", 1850, 311)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def demo(database_url: URL) -> Iterator[InProcessShop]:
    """`shop serve --demo` as the guide shows it: its two accounts and 50 products."""
    shop = InProcessShop(in_process_app(settings_for(database_url, PUBLIC_BASE_URL=BASE), FakeClock()))
    accounts = [
        users.NewAccount(account.username, account.email, CHEAP_HASHER.hash(account.password), account.role)
        for account in DEMO_ACCOUNTS
    ]
    catalogue = []
    for n in range(1, 51):
        name, price_cents, stock = SHOWN.get(n, (f"Blue Notebook #{n}", 2000 + 37 * n, n))
        catalogue.append(products.NewProduct(name, f"Demo product number {n}.", price_cents, stock))
    now = shop.app.clock()
    assert shop.run(users.add_first_accounts(shop.app.database, accounts, now))
    shop.run(products.add_many(shop.app.database, catalogue, now))
    yield shop
    shop.close()


def blocks(text: str) -> Iterator[tuple[str, str, str]]:
    """Each fenced block: the section it is in, its language and its text."""
    section = ""
    for match in re.finditer(r"^## (?P<title>[^\n]+)$|^```(?P<lang>\w*)\n(?P<body>.*?)^```$", text, re.M | re.S):
        if match["title"]:
            section = match["title"]
        else:
            yield section, match["lang"], match["body"]


def claims(token: str) -> list[str]:
    """What a JWT says, by name: its values differ from run to run."""
    payload = token.split(".")[1]
    return sorted(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


class Reader:
    """Follows the guide: its shell variables, its requests, and its answers checked."""

    def __init__(self, shop: InProcessShop) -> None:
        self.shop = shop
        self.variables: dict[str, str] = {}
        self.last: Result | None = None
        self.last_request: dict[str, Any] = {}
        self.cursors: dict[str, str] = {}  # the guide's cursor: the shop's
        self.asked_in: str | None = None  # the section of the last request

    def run(self, command: str, section: str) -> None:
        command = command.replace("\\\n", " ")
        assignment = re.match(r"^(\w+)=(.*)$", command, re.S)
        if assignment and "curl" not in command:
            self.variables[assignment[1]] = assignment[2].strip()
            return
        if not command.startswith(("curl", "TOKEN", "CTOKEN")):
            return  # starting the shop: the fixture did
        line = assignment[2].strip().removeprefix("$(").removesuffix(")") if assignment else command
        line = line.split(" | ", 1)[0]  # what a pipe does with the answer is the shell's business
        curl = shlex.split(re.sub(r"\$(\w+)", lambda m: self.variables.get(m[1], m[0]), line))
        assert curl[0] == "curl", curl
        request = self._request(curl[1:])
        self.send(request, section)
        if assignment:  # VAR=$(curl ... | python3 ...): the token of the answer
            assert self.last is not None and self.last.status_code == 200, self.last and self.last.text
            self.variables[assignment[1]] = self.last.json["access_token"]

    def _request(self, words: list[str]) -> dict[str, Any]:
        method, headers, body, url = "GET", {}, None, ""
        given = iter(words)
        for word in given:
            if word == "-X":
                method = next(given)
            elif word == "-H":
                name, _, value = next(given).partition(": ")
                headers[name] = value
            elif word == "-d":
                body = next(given).encode()
                method = "POST" if method == "GET" else method
            elif not word.startswith("-"):
                url = word
        for shown, real in self.cursors.items():
            url = url.replace(shown, real)
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == BASE, url
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return {"method": method, "path": path, "headers": headers, "body": body}

    def send(self, request: dict[str, Any], section: str) -> None:
        self.last = self.shop.request(**request)
        self.last_request, self.asked_in = request, section

    def check(self, lang: str, shown: str, section: str) -> None:
        if self.asked_in != section:  # "send exactly the same request again"
            self.send(self.last_request, section)
        assert self.last is not None
        answer = self.last
        if shown.startswith("HTTP/1.1 "):
            head, _, body = shown.partition("\n\n")
            status, *fields = head.splitlines()
            assert answer.status_code == int(status.split()[1]), (section, answer.status_code, answer.text)
            for field in fields:
                name, _, value = field.partition(": ")
                got = answer.headers.get(name)
                assert got is not None, (section, name, answer.headers)
                assert self._same_header(name, got) == self._same_header(name, value), (section, name, got, value)
            if body.strip():
                self.compare(json.loads(body), answer.json, section)
        elif lang == "json":
            self.compare(json.loads(shown), answer.json, section)

    def _same_header(self, name: str, value: str) -> str:
        value = UUID.sub("<uuid>", value)
        if name.lower() == "etag":
            return "<etag>"
        return re.sub(r"cursor=[^&>]+", "cursor=<cursor>", value)

    def compare(self, shown: Any, got: Any, section: str) -> None:
        expected, actual = self._comparable(shown, got)
        assert actual == expected, (section, shown, got)

    def _comparable(self, shown: Any, got: Any) -> tuple[Any, Any]:
        """The guide's value and the shop's, with what differs from run to run named
        instead; where the guide shortens an item ("...": "..."), only the fields it shows."""
        if isinstance(shown, dict) and isinstance(got, dict):
            keys = [key for key in shown if key != "..."] if "..." in shown else sorted({*shown, *got})
            expected, actual = {}, {}
            for key in keys:
                mine, theirs = shown.get(key, "<missing>"), got.get(key, "<missing>")
                if key == "next_cursor" and isinstance(mine, str) and isinstance(theirs, str):
                    self.cursors[mine] = theirs  # the guide's next request sends the shop's cursor
                    mine = theirs = "<cursor>"
                elif key == "request_id":
                    mine = theirs = "<request id>"
                elif key == "access_token" and isinstance(mine, str) and isinstance(theirs, str):
                    mine, theirs = claims(mine), claims(theirs)
                else:
                    mine, theirs = self._comparable(mine, theirs)
                expected[key], actual[key] = mine, theirs
            return expected, actual
        if isinstance(shown, list) and isinstance(got, list) and len(shown) == len(got):
            pairs = [self._comparable(one, other) for one, other in zip(shown, got, strict=True)]
            return [pair[0] for pair in pairs], [pair[1] for pair in pairs]
        if isinstance(shown, str) and isinstance(got, str) and TIME.match(shown) and TIME.match(got):
            return "<time>", "<time>"
        return shown, got


def test_every_request_in_the_walkthrough_gets_the_answer_it_shows(demo: InProcessShop) -> None:
    reader = Reader(demo)
    checked = 0
    for section, lang, body in blocks(GUIDE.read_text(encoding="utf-8")):
        if lang == "sh":
            for command in re.split(r"\n(?=\S)", body.strip()):
                reader.run(command, section)
        elif body.startswith("Demo data seeded."):
            for account in DEMO_ACCOUNTS:
                assert account.username in body and account.password in body, account
        elif lang in ("json", "") and reader.last is not None:
            reader.check(lang, body, section)
            checked += 1
    assert checked >= 15, checked  # the guide's answers, every one of them
