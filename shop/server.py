"""The app each uvicorn worker process builds: settings and logging from the environment."""

from __future__ import annotations

import gc

from shop.app import ShopApp, create_app
from shop.kernel.logs import configure_logging
from shop.kernel.settings import load_settings


def app_factory() -> ShopApp:
    settings = load_settings()
    configure_logging(settings)
    app = create_app(settings)
    # Everything imported and built so far lives as long as the process: keep
    # the collector from walking it. A full collection over it took 70-80 ms
    # on a worker, every few seconds under load: the long tail of every request.
    gc.freeze()
    return app
