"""Where a webhook may point: not at the gateway's own network. A URL whose host is, or resolves
to, a loopback, private, link-local, shared, multicast or reserved address (10/8, 172.16/12,
192.168/16, 127/8, 169.254/16, 100.64/10, ::1, fc00::/7, fe80::/10, …) is refused, at
registration and again at each delivery, whose connection then goes to the address checked (so
a name re-pointed after the check — DNS rebinding — cannot reach inside). The setting
`gateway_allow_private_webhooks` lifts this (tests on loopback)."""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from shared.kit.errors import InvalidInput

SHARED = ipaddress.ip_network("100.64.0.0/10")


def forbidden_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_unspecified
            or ip.is_reserved or (ip.version == 4 and ip in SHARED))


def resolve(host: str, port: int) -> list[str]:
    """Every address the host stands for (an IP literal stands for itself)."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise InvalidInput(f"the webhook's host {host!r} does not resolve", "url", "resolves") from None
    return sorted({str(info[4][0]) for info in infos})


def checked_address(url: str) -> str:
    """The address to connect to for `url`, after checking every address its host resolves to;
    InvalidInput (rule `public`) when one of them is inside."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(host, port)
    inside = [a for a in addresses if forbidden_address(a)]
    if inside or not addresses:
        raise InvalidInput(f"the webhook's host {host!r} is, or resolves to, a private, loopback or link-local "
                           f"address ({', '.join(inside)}); webhooks go to public addresses only", "url", "public")
    return addresses[0]
