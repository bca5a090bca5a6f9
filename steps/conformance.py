"""Every answer a scenario sees is one the OpenAPI document describes: its
status is documented for the operation, and each header of the shop's own
that it carries is documented on that answer. Clients generated from the
document rely on both; checking here means every scenario checks them."""

from __future__ import annotations

from typing import Any

from falcon.testing import Result

from shop.app import ShopApp
from shop.web import openapi

# The headers a client acts on. Others (Content-Type, Vary, CORS, security
# policies) are the same on every answer, or HTTP's own business.
SHOP_HEADERS = frozenset(
    name.lower()
    for name in (
        "Location",
        "ETag",
        "X-Total-Count",
        "Link",
        "WWW-Authenticate",
        "Retry-After",
        "Sessions-Ended",
        "Idempotent-Replayed",
    )
)


# The documented paths by the routes that make them. A scenario's shop has the same
# routes as most others, and building the document costs a fifth of a second.
_BUILT: dict[tuple[Any, ...], dict[str, Any]] = {}


def _route_set(routes: list[tuple[str, object]]) -> tuple[Any, ...]:
    """What the document of `routes` depends on: each template, and per method the
    responder's Operation and who may call it (settings make a catalogue public)."""
    return tuple(
        (
            template,
            tuple(
                (
                    method,
                    id(operation),
                    method in getattr(resource, "public", ()),
                    method in getattr(resource, "anonymous", ()),
                )
                for method in openapi.METHODS
                if (operation := getattr(getattr(resource, f"on_{method.lower()}", None), "openapi", None)) is not None
            ),
        )
        for template, resource in routes
    )


class DocumentedAnswers:
    def __init__(self, app: Any) -> None:
        self.app = app if isinstance(app, ShopApp) else None  # a host app that mounts a shop: not checked
        self._paths: dict[str, Any] | None = None

    def check(self, method: str, path: str, result: Result, *, own_host: bool = False) -> None:
        if self.app is None or method == "OPTIONS" or result.status_code == 405 or own_host:
            # 405: no such operation; a Host header of the scenario's own may be a malformed one, 400 anywhere.
            return
        method = "GET" if method == "HEAD" else method  # the document's GET describes the HEAD
        found = self.app._router.find(path.split("?", 1)[0])
        if found is None or found[3] is None:
            return
        template = openapi.route_path(found[3])
        operation = self.paths().get(template, {}).get(method.lower())
        if operation is None:  # the documentation pages' own files
            return
        answers = operation["responses"]
        status = str(result.status_code)
        assert status in answers, f"{method} {template} answered {status}, which its document does not list"
        documented = {name.lower() for name in answers[status].get("headers", {})}
        sent = {name.lower() for name in result.headers} & SHOP_HEADERS
        assert sent <= documented, f"{method} {template} {status} sent undocumented headers {sorted(sent - documented)}"

    def paths(self) -> dict[str, Any]:
        if self._paths is None:
            assert self.app is not None
            # A route a scenario added for itself is undocumented: left out, as unchecked.
            routes = [(template, resource) for template, resource in self.app.routes if _documented(resource)]
            key = _route_set(routes)
            if key not in _BUILT:
                _BUILT[key] = openapi.build(routes, title="", version="", description="", license="MIT")["paths"]
            self._paths = _BUILT[key]
        return self._paths


def _documented(resource: object) -> bool:
    responders = [getattr(resource, f"on_{method.lower()}", None) for method in openapi.METHODS]
    return all(isinstance(getattr(r, "openapi", None), openapi.Operation) for r in responders if r is not None)
