"""Pages that read versions in the browser (issue 16, items 5 and 6): a version's text as
light HTML (`version_preview`) and the word-level comparison of two versions
(`version_compare`). Both read what the Celery tasks stored; neither reads a file.

Who may see them is who may see the versions (`queries.get_version_for_user`,
`queries.visible_versions`): anyone else gets a 404, as for the download.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from workflows import comparison, queries, texts
from workflows.models import TextStatus, VersionComparison, VersionText

BAD_REQUEST = 400


@login_required
@require_GET
def version_preview(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = queries.get_version_for_user(request.user, pk, number)
    text = VersionText.objects.filter(version=version).first()
    ready = text is not None and text.status == TextStatus.READY
    return render(
        request,
        "workflows/version_preview.html",
        {
            "deliverable": version.deliverable,
            "version": version,
            "text": text,
            "sections": texts.preview(text) if ready else [],
            "reason": texts.reason_message(text.reason)
            if text is not None and text.status == TextStatus.UNREADABLE
            else "",
        },
    )


class CompareForm(forms.Form):
    old = forms.TypedChoiceField(label=_("Compare version"), coerce=int)
    new = forms.TypedChoiceField(label=_("with version"), coerce=int)

    def __init__(self, *args, numbers: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, str(n)) for n in numbers]
        self.fields["old"].choices = choices
        self.fields["new"].choices = choices
        if len(numbers) >= 2:
            self.fields["old"].initial = numbers[-2]
            self.fields["new"].initial = numbers[-1]

    def clean(self):
        data = super().clean()
        if data.get("old") is not None and data.get("old") == data.get("new"):
            self.add_error("new", _("Choose two different versions."))
        return data


def _visible_numbers(query, numbers: list[int]) -> bool:
    """False when the query names a version number the person may not see (a 404, as its
    download), true when it names visible ones or is malformed (the form says why)."""
    for name in ("old", "new"):
        value = query.get(name, "")
        if value.isdigit() and int(value) not in numbers:
            return False
    return True


@login_required
@require_GET
def version_compare(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = queries.get_deliverable_for_user(request.user, pk)
    versions = {v.number: v for v in queries.visible_versions(request.user, deliverable)}
    numbers = sorted(versions)
    asked = "old" in request.GET or "new" in request.GET
    if asked and not _visible_numbers(request.GET, numbers):
        raise Http404("No such version.")
    form = CompareForm(request.GET if asked else None, numbers=numbers)
    found: VersionComparison | None = None
    status = 200
    if asked and form.is_valid():
        old, new = versions[form.cleaned_data["old"]], versions[form.cleaned_data["new"]]
        found = comparison.request_comparison(deliverable, old, new)
        found.old, found.new = old, new
    elif asked:
        status = BAD_REQUEST
    unreadable = []
    if found is not None and found.status == TextStatus.UNREADABLE:
        read = {
            t.version_id: t
            for t in VersionText.objects.filter(version__in=[found.old_id, found.new_id])
        }
        unreadable = [
            (version, texts.reason_message(read[version.pk].reason))
            for version in (found.old, found.new)
            if version.pk in read and read[version.pk].status == TextStatus.UNREADABLE
        ]
    return render(
        request,
        "workflows/version_compare.html",
        {
            "deliverable": deliverable,
            "form": form,
            "enough": len(numbers) >= 2,
            "comparison": found,
            "differences": comparison.render(found)
            if found is not None and found.status == TextStatus.READY
            else "",
            "unreadable": unreadable,
        },
        status=status,
    )
