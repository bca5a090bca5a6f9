"""The conventions of the HTTP edge: bearer tokens, problem details, request
bodies, paging and links, conditional requests, the OpenAPI document and its
pages, health, metrics and the middleware. It uses the kernel and storage, never
a domain: each domain's `resources.py` is its own edge, and `shop.app` wires them
(docs/architecture.md)."""
