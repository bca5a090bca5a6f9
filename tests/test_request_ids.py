"""Request ids the shop makes: random version 4 UUIDs, made cheaply (one per request)."""

from __future__ import annotations

import os
import uuid

from shop.kernel.ids import new_request_id


def test_a_request_id_is_a_random_version_4_uuid() -> None:
    made = [new_request_id() for _ in range(10_000)]
    assert len(set(made)) == len(made)
    for text in made[:100]:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_a_forked_worker_makes_ids_of_its_own() -> None:
    new_request_id()  # the parent holds a batch of random digits
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(writing, new_request_id().encode())
        os._exit(0)
    os.waitpid(child, 0)
    childs = os.read(reading, 64).decode()
    os.close(reading)
    os.close(writing)
    assert childs != new_request_id()
