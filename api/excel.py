"""The API side of Excel import/export: the upload, the row-by-row report, the download."""

from typing import Any

from django.http import HttpResponse
from rest_framework import serializers, status
from rest_framework.response import Response

from core.excel import XLSX, ImportReport


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]


class ImportReportSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    errors = ImportRowErrorSerializer(many=True)  # type: ignore[assignment]


class ImportRejectedSerializer(serializers.Serializer):
    """A 400 from an import: the error shape; when rows were wrong, also the row-by-row report
    (``created`` is then 0: nothing was written)."""

    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]
    created = serializers.IntegerField(required=False)
    errors = ImportRowErrorSerializer(many=True, required=False)  # type: ignore[assignment]


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


def uploaded_file(request: Any) -> bytes:
    data = ImportUploadSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    return bytes(data.validated_data["file"].read())


def import_response(report: ImportReport) -> Response:
    """200 with ``created`` when every row was good; 400 with the row-by-row report (and nothing
    written) otherwise."""
    body = ImportReportSerializer({"created": report.created, "errors": report.errors}).data
    if report.errors:
        return Response(
            {
                "code": "import_rejected",
                "message": f"{len(report.errors)} 行有误，未导入任何数据",
                "fields": {},
                **body,
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    return Response(body)


def xlsx_download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
