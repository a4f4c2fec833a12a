"""Guards in front of the web app: Host and Origin checks, a token, size limits, headers.

Why: even on 127.0.0.1, any web page the user visits can make the browser send
requests to the dashboard. A foreign ``Host`` header means DNS rebinding (a
hostile name that now resolves to 127.0.0.1) and is refused with 400; a
mutating request from another origin is refused with 403. Off loopback,
``corridor serve`` requires a bearer token (``CORRIDOR_API_TOKEN``), which
every mutating request must then carry (401 otherwise).
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse

TOKEN_VARIABLE = "CORRIDOR_API_TOKEN"
LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Every asset is served by the app itself. Server-rendered tables and charts
# use style attributes (bar widths, swatches), hence style-src-attr.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "style-src-attr 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine.

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Security:
    """What the guard accepts.

    Parameters
    ----------
    host
        The address the server is bound to; accepted as a ``Host`` name (unless a wildcard).
    token
        Bearer token required on mutating requests; ``None`` = none required.
    allowed_hosts
        Further names accepted in the ``Host`` header (the machine's name on a LAN).
    max_body_bytes, max_url_bytes
        Largest request body (413 beyond) and path + query string (414 beyond).
    """

    host: str = "127.0.0.1"
    token: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    max_body_bytes: int = 64 * 1024
    max_url_bytes: int = 16 * 1024

    def host_names(self) -> frozenset[str]:
        """Names accepted in the ``Host`` header (lower case, without port)."""
        names = {*LOCAL_NAMES, *(h.lower().strip("[]") for h in self.allowed_hosts)}
        if self.host not in ("0.0.0.0", "::", ""):
            names.add(self.host.lower().strip("[]"))
        return frozenset(names)

    def token_ok(self, authorization: str) -> bool:
        """Whether an ``Authorization`` header carries the token (constant-time compare)."""
        if self.token is None:
            return True
        scheme, _, given = authorization.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), self.token.encode()
        )


def _hostname(host_header: str) -> str:
    """``example.org:8000`` -> ``example.org``; ``[::1]:8000`` -> ``::1``."""
    if host_header.startswith("["):
        return host_header[1:].partition("]")[0].lower()
    return host_header.rpartition(":")[0].lower() if ":" in host_header else host_header.lower()


class SecurityMiddleware:
    """ASGI middleware applying a :class:`Security` to every HTTP request."""

    def __init__(self, app: ASGIApp, security: Security) -> None:
        self.app = app
        self.security = security
        self.hosts = security.host_names()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        refusal = self._refusal(scope)
        if refusal is None:
            replay = await _read_body(receive, self.security.max_body_bytes)
            if replay is None:
                refusal = (413, f"request body over {self.security.max_body_bytes} bytes")
            else:
                await self.app(scope, replay, send_with_headers)
                return
        status, detail = refusal
        extra = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        await JSONResponse({"detail": detail}, status, headers=extra)(
            scope, receive, send_with_headers
        )

    def _refusal(self, scope: Scope) -> tuple[int, str] | None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if _hostname(host) not in self.hosts:
            return 400, "unexpected Host header (serve --allow-host NAME to accept a name)"
        if len(scope.get("raw_path") or b"") + len(scope.get("query_string", b"")) > (
            self.security.max_url_bytes
        ):
            return 414, f"URL over {self.security.max_url_bytes} bytes"
        if scope["method"] not in MUTATING:
            return None
        # Same origin = same host and port; the scheme is not compared, so that a TLS
        # proxy in front (https outside, http here) still works.
        origin = headers.get("origin")
        if (origin is not None and origin.partition("://")[2].lower() != host.lower()) or (
            headers.get("sec-fetch-site") == "cross-site"
        ):
            return 403, "cross-origin request refused"
        if not self.security.token_ok(headers.get("authorization", "")):
            return 401, f"missing or wrong bearer token (the server's {TOKEN_VARIABLE})"
        length = headers.get("content-length", "0")
        if not length.isdigit() or int(length) > self.security.max_body_bytes:
            return 413, f"request body over {self.security.max_body_bytes} bytes"
        return None


async def _read_body(receive: Receive, limit: int) -> Receive | None:
    """Read the whole body (at most ``limit`` bytes) and return a receive that replays it."""
    chunks: list[bytes] = []
    size = 0
    first: Message | None = None
    while True:
        message = await receive()
        if message["type"] != "http.request":
            first = message
            break
        chunk = bytes(message.get("body", b""))
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    pending: list[Message] = [
        first if first is not None else {"type": "http.request", "body": b"".join(chunks)}
    ]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay
