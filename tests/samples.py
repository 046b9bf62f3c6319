"""Small real documents of each accepted format, and hostile ones, built in memory.

`minimal_pdf()` is the suite's PDF (`tests.factories.PDF_BYTES`); `docx()`, `xlsx()`,
`pptx()` and `odt()` are the smallest packages the content checks accept; `zipped()`
builds others; `crafted_zip()` writes an archive byte by byte, with any declared sizes
and a raw deflate stream, and `deflated_zeros()` is such a stream of up to GiBs of zeros
made in milliseconds (a zip bomb's payload)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib


def minimal_pdf(objects: tuple[bytes, ...] | None = None, *, head: bytes = b"") -> bytes:
    """A valid one-page PDF (`head` goes right after the header line)."""
    objects = objects or (
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>",
    )
    out = bytearray(b"%PDF-1.4\n" + head)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def zipped(entries: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    """A zip archive of `entries` (the first one uncompressed when `stored_first`)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)
    return buffer.getvalue()


RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
    b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'
)
MAIN_TYPES = {
    "word/document.xml": "wordprocessingml.document.main+xml",
    "xl/workbook.xml": "spreadsheetml.sheet.main+xml",
    "ppt/presentation.xml": "presentationml.presentation.main+xml",
}


def content_types(*overrides: tuple[str, str], defaults: tuple[str, ...] = ()) -> bytes:
    """[Content_Types].xml: XML and relationships by extension, `overrides` by part."""
    types = [
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
        '<Default Extension="xml" ContentType="application/xml"/>',
        *(f'<Default Extension="{extension}" ContentType="image/png"/>' for extension in defaults),
        *(f'<Override PartName="/{name}" ContentType="{kind}"/>' for name, kind in overrides),
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + "".join(types)
        + "</Types>"
    ).encode()


def ooxml(main: str, body: bytes, *extra: tuple[str, bytes], defaults=()) -> bytes:
    """An OOXML package whose main part `main` holds `body`, with `extra` members."""
    main_type = f"application/vnd.openxmlformats-officedocument.{MAIN_TYPES[main]}"
    return zipped(
        [
            ("[Content_Types].xml", content_types((main, main_type), defaults=defaults)),
            ("_rels/.rels", RELS),
            (main, body),
            *extra,
        ]
    )


def docx(*extra: tuple[str, bytes], defaults=()) -> bytes:
    return ooxml(
        "word/document.xml",
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body/></w:document>",
        *extra,
        defaults=defaults,
    )


def xlsx() -> bytes:
    return ooxml("xl/workbook.xml", b"<workbook/>")


def pptx() -> bytes:
    return ooxml("ppt/presentation.xml", b"<p:presentation/>")


CONTENT_TYPES_XML = content_types()

ODT_TYPE = b"application/vnd.oasis.opendocument.text"


def odt(*extra: tuple[str, bytes]) -> bytes:
    """OpenDocument text: an uncompressed `mimetype` first, the content, the manifest."""
    return zipped(
        [
            ("mimetype", ODT_TYPE),
            ("content.xml", b"<office:document-content/>"),
            ("META-INF/manifest.xml", b"<manifest:manifest/>"),
            *extra,
        ],
        stored_first=True,
    )


# --- bombs -----------------------------------------------------------------------------------


def deflated_zeros(size: int) -> tuple[bytes, int]:
    """A raw deflate stream of `size` zeros (a multiple of 1 MiB) and its CRC-32 left at 0:
    one flushed block of 1 MiB, repeated (about 1 KB per MiB, built in milliseconds)."""
    mib = 2**20
    assert size % mib == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(bytes(mib)) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(bytes(mib)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first + block * (size // mib - 1) + compressor.flush(), 0


def crafted_zip(entries: list[tuple[str, int, bytes, int, int]]) -> bytes:
    """An archive of `entries` as (name, method, raw data, CRC-32, declared size), each
    written as given, whatever its data really inflates to."""
    out = bytearray()
    directory = bytearray()
    for name, method, data, crc, declared in entries:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack(
            "<4s5H3L2H",
            b"PK\x03\x04",
            20,
            0,
            method,
            0,
            0x21,
            crc,
            len(data),
            declared,
            len(encoded),
            0,
        )
        out += encoded + data
        directory += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            method,
            0,
            0x21,
            crc,
            len(data),
            declared,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        directory += encoded
    start = len(out)
    out += directory
    out += struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), start, 0
    )
    return bytes(out)


def stored(name: str, data: bytes) -> tuple[str, int, bytes, int, int]:
    return (name, zipfile.ZIP_STORED, data, zlib.crc32(data), len(data))


def deflated(name: str, data: bytes) -> tuple[str, int, bytes, int, int]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw = compressor.compress(data) + compressor.flush()
    return (name, zipfile.ZIP_DEFLATED, raw, zlib.crc32(data), len(data))
