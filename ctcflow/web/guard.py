"""What every request passes before a route sees it, and every response on its way out:

- **Bounded bodies.** A request announcing more than the limit is refused before a byte of its
  body is read; one that does not announce its size is cut off as soon as it passes the limit.
- **Sign-in first for uploads.** A file posted without a live session is refused before its body
  is read (the form parser would otherwise read it all to find the form's token).
- **Security headers** on every response: a content security policy without inline scripts,
  no framing, no sniffing, no referrer (links carry tokens), and no caching of anything but the
  static files.

A pure ASGI middleware: it never buffers a body, only counts it as it streams through.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request
from starlette.exceptions import HTTPException as StarletteHTTPException

from ctcflow.app.sessions import session_of
from ctcflow.web.deps import SESSION_COOKIE
from ctcflow.web.errors import PageError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_FORM = 1 * 2**20  # a form without a file
MAX_MULTIPART = 26 * 2**20  # a file of at most 25 MB (uploads.MAX_UPLOAD) and its form
OPEN_POSTS = ("/login", "/l/", "/sso/")  # forms that come before a session

CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


class TooLarge(StarletteHTTPException):
    """Raised while the body streams in; an HTTP error, so the form parser passes it on."""

    def __init__(self) -> None:
        super().__init__(413)


class Guard:
    def __init__(self, app: ASGIApp, render_error: Callable[[Request, PageError], Any], https: bool) -> None:
        self.app, self.render_error = app, render_error
        self.extra = {"strict-transport-security": "max-age=31536000"} if https else {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                have = {name.lower() for name, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                wanted = {**HEADERS, **self.extra,
                          "cache-control": "public, max-age=3600" if path.startswith("/static/") else "no-store"}
                headers += [(k.encode(), v.encode()) for k, v in wanted.items() if k.encode() not in have]
                message["headers"] = headers
            await send(message)

        refusal = self._refusal(scope)
        if refusal is not None:
            await self._error(scope, send_with_headers, refusal)
            return
        limit = MAX_MULTIPART if _is_multipart(scope) else MAX_FORM
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge
            return message

        try:
            await self.app(scope, bounded_receive, send_with_headers)
        except TooLarge:
            if started:
                raise
            await self._error(scope, send_with_headers, PageError(413, "too_big"))

    def _refusal(self, scope: Scope) -> PageError | None:
        """Refused on the headers alone: too big by its own account, or a file with no session."""
        if scope.get("method") not in ("POST", "PUT", "PATCH"):
            return None
        multipart = _is_multipart(scope)
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > (MAX_MULTIPART if multipart else MAX_FORM)):
            return PageError(413, "too_big")
        if multipart and not scope.get("path", "").startswith(OPEN_POSTS):
            cookie = Request(scope).cookies.get(SESSION_COOKIE)
            if session_of(scope["app"].state.web.settings, cookie) is None:
                return PageError(401, "signed_out")
        return None

    async def _error(self, scope: Scope, send: Send, error: PageError) -> None:
        async def nothing() -> Message:
            return {"type": "http.disconnect"}

        response = self.render_error(Request(scope, nothing), error)
        response.headers["connection"] = "close"  # the unread body is not for the next request
        await response(scope, nothing, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _is_multipart(scope: Scope) -> bool:
    return (_header(scope, b"content-type") or "").lower().startswith("multipart/")
