"""HTTP for the caller's address book: parse, call one rule, shape the answer."""

from __future__ import annotations

import falcon.asgi

from shop.addresses import service
from shop.addresses.schemas import Address as AddressBody
from shop.addresses.schemas import AddressCreate, AddressList, AddressUpdate, public
from shop.kernel import codec
from shop.kernel.clock import Clock
from shop.kernel.errors import NotFound
from shop.kernel.ids import plain_id
from shop.storage.database import Database
from shop.storage.keyset import Listing, Totals
from shop.web.auth import caller_of
from shop.web.openapi import Answer, Operation, documented, problem
from shop.web.paging import CursorSeal, parse_query, render_page
from shop.web.urls import absolute
from shop.web.validation import parse_body

BOOK = "/users/me/addresses"
FIELD_RULES = (
    "`name`, `line1` and `city`: 1 to 100 characters; `line2` and `region`: 1 to 100 or null; `postal_code`: "
    "1 to 20; `phone`: 1 to 30 or null; `country`: an assigned ISO 3166-1 alpha-2 code in upper case. Lengths "
    "count characters. Text is kept as sent (nothing is trimmed); blank text, and text with control or "
    "invisible characters, is 422."
)
DEFAULT_RULE = "`is_default: true` makes it the default address: the one before it is an ordinary entry from then on."
NO_ADDRESS = problem("No such address in the caller's book (someone else's entries included).")


def _address_id(text: str) -> int:
    """The id in the path; anything that is no id is no address of the book (404, as an unknown id)."""
    address_id = plain_id(text)
    if address_id is None:
        raise NotFound(service.NO_ADDRESS)
    return address_id


class Addresses:
    """`/users/me/addresses`: the caller's address book, listed, and a new entry."""

    def __init__(self, database: Database, clock: Clock, totals: Totals, cursors: CursorSeal) -> None:
        self.database = database
        self.clock = clock
        self.totals = totals
        self.cursors = cursors

    @documented(
        Operation(
            "listAddresses",
            "List the caller's address book",
            description="By id: the order the entries were added in. The default address is flagged by "
            "`is_default`, where it is. Every user with a token has a book of their own (at most 20 entries).",
            query=AddressList,
            answers={200: Answer("A page of the caller's addresses.", Listing[AddressBody], ("X-Total-Count", "Link"))},
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        caller = caller_of(req)
        query = parse_query(req, AddressList, self.cursors)
        page = await service.list_addresses(self.database, caller.id, query, self.totals)
        render_page(req, resp, query, page.map(public), self.cursors)

    @documented(
        Operation(
            "createAddress",
            "Add an address to the caller's book",
            description=f"{FIELD_RULES} {DEFAULT_RULE} A book holds at most 20 entries: the 21st is 409.",
            body=AddressCreate,
            answers={
                201: Answer("The new entry.", AddressBody, ("Location",)),
                409: problem("The address book holds 20 entries already."),
            },
        )
    )
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        caller = caller_of(req)
        new = await parse_body(req, AddressCreate)
        address = await service.add_address(self.database, caller.id, new, self.clock())
        resp.status = 201
        resp.location = absolute(req, f"{BOOK}/{address.id}")
        resp.data = codec.dumps(public(address))


class Address:
    """`/users/me/addresses/{address_id}`: one entry of the caller's book, read, changed and deleted."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    @documented(
        Operation(
            "getAddress",
            "Read an entry of the caller's address book",
            answers={200: Answer("The entry.", AddressBody), 404: NO_ADDRESS},
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, address_id: str) -> None:
        caller = caller_of(req)
        address = await service.read_address(self.database, caller.id, _address_id(address_id))
        resp.data = codec.dumps(public(address))

    @documented(
        Operation(
            "updateAddress",
            "Change an entry of the caller's address book",
            description="Any of its fields; at least one. null clears `line2`, `region` and `phone`; the other "
            f"fields cannot be null. {FIELD_RULES} {DEFAULT_RULE}",
            body=AddressUpdate,
            answers={200: Answer("The entry as changed.", AddressBody), 404: NO_ADDRESS},
        )
    )
    async def on_patch(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, address_id: str) -> None:
        caller = caller_of(req)
        known = _address_id(address_id)
        changes = await parse_body(req, AddressUpdate)
        address = await service.update_address(self.database, caller.id, known, changes, self.clock())
        resp.data = codec.dumps(public(address))

    @documented(
        Operation(
            "deleteAddress",
            "Delete an entry of the caller's address book",
            description="Deleting the default address leaves the book with none.",
            answers={204: Answer("Deleted."), 404: NO_ADDRESS},
        )
    )
    async def on_delete(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, address_id: str) -> None:
        caller = caller_of(req)
        await service.delete_address(self.database, caller.id, _address_id(address_id))
        resp.status = 204
