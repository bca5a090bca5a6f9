"""What makes two names the same name: products and categories compare them so
(uniqueness, search, sorting by name)."""

from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    """Unicode compatibility form (NFKC: full-width letters, ligatures), case
    folded. Migration 0004 wrote it for the products stored before."""
    if name.isascii():
        return name.lower()
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def not_blank(value: str) -> str:
    """A name of spaces alone names nothing (a field validator)."""
    if not value.strip():
        raise ValueError("must not be blank")
    return value
