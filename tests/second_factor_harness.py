"""The test client's `force_login` stands for a whole sign-in: password and second factor.

`force_login` skips the sign-in form; for a person who needs a second factor (branch chiefs,
the secretariat, admins) the form would be followed by the code step, which marks the
session "verified" (cepa_collab.second_factor). The fixture below does that same marking
after every `force_login`, so tests that sign someone in that way get the session a real
sign-in ends with. Tests of the second factor itself sign in through the pages, or use
`unverified_login` for a session that still owes its code.
"""

from __future__ import annotations

import pytest
from django.test.client import ClientMixin

from cepa_collab import second_factor

_plain_login = ClientMixin._login


def _login_with_both_factors(self, user, backend=None):
    _plain_login(self, user, backend)
    session = self.session
    session[second_factor.SESSION_KEY] = second_factor.VERIFIED
    session.save()


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    monkeypatch.setattr(ClientMixin, "_login", _login_with_both_factors)


@pytest.fixture
def unverified_login():
    """`unverified_login(client, user)`: a session signed in that has not entered its code
    (as after the password, or after another sign-in backend)."""

    def login(client, user):
        _plain_login(client, user, "django.contrib.auth.backends.ModelBackend")

    return login
