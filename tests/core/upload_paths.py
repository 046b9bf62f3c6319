"""The four ways a file comes in (deliverable versions, annotated review files, advisory
request documents, contribution attachments), each by its page and its API endpoint, for
the upload tests to send the same file through all of them (the records are made by the
`paths` fixture of `tests/core/conftest.py`)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from advisory.models import RequestDocument
from contributions.models import Attachment
from workflows.models import AnnotatedFile, Version


@dataclass(frozen=True)
class UploadPath:
    """One way in for a file: who sends it, where, with which other fields; the
    documents it makes."""

    who: str
    field: str
    page: object  # paths -> (url, other fields)
    api: object  # paths -> (method, url, other fields)
    documents: object  # paths -> queryset of the documents of this path

    def page_post(self, client, p, files):
        url, fields = self.page(p)
        return client.post(url, {**fields, self.field: files})

    def api_send(self, client, p, file):
        method, url, fields = self.api(p)
        field = "file" if self.field == "attachments" else self.field
        return getattr(client, method)(url, {**fields, field: file}, format="multipart")


def _contribution_page(p) -> tuple[str, dict]:
    c = p.contribution
    return reverse("contributions:edit", args=[c.pk]), {
        "country": c.country_id,
        "title": c.title,
        "summary": c.summary,
        "innovation": c.innovation,
        "transferability": c.transferability,
    }


PATHS = {
    "version": UploadPath(
        "staff",
        "file",
        lambda p: (reverse("workflows:version_upload", args=[p.deliverable.pk]), {"notes": ""}),
        lambda p: ("post", f"/api/v1/deliverables/{p.deliverable.pk}/versions/", {}),
        lambda p: Version.objects.filter(deliverable=p.deliverable),
    ),
    "annotated-file": UploadPath(
        "cepa_member",
        "annotated_file",
        lambda p: (
            reverse("workflows:review", args=[p.assignment.pk]),
            {"comments": "See the file.", "action": "save"},
        ),
        lambda p: (
            "put",
            f"/api/v1/review-assignments/{p.assignment.pk}/review/",
            {"comments": "See the file."},
        ),
        lambda p: AnnotatedFile.objects.filter(review__assignment=p.assignment),
    ),
    "request-document": UploadPath(
        "ira",
        "file",
        lambda p: (
            reverse("advisory:document_upload", args=[p.request.pk]),
            {"kind": "analysis", "notes": ""},
        ),
        lambda p: (
            "post",
            f"/api/v1/advisory-requests/{p.request.pk}/documents/",
            {"kind": "analysis"},
        ),
        lambda p: RequestDocument.objects.filter(request=p.request, kind="analysis"),
    ),
    "attachment": UploadPath(
        "cepa_member",
        "attachments",
        _contribution_page,
        lambda p: ("post", f"/api/v1/contributions/{p.contribution.pk}/attachments/", {}),
        lambda p: Attachment.objects.filter(contribution=p.contribution),
    ),
}
upload_paths = pytest.mark.parametrize("path", PATHS.values(), ids=PATHS.keys())
