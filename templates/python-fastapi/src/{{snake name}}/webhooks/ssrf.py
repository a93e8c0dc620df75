"""Which addresses a webhook may reach: the SSRF guard.

A user chooses the URL, so without a guard the worker would POST, from inside the network, to
whatever the name resolves to: the cloud metadata service, a database's admin port, localhost.
The check runs at every delivery, after DNS resolution (a name can change what it resolves to
after it was saved), and the request then goes to the address that was checked, never to a
second lookup of the name.
"""

import ipaddress
import socket
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

REFUSED_V4 = tuple(
    ipaddress.IPv4Network(net)
    for net in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, with the cloud metadata address 169.254.169.254
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
)
REFUSED_V6 = tuple(
    ipaddress.IPv6Network(net) for net in ("::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8")
)
LOOPBACK_V4 = ipaddress.IPv4Network("127.0.0.0/8")
IPV4_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class RefusedAddressError(Exception):
    """The host resolves to an address the worker must not reach."""


class ResolutionError(Exception):
    """The host name does not resolve (a failed attempt, retried later)."""


def is_refused(address: IPAddress, *, allow_loopback: bool = False) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address in IPV4_MAPPED or address in NAT64:
            # The last 32 bits are an IPv4 address the packet really goes to.
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
            return is_refused(embedded, allow_loopback=allow_loopback)
        if allow_loopback and address == ipaddress.IPv6Address("::1"):
            return False
        return any(address in net for net in REFUSED_V6)
    if allow_loopback and address in LOOPBACK_V4:
        return False
    return any(address in net for net in REFUSED_V4)


def literal_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a host *is*, also in the legacy forms resolvers accept
    (`127.1`, `2130706433`, `0x7f.0.0.1`); None for a DNS name."""
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def is_refused_host_name(host: str) -> bool:
    """What can be refused when a URL is saved (production): localhost names and refused IPv4
    literals. Names that resolve to refused addresses are caught at delivery time."""
    name = host.lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    address = literal_ipv4(name)
    return address is not None and is_refused(address)


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    addresses: tuple[str, ...]  # every address the host resolved to, all checked


def resolve_checked(host: str, port: int, *, allow_loopback: bool) -> Target:
    """Resolve `host` and check every address; raise RefusedAddressError if any is refused."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ResolutionError(f"could not resolve {host}: {exc}") from None
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone id
        address = ipaddress.ip_address(text)
        if is_refused(address, allow_loopback=allow_loopback):
            raise RefusedAddressError(f"refused address {address} for host {host}")
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise ResolutionError(f"could not resolve {host}")
    return Target(host, port, tuple(addresses))
