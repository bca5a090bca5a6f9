"""Where a webhook may point: https to a public address by default, whatever
way an address is written; never another scheme or credentials in the URL.
Saving resolves nothing; sending refuses a name that resolves inside."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.webhooks.addresses import Refused, check_resolved, check_url

PRIVATE_V4 = st.one_of(
    st.ip_addresses(v=4, network="10.0.0.0/8"),
    st.ip_addresses(v=4, network="127.0.0.0/8"),
    st.ip_addresses(v=4, network="172.16.0.0/12"),
    st.ip_addresses(v=4, network="192.168.0.0/16"),
    st.ip_addresses(v=4, network="169.254.0.0/16"),
    st.ip_addresses(v=4, network="100.64.0.0/10"),
    st.ip_addresses(v=4, network="0.0.0.0/8"),
)


def spellings(address: ipaddress.IPv4Address) -> list[str]:
    """Ways a resolver reads the same IPv4 address."""
    number = int(address)
    a, b, c, d = address.packed
    return [
        str(address),
        str(number),
        hex(number),
        f"{a}.{(b << 16) | (c << 8) | d}",
        f"{a}.{b}.{(c << 8) | d}",
        f"[::ffff:{address}]",  # IPv4-mapped
        f"[::ffff:0:{address}]",  # IPv4-translated
        f"[::{address}]",  # IPv4-compatible (deprecated, still routed by some stacks)
        f"[64:ff9b::{address}]",  # NAT64: a gateway forwards it to the IPv4 address
        f"[2002:{a:02x}{b:02x}:{c:02x}{d:02x}::]",  # 6to4
    ]


@given(PRIVATE_V4)
def test_an_address_that_is_not_public_is_refused_however_written(address: ipaddress.IPv4Address) -> None:
    for host in spellings(address):
        with pytest.raises(Refused):
            check_url(f"https://{host}/hook", allow_private=False)
        assert check_url(f"http://{host}/hook", allow_private=True)


@given(st.ip_addresses(v=4).filter(lambda address: address.is_global))
def test_a_public_address_is_taken(address: ipaddress.IPv4Address) -> None:
    assert check_url(f"https://{address}/hook", allow_private=False)


@given(st.from_regex(r"[a-z][a-z0-9+.-]{0,10}", fullmatch=True).filter(lambda scheme: scheme not in ("http", "https")))
def test_another_scheme_is_refused_always(scheme: str) -> None:
    for allow_private in (False, True):
        with pytest.raises(Refused):
            check_url(f"{scheme}://example.com/hook", allow_private=allow_private)


@pytest.mark.parametrize(
    "url",
    [
        "https://user:secret@example.com/hook",
        "https://user@example.com/hook",
        "https:///hook",
        "https://example.com:0x50/hook",
        "https://exa mple.com/hook",
        "https://example.com/\nhook",
        "https://" + "a" * 2040 + ".com/",
        "http://1.2.3.256/hook",
        "http://[v1.x]/hook",
        "http://xn--a.example/hook",
    ],
)
def test_credentials_no_host_or_a_malformed_url_are_refused_always(url: str) -> None:
    """Also what the HTTP client could not send to: saved, it would never be delivered."""
    for allow_private in (False, True):
        with pytest.raises(Refused):
            check_url(url, allow_private=allow_private)


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "LOCALHOST",
        "localhost.",
        "shop.localhost",
        "[::1]",
        "[fe80::1%25eth0]",
        "[64:ff9b:1::a00:1]",  # local-use NAT64
        "[2001:0:4136:e378:8000:63bf:3fff:fdd2]",  # Teredo
    ],
)
def test_this_machine_by_name_is_refused_by_default(host: str) -> None:
    with pytest.raises(Refused):
        check_url(f"https://{host}/hook", allow_private=False)


def test_a_name_is_taken_without_resolving_it() -> None:
    assert check_url("https://example.com/hook", allow_private=False) == "https://example.com/hook"
    assert check_url("https://no-such-host.invalid/hook", allow_private=False)


def test_at_send_time_a_name_that_resolves_inside_is_refused() -> None:
    with pytest.raises(Refused, match="not a public address"):
        asyncio.run(check_resolved("https://localhost:8443/hook"))
    with pytest.raises(Refused, match="not a public address"):
        asyncio.run(check_resolved("https://127.0.0.1/hook"))
    with pytest.raises(Refused, match="does not resolve"):
        asyncio.run(check_resolved("https://no-such-host.invalid/hook"))
