"""shop: a fast, asynchronous REST e-commerce backend.

Importing this package has no side effects: no engine, no file, no log sink.
"""

from shop.app import create_app

__all__ = ["create_app"]
