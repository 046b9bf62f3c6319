"""Single sign-on by OpenID Connect, against a provider started inside the test (no internet).

The provider (`Provider`) is a small HTTP server in a thread on 127.0.0.1 serving discovery,
the authorization endpoint (the person is taken as signed in there: it answers with a code
at once), the token endpoint (client secret, code, redirect URI and PKCE checked), userinfo
and JWKS; it signs ID tokens with an RSA key made for the test. The Django test client goes
through the real authorization-code flow: our start view → the provider's authorization
endpoint (fetched with `requests`) → our callback, which calls the token, JWKS and userinfo
endpoints over HTTP.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from cepa_collab import invitations
from cepa_collab.enums import InvitationState, Role
from cepa_collab.models import MemberState, roles_for
from tests.factories import person

CLIENT_ID = "cepa-collab"
CLIENT_SECRET = "client-secret-for-tests"


@dataclass
class Provider:
    """An OpenID provider for one test module: `claims` are the signed-in person's."""

    base: str = ""
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    kid: str = "test-key"
    claims: dict = field(default_factory=dict)
    issuer: str = ""  # the `iss` it writes (its own base by default)
    audience: str = CLIENT_ID
    signing_key: rsa.RSAPrivateKey | None = None  # another key, to forge a signature
    id_token_claims: dict = field(default_factory=dict)  # said in the ID token only
    userinfo_sub: str = ""  # another subject's userinfo
    codes: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    token_requests: list = field(default_factory=list)

    def reset(self) -> None:
        self.claims = {}
        self.issuer = ""
        self.audience = CLIENT_ID
        self.signing_key = None
        self.id_token_claims = {}
        self.userinfo_sub = ""
        self.codes.clear()
        self.tokens.clear()
        self.token_requests.clear()

    def jwks(self) -> dict:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer or self.base,
            "aud": self.audience,
            "sub": self.claims.get("sub", "subject-1"),
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "email": self.claims.get("email"),
            **self.id_token_claims,
        }
        return jwt.encode(
            payload, self.signing_key or self.key, algorithm="RS256", headers={"kid": self.kid}
        )


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                return self._json(
                    200,
                    {
                        "issuer": provider.base,
                        "authorization_endpoint": f"{provider.base}/authorize",
                        "token_endpoint": f"{provider.base}/token",
                        "userinfo_endpoint": f"{provider.base}/userinfo",
                        "jwks_uri": f"{provider.base}/jwks",
                        "response_types_supported": ["code"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                    },
                )
            if url.path == "/jwks":
                return self._json(200, provider.jwks())
            if url.path == "/authorize":
                if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                    return self._json(400, {"error": "invalid_request"})
                code = secrets.token_urlsafe(16)
                provider.codes[code] = query
                target = f"{query['redirect_uri']}?" + urlencode(
                    {"code": code, "state": query["state"]}
                )
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()
                return None
            if url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if token not in provider.tokens:
                    return self._json(401, {"error": "invalid_token"})
                subject = provider.userinfo_sub or provider.claims.get("sub", "subject-1")
                return self._json(200, {**provider.claims, "sub": subject})
            return self._json(404, {"error": "not_found"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            provider.token_requests.append(form)
            if urlsplit(self.path).path != "/token":
                return self._json(404, {"error": "not_found"})
            asked = provider.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if (
                asked is None
                or form.get("client_id") != CLIENT_ID
                or form.get("client_secret") != CLIENT_SECRET
                or form.get("redirect_uri") != asked["redirect_uri"]
                or challenge != asked.get("code_challenge")
            ):
                return self._json(400, {"error": "invalid_grant"})
            access = secrets.token_urlsafe(16)
            provider.tokens[access] = True
            return self._json(
                200,
                {
                    "access_token": access,
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": provider.id_token(asked.get("nonce", "")),
                },
            )

    return Handler


@pytest.fixture(scope="module")
def _provider_server():
    provider = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield provider
    server.shutdown()
    server.server_close()


@pytest.fixture
def provider(_provider_server, settings, monkeypatch):
    """The provider, and the site configured for it (as the OIDC_* variables would)."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    base = _provider_server.base
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_ISSUER = base
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{base}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{base}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{base}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{base}/jwks"
    settings.OIDC_PROVIDER_NAME = "United Nations"
    _provider_server.reset()
    yield _provider_server
    _provider_server.reset()


def _sign_on(client, provider: Provider, claims: dict, next_url: str = ""):
    """The whole authorization-code flow; returns our callback's response."""
    provider.claims = claims
    start = client.get("/accounts/oidc/authenticate/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    assert start.url.startswith(f"{provider.base}/authorize?")
    at_provider = requests.get(start.url, allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    callback = urlsplit(at_provider.headers["Location"])
    assert callback.path == "/accounts/oidc/callback/"
    return client.get(f"{callback.path}?{callback.query}", follow=True)


def _signed_in_as(client):
    return auth.get_user(client)


@pytest.mark.django_db
def test_a_verified_address_signs_in_its_account(client, provider, cepa_member):
    response = _sign_on(
        client,
        provider,
        {"sub": "x1", "email": cepa_member.email.upper(), "email_verified": True},
        next_url="/invitations/",
    )

    assert response.redirect_chain[-1][0] == "/invitations/"
    assert _signed_in_as(client) == cepa_member
    request = provider.token_requests[-1]
    assert request["grant_type"] == "authorization_code"
    assert request["redirect_uri"] == "http://testserver/accounts/oidc/callback/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "claims",
    [
        {"email_verified": False},
        {"email_verified": "true"},  # a string is not the boolean the standard says
        {},
    ],
    ids=["unverified", "string", "absent"],
)
def test_an_unverified_address_signs_in_nobody(client, provider, cepa_member, claims):
    users_before = get_user_model().objects.count()

    response = _sign_on(client, provider, {"email": cepa_member.email, **claims})

    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert not _signed_in_as(client).is_authenticated
    assert "Single sign-on did not sign you in" in response.content.decode()
    assert get_user_model().objects.count() == users_before


@pytest.mark.django_db
def test_a_stranger_gets_no_account(client, provider):
    users_before = get_user_model().objects.count()

    response = _sign_on(client, provider, {"email": "stranger@un.org", "email_verified": True})

    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert not _signed_in_as(client).is_authenticated
    assert get_user_model().objects.count() == users_before


@pytest.mark.django_db
def test_an_invited_address_gets_its_account_by_signing_on(
    client, provider, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitations.invite(
            staff,
            email="focal@gov.om",
            role=Role.FOCAL_POINT,
            country=MemberState.objects.get(iso3="OMN"),
        )

    _sign_on(
        client,
        provider,
        {
            "email": "Focal@gov.om",
            "email_verified": True,
            "given_name": "Salim",
            "family_name": "Al-Harthy",
        },
    )

    user = _signed_in_as(client)
    invitation.refresh_from_db()
    assert (user.email, user.get_full_name(), user.has_usable_password()) == (
        "focal@gov.om",
        "Salim Al-Harthy",
        False,
    )
    assert roles_for(user) == [Role.FOCAL_POINT]
    assert invitation.state == InvitationState.ACCEPTED
    assert invitation.user == user
    assert len(mail.outbox) == 1  # the invitation; signing on sends nothing


@pytest.mark.django_db
def test_an_inactive_account_is_not_signed_in(client, provider, cepa_member):
    cepa_member.is_active = False
    cepa_member.save(update_fields=["is_active"])

    _sign_on(client, provider, {"email": cepa_member.email, "email_verified": True})

    assert not _signed_in_as(client).is_authenticated


@pytest.mark.django_db
@pytest.mark.parametrize("forgery", ["issuer", "audience", "signature"])
def test_an_id_token_not_meant_for_us_is_refused(client, provider, cepa_member, forgery):
    if forgery == "issuer":
        provider.issuer = "https://login.example.net/other-tenant/v2.0"
    elif forgery == "audience":
        provider.audience = "another-client"
    else:
        provider.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    response = _sign_on(client, provider, {"email": cepa_member.email, "email_verified": True})

    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert not _signed_in_as(client).is_authenticated


@pytest.mark.django_db
def test_userinfo_about_another_subject_is_refused(client, provider, cepa_member):
    provider.userinfo_sub = "someone-else"

    response = _sign_on(client, provider, {"email": cepa_member.email, "email_verified": True})

    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert not _signed_in_as(client).is_authenticated


@pytest.mark.django_db
def test_the_verified_claim_can_be_named_and_read_from_the_id_token(
    client, provider, cepa_member, settings
):
    settings.OIDC_EMAIL_VERIFIED_CLAIM = "xms_edov"
    provider.id_token_claims = {"xms_edov": True}

    _sign_on(client, provider, {"email": cepa_member.email, "email_verified": False})

    assert _signed_in_as(client) == cepa_member


@pytest.mark.django_db
def test_the_sign_in_page_offers_sign_on_only_when_configured(client, settings, provider):
    with_button = client.get("/accounts/login/").content.decode()
    settings.OIDC_ENABLED = False
    without = client.get("/accounts/login/").content.decode()
    start = client.get("/accounts/oidc/authenticate/")
    callback = client.get("/accounts/oidc/callback/?code=x&state=y")

    assert "Sign in with your United Nations account" in with_button
    assert 'href="/accounts/oidc/authenticate/"' in with_button
    assert "Sign in with your United Nations account" not in without
    assert (start.status_code, callback.status_code) == (404, 404)


@pytest.mark.django_db
def test_password_sign_in_still_works_with_sign_on_configured(client, provider):
    person(Role.CEPA_MEMBER, username="pw", password="a long enough password")

    response = client.post(
        "/accounts/login/", {"username": "pw", "password": "a long enough password"}
    )

    assert response.status_code == 302
    assert _signed_in_as(client).get_username() == "pw"


def test_settings_refuse_a_partial_configuration(monkeypatch):
    """OIDC_RP_CLIENT_ID alone names what else is missing (read in a fresh settings module)."""
    monkeypatch.setenv("DEBUG", "1")
    monkeypatch.setenv("OIDC_RP_CLIENT_ID", "x")
    monkeypatch.setenv("OIDC_RP_CLIENT_SECRET", "y")
    spec = importlib.util.find_spec("cepa_collab.settings")
    module = importlib.util.module_from_spec(spec)
    with pytest.raises(ImproperlyConfigured) as refused:
        spec.loader.exec_module(module)

    assert str(refused.value) == (
        "OIDC_RP_CLIENT_ID is set: set OIDC_OP_ISSUER, OIDC_OP_AUTHORIZATION_ENDPOINT, "
        "OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_USER_ENDPOINT, OIDC_OP_JWKS_ENDPOINT too (or unset it)."
    )
