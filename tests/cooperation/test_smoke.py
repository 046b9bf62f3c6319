import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from advisory import services as advisory
from cepa_collab.enums import Role
from cepa_collab.models import MemberState, Region
from contributions import services as contrib
from knowledge import queries as kq
from knowledge import services as ks
from notifications.models import Deadline, Notification
from tests.factories import branch, person
from workflows import services as wf
from workflows.enums import DeliverableKind, ProductKind


def pdf():
    return SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "application/pdf")


def test_smoke(chief, staff, cepa_member, focal_point):
    ira = person(Role.INTER_REGIONAL_ADVISOR, username="ira", branch_code="e-govb")
    oman = MemberState.objects.get(iso3="OMN")
    req = advisory.register_request(
        staff,
        country=oman,
        branch=branch("e-govb"),
        kind="assessment",
        channel="letter",
        received_on=datetime.date(2026, 1, 5),
        title="Assess e-Oman",
        description="Please",
    )
    advisory.fire_transition(chief, req, "accept", lead=ira)
    now = datetime.datetime(2026, 12, 10, 6, tzinfo=datetime.UTC)
    meeting = advisory.schedule_mission(
        chief,
        req,
        start=now,
        end=now + datetime.timedelta(days=3),
        time_zone="Asia/Muscat",
        location="Muscat",
    )
    advisory.fire_transition(ira, req, "complete_mission")
    advisory.fire_transition(ira, req, "start_analysis")
    advisory.upload_document(ira, req, "plan_of_action", pdf())
    advisory.fire_transition(ira, req, "draft_plan")
    c = advisory.add_comment(focal_point, req, "Looks good", internal=True)
    assert c.internal is False
    m = advisory.add_milestone(ira, req, title="Draft law", due_date=datetime.date(2027, 2, 1))
    assert Deadline.objects.filter(kind="milestone", object_id=m.pk, user=ira).exists()
    print(list(Notification.objects.values_list("user__username", "subject")))

    product = wf.create_product(
        chief,
        branch=branch("e-govb"),
        kind=ProductKind.COMPENDIUM,
        title="Compendium",
        edition="2027",
        lead=chief,
    )
    d = wf.create_deliverable(
        chief,
        product=product,
        owner=staff,
        title="Vol 3",
        kind=DeliverableKind.VOLUME,
        due_date=datetime.date(2027, 6, 1),
    )
    cs = contrib.propose(
        cepa_member,
        kind="case_study",
        title="Ghana e-ID",
        country=MemberState.objects.get(iso3="GHA"),
        summary="s",
        innovation="i",
        transferability="t",
    )
    contrib.fire_transition(cepa_member, cs, "submit")
    assert Deadline.objects.filter(kind="contribution", object_id=cs.pk).count() == 2
    contrib.fire_transition(staff, cs, "start_review")
    assert list(
        Deadline.objects.filter(
            kind="contribution", object_id=cs.pk, done_at__isnull=True
        ).values_list("user__username", flat=True)
    ) == ["staff"]
    contrib.fire_transition(staff, cs, "accept")
    contrib.incorporate(staff, cs, d)
    ks.link_request(staff, d, req, "findings")
    records = kq.country_records(focal_point, oman)
    print(records)
    summary = kq.region_summary(staff, Region.objects.get(pk=oman.region_id))
    print([(c.name, c.requests_count) for c in summary.active], summary.totals)
    assert [c.iso3 for c in summary.active] == ["OMN"]
