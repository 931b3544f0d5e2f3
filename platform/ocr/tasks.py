"""The OCR task (worker only does the reading: ``ocr.services.ocr_job_run`` imports the engine)."""

from celery import shared_task

from ocr.services import ocr_job_run


@shared_task(name="ocr.read")
def ocr_read_task(job_id: str) -> str:
    return ocr_job_run(job_id)
