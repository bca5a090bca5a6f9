"""Where a webhook may point: checked when it is saved, and again, by what
the name resolves to, each time something is sent.

By default a webhook is https to a public address. A private network, this
machine or a name like `localhost` is refused, so that no admin (or stolen
admin token) can make the shop post to what only the shop can reach.
WEBHOOK_ALLOW_PRIVATE_NETWORKS lets http and such addresses through, for a
receiver beside the shop. Saving never looks a name up (it works offline);
sending does, and refuses a public name that points inside.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048
_NUMERIC_LABEL = re.compile(r"(0x[0-9a-f]*|[0-9]+)")


class Refused(ValueError):
    """An address a webhook may not use; the message says why, for a person."""


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address `host` is written as, in any form a resolver reads as one
    ("127.1", "0x7f000001" and "2130706433" are all 127.0.0.1); None for a name."""
    try:
        found = ipaddress.ip_address(host)
    except ValueError:
        if ":" in host:  # bracketed, so meant as IPv6 (a zone id, a typo)
            raise Refused("the host is not a valid IP address") from None
        last = host.rsplit(".", 1)[-1]
        if not _NUMERIC_LABEL.fullmatch(last):
            return None
        try:  # inet_aton reads the old short and hex forms, as resolvers do
            found = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            raise Refused("the host is not a valid IP address") from None
    return _unmapped(found)


def _unmapped(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    # ::ffff:10.0.0.1 is 10.0.0.1: judged as the IPv4 address it carries.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def check_url(url: str, *, allow_private: bool) -> str:
    """`url` when a webhook may point there; else Refused."""
    if len(url) > MAX_URL_LENGTH:
        raise Refused(f"must be at most {MAX_URL_LENGTH} characters")
    if any(char.isspace() or not char.isprintable() for char in url):
        raise Refused("must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        raise Refused("is not a valid URL") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme.lower() not in schemes:
        allowed = "http:// or https://" if allow_private else "https://"
        raise Refused(f"must start with {allowed}")
    if "@" in parts.netloc:
        raise Refused("must not carry a user name or password")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise Refused("must name a host")
    if allow_private:
        return url
    address = _ip(host)
    if address is not None:
        if not address.is_global:
            raise Refused(f"{address} is not a public address (WEBHOOK_ALLOW_PRIVATE_NETWORKS allows it)")
    elif host == "localhost" or host.endswith(".localhost"):
        raise Refused("localhost is this machine (WEBHOOK_ALLOW_PRIVATE_NETWORKS allows it)")
    return url


async def check_resolved(url: str) -> None:
    """Refused when the URL's host resolves to any address that is not public:
    before each send, as private networks are not allowed. Resolved off the
    event loop; a name that does not resolve is Refused too (the send would fail)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise Refused(f"{host} does not resolve ({type(error).__name__})") from None
    for _family, _type, _proto, _name, address in found:
        ip = _unmapped(ipaddress.ip_address(str(address[0]).split("%", 1)[0]))
        if not ip.is_global:
            raise Refused(f"{host} resolves to {ip}, which is not a public address")
