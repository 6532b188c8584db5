"""Single sign-on with OpenID Connect: the authorization code flow with PKCE against the city's
identity provider. The provider proves who the person is; areas.yml (and the people changed on
the web) decide whether that person is someone of CTC, by the claim the city chose (the work
e-mail by default). Nothing is trusted that the ID token's signature, issuer, audience, expiry
and nonce do not vouch for."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from ctcflow.core.config import Settings
from ctcflow.core.errors import CtcError

DISCOVERY_SECONDS = 3600
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]


class SsoError(CtcError):
    """The provider's answer cannot be trusted or used; ``reason`` says which page to show."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


@dataclass(frozen=True)
class Started:
    """What the browser is sent to, and what must come back with it (kept in a signed cookie)."""

    url: str
    state: str
    nonce: str
    verifier: str


class Provider:
    """One identity provider: its discovery document and signing keys, fetched and kept a while."""

    def __init__(self, settings: Settings) -> None:
        if not (settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret):
            raise CtcError("single sign-on needs CTC_OIDC_ISSUER, CTC_OIDC_CLIENT_ID and CTC_OIDC_CLIENT_SECRET")
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id, self.secret = settings.oidc_client_id, settings.oidc_client_secret
        self.claim = settings.oidc_claim
        self._config: tuple[float, dict[str, Any]] | None = None
        self._keys: jwt.PyJWKClient | None = None
        self._lock = threading.Lock()

    def config(self) -> dict[str, Any]:
        with self._lock:
            if self._config is None or time.monotonic() - self._config[0] > DISCOVERY_SECONDS:
                try:
                    answer = httpx.get(f"{self.issuer}/.well-known/openid-configuration", timeout=10)
                    answer.raise_for_status()
                except httpx.HTTPError as exc:
                    raise SsoError("sso_unavailable", f"the identity provider did not answer: {exc}") from None
                found = answer.json()
                if found.get("issuer", "").rstrip("/") != self.issuer:
                    raise SsoError("sso_unavailable", "the identity provider names another issuer")
                self._config = (time.monotonic(), found)
                self._keys = jwt.PyJWKClient(found["jwks_uri"], cache_keys=True, timeout=10)
            return self._config[1]

    def start(self, redirect_uri: str) -> Started:
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urlencode({"response_type": "code", "client_id": self.client_id, "redirect_uri": redirect_uri,
                           "scope": "openid email profile", "state": state, "nonce": nonce,
                           "code_challenge": challenge, "code_challenge_method": "S256"})
        return Started(f"{self.config()['authorization_endpoint']}?{query}", state, nonce, verifier)

    def finish(self, code: str, redirect_uri: str, nonce: str, verifier: str) -> str:
        """The code exchanged for tokens, the ID token verified; returns the claim naming the person."""
        config = self.config()
        try:
            answer = httpx.post(config["token_endpoint"], timeout=10, auth=(self.client_id, self.secret or ""),
                                data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                                      "code_verifier": verifier})
        except httpx.HTTPError as exc:
            raise SsoError("sso_unavailable", f"the identity provider did not answer: {exc}") from None
        if answer.status_code != 200:
            raise SsoError("sso_refused", f"the identity provider refused the code: {answer.text[:200]}")
        tokens = answer.json()
        assert self._keys is not None
        try:
            key = self._keys.get_signing_key_from_jwt(tokens["id_token"])
            claims: dict[str, Any] = jwt.decode(tokens["id_token"], key.key, algorithms=ALGORITHMS,
                                                audience=self.client_id, issuer=config["issuer"],
                                                options={"require": ["exp", "iat", "sub", "nonce"]})
        except (jwt.PyJWTError, KeyError) as exc:
            raise SsoError("sso_refused", f"the ID token does not verify: {exc}") from None
        if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise SsoError("sso_refused", "the ID token was not issued for this sign-in")
        value = claims.get(self.claim) or self._userinfo(config, tokens.get("access_token", ""), claims["sub"])
        if not value:
            raise SsoError("sso_unknown", f"the identity provider gave no '{self.claim}'")
        return str(value)

    def _userinfo(self, config: dict[str, Any], access_token: str, subject: str) -> Any:
        """A provider that keeps the claim out of the ID token answers it here (for the same subject)."""
        if not access_token or "userinfo_endpoint" not in config:
            return None
        try:
            answer = httpx.get(config["userinfo_endpoint"], timeout=10,
                               headers={"Authorization": f"Bearer {access_token}"})
        except httpx.HTTPError:
            return None
        info = answer.json() if answer.status_code == 200 else {}
        return info.get(self.claim) if info.get("sub") == subject else None
