"""拍照识别: a photo of a 行驶证 or 身份证 in, the form's fields out (issue 23).

``POST ocr/vehicle-licence/`` and ``POST ocr/id-card/`` (multipart, field ``image``) check the photo and
queue it for the Celery worker (202 with the pending job); ``GET ocr/jobs/<id>/`` answers the job,
``done`` with one reading per field: value, confidence, and ``flagged`` with the ``problem`` when the
value fails its check (plate format, VIN check digit, 身份证 check digit and birth date, real dates).
The worker pushes ``ocr.done`` to the user's realtime stream when it is ready; pages may also poll.

The upload is read into memory only (never a temporary file: the photo is personal data) and
refused past 8 MB while it is still arriving."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.params import request_user
from api.parsers import InMemoryImageUpload
from api.throttles import UserThrottle
from api.views import ApiView
from core.errors import ValidationFailed
from ocr.parsing import ID_CARD, VEHICLE_LICENCE
from ocr.services import ocr_job_get, ocr_job_submit

# Tenant staff who fill in customers and vehicles, and owners adding their own car.
OCR_ROLES = frozenset({"tenant_admin", "finance", "agent", "owner"})


class OcrThrottle(UserThrottle):
    """Photos read per user (THROTTLE_OCR, default 10 a minute): each costs the worker about a second."""

    scope = "ocr"


class OcrImageSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="证件照片：JPEG、PNG 或 WebP，不超过 8 MB")


class ReadingSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="字段：plate、vin、id_number…")
    label = serializers.CharField(help_text="证件上的名称：号牌号码、车辆识别代号…")  # type: ignore[assignment]
    value = serializers.CharField(help_text="识别出的值（日期为 YYYY-MM-DD）；未识别到时为空")
    confidence = serializers.FloatField(help_text="0–1")
    flagged = serializers.BooleanField(help_text="未通过校验或不够清晰：请用户核对")
    problem = serializers.CharField(help_text="标记的原因，未标记时为空")


class OcrJobSerializer(serializers.Serializer):
    id = serializers.CharField()
    kind = serializers.ChoiceField(choices=[VEHICLE_LICENCE, ID_CARD])
    status = serializers.ChoiceField(choices=["pending", "done", "failed"])
    error = serializers.CharField()
    readings = ReadingSerializer(many=True)


class _OcrSubmitView(ApiView):
    allowed_roles = OCR_ROLES
    parser_classes = [MultiPartParser]
    throttle_classes = [OcrThrottle]
    kind = ""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # before anything reads the body: the photo stays in memory and stops at 8 MB
        request._request.upload_handlers = [InMemoryImageUpload(request._request)]
        super().initial(request, *args, **kwargs)

    def post(self, request: Request) -> Response:
        body = OcrImageSerializer(data=request.data)
        if any(getattr(h, "too_large", False) for h in request._request.upload_handlers):
            raise ValidationFailed(fields={"image": ["图片不能超过 8 MB"]})
        body.is_valid(raise_exception=True)
        job = ocr_job_submit(
            actor=request_user(request), kind=self.kind, content=body.validated_data["image"].read()
        )
        return Response(OcrJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class VehicleLicenceOcrView(_OcrSubmitView):
    kind = VEHICLE_LICENCE

    @extend_schema(
        request={"multipart/form-data": OcrImageSerializer},
        responses={202: OcrJobSerializer},
        operation_id="ocr_vehicle_licence",
        summary="识别行驶证（排队，结果见 ocr/jobs/{id}/）",
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class IdCardOcrView(_OcrSubmitView):
    kind = ID_CARD

    @extend_schema(
        request={"multipart/form-data": OcrImageSerializer},
        responses={202: OcrJobSerializer},
        operation_id="ocr_id_card",
        summary="识别身份证（排队，结果见 ocr/jobs/{id}/）",
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class OcrJobView(ApiView):
    allowed_roles = OCR_ROLES

    @extend_schema(responses=OcrJobSerializer, operation_id="ocr_job", summary="识别结果")
    def get(self, request: Request, job_id: str) -> Response:
        return Response(OcrJobSerializer(ocr_job_get(actor=request_user(request), job_id=job_id)).data)
