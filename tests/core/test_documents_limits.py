"""A request body is read no further than the upload limit (issue 12, finding 2): the
upload handler stops at the first file when the declared length is over the limit, and
as soon as the files' bytes pass it otherwise; the page says so on the field, the API
answers 400 naming it, and nothing is stored."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import translation
from rest_framework.test import APIClient

from cepa_collab.uploads import UnreceivedUpload
from tests.core.upload_paths import upload_paths
from tests.factories import PDF_BYTES

LIMIT = 100_000
MESSAGE = "This upload is over the limit of 0.1 MB (all its files together); it was not received."


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.UPLOAD_MAX_BYTES = LIMIT
    with translation.override("en"):
        yield


class CountingInput(io.BytesIO):
    """A request body that counts the bytes read from it."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def parse(body: bytes, content_length: int) -> tuple[WSGIRequest, CountingInput]:
    stream = CountingInput(body)
    request = WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/",
            "CONTENT_TYPE": MULTIPART_CONTENT,
            "CONTENT_LENGTH": str(content_length),
            "wsgi.input": stream,
        }
    )
    request.POST  # noqa: B018 (parses the body)
    return request, stream


def body(size: int) -> bytes:
    big = PDF_BYTES + b"0" * (size - len(PDF_BYTES))
    return encode_multipart(
        BOUNDARY, {"notes": "before", "file": SimpleUploadedFile("big.pdf", big), "after": "x"}
    )


def test_a_body_declared_over_the_limit_is_read_only_up_to_its_first_file():
    # given a 3 MB upload (over the limit and the form's allowance)
    data = body(3_000_000)

    request, stream = parse(data, len(data))

    # then the fields before the file were read, and not the file
    assert stream.bytes_read < 70_000
    assert request.POST.dict() == {"notes": "before"}
    (stopped,) = request.FILES.getlist("file")
    assert isinstance(stopped, UnreceivedUpload)
    assert (stopped.name, stopped.size) == ("big.pdf", len(data))


def test_files_are_counted_and_read_no_further_than_the_limit():
    # given a 900 KB upload: within the declared allowance, over the limit in file bytes
    data = body(900_000)

    request, stream = parse(data, len(data))

    assert stream.bytes_read < LIMIT + 3 * 65_536
    assert isinstance(request.FILES["file"], UnreceivedUpload)


def test_a_file_within_the_limit_is_received_whole():
    data = body(LIMIT)

    request, stream = parse(data, len(data))

    assert stream.bytes_read == len(data)
    assert request.FILES["file"].size == LIMIT
    assert request.POST.dict() == {"notes": "before", "after": "x"}


def big_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 1_200_000)


@upload_paths
def test_an_upload_over_the_limit_is_a_form_error_of_its_field_and_nothing_is_stored(
    path, paths, client, settings
):
    client.force_login(getattr(paths, path.who))
    before = path.documents(paths).count()

    response = path.page_post(client, paths, big_file())

    assert response.status_code == 400
    assert response.context["form"].errors[path.field] == [MESSAGE]
    assert path.documents(paths).count() == before
    assert [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file() and "big" in p.name] == []


@upload_paths
def test_an_upload_over_the_limit_is_an_api_400_naming_its_field(path, paths):
    api = APIClient()
    api.force_authenticate(getattr(paths, path.who))
    before = path.documents(paths).count()

    response = path.api_send(api, paths, big_file())

    field = "file" if path.field == "attachments" else path.field
    assert response.status_code == 400, response.content
    assert response.json() == {field: [MESSAGE]}
    assert path.documents(paths).count() == before
