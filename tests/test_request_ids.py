"""Request ids the shop makes: random version 4 UUIDs, made cheaply (one per request)."""

from __future__ import annotations

import uuid

from shop.ids import new_request_id


def test_a_request_id_is_a_random_version_4_uuid() -> None:
    made = [new_request_id() for _ in range(10_000)]
    assert len(set(made)) == len(made)
    for text in made[:100]:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122
