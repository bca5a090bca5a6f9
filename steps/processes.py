"""Running the shop's commands and servers as an operator would: real processes."""

from __future__ import annotations

import os
import secrets
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

from shop.kernel import codec

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SETTING_NAMES = [
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "SQLITE_URI",
    "ALEMBIC_URI",
    "JWT_EXPIRES_SECONDS",
    "OPEN_REGISTRATION",
    "PUBLIC_CATALOGUE",
    "FORWARDED_ALLOW_IPS",
    "CURRENCY",
    "LOG_LEVEL",
    "LOG_JSON",
    "CORS_ORIGINS",
    "REDIS_URL",
    "METRICS_TOKEN",
    "PUBLIC_BASE_URL",
    "SHOP_ADMIN_PASSWORD",
    "UNPAID_ORDER_TTL_SECONDS",
    "STRIPE_WEBHOOK_SECRET",
    "WEBHOOK_ALLOW_PRIVATE_NETWORKS",
    "WEBHOOK_RETRY_BASE_SECONDS",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def command_line(command: str) -> list[str]:
    """The words of a command as an operator types it, run from this environment.

    The work directory is a scratch folder (so a developer's own `.env` is never
    read); `alembic` and `uvicorn` are pointed back at the repository.
    """
    words = shlex.split(command)
    words[0] = str(BIN / words[0])
    name = Path(words[0]).name
    if name == "alembic":
        words[1:1] = ["-c", str(ROOT / "alembic.ini")]
    if name == "uvicorn":
        words += ["--app-dir", str(ROOT)]
    return words


@dataclass
class Operator:
    """An operator's shell: an environment, a work directory, what ran last."""

    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    result: subprocess.CompletedProcess[str] | None = None
    servers: list[Server] = field(default_factory=list)

    @classmethod
    def fresh(cls, workdir: Path, **settings: str) -> Operator:
        env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
        env.update(settings)
        return cls(workdir=workdir, env=env)

    @classmethod
    def with_admin(cls, workdir: Path, database: URL, *, username: str, email: str, password: str) -> Operator:
        """An operator of a shop on `database` with a fresh secret key and quiet
        logs, whose first admin was made with `shop create-admin` (for the
        suites that run real servers: race, faults, fuzz)."""
        operator = cls.fresh(
            workdir, DATABASE_URL=database.render_as_string(hide_password=False), SECRET_KEY=secrets.token_urlsafe(48)
        )
        operator.env["LOG_LEVEL"] = "WARNING"
        created = operator.run(f"shop create-admin --username {username} --email {email} --password '{password}'")
        assert created.returncode == 0, created.stderr
        return operator

    def run(self, command: str) -> subprocess.CompletedProcess[str]:
        self.result = subprocess.run(
            command_line(command),
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        return self.result

    def start(self, command: str) -> Server:
        port = free_port()
        words = [*command_line(command), "--port", str(port)]
        log = self.workdir / f"server-{port}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                words, cwd=self.workdir, env=self.env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        server = Server(process, port, log)
        self.servers.append(server)
        server.wait_until_up()
        return server

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def output(self) -> str:
        return self.log.read_text()

    def output_with(self, text: str, seconds: float = 5) -> str:
        """The output once it holds `text`: the shop writes a request's access
        line just after its answer (with the rest of that turn of its loop)."""
        deadline = time.monotonic() + seconds
        while text not in (output := self.output) and time.monotonic() < deadline:
            time.sleep(0.05)
        return output

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], Any]:
        data = codec.dumps(body) if body is not None else None
        request = urllib.request.Request(self.url(path), data=data, method=method, headers=headers or {})
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return (
                    response.status,
                    {k.lower(): v for k, v in response.headers.items()},
                    codec.loads(response.read() or b"null"),
                )
        except urllib.error.HTTPError as error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, codec.loads(error.read() or b"null")

    def wait_until_up(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited with {self.process.returncode}:\n{self.output}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"the server did not start in {seconds} s:\n{self.output}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
