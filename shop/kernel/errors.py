"""The shop's broken rules: raised by services and stores, shown by the HTTP
layer as problem details (`shop.web.problems`) with the status and type named here."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any


class ShopError(Exception):
    """A broken rule of the shop. `slug` names its problem type: urn:shop:problem:<slug>."""

    status = 400
    slug = "bad-request"
    headers: Mapping[str, str] = MappingProxyType({})  # sent with the answer

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class NotFound(ShopError):
    status, slug = 404, "not-found"


class Forbidden(ShopError):
    status, slug = 403, "forbidden"


class Conflict(ShopError):
    status, slug = 409, "conflict"


class PreconditionFailed(ShopError):
    status, slug = 412, "precondition-failed"


class RetryLater(ShopError):
    """Refused for now: try again after `retry_after` seconds (the Retry-After header)."""

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


class TooManyRequests(RetryLater):
    status, slug = 429, "too-many-requests"


class ServiceUnavailable(RetryLater):
    """Too busy to take this on now."""

    status, slug = 503, "unavailable"


class Invalid(ShopError):
    """Valid JSON that breaks a rule; `errors[].loc` says where."""

    status, slug = 422, "validation"

    @classmethod
    def at(cls, loc: list[str | int], msg: str) -> Invalid:
        return cls(msg, errors=[{"loc": loc, "msg": msg}])
