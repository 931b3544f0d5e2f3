"""The JSON parser every endpoint uses: a body is a JSON object, nested at most MAX_DEPTH deep, whose
strings (and keys) hold no NUL character (PostgreSQL cannot store one). Anything else is a 400 in
the error shape, naming the field, before a view, a throttle or the database sees it."""

import codecs
import json
from collections.abc import Iterator, Mapping
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from rest_framework import parsers, serializers
from rest_framework.exceptions import ParseError

# No endpoint takes more than a handful of levels (a customer's vehicles, a plan's tiers).
MAX_DEPTH = 32
NUL_MESSAGE = "不能包含空字符（\\x00）"


def nul_fields(value: Any, path: str = "", depth: int = 0) -> Iterator[str]:
    """The dotted path of every string (or key) holding a NUL; ParseError when nested too deep."""
    if depth > MAX_DEPTH:
        raise ParseError(f"JSON 嵌套过深（最多 {MAX_DEPTH} 层）")
    if isinstance(value, str):
        if "\x00" in value:
            yield path or "non_field_errors"
    elif isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                yield name
            else:
                yield from nul_fields(item, name, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nul_fields(item, f"{path}.{index}" if path else str(index), depth + 1)


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            data = json.loads(text, parse_constant=_no_constant)
        except RecursionError:
            raise ParseError(f"JSON 嵌套过深（最多 {MAX_DEPTH} 层）") from None
        except ValueError as exc:
            raise ParseError(f"JSON 格式错误：{exc}") from None
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["请求体应为 JSON 对象"]})
        bad = sorted(set(nul_fields(data)))
        if bad:
            raise serializers.ValidationError({name: [NUL_MESSAGE] for name in bad})
        return data


def _no_constant(name: str) -> Any:
    """NaN and Infinity are not JSON (Python's parser accepts them by default)."""
    raise ValueError(f"不支持的数值 {name}")


class InMemoryImageUpload(FileUploadHandler):
    """Keeps an uploaded file in memory (never on disk), up to ``limit`` (8 MB): a larger one stops
    the upload (the rest of the body is read and dropped) and the view answers 400 naming the field."""

    limit = 8 * 1024 * 1024  # 拍照识别 and 证件照片: a phone photo, well under this
    too_large = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.buffer.tell() + len(raw_data) > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer, self.field_name, self.file_name, self.content_type, file_size, self.charset
        )
