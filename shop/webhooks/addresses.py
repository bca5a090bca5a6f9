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

import httpx

MAX_URL_LENGTH = 2048
_NUMERIC_LABEL = re.compile(r"(0x[0-9a-f]*|[0-9]+)")
# IPv6 prefixes whose last 32 bits are an IPv4 address that a gateway or the
# stack itself reaches: NAT64, IPv4-translated, IPv4-compatible.
_CARRY_IPV4 = tuple(ipaddress.IPv6Network(net) for net in ("64:ff9b::/96", "::ffff:0:0:0/96", "::/96"))
# Not public, though Python before 3.12.4 says so: local-use NAT64.
_NOT_PUBLIC = (ipaddress.IPv6Network("64:ff9b:1::/48"),)


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
    """An IPv6 address that carries an IPv4 one (::ffff:10.0.0.1, 64:ff9b::a00:1,
    2002:a00:1::) is judged as the IPv4 address it reaches."""
    if not isinstance(address, ipaddress.IPv6Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client behind the tunnel
    if any(address in network for network in _CARRY_IPV4):
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return address


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address.is_global and not any(address in network for network in _NOT_PUBLIC)


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
    try:  # what the HTTP client cannot send to would be saved, and never delivered
        httpx.Request("POST", url)
    except (httpx.InvalidURL, UnicodeError):
        raise Refused("is not a URL the shop can send to") from None
    if allow_private:
        return url
    address = _ip(host)
    if address is not None:
        if not _public(address):
            raise Refused(f"{address} is not a public address (WEBHOOK_ALLOW_PRIVATE_NETWORKS allows it)")
    elif host == "localhost" or host.endswith(".localhost"):
        raise Refused("localhost is this machine (WEBHOOK_ALLOW_PRIVATE_NETWORKS allows it)")
    return url


async def check_resolved(url: str) -> None:
    """Refused when the URL's host resolves to any address that is not public:
    before each send, as private networks are not allowed. Resolved off the
    event loop; a name that does not resolve is Refused too (the send would fail)."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":  # saved while private networks were allowed
        raise Refused("only https:// is sent to unless WEBHOOK_ALLOW_PRIVATE_NETWORKS is true")
    host = (parts.hostname or "").rstrip(".")
    port = parts.port or 443
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise Refused(f"{host} does not resolve ({type(error).__name__})") from None
    for _family, _type, _proto, _name, address in found:
        ip = _unmapped(ipaddress.ip_address(str(address[0]).split("%", 1)[0]))
        if not _public(ip):
            raise Refused(f"{host} resolves to {ip}, which is not a public address")
