"""Slugs: the URL-safe names made from what people call things ("Crème Brûlée"
-> "creme-brulee"), and the next free one when a slug is taken."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from slugify import slugify

PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def slug_of(*words: str, max_length: int, fallback: str) -> str:
    """The words as one slug of at most `max_length` characters (transliterated:
    "Чай" -> "chai"); `fallback` when nothing of them is left ("!!!")."""
    made = slugify(" ".join(words), max_length=max_length, word_boundary=False)
    return made.strip("-") or fallback


def candidates(wanted: str, max_length: int) -> Iterator[str]:
    """`wanted`, then `wanted-2`, `wanted-3`... each cut to fit `max_length`."""
    yield wanted[:max_length].rstrip("-")
    n = 2
    while True:
        suffix = f"-{n}"
        yield wanted[: max_length - len(suffix)].rstrip("-") + suffix
        n += 1


def first_free(wanted: str, max_length: int, taken: Callable[[list[str]], set[str]], *, batch: int = 20) -> str:
    """The first of `candidates(wanted)` that `taken` (which answers, of a batch
    of candidates, those in use) does not name."""
    found = candidates(wanted, max_length)
    while True:
        tried = [next(found) for _ in range(batch)]
        used = taken(tried)
        for candidate in tried:
            if candidate not in used:
                return candidate
