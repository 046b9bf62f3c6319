from django.core.management.base import BaseCommand

from cepa_collab.second_factor import current_code
from demo.core import DEMO_TOTP_BASE32, DEMO_TOTP_KEY


class Command(BaseCommand):
    help = (
        "Print the current code of the demo's authenticator (the second factor of the demo's "
        "branch chiefs and secretariat admin; the demo key is public, real accounts' are not)."
    )

    def handle(self, *args, **options):
        self.stdout.write(current_code(DEMO_TOTP_KEY))
        self.stderr.write(
            f"(the code of the demo key {DEMO_TOTP_BASE32}; it changes every 30 seconds)"
        )
