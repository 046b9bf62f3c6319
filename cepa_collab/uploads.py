"""The request side of uploads: a body is read no further than the upload limit.

`BoundedUploadHandler` comes first in `FILE_UPLOAD_HANDLERS`. It parses the multipart body
with the other handlers and stops reading it (leaving the rest unread on the connection)

- at the first file, when the declared Content-Length is over `UPLOAD_MAX_BYTES` plus
  `FORM_ALLOWANCE_BYTES` for the form's other fields, and
- as soon as the files' bytes counted so far pass `UPLOAD_MAX_BYTES` (a body without a
  length, or one whose length lied),

so a 300 MB upload costs what its first bytes cost. The file it stopped at is given to
the page or the API as an `UnreceivedUpload` under its field's name: the form says
so on that field (`cepa_collab.forms.Form`), the service refuses it naming the field
(`cepa_collab.documents.validate_upload`), and the API answers 400 with that field. The
fields sent after that file are not received.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http.multipartparser import MultiPartParser

# What a form's other fields and the multipart framing may add to the files' bytes.
FORM_ALLOWANCE_BYTES = 1_000_000


class UnreceivedUpload(UploadedFile):
    """A file the handler stopped reading: its name and what is known of its size (over
    the limit), and no content."""

    def __init__(self, name: str, size: int, content_type: str | None):
        super().__init__(io.BytesIO(), name, content_type, size)


def body_limit() -> int:
    """The most a multipart body may declare: the upload limit and the form's fields."""
    return settings.UPLOAD_MAX_BYTES + FORM_ALLOWANCE_BYTES


class BoundedUploadHandler(FileUploadHandler):
    """Stop reading a multipart body at the upload limit (see the module's docstring)."""

    def __init__(self, request=None):
        super().__init__(request)
        self._parsing = False
        self._declared = 0
        self._received = 0
        self._stopped: tuple[str, UnreceivedUpload] | None = None

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if self._parsing or self.request is None:
            return None  # the nested parse below: the other handlers take the parts
        self._declared = content_length
        self._parsing = True
        try:
            parser = MultiPartParser(META, input_data, self.request.upload_handlers, encoding)
            post, files = parser.parse()
        finally:
            self._parsing = False
        if self._stopped is not None:
            files.appendlist(*self._stopped)
        return post, files

    def new_file(self, field_name, file_name, content_type, content_length, *args, **kwargs):
        super().new_file(field_name, file_name, content_type, content_length, *args, **kwargs)
        if self._declared > body_limit():
            self._stop(self._declared)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self._received += len(raw_data)
        if self._received > settings.UPLOAD_MAX_BYTES:
            self._stop(max(self._received, self._declared))
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) gives the file

    def _stop(self, size: int) -> None:
        self._stopped = (
            self.field_name,
            UnreceivedUpload(self.file_name, size, self.content_type),
        )
        # connection_reset: Django's parser then leaves the rest of the body unread.
        raise StopUpload(connection_reset=True)
