"""Routes of api/v1/ocr/ (mounted under /api/v1/ by api/urls.py): 拍照识别."""

from django.urls import path

from api.v1.ocr import views as ocr

# On a tenant's host only.
tenant_urlpatterns = [
    path("ocr/vehicle-licence/", ocr.VehicleLicenceOcrView.as_view(), name="ocr-vehicle-licence"),
    path("ocr/id-card/", ocr.IdCardOcrView.as_view(), name="ocr-id-card"),
    path("ocr/jobs/<str:job_id>/", ocr.OcrJobView.as_view(), name="ocr-job"),
]
