"""Idempotency-Key: a write done at most once per key, and its first answer replayed."""
