"""Pages of meetings and of calendar subscriptions (the feeds themselves are in `feeds`).

Thin on purpose: meetings are loaded through `meetings.queries` (404 for what the person may
not see), operations go through `meetings.services`, and the services' errors are
translated: ValidationError → errors on the re-rendered bound form (status 400),
PermissionDenied → 403 (raised on).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST

from cepa_collab import pages, viewer
from cepa_collab.models import Branch
from cepa_collab.service_errors import add_service_errors
from cepa_collab.services import profile_for
from meetings import queries, rules, services
from meetings.enums import ParticipantRole, Reply, TokenKind
from meetings.forms import CancelForm, MeetingFilterForm, MeetingForm
from meetings.models import AgendaItem, CalendarToken, Meeting, Participant
from workflows.queries import visible_deliverables

PAGE_SIZE = 50
BAD_REQUEST = 400
WHEN_PAST = "past"
REPLIES = (Reply.ACCEPTED, Reply.TENTATIVE, Reply.DECLINED)
ROLE_ORDER = {role: index for index, role in enumerate(ParticipantRole.values)}
# The raw feed tokens just issued, kept in the session for one display only.
NEW_TOKENS = "meetings:new_feed_tokens"
# Years the month view accepts (beyond them, previous/next links would overflow).
FIRST_YEAR, LAST_YEAR = 1900, 2200
# Errors of an invitation (services.INVITATION_FIELDS) named after the form's fields.
PARTICIPANT_ERROR_FIELDS = {"name": "external_name", "email": "external_email"}

private_page = cache_control(private=True, no_store=True)


def _viewer_zone(user) -> str:
    return profile_for(user).time_zone


def _may_schedule(user) -> bool:
    """Whether the person may schedule meetings in some branch (their own, or any for a
    superuser)."""
    return rules.MEETING.schedule.permits(Meeting(branch_id=viewer.user_branch_id(user)), user)


def _branches_for(user) -> QuerySet[Branch]:
    if user.is_superuser:
        return Branch.objects.all()
    if _may_schedule(user):
        return Branch.objects.filter(pk=viewer.user_branch_id(user))
    return Branch.objects.none()


# --- the list and the month --------------------------------------------------------------


def _filter_context(
    form: MeetingFilterForm, action: str, keep: list[tuple[str, object]], rows: int
) -> dict:
    """The filter panel: where it goes, what it carries along (tab, month), how to clear it,
    and whether to show it at all: not when the unfiltered list has at most one row (with no
    filter on, `rows` is the unfiltered count)."""
    clear = action + ("?" + urlencode(keep) if keep else "")
    active = form.narrows()
    return {
        "filter_form": form,
        "filter_action": action,
        "filter_keep": keep,
        "filter_clear": clear,
        "filters_active": active,
        "show_filters": active or rows > 1,
    }


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    past = request.GET.get("when") == WHEN_PAST
    form = MeetingFilterForm(request.GET or None)
    meetings = form.apply(queries.visible_meetings(user))
    now = timezone.now()
    if past:
        meetings = meetings.filter(end__lt=now).order_by("-start", "-pk")
    else:
        meetings = meetings.filter(end__gte=now).order_by("start", "pk")
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "page": page,
            "past": past,
            "viewer_zone": _viewer_zone(user),
            "can_create": _may_schedule(user),
            **_filter_context(
                form,
                reverse("meetings:list"),
                [("when", WHEN_PAST)] if past else [],
                page.paginator.count,
            ),
        },
    )


@dataclass
class DayEntry:
    meeting: Meeting
    starts_here: bool


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    is_today: bool
    entries: list[DayEntry] = field(default_factory=list)


def _month_asked(request: HttpRequest, today: datetime.date) -> tuple[int, int]:
    """The year and month of the query string, or this month when they are not valid."""
    try:
        year = int(request.GET.get("year", today.year))
        month = int(request.GET.get("month", today.month))
    except (TypeError, ValueError):
        return today.year, today.month
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return today.year, today.month
    return year, month


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


@login_required
def meeting_month(request: HttpRequest) -> HttpResponse:
    """A month as a table of weeks; days and times in the viewer's time zone."""
    user = request.user
    zone_name = _viewer_zone(user)
    zone = ZoneInfo(zone_name)
    today = timezone.localdate(timezone=zone)
    year, month = _month_asked(request, today)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first_day, last_day = weeks[0][0], weeks[-1][-1]
    span_start = datetime.datetime.combine(first_day, datetime.time(), tzinfo=zone)
    span_end = datetime.datetime.combine(
        last_day + datetime.timedelta(days=1), datetime.time(), tzinfo=zone
    )
    form = MeetingFilterForm(request.GET or None)
    meetings = form.apply(queries.visible_meetings(user)).filter(
        start__lt=span_end, end__gt=span_start
    )
    days = {
        day: Day(date=day, in_month=day.month == month, is_today=day == today)
        for week in weeks
        for day in week
    }
    shown = list(meetings.order_by("start", "pk"))
    for meeting in shown:
        first = timezone.localtime(meeting.start, zone).date()
        # A meeting ending at midnight does not take the next day.
        last = timezone.localtime(meeting.end - datetime.timedelta(microseconds=1), zone).date()
        day = max(first, first_day)
        while day <= min(last, last_day):
            days[day].entries.append(DayEntry(meeting=meeting, starts_here=day == first))
            day += datetime.timedelta(days=1)
    previous, following = _shift(year, month, -1), _shift(year, month, 1)
    return render(
        request,
        "meetings/meeting_month.html",
        {
            "weeks": [[days[day] for day in week] for week in weeks],
            "weekdays": [(WEEKDAYS[n], WEEKDAYS_ABBR[n]) for n in range(7)],
            "month_name": MONTHS[month],
            "year": year,
            "month": month,
            "previous": {"year": previous[0], "month": previous[1], "name": MONTHS[previous[1]]},
            "next": {"year": following[0], "month": following[1], "name": MONTHS[following[1]]},
            "has_previous": previous[0] >= FIRST_YEAR,
            "has_next": following[0] <= LAST_YEAR,
            "viewer_zone": zone_name,
            "can_create": _may_schedule(user),
            "meeting_count": len(shown),
            **_filter_context(
                form, reverse("meetings:month"), [("year", year), ("month", month)], len(shown)
            ),
        },
    )


# --- the meeting page ----------------------------------------------------------------------


@dataclass
class AgendaRow:
    item: AgendaItem
    show_link: bool


def _agenda(user, meeting: Meeting) -> list[AgendaRow]:
    """The agenda in order; a linked deliverable is linked only for those who may see it."""
    items = list(meeting.agenda.order_by("position", "pk"))
    linked = {item.deliverable_id for item in items if item.deliverable_id}
    visible = (
        set(visible_deliverables(user).filter(pk__in=linked).values_list("pk", flat=True))
        if linked
        else set()
    )
    return [AgendaRow(item=item, show_link=item.deliverable_id in visible) for item in items]


def _participants(meeting: Meeting) -> list[Participant]:
    people = list(meeting.participants.select_related("user"))
    return sorted(people, key=lambda p: (ROLE_ORDER.get(p.role, 99), str(p).casefold(), p.pk))


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = queries.get_meeting_for_user(user, pk)
    participants = _participants(meeting)
    mine = next((p for p in participants if p.user_id == user.pk), None)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "participants": participants,
            "mine": mine,
            "replies": REPLIES,
            "agenda": _agenda(user, meeting),
            "viewer_zone": _viewer_zone(user),
            "can_manage": rules.MEETING.edit.permits(meeting, user),
            "can": rules.MEETING.can(meeting, user),
        },
    )


# --- create and edit -------------------------------------------------------------------


def _renamed(error: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {names.get(key, key): texts for key, texts in error.message_dict.items()}
    )


def _save_meeting(request: HttpRequest, form: MeetingForm, meeting: Meeting | None) -> Meeting:
    """The meeting, its invitations and agenda, through the one service operation."""
    fields = form.meeting_fields()
    if meeting is None:
        fields["branch"] = form.cleaned_data["branch"]
    try:
        return services.save_meeting(
            request.user,
            meeting,
            invitations=form.invitations(),
            agenda=form.cleaned_data["agenda"],
            **fields,
        )
    except ValidationError as exc:
        raise _renamed(exc, PARTICIPANT_ERROR_FIELDS) from None


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    rules.MEETING.schedule.require_person(Meeting(branch_id=viewer.user_branch_id(user)), user)
    branches = _branches_for(user)
    status = 200
    if request.method == "POST":
        form = MeetingForm(request.POST, branches=branches, people=queries.invitable_people())
        if form.is_valid():
            try:
                meeting = _save_meeting(request, form, None)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("The meeting “%(title)s” was scheduled.") % {"title": meeting.title}
                )
                return redirect("meetings:detail", pk=meeting.pk)
        status = BAD_REQUEST
    else:
        form = MeetingForm(
            initial={
                "branch": viewer.user_branch_id(user),
                "time_zone": _viewer_zone(user),
            },
            branches=branches,
            people=queries.invitable_people(),
        )
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "meeting": None, "participants": []},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = queries.get_meeting_for_user(user, pk)
    refused = _refused(request, rules.MEETING.edit, meeting)
    if refused is not None:
        return refused
    participants = _participants(meeting)
    people = queries.invitable_people().exclude(
        pk__in=[p.user_id for p in participants if p.user_id]
    )
    branches = Branch.objects.filter(pk=meeting.branch_id)
    status = 200
    if request.method == "POST":
        form = MeetingForm(request.POST, branches=branches, people=people, meeting=meeting)
        done = pages.submit(
            request,
            form,
            lambda data: _save_meeting(request, form, meeting),
            success_url=reverse("meetings:detail", args=[pk]),
            message=_("The meeting was updated."),
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    else:
        form = MeetingForm(branches=branches, people=people, meeting=meeting)
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "meeting": meeting, "participants": participants},
        status=status,
    )


def _refused(request: HttpRequest, rule, meeting: Meeting) -> HttpResponse | None:
    """403 (raised) if the person may not; the meeting's page with the rule's message if
    its state does not allow it now; None when the page may go on."""
    rule.require_person(meeting, request.user)
    try:
        rule.require(meeting, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("meetings:detail", pk=meeting.pk)
    return None


# --- cancel and reply ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = queries.get_meeting_for_user(user, pk)
    refused = _refused(request, rules.MEETING.cancel, meeting)
    if refused is not None:
        return refused
    status = 200
    if request.method == "POST":
        form = CancelForm(request.POST)
        done = pages.submit(
            request,
            form,
            lambda data: services.cancel_meeting(user, meeting, data["reason"]),
            success_url=reverse("meetings:detail", args=[pk]),
            message=_("The meeting was cancelled."),
        )
        if done is not None:
            return done
        status = BAD_REQUEST
    else:
        form = CancelForm()
    return render(
        request,
        "meetings/meeting_cancel.html",
        {"meeting": meeting, "form": form},
        status=status,
    )


@login_required
@require_POST
def participant_remove(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    """Take someone off the meeting (they are told, with a calendar file that cancels it)."""
    meeting = queries.get_meeting_for_user(request.user, pk)
    try:
        services.remove_participant(request.user, meeting, participant_pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The participant was removed and told so."))
    return redirect("meetings:edit", pk=pk)


@login_required
@require_POST
def meeting_reply(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = queries.get_meeting_for_user(request.user, pk)
    try:
        participant = services.set_reply(request.user, meeting, request.POST.get("reply", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Your reply was recorded: %(reply)s.")
            % {"reply": participant.get_reply_display().lower()},
        )
    return redirect("meetings:detail", pk=pk)


# --- calendar subscriptions ------------------------------------------------------------


@dataclass
class FeedRow:
    """One private feed on the subscriptions page; the URLs only right after a reset."""

    kind: str
    token: CalendarToken | None
    url: str = ""
    webcal: str = ""


def _webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[1]


def _feed_url(kind: str, raw: str) -> str:
    name = "meetings:personal_feed" if kind == TokenKind.PERSONAL else "meetings:branch_feed"
    return settings.SITE_URL + reverse(name, args=[raw])


@login_required
@private_page
def subscriptions(request: HttpRequest) -> HttpResponse:
    user = request.user
    kinds = [TokenKind.PERSONAL]
    if rules.has_branch_feed(user):
        kinds.append(TokenKind.BRANCH)
    active = {
        token.kind: token
        for token in CalendarToken.objects.filter(user=user, revoked_at__isnull=True)
    }
    fresh = request.session.pop(NEW_TOKENS, {})
    rows = []
    for kind in kinds:
        row = FeedRow(kind=kind, token=active.get(kind))
        raw = fresh.get(kind)
        if raw and row.token is not None and services.hash_token(raw) == row.token.token_hash:
            row.url = _feed_url(kind, raw)
            row.webcal = _webcal(row.url)
        rows.append(row)
    public_url = settings.SITE_URL + reverse("meetings:public_feed")
    return render(
        request,
        "meetings/subscriptions.html",
        {
            "rows": rows,
            "personal": TokenKind.PERSONAL,
            "branch": profile_for(user).branch,
            "public_url": public_url,
            "public_webcal": _webcal(public_url),
            "viewer_zone": _viewer_zone(user),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def subscription_reset(request: HttpRequest) -> HttpResponse:
    """Create a feed address (POST), or reset one after a confirmation page (GET): a reset
    stops every calendar still using the old address."""
    data = request.POST if request.method == "POST" else request.GET
    kind = data.get("kind", TokenKind.PERSONAL)
    if kind not in TokenKind.values:
        return HttpResponseBadRequest(_("Unknown feed."))
    had_one = CalendarToken.objects.filter(
        user=request.user, kind=kind, revoked_at__isnull=True
    ).exists()
    if request.method != "POST":
        if kind == TokenKind.BRANCH:
            rules.BRANCH_FEED.require(None, request.user)
        if not had_one:
            return redirect(reverse("meetings:subscriptions") + f"#feed-{kind}")
        return render(
            request,
            "meetings/subscription_reset.html",
            {"kind": kind, "personal": TokenKind.PERSONAL},
        )
    raw = services.reset_token(request.user, kind)
    fresh = request.session.get(NEW_TOKENS, {})
    fresh[kind] = raw
    request.session[NEW_TOKENS] = fresh
    if had_one:
        messages.success(
            request,
            _("Your feed has a new URL. The old URL stopped working: update your calendar."),
        )
    else:
        messages.success(request, _("Your feed URL was created. Copy it into your calendar."))
    return redirect(reverse("meetings:subscriptions") + f"#feed-{kind}")
