"""HTTP for the catalogue's categories: parse, call one rule, shape the answer."""

from __future__ import annotations

import falcon.asgi

from shop.categories import service
from shop.categories.schemas import Category as CategoryBody
from shop.categories.schemas import CategoryCreate, CategoryList, CategoryUpdate, public
from shop.kernel import codec
from shop.kernel.clock import Clock
from shop.storage.database import Database
from shop.storage.keyset import Listing, Totals
from shop.web.auth import require_admin
from shop.web.openapi import FORBIDDEN, Answer, Operation, documented, problem
from shop.web.paging import CursorSeal, parse_query, render_page
from shop.web.urls import absolute
from shop.web.validation import parse_body

TAKEN = problem(
    "Another category has this slug, or this name under the same parent (ignoring case); "
    "or the category would be below the tenth level of the tree."
)
TREE_RULES = (
    "A tree is at most 10 levels deep. Names are unique among siblings, ignoring case; slugs in the whole shop "
    "(a-z, 0-9 and single hyphens between them, not digits only). An unknown `parent_id` is 422 at that field."
)


class Categories:
    """`/categories`: list (as the catalogue: with a token, or by anyone when it is public) and create (admins)."""

    def __init__(self, database: Database, clock: Clock, totals: Totals, cursors: CursorSeal, *, public: bool) -> None:
        self.database = database
        self.clock = clock
        self.totals = totals
        self.cursors = cursors
        # With a public catalogue, reading needs no token (one sent is still checked).
        self.anonymous = frozenset({"GET"}) if public else frozenset()

    @documented(
        Operation(
            "listCategories",
            "List the categories",
            description="By path, then position, then id: the top of the tree first, then each family of "
            "siblings in the order of its path (compared id by id), so that one family comes together. "
            "`parent_id`: only the children of that category, one level of a menu (404 when there is no "
            "such category).",
            query=CategoryList,
            answers={
                200: Answer("A page of categories.", Listing[CategoryBody], ("X-Total-Count", "Link")),
                404: problem("No such category (`parent_id`)."),
            },
        )
    )
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        query = parse_query(req, CategoryList, self.cursors)
        page = await service.list_categories(self.database, query, self.totals)
        render_page(req, resp, query, page.map(public), self.cursors)

    @documented(
        Operation(
            "createCategory",
            "Add a category (admins)",
            description="Under `parent_id`, or at the top of the tree without one. The slug is made from the "
            "name when not given, numbered (-2, -3 ...) when that one is taken; a slug given that is taken is "
            "409. Left out, `position` is after the last sibling. " + TREE_RULES,
            body=CategoryCreate,
            answers={
                201: Answer("The new category.", CategoryBody, ("Location",)),
                403: FORBIDDEN,
                409: TAKEN,
            },
        )
    )
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        require_admin(req)
        new = await parse_body(req, CategoryCreate)
        category = await service.create_category(self.database, new, self.clock())
        resp.status = 201
        resp.location = absolute(req, f"/categories/{category.id}")
        resp.data = codec.dumps(public(category))


class Category:
    """`/categories/{category_id}`: read, change (rename, move, reorder) and delete."""

    def __init__(self, database: Database, clock: Clock, *, public: bool) -> None:
        self.database = database
        self.clock = clock
        self.anonymous = frozenset({"GET"}) if public else frozenset()

    @documented(Operation("getCategory", "Read a category", answers={200: Answer("The category.", CategoryBody)}))
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, category_id: int) -> None:
        category = await service.read_category(self.database, category_id)
        resp.data = codec.dumps(public(category))

    @documented(
        Operation(
            "updateCategory",
            "Change a category (admins)",
            description="Any of name, slug, parent_id and position; at least one. A rename keeps the slug. "
            "A new `parent_id` moves the category with everything below it (`null`: to the top of the "
            "tree); their paths change with it. Never under itself or one of its subcategories (409). Moved "
            "without a `position`, it goes after its new last sibling. " + TREE_RULES,
            body=CategoryUpdate,
            answers={
                200: Answer("The category as changed.", CategoryBody),
                403: FORBIDDEN,
                409: problem(
                    "A move under the category itself or below it, or below the tenth level; "
                    "or a slug, or a name among the new siblings, that is taken."
                ),
            },
        )
    )
    async def on_patch(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, category_id: int) -> None:
        require_admin(req)
        changes = await parse_body(req, CategoryUpdate)
        category = await service.update_category(self.database, category_id, changes, self.clock())
        resp.data = codec.dumps(public(category))

    @documented(
        Operation(
            "deleteCategory",
            "Delete a category (admins)",
            description="Only one with no subcategories and no products: nothing is ever deleted with a category.",
            answers={
                204: Answer("Deleted."),
                403: FORBIDDEN,
                409: problem("The category has subcategories or products; nothing was deleted."),
            },
        )
    )
    async def on_delete(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, category_id: int) -> None:
        require_admin(req)
        await service.delete_category(self.database, category_id)
        resp.status = 204
