"""The shop as people install it: the built wheel alone in a fresh virtualenv,
run from an empty folder: --version, migrate, create-admin, serve, a login and
an order. (`nox -s package`; it needs uv and PyPI, or uv's cache, for the
dependencies.)"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from steps.processes import free_port

pytestmark = pytest.mark.package
ROOT = Path(__file__).resolve().parents[2]
UV = [sys.executable, "-m", "uv"]
PASSWORD = "wheel-admin-password"


def call(base: str, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin` folder of a fresh virtualenv holding only the wheel and its dependencies."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([*UV, "build", "--wheel", "--out-dir", str(work / "dist"), str(ROOT)], check=True)
    (wheel,) = (work / "dist").glob("falcon_shop-*.whl")
    venv = work / "venv"
    subprocess.run([*UV, "venv", "--python", sys.executable, str(venv)], check=True)
    subprocess.run([*UV, "pip", "install", "--python", str(venv / "bin" / "python"), str(wheel)], check=True)
    return venv / "bin"


def test_the_installed_wheel_migrates_serves_and_takes_an_order(installed: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{empty / 'shop.db'}",
        "LOG_LEVEL": "WARNING",
    }
    shop = str(installed / "shop")

    def run(*words: str, **extra: str) -> str:
        done = subprocess.run(
            [shop, *words], cwd=empty, env={**env, **extra}, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert run("--version").strip() == "shop 0.1.0"
    run("migrate")  # no SECRET_KEY needed: it signs nothing
    run("create-admin", "--username", "root", "--email", "root@shop.example", "--password", PASSWORD)

    port = free_port()
    server = subprocess.Popen(
        [shop, "serve", "--port", str(port)],
        cwd=empty,
        env={**env, "SECRET_KEY": secrets.token_urlsafe(48)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if call(base, "GET", "/ready")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            time.sleep(0.1)
        assert call(base, "GET", "/ready") == (200, {"status": "ready"})
        status, login = call(base, "POST", "/login", {"username": "root", "password": PASSWORD})
        assert status == 200, login
        token = login["access_token"]
        status, product = call(base, "POST", "/products", {"name": "Teapot", "price": "19.99", "stock": 3}, token)
        assert status == 201, product
        status, order = call(base, "POST", "/orders", {"items": [{"product_id": product["id"], "quantity": 2}]}, token)
        assert status == 201, order
        assert (order["total_price"], order["status"]) == ("39.98", "pending")
        with urllib.request.urlopen(base + "/docs", timeout=10) as response:  # Swagger UI, from the package
            assert b"swagger" in response.read().lower()
        with urllib.request.urlopen(base + "/docs/shop/redoc.standalone.js", timeout=10) as response:
            assert len(response.read()) > 100_000  # ReDoc's bundle travels in the wheel
    finally:
        server.terminate()
        server.wait(timeout=30)
