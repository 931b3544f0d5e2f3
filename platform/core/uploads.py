"""What people may upload, decided by the bytes (never by the name), and how their files are served.

- ``attachment_kind``: an announcement attachment must be a PDF, an Office file (a real OOXML zip
  with its main part, or a legacy OLE2 compound file) or an image that Pillow opens. HTML, SVG,
  scripts and anything unknown are refused with a 400 naming the field; the stored name gets the
  extension of what the file really is.
- ``checked_image``: every image upload (product images, logos, favicons, image attachments) is
  opened lazily and its header's width × height checked against ``IMAGE_MAX_PIXELS`` before a
  single pixel is decoded, so a 17 KB PNG claiming 12000×12000 is a fast 400, not 0.9 GB of RAM.
  Pillow's own ``MAX_IMAGE_PIXELS`` is set to the same cap as a second line.
- ``media_response``: a stored user file goes out as a download (``Content-Disposition:
  attachment``) with the type its bytes say, ``X-Content-Type-Options: nosniff`` and a sandboxing
  Content-Security-Policy; only real images (by their magic bytes) are shown inline.
- ``signed_media_url`` / ``media_signature_ok``: a tenant's private files (product images,
  announcement attachments) are reached only through short-lived signed URLs that the API hands to
  the people who may see them (``?exp=&sig=``, an HMAC of the file's name and the expiry under
  SECRET_KEY). A pasted path without them, another name or a lapsed expiry is a 404.
"""

import hmac
import posixpath
import time
import warnings
import zipfile
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.utils.crypto import salted_hmac
from PIL import Image, UnidentifiedImageError

from core.errors import ValidationFailed

# 40 megapixels: a full-resolution photo from a phone (48 MP phones save 12 MP by default) fits;
# decoding one costs about 120 MB as RGB, and nothing larger is ever decoded.
IMAGE_MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = IMAGE_MAX_PIXELS  # Pillow warns above this and refuses above twice it

MEDIA_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
HEAD_BYTES = 16


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str
    extensions: tuple[str, ...]
    image: bool = False


PDF = Kind("PDF", "application/pdf", (".pdf",))
DOCX = Kind("Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = Kind("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
PPTX = Kind("PPT", "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",))
OLE2 = Kind("Office", "application/octet-stream", (".doc", ".xls", ".ppt", ".wps", ".et", ".dps"))
IMAGES = {
    "png": Kind("PNG", "image/png", (".png",), image=True),
    "jpeg": Kind("JPEG", "image/jpeg", (".jpg", ".jpeg"), image=True),
    "gif": Kind("GIF", "image/gif", (".gif",), image=True),
    "webp": Kind("WebP", "image/webp", (".webp",), image=True),
    "ico": Kind("ICO", "image/x-icon", (".ico",), image=True),
}
OOXML_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}
ATTACHMENT_IMAGE_FORMATS = {"png", "jpeg", "gif", "webp"}
ATTACHMENT_TYPES = "PDF、Word、Excel、PPT 或图片（JPG、PNG、GIF、WebP）"


def image_format_of(head: bytes) -> str | None:
    """The image format the first bytes announce (magic numbers), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"\x00\x00\x01\x00"):
        return "ico"
    return None


def _ooxml_kind(content: bytes) -> Kind | None:
    """A .docx / .xlsx / .pptx is a zip with [Content_Types].xml and its main part (names are read
    from the central directory; nothing is decompressed)."""
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for part, kind in OOXML_PARTS.items() if part in names), None)


def sniff(content: bytes) -> Kind | None:
    """What the bytes are, among the kinds an attachment may be; None for anything else."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE2
    if content.startswith(b"PK\x03\x04"):
        return _ooxml_kind(content)
    fmt = image_format_of(content[:HEAD_BYTES])
    return IMAGES[fmt] if fmt in ATTACHMENT_IMAGE_FORMATS else None


def checked_image(*, field: str, content: bytes, formats: set[str]) -> tuple[str, Image.Image]:
    """Open an uploaded image: its format must be one of ``formats`` and its header's size at most
    ``IMAGE_MAX_PIXELS``, both checked before decoding; then the file is verified. Returns the
    format and the image, opened again and still not decoded."""
    try:
        with warnings.catch_warnings():  # between the cap and twice it Pillow only warns: refused below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(content))  # reads the header only
        width, height = image.size
        if width * height > IMAGE_MAX_PIXELS:
            raise ValidationFailed(
                fields={
                    field: [f"图片过大：{width}×{height} 像素，最多 {IMAGE_MAX_PIXELS // 1_000_000} 百万像素"]
                }
            )
        image.verify()
        image = Image.open(BytesIO(content))
    except Image.DecompressionBombError:
        raise ValidationFailed(
            fields={field: [f"图片过大：最多 {IMAGE_MAX_PIXELS // 1_000_000} 百万像素"]}
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationFailed(fields={field: ["不是有效的图片文件"]}) from None
    fmt = (image.format or "").lower()
    if fmt not in formats:
        shown = "、".join(sorted(f.upper() for f in formats))
        raise ValidationFailed(fields={field: [f"只支持 {shown} 格式"]})
    return fmt, image


def attachment_kind(*, field: str, name: str, content: bytes) -> Kind:
    """The kind of an attachment, or a 400 naming ``field`` (and the file) when it is not allowed."""
    kind = sniff(content)
    if kind is None:
        raise ValidationFailed(fields={field: [f"附件「{name}」的类型不支持：只能上传 {ATTACHMENT_TYPES}"]})
    if kind.image:
        try:
            checked_image(field=field, content=content, formats=ATTACHMENT_IMAGE_FORMATS)
        except ValidationFailed as exc:
            raise ValidationFailed(
                fields={field: [f"附件「{name}」：{m}" for m in exc.fields[field]]}
            ) from None
    return kind


def attachment_name(name: str, kind: Kind) -> str:
    """The stored name: no folders, and an extension that says what the file is (``x.html`` that
    is a PDF becomes ``x.html.pdf``)."""
    name = name.replace("/", "_").replace("\\", "_").strip()[-120:] or "附件"
    if not name.lower().endswith(kind.extensions):
        name = name[: 120 - len(kind.extensions[0])] + kind.extensions[0]
    return name


def _served_type(name: str, head: bytes) -> tuple[str, bool]:
    """(content type, inline?) of a stored file from its first bytes; only images are inline."""
    fmt = image_format_of(head)
    if fmt is not None:
        return IMAGES[fmt].content_type, True
    if head.startswith(b"%PDF-"):
        return PDF.content_type, False
    if head.startswith(b"PK\x03\x04"):
        ext = posixpath.splitext(name)[1].lower()
        kind = next((k for k in (DOCX, XLSX, PPTX) if ext in k.extensions), None)
        return (kind.content_type if kind else "application/zip"), False
    return "application/octet-stream", False


def media_response(name: str, *, as_download: bool = False) -> FileResponse:
    """Serve a stored user file (the caller has checked who may see it). ``as_download``: an image
    too goes out as an attachment (personal documents are never shown inline)."""
    with default_storage.open(name, "rb") as file:
        head = file.read(HEAD_BYTES)
    content_type, inline = _served_type(name, head)
    response = FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=as_download or not inline,
        filename=posixpath.basename(name),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    return response


def _media_signature(name: str, expires: int) -> str:
    return salted_hmac("core.uploads.media-url", f"{name}|{expires}", algorithm="sha256").hexdigest()[:32]


def signed_media_url(name: str, *, now: float | None = None) -> str:
    """``/media/<name>?exp=&sig=``, valid for MEDIA_URL_TTL_SECONDS to twice that: the expiry is
    rounded up to the TTL, so a file's URL stays the same (and browser-cached) for a while."""
    if not name:
        return ""
    ttl = int(settings.MEDIA_URL_TTL_SECONDS)
    expires = (int(now if now is not None else time.time()) // ttl + 2) * ttl
    return f"/media/{name}?exp={expires}&sig={_media_signature(name, expires)}"


def media_signature_ok(name: str, expires: str | None, signature: str | None) -> bool:
    """The URL was signed for this name and has not lapsed."""
    if not expires or not signature or not expires.isdigit() or len(expires) > 12:
        return False
    if int(expires) < time.time():
        return False
    return hmac.compare_digest(_media_signature(name, int(expires)), signature)
