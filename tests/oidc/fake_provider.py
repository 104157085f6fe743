"""A fake OpenID provider on 127.0.0.1 that hands out whatever ID token a test asks for.

The real provider (provider.mjs) only issues correct tokens. This one serves the same
protocol surface Stafett uses — discovery, JWKS and the token endpoint (client secret
and PKCE S256 checked, each code good once) — but the test writes the ID token: its
claims, its header, the key that signs it. The authorization step is skipped: the test
reads state, nonce and code challenge from the redirect Stafett sends the browser,
gets a code from `issue()` and calls Stafett's callback with it.

Discovery offers `none` and `HS256` as well, as a careless provider might, so the tests
show Stafett refuses them anyway.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OctKey, RSAKey

CLIENT_SECRET = "stafett-test-secret"
RSA_KID = "fake-rsa"
EC_KID = "fake-ec"
# Never published in the JWKS.
ROGUE_KID = "fake-rogue"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeProvider:
    def __init__(self) -> None:
        self.rsa = RSAKey.generate_key(2048, parameters={"kid": RSA_KID, "use": "sig"})
        self.ec = ECKey.generate_key("P-256", parameters={"kid": EC_KID, "use": "sig"})
        self.rogue = RSAKey.generate_key(2048, parameters={"kid": ROGUE_KID, "use": "sig"})
        self.server: WSGIServer = make_server("127.0.0.1", 0, self.app, handler_class=_QuietHandler)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.pending: dict[str, dict[str, Any]] = {}
        self.token_requests = 0
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakeProvider":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what a test calls ---------------------------------------------------

    def issue(
        self,
        authorization: dict[str, str],
        *,
        claims: dict[str, Any] | None = None,
        sign_with: str = "rsa",
        header: dict[str, Any] | None = None,
    ) -> str:
        """A code for the authorization request Stafett made; the token endpoint swaps it for an
        ID token with the usual claims updated by `claims` (a value of None drops the claim),
        signed with `sign_with`: "rsa", "ec", "rogue" (a key not in the JWKS), "rogue-as-rsa"
        (that key, claiming the published key's kid), "hs256" (the client secret) or "none"."""
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer,
            "sub": "fake-subject",
            "aud": authorization["client_id"],
            "iat": now,
            "exp": now + 300,
            "nonce": authorization["nonce"],
        }
        for name, value in (claims or {}).items():
            if value is None:
                body.pop(name, None)
            else:
                body[name] = value
        code = secrets.token_urlsafe(16)
        self.pending[code] = {
            "id_token": self._sign(body, sign_with, header or {}),
            "challenge": authorization["code_challenge"],
            "redirect_uri": authorization["redirect_uri"],
            "client_id": authorization["client_id"],
        }
        return code

    def _sign(self, claims: dict[str, Any], how: str, extra: dict[str, Any]) -> str:
        if how == "none":
            header = {"alg": "none", "typ": "JWT", **extra}
            return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}."
        key: RSAKey | ECKey | OctKey
        if how == "hs256":
            key, header = OctKey.import_key(CLIENT_SECRET), {"alg": "HS256"}
        elif how == "ec":
            key, header = self.ec, {"alg": "ES256", "kid": EC_KID}
        elif how == "rogue":
            key, header = self.rogue, {"alg": "RS256", "kid": ROGUE_KID}
        elif how == "rogue-as-rsa":
            key, header = self.rogue, {"alg": "RS256", "kid": RSA_KID}
        else:
            key, header = self.rsa, {"alg": "RS256", "kid": RSA_KID}
        return jwt.encode({**header, "typ": "JWT", **extra}, claims, key)

    # --- the HTTP side Stafett talks to --------------------------------------

    def app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        if path == "/.well-known/openid-configuration":
            return self._json(start_response, 200, self.discovery())
        if path == "/jwks":
            return self._json(start_response, 200, KeySet([self.rsa, self.ec]).as_dict())
        if path == "/token" and environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()}
            status, body = self.token(form, environ.get("HTTP_AUTHORIZATION", ""))
            return self._json(start_response, status, body)
        return self._json(start_response, 404, {"error": "not_found"})

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256", "HS256", "none"],
        }

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        self.token_requests += 1
        grant = self.pending.pop(form.get("code", ""), None)  # a code works once
        if grant is None:
            return 400, {"error": "invalid_grant", "error_description": "unknown or used code"}
        expected = "Basic " + base64.b64encode(f"{grant['client_id']}:{CLIENT_SECRET}".encode()).decode()
        if authorization != expected:
            return 401, {"error": "invalid_client"}
        verifier = form.get("code_verifier", "")
        if _b64(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri mismatch"}
        return 200, {
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": grant["id_token"],
        }

    @staticmethod
    def _json(start_response: Any, status: int, body: dict[str, Any]) -> list[bytes]:
        data = json.dumps(body).encode()
        reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}[status]
        start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]
