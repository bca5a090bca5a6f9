"""shop: a fast, asynchronous REST e-commerce backend.

Importing this package has no side effects: no engine, no file, no log sink.
`create_app` is imported on first use, so the `shop` command starts quickly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shop.app import create_app

__all__ = ["DISTRIBUTION", "create_app"]

# The name on PyPI (and in importlib.metadata); the package and the command are `shop`.
DISTRIBUTION = "falcon-shop"


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from shop.app import create_app

        return create_app
    raise AttributeError(f"module 'shop' has no attribute {name!r}")
