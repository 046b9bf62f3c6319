from django.conf import settings
from django.core.management.base import BaseCommand

from demo.core import DEMO_PASSWORD, DEMO_TOTP_BASE32
from demo.world import seed_demo


class Command(BaseCommand):
    help = "Build the demo world (idempotent: running it twice changes nothing)."

    def handle(self, *args, **options):
        result = seed_demo()
        self.stdout.write(
            f"Demo world: {len(result.created)} people created, "
            f"{len(result.existing)} already there."
        )
        for summary in result.summaries():
            self.stdout.write(summary)
        self.stdout.write("")
        self.stdout.write(f"Open {settings.SITE_URL}/ and sign in with one of these logins")
        self.stdout.write(f"(password for all: {DEMO_PASSWORD}):")
        by_role: dict[str, list[str]] = {}
        for username, role in result.logins:
            by_role.setdefault(role, []).append(username)
        for role, usernames in by_role.items():
            self.stdout.write(f"  {role + ':':<28} {', '.join(usernames)}")
        if result.second_factor:
            self.stdout.write("")
            self.stdout.write(
                f"Their role requires a second factor: {', '.join(result.second_factor)} "
                "also enter a code after the password. Add this demo key to any authenticator "
                f"app (time-based, 6 digits): {DEMO_TOTP_BASE32}"
            )
            self.stdout.write("or print the current code with: python manage.py demo_code")
