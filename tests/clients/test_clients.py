"""A client generated from the served OpenAPI document works the first time
(`nox -s clients`).

Against a real `shop serve` on a fresh SQLite database: openapi-python-client
(pinned in pyproject's `clients` group) writes a Python client from
/openapi.json and must not warn; `mypy --strict` checks flow.py against that
client; flow.py then drives a storefront's flow through it alone. The same for
TypeScript: openapi-typescript (default options) writes the types,
openapi-fetch calls the shop, `tsc --strict` compiles typescript/flow.ts with no
error and Node runs it (versions pinned in typescript/package-lock.json).
Redocly CLI lints the same document and must find nothing.

The TypeScript flow and Redocly need Node.js 20.19 or newer and the npm
registry: without them they are skipped, and under CI they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import Databases
from steps.processes import Operator, Server

pytestmark = pytest.mark.clients

HERE = Path(__file__).parent
PASSWORD = "generated clients work 1st time"
REDOCLY = "@redocly/cli@2.77.0"
BIN = Path(sys.executable).parent
NODE_AT_LEAST = (20, 19)


def node_tool(name: str) -> str:
    """`npm` or `npx` of a Node.js new enough; without one the test is skipped (under CI it fails)."""
    found, node = shutil.which(name), shutil.which("node")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout if node else ""
    numbers = tuple(int(part) for part in version.strip().lstrip("v").split(".")[:2] if part.isdigit())
    if found is None or numbers < NODE_AT_LEAST:
        wanted = ".".join(map(str, NODE_AT_LEAST))
        why = f"needs Node.js {wanted} or newer with {name} (found {version.strip() or 'no node'})"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("shop")
    databases = Databases(None, folder)
    operator = Operator.with_admin(
        folder, databases.migrated(), username="client-admin", email="admin@clients.example", password=PASSWORD
    )
    yield operator.start("shop serve")
    operator.stop_all()


@pytest.fixture(scope="module")
def document(served: Server, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The document as the shop serves it, in a file."""
    answer = httpx.get(served.url("/openapi.json"), timeout=30)
    assert answer.status_code == 200, answer.text
    path = tmp_path_factory.mktemp("document") / "openapi.json"
    path.write_text(json.dumps(answer.json(), indent=2))
    return path


@pytest.fixture(scope="module")
def generated(document: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder that holds the generated package `shop_api_client`."""
    out = tmp_path_factory.mktemp("client") / "shop-api-client"
    finished = run(
        BIN / "openapi-python-client",
        "generate",
        "--path",
        document,
        "--output-path",
        out,
        "--config",
        HERE / "generator.yaml",
        "--fail-on-warning",
    )
    # It exits 0 on warnings it was not told to fail on; say what it said either way.
    assert finished.returncode == 0 and "Warning" not in finished.stdout, finished.stdout + finished.stderr
    assert (out / "shop_api_client" / "__init__.py").is_file()
    return out


def run(*words: object, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    # The session's own tools first on PATH: the generator formats its output with ruff.
    env = {**(env or os.environ), "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(
        [str(word) for word in words], capture_output=True, text=True, timeout=600, env=env, cwd=cwd, check=False
    )


def with_client(generated: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(generated), "MYPYPATH": str(generated)}


def test_the_generator_writes_a_client_without_a_warning(generated: Path) -> None:
    models = {path.stem for path in (generated / "shop_api_client" / "models").glob("*.py")}
    assert {"product_listing", "order_listing", "user_listing", "problem_details"} <= models, sorted(models)


def test_the_flow_type_checks_strictly_against_the_generated_client(generated: Path) -> None:
    checked = run(
        BIN / "mypy",
        "--strict",
        "--no-incremental",
        "--config-file",
        os.devnull,
        HERE / "flow.py",
        env=with_client(generated),
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_storefront_flow_runs_through_the_generated_client_alone(generated: Path, served: Server) -> None:
    flow = run(sys.executable, HERE / "flow.py", served.url(""), "client-admin", PASSWORD, env=with_client(generated))
    assert flow.returncode == 0, flow.stdout + flow.stderr
    assert "the generated client's flow held" in flow.stdout


@pytest.fixture(scope="module")
def typescript(document: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The TypeScript flow's folder, its packages installed and its types generated
    from the document, then compiled: the folder and what the compiler said."""
    npm = node_tool("npm")
    folder = tmp_path_factory.mktemp("typescript")
    for name in ("package.json", "package-lock.json", "tsconfig.json", "flow.ts"):
        shutil.copy(HERE / "typescript" / name, folder / name)
    installed = run(npm, "ci", "--no-audit", "--no-fund", cwd=folder)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    tools = folder / "node_modules" / ".bin"
    generated = run(tools / "openapi-typescript", document, "--output", folder / "schema.d.ts", cwd=folder)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    compiled = run(tools / "tsc", "--project", folder / "tsconfig.json", cwd=folder)
    return folder, compiled.stdout + compiled.stderr if compiled.returncode else ""


def test_the_typescript_flow_compiles_strictly_against_the_generated_types(typescript: tuple[Path, str]) -> None:
    _, errors = typescript
    assert errors == "", errors


def test_a_storefront_flow_runs_through_the_typescript_client(typescript: tuple[Path, str], served: Server) -> None:
    folder, errors = typescript
    assert errors == "", "the flow did not compile"
    flow = run(node_tool("node"), folder / "build" / "flow.js", served.url(""), "client-admin", PASSWORD, cwd=folder)
    assert flow.returncode == 0, flow.stdout + flow.stderr
    assert "the TypeScript client's flow held" in flow.stdout


def test_redocly_finds_nothing_in_the_document(document: Path) -> None:
    npx = node_tool("npx")
    # Its rules and the named exemptions, beside the document they name.
    for name in ("redocly.yaml", ".redocly.lint-ignore.yaml"):
        shutil.copy(HERE / name, document.parent / name)
    linted = run(
        npx, "--yes", REDOCLY, "lint", document, "--config", document.parent / "redocly.yaml", "--format", "stylish"
    )
    said = linted.stdout + linted.stderr
    assert linted.returncode == 0, said
    # recommended-strict makes every finding an error; "You have N warnings" would say otherwise.
    assert "Your API description is valid." in said and "You have" not in said, said
    assert "7 problems are explicitly ignored" in said, said  # the exemptions, and no more
