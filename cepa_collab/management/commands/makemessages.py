"""`makemessages` that also extracts messages marked with `N_` (notifications.services.N_,
translated per recipient when the notification is written)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]
