"""shop: a fast, asynchronous REST e-commerce backend.

What an embedding application uses: `create_app(settings)`, `load_settings(**values)`
(the environment and `.env`, then the values given), `Settings`, and
`configure_logging(settings)` for the shop's logging in the host's process.

Importing this package has no side effects: no engine, no file, no log sink.
Each name is imported on first use, so the `shop` command starts quickly.
The package's layers are drawn in docs/architecture.md.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from shop.kernel.about import DISTRIBUTION

if TYPE_CHECKING:
    from shop.app import create_app
    from shop.kernel.logs import configure_logging
    from shop.kernel.settings import Settings, load_settings

__all__ = ["DISTRIBUTION", "Settings", "configure_logging", "create_app", "load_settings"]

_HOMES = {
    "create_app": "shop.app",
    "load_settings": "shop.kernel.settings",
    "Settings": "shop.kernel.settings",
    "configure_logging": "shop.kernel.logs",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'shop' has no attribute {name!r}")
