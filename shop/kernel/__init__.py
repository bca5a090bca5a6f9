"""The shared kernel: exact money, ids, the clock, JSON, the shop's broken rules,
settings, logging, passwords and tokens. Every other part of the shop may use it;
it uses nothing of the shop outside itself (docs/architecture.md)."""
