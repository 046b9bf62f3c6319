"""The design system (issue 14): the pattern page, the components, base.html's shell and
the empty choices of every select."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from advisory.enums import MilestoneState, RequestState
from cepa_collab.enums import InvitationState
from cepa_collab.forms import FilterForm, FilterSet, Form
from cepa_collab.models import MemberState
from contributions.enums import ContributionState
from meetings.enums import MeetingStatus, Reply
from notifications.enums import MailState
from tests.factories import DEFAULT_PASSWORD
from workflows.enums import AssignmentState, DeliverableState, ReviewStatus, RoundState
from workflows.models import Deliverable

ROOT = Path(__file__).resolve().parents[2]
APP_CSS = (ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8")
STATE_ENUMS = (
    DeliverableState,
    RoundState,
    AssignmentState,
    ReviewStatus,
    MeetingStatus,
    Reply,
    RequestState,
    MilestoneState,
    ContributionState,
    InvitationState,
    MailState,
)
COMPONENT_CLASSES = (
    "back-link",
    "caption",
    "lead",
    "meta",
    "button-group",
    'class="button"',
    "button button--secondary",
    "button button--warning",
    "summary-list__row",
    "table-wrap",
    'class="table"',
    'class="cards"',
    "banner banner--success",
    "banner banner--action",
    "error-summary",
    "error-message",
    'class="hint"',
    "filter-panel",
    "pagination",
    "step-list__item--done",
    "step-list__item--current",
    "step-list__item--todo",
    "timeline__item",
    'class="empty"',
    "due--overdue",
    "due--soon",
    "due--later",
    "tag--overdue",
    "tag--at-risk",
)


def _tags_in_css() -> set[str]:
    return set(re.findall(r"\.tag--([a-z_-]+)", APP_CSS))


# --- the pattern page -----------------------------------------------------------------------


@pytest.mark.django_db
def test_pattern_page_is_404_when_debug_is_off(client, settings):
    settings.DEBUG = False

    response = client.get("/patterns/")

    assert response.status_code == 404


@pytest.mark.django_db
def test_pattern_page_shows_every_component_when_debug_is_on(client, settings):
    settings.DEBUG = True

    response = client.get("/patterns/")

    html = response.content.decode()
    assert response.status_code == 200
    missing = [name for name in COMPONENT_CLASSES if name not in html]
    assert missing == []


@pytest.mark.django_db
def test_pattern_page_shows_a_tag_for_every_state_of_every_state_machine(client, settings):
    settings.DEBUG = True

    html = client.get("/patterns/").content.decode()

    codes = {state.value for enum in STATE_ENUMS for state in enum}
    shown = set(re.findall(r'class="tag tag--([a-z_-]+)"', html))
    assert codes - shown == set()


def test_every_state_code_has_a_tag_colour():
    codes = {state.value for enum in STATE_ENUMS for state in enum} | {
        "overdue",
        "at-risk",
        "neutral",
    }

    assert codes - _tags_in_css() == set()


def test_stylesheet_uses_logical_properties_only():
    # given the stylesheet without its comments
    rules = re.sub(r"/\*.*?\*/", "", APP_CSS, flags=re.S)

    # then no physical side is named (right-to-left layouts follow from dir="rtl")
    physical = re.findall(
        r"(?<![\w-])((?:margin|padding|border)-(?:left|right)|(?<!inset-)(?:left|right)\s*:"
        r"|text-align:\s*(?:left|right)|float:\s*(?:left|right))",
        rules,
    )
    assert physical == []


# --- base.html -------------------------------------------------------------------------------


def _page(context: dict | None = None, *, user=None) -> str:
    request = RequestFactory().get("/somewhere/")
    request.user = user or AnonymousUser()
    return render_to_string("base.html", context or {}, request=request)


class TitleForm(Form):
    title = forms.CharField(label="Title", help_text="As it will be printed.")


@pytest.mark.django_db
def test_title_starts_with_error_when_the_form_has_errors():
    form = TitleForm(data={"title": ""})

    html = _page({"form": form, "title": "Edit the deliverable"})

    assert "<title>Error: Edit the deliverable · CEPA Collab</title>" in html


@pytest.mark.django_db
def test_title_has_no_error_prefix_for_a_valid_or_unbound_form():
    assert "<title>Edit · CEPA Collab</title>" in _page({"form": TitleForm(), "title": "Edit"})
    assert "<title>Edit · CEPA Collab</title>" in _page(
        {"form": TitleForm(data={"title": "Chapter 3"}), "title": "Edit"}
    )


@pytest.mark.django_db
def test_sign_in_page_after_a_wrong_password_has_the_error_title(client, cepa_member):
    response = client.post(
        "/accounts/login/", {"username": "amina", "password": DEFAULT_PASSWORD + "x"}
    )

    html = response.content.decode()
    assert "<title>Error: Sign in · CEPA Collab</title>" in html


@pytest.mark.django_db
def test_page_is_right_to_left_in_a_right_to_left_language():
    with translation.override("ar"):
        html = _page()

    assert '<html lang="ar" dir="rtl">' in html


@pytest.mark.django_db
def test_page_is_left_to_right_by_default():
    assert '<html lang="en">' in _page()


@pytest.mark.django_db
def test_menu_folds_the_navigation_and_the_language_switch(client, cepa_member):
    client.force_login(cepa_member)

    html = client.get("/").content.decode()

    menu = html[html.index('<details class="menu">') : html.index("</details>")]
    assert "<summary>Menu</summary>" in menu
    assert 'aria-label="Main"' in menu
    assert 'name="language"' in menu
    assert "Sign out" in menu


@pytest.mark.django_db
def test_footer_names_the_viewers_time_zone_when_signed_in(client, cepa_member):
    client.force_login(cepa_member)

    html = client.get("/").content.decode()

    assert "Times are shown in Africa/Accra time." in html


@pytest.mark.django_db
def test_footer_names_no_time_zone_for_someone_signed_out(client):
    html = client.get("/accounts/login/").content.decode()

    assert "Times are shown in" not in html


@pytest.mark.django_db
def test_messages_show_as_banners():
    html = _page({"messages": ["Version 3 was uploaded."]})

    assert (
        '<div class="banner banner--success" role="status"><p>Version 3 was uploaded.</p></div>'
        in html
    )


# --- components --------------------------------------------------------------------------------


class SampleForm(Form):
    title = forms.CharField(label="Title", help_text="As it will be printed.")
    language = forms.ChoiceField(
        label="Language", choices=[("en", "English"), ("fr", "French")], widget=forms.RadioSelect
    )
    notify = forms.BooleanField(label="Tell the reviewers", required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("The deliverable changed meanwhile.")


def test_error_summary_takes_the_focus_and_links_each_error_to_its_field():
    form = SampleForm(data={"title": ""})
    form.is_valid()

    html = render_to_string("components/error_summary.html", {"form": form})

    assert 'role="alert"' in html
    assert 'tabindex="-1"' in html
    assert " autofocus " in html
    assert "<li>The deliverable changed meanwhile.</li>" in html
    assert '<a href="#id_title">This field is required.</a>' in html
    # a radio group is reached by its first radio
    assert '<a href="#id_language_0">This field is required.</a>' in html


def test_error_summary_is_empty_without_errors():
    html = render_to_string("components/error_summary.html", {"form": SampleForm()})

    assert html.strip() == ""


def test_old_partials_draw_the_components():
    form = SampleForm(data={"title": ""})
    form.is_valid()

    for old, new in (
        ("workflows/_error_summary.html", "components/error_summary.html"),
        ("cepa_collab/invitations/_errors.html", "components/error_summary.html"),
        ("workflows/_fields.html", "components/fields.html"),
    ):
        assert render_to_string(old, {"form": form}).strip() == (
            render_to_string(new, {"form": form}).strip()
        )


def test_fields_have_label_hint_inline_error_and_describedby():
    form = SampleForm(data={"title": ""})
    form.is_valid()

    html = render_to_string("components/fields.html", {"form": form})

    assert '<label for="id_title">Title</label>' in html
    assert '<div class="hint" id="id_title_helptext">As it will be printed.</div>' in html
    assert '<p class="error-message" id="id_title_error">This field is required.</p>' in html
    assert 'aria-describedby="id_title_helptext id_title_error"' in html
    assert 'aria-invalid="true"' in html
    assert '<div class="field field--error">' in html
    assert '<input type="hidden" name="secret"' in html


def test_radio_group_is_a_fieldset_with_a_legend():
    html = render_to_string("components/fields.html", {"form": SampleForm()})

    group = html[html.index("<fieldset") : html.index("</fieldset>")]
    assert "<legend>Language</legend>" in group
    assert 'type="radio" name="language" value="en"' in group


def test_single_checkbox_comes_before_its_label():
    html = render_to_string("components/fields.html", {"form": SampleForm()})

    assert re.search(
        r'<div class="checkbox"><input type="checkbox" name="notify" id="id_notify">\s*'
        r'<label for="id_notify">Tell the reviewers</label></div>',
        html,
    )


def test_pagination_keeps_the_filters_and_says_where_the_reader_is(rf):
    from django.core.paginator import Paginator

    page = Paginator(range(95), 10).page(3)

    html = render_to_string(
        "components/pagination.html", {"page": page}, request=rf.get("/x/?state=open&page=3")
    )

    assert '<a class="pagination__prev" href="?state=open&amp;page=2" rel="prev">' in html
    assert '<a class="pagination__next" href="?state=open&amp;page=4" rel="next">' in html
    assert "Page 3 of 10" in html


def test_pagination_is_absent_for_a_single_page():
    from django.core.paginator import Paginator

    html = render_to_string("components/pagination.html", {"page": Paginator(range(5), 10).page(1)})

    assert html.strip() == ""


def test_empty_state_with_an_action():
    html = render_to_string(
        "components/empty.html",
        {"message": "No deliverables yet.", "action_url": "/new/", "action_label": "Add one"},
    )

    assert html.strip() == '<p class="empty">No deliverables yet. <a href="/new/">Add one</a></p>'


class StateFilterForm(FilterForm):
    state = forms.ChoiceField(
        label="State", choices=[("", "---------"), *DeliverableState.choices], required=False
    )


def test_filter_panel_is_a_details_open_when_filters_apply():
    form = StateFilterForm(data={"state": "planned"})

    html = render_to_string(
        "components/filter_panel.html", {"form": form, "action": "/deliverables/", "open": True}
    )

    assert '<details class="filter-panel" open>' in html
    assert '<form class="filter-panel__form" method="get" action="/deliverables/">' in html
    assert '<a href="/deliverables/">Clear filters</a>' in html
    assert '<option value="planned" selected>Planned</option>' in html


# --- empty choices -----------------------------------------------------------------------------


class ChoicesForm(Form):
    country = forms.ModelChoiceField(queryset=MemberState.objects.none(), required=False)
    kind = forms.ChoiceField(choices=[("", "---------"), ("chapter", "Chapter")])
    category = forms.ChoiceField(choices=[("", "—"), ("policy", "Policy")], required=False)
    owner = forms.ChoiceField(choices=[("", "Anyone"), ("me", "Me")], required=False)
    branch = forms.ModelChoiceField(queryset=MemberState.objects.none(), empty_label=None)
    region = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # choices set after the base's __init__ are labelled too
        self.fields["region"].choices = [("", None), ("africa", "Africa")]


def _empty_options(html: str) -> list[str]:
    return re.findall(r'<option value=""[^>]*>([^<]*)</option>', html)


@pytest.mark.django_db
def test_every_empty_choice_of_a_form_reads_in_words():
    form = ChoicesForm()

    html = "".join(str(form[name]) for name in form.fields)

    # country, kind, category, owner (its own words kept), region; branch has none
    assert _empty_options(html) == ["Choose…", "Choose…", "Choose…", "Anyone", "Choose…"]


def test_an_empty_choice_of_a_filter_reads_any():
    html = str(StateFilterForm()["state"])

    assert _empty_options(html) == ["Any"]


@pytest.mark.django_db
def test_api_filters_say_any_for_an_empty_choice():
    class DeliverableFilter(FilterSet):
        class Meta:
            model = Deliverable
            fields = ["state", "product"]

    form = DeliverableFilter(queryset=Deliverable.objects.none()).form

    html = str(form["state"]) + str(form["product"])
    assert _empty_options(html) == ["Any", "Any"]
    assert "---------" not in html


@pytest.mark.django_db
def test_the_apps_filtersets_use_the_base_that_says_any():
    from advisory.api import AdvisoryRequestFilter, MilestoneFilter
    from contributions.api import ContributionFilter
    from meetings.api import MeetingFilter
    from notifications.api import NotificationFilter
    from workflows.api import DeliverableFilter, ReviewFilter

    filtersets = (
        AdvisoryRequestFilter,
        MilestoneFilter,
        ContributionFilter,
        MeetingFilter,
        NotificationFilter,
        DeliverableFilter,
        ReviewFilter,
    )

    assert [f.__name__ for f in filtersets if not issubclass(f, FilterSet)] == []
    for filterset in filtersets:
        form = filterset(queryset=filterset._meta.model.objects.none()).form
        html = "".join(str(form[name]) for name in form.fields)
        assert "---------" not in html, filterset.__name__


def test_no_template_writes_an_inline_style():
    # given every template of the project (pages and mails; the mails' own stylesheet is the
    # one <style> element of templates/mail/base.html)
    templates = [
        path
        for pattern in ("templates/**/*.html", "*/templates/**/*.html")
        for path in ROOT.glob(pattern)
        if ".venv" not in path.parts
    ]

    # then none sets a style attribute
    styled = [
        str(path.relative_to(ROOT))
        for path in templates
        if re.search(r"\sstyle\s*=", path.read_text(encoding="utf-8"))
    ]
    assert len(templates) > 100
    assert styled == []
