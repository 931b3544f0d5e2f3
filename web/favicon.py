"""``/favicon.ico`` on every host: the tenant's uploaded favicon when it has one, else an icon
drawn in the tenant's primary colour (the platform's default colour on the platform host), so a
browser's automatic request is never a 404."""

from functools import lru_cache
from io import BytesIO

from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.http import require_GET
from PIL import Image, ImageColor, ImageDraw

from core.uploads import media_response
from tenants.models import DEFAULT_PRIMARY_COLOR, Branding

CACHE_CONTROL = "public, max-age=300"  # a branding change shows within five minutes


@lru_cache(maxsize=64)
def drawn_icon(color: str) -> bytes:
    """A rounded square in ``color`` with a white ring, as a 16/32/48 px .ico."""
    size = 48
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=10, fill=ImageColor.getrgb(color))
    draw.ellipse((13, 13, size - 14, size - 14), outline=(255, 255, 255), width=5)
    out = BytesIO()
    image.save(out, "ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    return out.getvalue()


@require_GET
def favicon(request: HttpRequest) -> HttpResponseBase:
    tenant = getattr(request, "tenant", None)
    branding = Branding.objects.filter(tenant_id=tenant.pk).first() if tenant is not None else None
    own_media = f"/media/tenants/{getattr(tenant, 'schema_name', '')}/"
    if branding is not None and branding.favicon_url.startswith(own_media):
        name = branding.favicon_url.removeprefix("/media/")
        if ".." not in name and default_storage.exists(name):
            uploaded = media_response(name)
            uploaded["Cache-Control"] = CACHE_CONTROL
            return uploaded
    color = branding.primary_color if branding is not None else DEFAULT_PRIMARY_COLOR
    response = HttpResponse(drawn_icon(color), content_type="image/x-icon")
    response["Cache-Control"] = CACHE_CONTROL
    return response
