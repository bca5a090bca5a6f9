"""Storage: an app's database (the unit of work for writes, the fast reads), the
schema and its migrations, keyset pages and what is remembered from recent reads.
It uses the kernel only (docs/architecture.md)."""
