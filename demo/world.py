"""The whole demo world, each app's part seeded in order (`seed_demo`, `make demo`).

`seed_demo()` is idempotent: each seeder finds what exists and leaves it as it is, so a
second run creates nothing and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from demo.advisory import AdvisoryDemoResult, seed_advisory
from demo.contributions import ContributionDemoResult, seed_contributions
from demo.core import DEMO_PASSWORD, seed_people
from demo.discussions import seed_discussions
from demo.knowledge import KnowledgeDemoResult, seed_knowledge
from demo.meetings import MeetingDemoResult, seed_meetings
from demo.notifications import NotificationDemoResult, seed_notifications
from demo.review_forms import seed_review_forms
from demo.review_rounds import seed_review_rounds
from demo.workflows import WorkflowDemoResult, seed_workflows
from notifications.services import muted
from workflows import comparison


@dataclass
class DemoResult:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    # The people whose role requires a second factor: they have the demo authenticator.
    second_factor: list[str] = field(default_factory=list)
    # What each app's seeder created or found (each `.summary()` says it).
    workflows: WorkflowDemoResult | None = None
    meetings: MeetingDemoResult | None = None
    advisory: AdvisoryDemoResult | None = None
    contributions: ContributionDemoResult | None = None
    knowledge: KnowledgeDemoResult | None = None
    notifications: NotificationDemoResult | None = None

    def summaries(self) -> list[str]:
        parts = (
            self.workflows,
            self.meetings,
            self.advisory,
            self.contributions,
            self.knowledge,
            self.notifications,
        )
        return [part.summary() for part in parts if part is not None]


@transaction.atomic
def seed_demo() -> DemoResult:
    """Create what is missing of the demo world; return who was created and the logins."""
    # Everyone in the demo has the same password: hash it once, not once per person.
    password_hash = make_password(DEMO_PASSWORD)
    people = seed_people(password_hash)
    result = DemoResult(
        created=people.created,
        existing=people.existing,
        logins=people.logins,
        second_factor=people.second_factor,
    )
    # The demo's history is made up: nobody is mailed about it. The reminders that fall
    # due are mailed by the worker at the first sweep after seeding.
    # (texts read at once: the demo's versions are previewed and compared without a worker)
    with muted(), comparison.now():
        result.workflows = seed_workflows()
        seed_review_rounds()  # the owners' responses to round 1 (issue 16)
        seed_review_forms()  # scores and declarations on the workflow's reviews
        # The meetings link the workflow's deliverables in their agendas.
        result.meetings = seed_meetings()
        # The requests reuse the meetings' assessment missions, their plans go to review.
        result.advisory = seed_advisory(password_hash=password_hash)
        result.contributions = seed_contributions()
        # Links between the deliverables and the requests and contributions above.
        result.knowledge = seed_knowledge()
        seed_discussions()  # a reviewer's question and the owner's answer (demo.discussions)
        # Reminders due soon, on all of the above.
        result.notifications = seed_notifications()
    result.logins.extend(result.advisory.logins)
    return result
