"""OCR jobs: a photo of a 行驶证 or 身份证 in, the form's fields out, read by the Celery worker.

The photo is personal data. It is checked here (size, format by its bytes, pixel count before
decoding: ``core.uploads.checked_image``), held in Redis only until the worker has read it (at most
``IMAGE_TTL_SECONDS``), never written to disk or to the database; the job and its result live in
Redis for ``JOB_TTL_SECONDS``. Both keys are in the tenant's cache namespace (the key function adds
the schema) and the job names the user who sent it: another tenant's host, or another user on the
same host, finds no such job (404). When the result is ready the worker pushes ``ocr.done`` with the
job id only (no fields: realtime streams are kept a week) to the user's realtime channel; the page
then reads the result with ``ocr_job_get`` (or polls it).

The web process never loads the model: ``ocr.engine`` is imported inside ``ocr_job_run`` only.
"""

import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache
from PIL import Image

from accounts.models import User
from core import realtime
from core.errors import NotFound, UpstreamUnavailable, ValidationFailed
from core.uploads import checked_image
from ocr.parsing import FIELDS, as_dict, parse

logger = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 8 * 1024 * 1024
IMAGE_FORMATS = {"jpeg", "png", "webp"}
IMAGE_TTL_SECONDS = 300
JOB_TTL_SECONDS = 600
KINDS = tuple(FIELDS)
NOTHING_READ = "没有认出证件上的文字：请把证件放平、对准、光线充足时重拍"


def _job_key(job_id: str) -> str:
    return f"ocr:job:{job_id}"


def _image_key(job_id: str) -> str:
    return f"ocr:image:{job_id}"


def image_checked(content: bytes, *, field: str = "image") -> Image.Image:
    """The uploaded photo, or a 400 naming ``field``: at most 8 MB, a real JPEG, PNG or WebP (by its
    bytes, whatever its name), at most ``IMAGE_MAX_PIXELS`` by its header before a pixel is decoded."""
    if not content:
        raise ValidationFailed(fields={field: ["请选择证件照片"]})
    if len(content) > MAX_IMAGE_BYTES:
        raise ValidationFailed(fields={field: ["图片不能超过 8 MB"]})
    _, image = checked_image(field=field, content=content, formats=IMAGE_FORMATS)
    return image


def ocr_job_submit(*, actor: User, kind: str, content: bytes) -> dict[str, Any]:
    """Check the photo and queue it for the worker; returns the pending job."""
    from ocr.tasks import ocr_read_task

    if kind not in KINDS:
        raise ValidationFailed(fields={"kind": ["不支持的证件类型"]})
    image_checked(content)
    job_id = uuid.uuid4().hex
    job = {"id": job_id, "kind": kind, "user": actor.pk, "status": "pending", "error": "", "readings": []}
    cache.set(_image_key(job_id), content, IMAGE_TTL_SECONDS)
    cache.set(_job_key(job_id), job, JOB_TTL_SECONDS)
    try:
        ocr_read_task.apply_async(args=[job_id], queue=settings.OCR_QUEUE or None)
    except Exception as exc:  # the broker is down: nothing will read it, so nothing is kept
        logger.exception("OCR job %s could not be queued", job_id)
        cache.delete_many([_image_key(job_id), _job_key(job_id)])
        raise UpstreamUnavailable("识别服务暂不可用，请稍后重试或手动填写") from exc
    return job


def ocr_job_get(*, actor: User, job_id: str) -> dict[str, Any]:
    """The caller's own job on this host; anyone else's (or an expired one) is a 404."""
    job = cache.get(_job_key(job_id)) if len(job_id) == 32 else None
    if not isinstance(job, dict) or job.get("user") != actor.pk:
        raise NotFound("识别任务不存在或已过期")
    return job


def ocr_job_run(job_id: str) -> str:
    """In the worker: read the photo, parse its fields, keep the result, tell the user's pages."""
    from ocr.engine import read_lines

    job = cache.get(_job_key(job_id))
    content = cache.get(_image_key(job_id))
    if not isinstance(job, dict) or job.get("status") != "pending":
        cache.delete(_image_key(job_id))
        return "gone"
    if content is None:
        job.update(status="failed", error="照片已过期，请重新拍照")
    else:
        try:
            lines, _ = read_lines(image_checked(content))
            readings = parse(job["kind"], lines)
            job.update(status="done", readings=list(as_dict(readings).values()))
            if not any(reading.value for reading in readings):
                job["error"] = NOTHING_READ
        except ValidationFailed:
            job.update(status="failed", error="不是有效的图片文件")
        except Exception:
            logger.exception("OCR job %s failed", job_id)
            job.update(status="failed", error="识别失败，请重新拍照或手动填写")
    cache.set(_job_key(job_id), job, JOB_TTL_SECONDS)
    cache.delete(_image_key(job_id))
    realtime.publish(
        [realtime.user_channel(job["user"])], "ocr.done", {"id": job_id, "status": job["status"]}
    )
    return str(job["status"])
