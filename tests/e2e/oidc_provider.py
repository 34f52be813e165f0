"""A tiny OpenID Connect provider on 127.0.0.1 for the sign-in browser test: a discovery document, an authorize
endpoint that sends the browser straight back with a code (no login form: the test says who signs in next), a
token endpoint that checks the client, the code, the redirect URI and the PKCE verifier and returns an id_token
signed with a test RSA key, and the key set (JWKS). It runs in a thread of the test process and stops in the
test's finally-block; every socket has a timeout, so nothing it does can hang the test."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "kpi-pivot-test"
CLIENT_SECRET = secrets.token_urlsafe(24)
KEY_ID = "test-key-1"
SOCKET_TIMEOUT_S = 10


@dataclass
class _Grant:
    """What /authorize issued a code for, checked again at /token."""

    email: str
    nonce: str | None
    redirect_uri: str
    challenge: str | None


@dataclass
class Provider:
    """The provider's state: who signs in next, the codes issued, and what the app asked for (for assertions)."""

    port: int = 0
    next_email: str = "nobody@example.com"
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": KEY_ID}, private=True))
    grants: dict[str, _Grant] = field(default_factory=dict)
    tokens_issued: list[str] = field(default_factory=list)  # the e-mail addresses whose id_token went out
    refused: list[str] = field(default_factory=list)  # why a token request was refused (a broken flow shows here)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name"],
        }

    def id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": hashlib.sha256(grant.email.encode()).hexdigest()[:16],
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "email": grant.email,
            "email_verified": True,
            "name": grant.email.split("@")[0].title(),
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        return jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, self.key)


def _client_of(handler: BaseHTTPRequestHandler, form: dict[str, str]) -> tuple[str | None, str | None]:
    """(client_id, client_secret) from HTTP Basic or the form (client_secret_post)."""
    header = handler.headers.get("Authorization", "")
    if header.startswith("Basic "):
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return user, password
    return form.get("client_id"), form.get("client_secret")


def _pkce_ok(challenge: str | None, verifier: str | None) -> bool:
    if challenge is None:
        return True
    if not verifier:
        return False
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return secrets.compare_digest(digest, challenge)


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = SOCKET_TIMEOUT_S

        def log_message(self, *args: Any) -> None:  # quiet test output
            pass

        def _json(self, payload: dict[str, Any], status: int = 200) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                self._json(provider.discovery())
            elif parts.path == "/jwks":
                self._json({"keys": [provider.key.as_dict(private=False) | {"use": "sig", "alg": "RS256"}]})
            elif parts.path == "/authorize":
                if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                    self._json({"error": "invalid_request"}, 400)
                    return
                code = secrets.token_urlsafe(16)
                with provider.lock:
                    provider.grants[code] = _Grant(
                        provider.next_email, query.get("nonce"), query["redirect_uri"], query.get("code_challenge")
                    )
                back = {"code": code, **({"state": query["state"]} if "state" in query else {})}
                self.send_response(302)
                self.send_header("Location", f"{query['redirect_uri']}?{urlencode(back)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._json({"error": "not_found"}, 404)

        def do_POST(self) -> None:
            if urlsplit(self.path).path != "/token":
                self._json({"error": "not_found"}, 404)
                return
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            client_id, client_secret = _client_of(self, form)
            with provider.lock:
                grant = provider.grants.pop(form.get("code", ""), None)  # a code is good once
            problem = None
            if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
                problem = "invalid_client"
            elif form.get("grant_type") != "authorization_code" or grant is None:
                problem = "invalid_grant"
            elif form.get("redirect_uri") != grant.redirect_uri:
                problem = "invalid_grant: redirect_uri"
            elif not _pkce_ok(grant.challenge, form.get("code_verifier")):
                problem = "invalid_grant: code_verifier"
            if problem is not None or grant is None:
                provider.refused.append(problem or "invalid_grant")
                self._json({"error": (problem or "invalid_grant").split(":")[0]}, 400)
                return
            provider.tokens_issued.append(grant.email)
            self._json(
                {
                    "access_token": secrets.token_urlsafe(16),
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "scope": "openid email profile",
                    "id_token": provider.id_token(grant),
                }
            )

    return Handler


class RunningProvider:
    """The provider's HTTP server in a daemon thread; stop() shuts it down (also safe to call twice)."""

    def __init__(self) -> None:
        self.state = Provider()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self._server.daemon_threads = True
        self._server.timeout = SOCKET_TIMEOUT_S
        self.state.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
