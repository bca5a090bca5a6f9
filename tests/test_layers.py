"""The package's layers, checked over every import in shop/ (docs/architecture.md).

- `shop.kernel` imports nothing else of the shop; `shop.storage` only the
  kernel; `shop.web` (the conventions of the HTTP edge) the kernel and storage.
- A domain (`shop.users`, `shop.orders`, ...) imports the kernel, storage and
  its own modules, and of another domain only its `service` and `schemas`. Its
  HTTP modules (`resources`, `http`) may also use `shop.web` and the `http` of
  another domain; its other modules never touch HTTP.
- The entry points (`shop`, `shop.app`, `shop.cli`, `shop.server`,
  `shop.serving`, `shop.seed`) may import anything but a domain's store, and
  nothing imports them.
- No two packages import each other, directly or through others.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

SHOP = Path(__file__).resolve().parent.parent / "shop"
LAYERS = ("kernel", "storage", "web")
BELOW = {"kernel": set(), "storage": {"kernel"}, "web": {"kernel", "storage"}}
ENTRY = frozenset({"shop", "shop.__main__", "shop.app", "shop.cli", "shop.server", "shop.serving", "shop.seed"})
PUBLIC = frozenset({"service", "schemas"})  # what one domain may use of another
HTTP = frozenset({"resources", "http"})


def modules(root: Path = SHOP) -> dict[str, set[str]]:
    """Every module of the package, with the shop modules it imports (at any depth of
    the file, type-only imports included)."""
    names = {_name(path, root) for path in root.rglob("*.py")}
    found: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names if alias.name.split(".")[0] == "shop"}
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "shop":
                for alias in node.names:  # `from shop.orders import service` imports a module
                    inner = f"{node.module}.{alias.name}"
                    imported.add(inner if inner in names else node.module)
        found[_name(path, root)] = imported
    return found


def _name(path: Path, root: Path) -> str:
    parts = ["shop", *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package(module: str) -> str:
    """The package a module lives in: a layer, a domain, or "entry"."""
    return "entry" if module in ENTRY else module.split(".")[1]


def role(module: str) -> str:
    """A module's last name: `store`, `service`, `resources`..."""
    return module.rsplit(".", 1)[-1]


def broken_rules(imports: Mapping[str, Iterable[str]]) -> list[str]:
    """Each import that breaks a rule, and each cycle between packages, in words."""
    broken = []
    for importer, imported in sorted(imports.items()):
        for target in sorted(imported):
            why = _why_not(importer, target)
            if why:
                broken.append(f"{importer} imports {target}: {why}")
    broken += [f"packages import each other: {' -> '.join(cycle)}" for cycle in _cycles(imports)]
    return broken


def _why_not(importer: str, target: str) -> str | None:
    source, place = package(importer), package(target)
    if source == place:
        return None
    if place == "entry":
        return "nothing imports an entry point"
    if source == "entry":
        return "only its own domain imports a store" if role(target) == "store" else None
    if source in LAYERS:
        return None if place in BELOW[source] else f"{source} may import only {sorted(BELOW[source]) or 'itself'}"
    # `source` is a domain.
    if place in ("kernel", "storage"):
        return None
    if place == "web":
        return None if role(importer) in HTTP else "only a domain's resources and http use the HTTP edge"
    if role(target) in PUBLIC:
        return None
    if role(target) == "http" and role(importer) in HTTP:
        return None
    return f"another domain is used through its {' or '.join(sorted(PUBLIC))} only"


def _cycles(imports: Mapping[str, Iterable[str]]) -> list[list[str]]:
    edges: dict[str, set[str]] = {}
    for importer, imported in imports.items():
        for target in imported:
            if package(importer) != package(target) != "entry":  # importing an entry point is named above
                edges.setdefault(package(importer), set()).add(package(target))
    cycles: list[list[str]] = []
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> None:
        if node in path:
            loop = path[path.index(node) :]
            start = loop.index(min(loop))  # each cycle once, from its first name
            cycle = [*loop[start:], *loop[:start], min(loop)]
            if cycle not in cycles:
                cycles.append(cycle)
            return
        if node in done:
            return
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            visit(nxt)
        path.pop()
        done.add(node)

    for node in sorted(edges):
        visit(node)
    return cycles


def test_every_import_in_the_package_keeps_to_the_layers() -> None:
    assert broken_rules(modules()) == []


def test_the_rules_catch_what_they_forbid() -> None:
    """The checker itself, on a made-up package: each kind of breach is named."""
    made_up = {
        "shop.kernel.money": {"shop.storage.database"},  # the kernel reaching up
        "shop.storage.database": {"shop.web.problems"},  # storage reaching the edge
        "shop.web.auth": {"shop.users.service"},  # the edge's conventions knowing a domain
        "shop.orders.service": {"shop.products.store", "shop.users.service", "shop.web.paging"},
        "shop.orders.resources": {"shop.web.paging", "shop.idempotency.http", "shop.orders.store"},
        "shop.users.service": {"shop.orders.service", "shop.app"},  # a cycle, and an entry point
        "shop.seed": {"shop.products.store", "shop.users.service"},
    }
    assert broken_rules(made_up) == [
        "shop.kernel.money imports shop.storage.database: kernel may import only itself",
        "shop.orders.service imports shop.products.store: another domain is used through its schemas or service only",
        "shop.orders.service imports shop.web.paging: only a domain's resources and http use the HTTP edge",
        "shop.seed imports shop.products.store: only its own domain imports a store",
        "shop.storage.database imports shop.web.problems: storage may import only ['kernel']",
        "shop.users.service imports shop.app: nothing imports an entry point",
        "shop.web.auth imports shop.users.service: web may import only ['kernel', 'storage']",
        "packages import each other: orders -> users -> orders",
        "packages import each other: orders -> web -> users -> orders",
    ]
