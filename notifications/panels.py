"""What notifications adds to lower apps' pages (see `cepa_collab.panels`): on the person's
account page, how each kind of notification reaches them, as one grid."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from cepa_collab.panels import ACCOUNT_PAGE, Section
from cepa_collab.services import profile_for
from notifications import services
from notifications.forms import DELIVERY_CHOICES, DELIVERY_HELP, PreferencesForm

KEY = "notifications"


def preferences_section(user, form: PreferencesForm | None = None, *, next_url: str = ""):
    """The grid of `user`'s preferences (`form` bound after a refused POST, else as saved);
    saving it comes back to `next_url`."""
    zone = profile_for(user).time_zone
    return Section(
        key=KEY,
        title=_("Notifications"),
        template="notifications/_preferences_grid.html",
        context={
            "form": form or PreferencesForm(initial=services.preferences_of(user)),
            "next": next_url,
            "viewer_zone": zone,
            "deliveries": [
                (label, str(DELIVERY_HELP[value]) % {"zone": zone})
                for value, label in DELIVERY_CHOICES
            ],
        },
    )


@ACCOUNT_PAGE.register
def account_section(user, request) -> list[Section]:
    return [preferences_section(user, next_url=f"{reverse('account')}#{KEY}")]
