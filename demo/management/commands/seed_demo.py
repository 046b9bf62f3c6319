from django.conf import settings
from django.core.management.base import BaseCommand

from demo.core import DEMO_PASSWORD
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
