"""Checks on every /api/ request before routing, throttles or views: a body larger than Django
would read (DATA_UPLOAD_MAX_MEMORY_SIZE; multipart files are counted separately, by the upload
checks) is a 413, and a NUL character in a query parameter is a 400 naming it. Both answer in the
error shape; PostgreSQL cannot store a NUL, so letting one through ends in a 500."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from api.errors import MESSAGES, error_response, too_large
from api.parsers import NUL_MESSAGE


class ApiInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            refused = self.refuse(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def refuse(self, request: HttpRequest) -> HttpResponse | None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = (request.content_type or "").startswith("multipart/")
        if limit is not None and length > limit and not multipart:
            return too_large()
        bad: dict[str, list[str]] = {}
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                bad[key.replace("\x00", "\\x00")] = [NUL_MESSAGE]
        return error_response(400, "invalid", MESSAGES[400], bad) if bad else None
