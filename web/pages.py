"""The three single-page apps, built by Vite into frontend/dist and served by Django (whitenoise
serves their assets under /static/app/)."""

from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

ENTRIES = {"owner": "owner.html", "agent": "agent.html", "console": "console.html"}


@cache
def _read_cached(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def entry_html(entry: str) -> str | None:
    path = Path(settings.FRONTEND_DIST) / ENTRIES[entry]
    if not path.exists():
        return None
    return path.read_text(encoding="utf-8") if settings.DEBUG else _read_cached(path)


def page(entry: str) -> Callable[[HttpRequest], HttpResponse]:
    @require_GET
    def view(request: HttpRequest) -> HttpResponse:
        html = entry_html(entry)
        if html is None:
            return HttpResponse(
                "前端尚未构建：请运行 make frontend（The front end is not built: run `make frontend`).",
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        response["Cache-Control"] = "no-cache"
        return response

    view.__name__ = f"{entry}_page"
    return view


@require_GET
def platform_home(request: HttpRequest) -> HttpResponse:
    return redirect("/console/")
