"""Client addresses, as the server sees them (a trusted proxy's client's, with FORWARDED_ALLOW_IPS)."""

from __future__ import annotations

import ipaddress


def on_this_machine(address: str | None) -> bool:
    """A loopback address: the machine itself, or a proxy on it that did not say who its client is."""
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
