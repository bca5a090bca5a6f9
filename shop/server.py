"""The app each uvicorn worker process builds: settings and logging from the environment."""

from __future__ import annotations

from shop.app import ShopApp, create_app
from shop.logs import configure_logging
from shop.settings import load_settings


def app_factory() -> ShopApp:
    settings = load_settings()
    configure_logging(settings)
    return create_app(settings)
