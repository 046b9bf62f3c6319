"""Single sign-on by OpenID Connect (mozilla-django-oidc), configured from the environment.

Off unless `OIDC_RP_CLIENT_ID` is set: the backend then answers nothing and the views 404.
A person signing on is matched to an existing account by their e-mail address, and only
when the provider says it is verified (`email_verified` true); the ID token's issuer and
audience are checked too. Nobody gets an account by signing on, except someone whose
verified address has a pending invitation: accepting it makes their account (see
`cepa_collab.invitations.accept_by_sign_on`).
"""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db.models.functions import Lower
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.translation import gettext
from mozilla_django_oidc import auth as oidc_auth
from mozilla_django_oidc import views as oidc_views

from cepa_collab import invitations

logger = logging.getLogger(__name__)


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


class Backend(oidc_auth.OIDCAuthenticationBackend):
    """Matches verified addresses to accounts; makes one only for a pending invitation."""

    def __init__(self, *args, **kwargs):
        # Django instantiates every backend for each authentication: when OIDC is off,
        # read no setting (they are empty) and answer nothing.
        if enabled():
            super().__init__(*args, **kwargs)
        else:
            self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if not enabled():
            return None
        try:
            return super().authenticate(request, **kwargs)
        except SuspiciousOperation as exc:
            # Our own messages (tokens refused): they name no secret.
            logger.warning("Single sign-on refused: %s", exc)
        except requests.RequestException as exc:
            # Not the exception's text: an HTTP error carries the provider's answer.
            logger.warning("Single sign-on failed: the provider answered %s", type(exc).__name__)
        return None

    def _verify_jws(self, payload, key):
        """The library checks the signature only: check the issuer and audience too."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("The ID token's algorithm is not the one configured.")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token refused: {type(exc).__name__}") from None

    def get_userinfo(self, access_token, id_token, payload):
        """The userinfo claims over the ID token's: the standard wants both about the same
        person (the same `sub`), which the library does not check. A provider that says
        an address is verified in the ID token only (Entra ID's `xms_edov`) is read so."""
        info = super().get_userinfo(access_token, id_token, payload)
        if str(info.get("sub", "")) != str(payload.get("sub", "")):
            raise SuspiciousOperation("The userinfo answer is about another subject.")
        return {**payload, **info}

    def verify_claims(self, claims) -> bool:
        """An address, and the provider's word that it is verified (a boolean true)."""
        email = claims.get("email")
        return bool(email) and claims.get(settings.OIDC_EMAIL_VERIFIED_CLAIM) is True

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").lower()
        if not email:
            return self.UserModel.objects.none()
        return (
            self.UserModel.objects.annotate(address=Lower("email"))
            .filter(address=email, is_active=True)
            .order_by("pk")
        )

    def create_user(self, claims):
        """No account for a stranger: only for a verified address invited and pending."""
        user = invitations.accept_by_sign_on(
            claims["email"],
            first_name=(claims.get("given_name") or "")[:150],
            last_name=(claims.get("family_name") or "")[:150],
        )
        if user is None:
            logger.info("Single sign-on refused: no account and no invitation for the address")
        return user


class AuthenticateView(oidc_views.OIDCAuthenticationRequestView):
    """The start of the sign-on (a redirect to the provider); 404 when OIDC is off."""

    def __init__(self, *args, **kwargs):
        if enabled():
            super().__init__(*args, **kwargs)
        else:
            oidc_views.View.__init__(self, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class CallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """The provider's answer; a refusal says why on the sign-in page."""

    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def login_failure(self):
        messages.error(
            self.request,
            gettext(
                "Single sign-on did not sign you in: no account here has the verified "
                "e-mail address your organisation gave. Ask the secretariat for an "
                "invitation, or sign in with your password."
            ),
        )
        return HttpResponseRedirect(resolve_url(settings.LOGIN_REDIRECT_URL_FAILURE))
