"""Signed tokens for links and sessions: ``base64url(json) . base64url(HMAC-SHA256)``.

A token says what it is for (``purpose``), for whom, until when, and carries a random id; it
cannot be altered without the key, and a token for one purpose is refused for another. The key
is the tenant's, shared by every host (``secret_key``), never in the repository or the database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctcflow.core.config import Settings
from ctcflow.core.errors import CtcError
from ctcflow.core.secrets_store import MissingSecret, load_secret, save_secret_once


class TokenError(CtcError):
    """A link or session that cannot be trusted; ``reason`` is tampered | expired | wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


MIN_KEY_LENGTH = 32
_shared: dict[str, str] = {}  # a Prefect Secret block's key, read once per process


def secret_key(settings: Settings) -> bytes:
    """The tenant's signing key, the same on every host that serves or mails its links:

    - ``CTC_WEB_SECRET_KEY`` — the key itself, or ``secret:BLOCK``, a Prefect Secret block;
    - else, where a Prefect server is configured (``PREFECT_API_URL``: workers, the web host of a
      shared installation), the block ``ctc-<tenant>-web-key``, made once by whoever needs it first;
    - else (one host, no Prefect server) a key made once in the tenant's data directory.

    A key shorter than MIN_KEY_LENGTH is refused (a short key can be guessed offline from any link)."""
    configured = settings.web_secret_key
    if configured and configured.startswith("secret:"):
        key = _from_block(configured.removeprefix("secret:"), create=False)
    elif configured:
        key = configured
    elif os.environ.get("PREFECT_API_URL"):
        key = _from_block(f"ctc-{settings.tenant_id}-web-key", create=True)
    else:
        key = _local_key(settings.tenant_data_dir / "web-secret-key")
    if len(key) < MIN_KEY_LENGTH:
        raise CtcError(f"the web signing key is {len(key)} characters; use at least {MIN_KEY_LENGTH} random ones, "
                       "e.g. the output of: python3 -c \"import secrets; print(secrets.token_urlsafe(48))\"")
    return key.encode("utf-8")


def _local_key(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_text(encoding="utf-8").strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="utf-8").strip()


def _from_block(name: str, *, create: bool) -> str:
    """The key in a Prefect Secret block; ``create``: made (random) when there is none yet — by
    one process only: a second that finds it made meanwhile reads the first one's."""
    if name not in _shared:
        try:
            value = load_secret(name)
        except MissingSecret:
            if not create:
                raise CtcError(f"CTC_WEB_SECRET_KEY names the Prefect Secret block '{name}', which does not "
                               "exist; create it with a random value of 48 characters or more") from None
            save_secret_once(name, secrets.token_urlsafe(48))
            value = load_secret(name)
        if not isinstance(value, str):
            raise CtcError(f"the Prefect Secret block '{name}' must hold the key as text")
        _shared[name] = value.strip()
    return _shared[name]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Claims:
    purpose: str  # login | milestone | session | feed
    person: str
    expires: int  # unix seconds
    jti: str
    data: dict[str, Any]


def sign(key: bytes, purpose: str, person: str, *, seconds: int = 0, now: float | None = None,
         jti: str | None = None, expires: int | None = None, **data: Any) -> str:
    """A new token; ``jti`` and ``expires`` given, the same token again (a stored subscription's)."""
    issued = int(now if now is not None else time.time())
    body = json.dumps({"u": purpose, "p": person, "e": expires if expires is not None else issued + seconds,
                       "j": jti or secrets.token_urlsafe(12), "d": data},
                      separators=(",", ":"), sort_keys=True).encode("utf-8")
    mac = hmac.new(key, body, hashlib.sha256).digest()
    return f"{_b64(body)}.{_b64(mac)}"


def verify(key: bytes, token: str, purpose: str, now: float | None = None) -> Claims:
    try:
        body_text, mac_text = token.split(".", 1)
        body, mac = _unb64(body_text), _unb64(mac_text)
    except (ValueError, TypeError):
        raise TokenError("tampered") from None
    if not hmac.compare_digest(mac, hmac.new(key, body, hashlib.sha256).digest()):
        raise TokenError("tampered")
    claims = json.loads(body)
    if claims.get("u") != purpose:
        raise TokenError("wrong")
    if claims["e"] < (now if now is not None else time.time()):
        raise TokenError("expired")
    return Claims(claims["u"], claims["p"], claims["e"], claims["j"], claims.get("d", {}))


def csrf_token(key: bytes, session_jti: str) -> str:
    """The form token of a session: bound to it, so a form from another session is refused."""
    return _b64(hmac.new(key, f"csrf:{session_jti}".encode(), hashlib.sha256).digest())


def purpose_of(token: str) -> str | None:
    """What a token says it is for — unverified, only to choose how to verify it."""
    try:
        value = json.loads(_unb64(token.split(".", 1)[0])).get("u")
    except (ValueError, TypeError, AttributeError):
        return None
    return value if isinstance(value, str) else None
