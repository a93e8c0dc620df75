"""One delivery attempt over HTTP: a POST to a checked address, no redirects, bounded in time
and size.

The standard library's http.client is used because it lets the connection go to the address
the SSRF guard checked (the `Host` header and the TLS server name stay the URL's host), follows
no redirects, and adds no dependency.
"""

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from .ssrf import resolve_checked

MAX_RESPONSE_BYTES = 64 * 1024


@dataclass(frozen=True)
class AttemptResult:
    status_code: int | None  # None: no response (connection error, timeout)
    error: str | None  # why it failed, None on a 2xx
    seconds: float  # from the first connection attempt to the end

    @property
    def delivered(self) -> bool:
        return self.error is None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to `address`, whatever `host` resolves to now."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to `address`, with the certificate checked against `host` (SNI too)."""

    def __init__(
        self, host: str, port: int, address: str, timeout: float, tls: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=tls)
        self.address = address
        self.tls = tls

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def post(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_loopback: bool
) -> AttemptResult:
    """POST once. Raises ssrf.RefusedAddressError (before any request) for a refused address;
    every other failure is an AttemptResult with an error."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    host = parts.hostname or ""
    port = parts.port or (443 if https else 80)
    target = resolve_checked(host, port, allow_loopback=allow_loopback)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    started = time.monotonic()
    last_error = "no address to connect to"
    for address in target.addresses:
        connection: http.client.HTTPConnection = (
            _PinnedHTTPSConnection(host, port, address, timeout, ssl.create_default_context())
            if https
            else _PinnedHTTPConnection(host, port, address, timeout)
        )
        try:
            connection.connect()
        except OSError as exc:  # refused, unreachable, connect timeout, TLS failure
            last_error = f"could not connect to {address}: {_reason(exc)}"
            connection.close()
            continue
        return _exchange(connection, path, body, headers, timeout, started)
    return AttemptResult(None, last_error, time.monotonic() - started)


def _exchange(
    connection: http.client.HTTPConnection,
    path: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    started: float,
) -> AttemptResult:
    # The socket timeout bounds each read; this watchdog bounds the whole answer, so a server
    # that drips one byte at a time cannot hold the worker longer than `timeout` either.
    expired = threading.Event()

    def cut_off() -> None:
        expired.set()
        if connection.sock is not None:
            with contextlib.suppress(OSError):  # already closed: nothing left to cut
                connection.sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(timeout, cut_off)
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)  # at most 64 KiB; the rest is never read
        status = response.status
    except (OSError, http.client.HTTPException) as exc:
        timed_out = expired.is_set() or isinstance(exc, TimeoutError)
        error = f"timed out after {timeout:g} s" if timed_out else f"request failed: {_reason(exc)}"
        return AttemptResult(None, error, time.monotonic() - started)
    finally:
        watchdog.cancel()
        connection.close()
    if expired.is_set():
        return AttemptResult(None, f"timed out after {timeout:g} s", time.monotonic() - started)
    failure = None if 200 <= status < 300 else f"HTTP {status}"
    return AttemptResult(status, failure, time.monotonic() - started)


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
