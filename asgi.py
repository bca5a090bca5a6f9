"""The classic entry point: `alembic upgrade head`, then `uvicorn asgi:application`.

Settings come from the environment and `.env`; a bad one stops start-up with
one line that names it.
"""

import sys

from shop.kernel.settings import SettingsError

try:
    from shop.server import app_factory

    application = app_factory()
except SettingsError as error:
    print(f"shop: {error}", file=sys.stderr)
    raise SystemExit(2) from None
