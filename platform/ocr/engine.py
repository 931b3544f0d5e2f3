"""The OCR engine, for the Celery worker only: the web process never imports this module (it would
load ONNX Runtime and OpenCV; ``tests/unit/test_ocr_parsing.py`` checks that it does not).

``rapidocr-onnxruntime`` carries the PP-OCRv4 detection and recognition models (and the text
direction classifier) inside its wheel and runs them with ONNX Runtime on the CPU: nothing is
downloaded at run time. The model is loaded once per process, on the first image it reads.
"""

import threading
import time
from collections.abc import Sequence
from typing import Any

from PIL import Image, ImageOps

from ocr.parsing import Line

# The longest side an image is read at: a phone photo (4000 px) shrunk to this reads as well and
# several times faster; the text of a card photographed whole stays 25+ px high.
READ_MAX_SIDE = 1280

_lock = threading.Lock()
_engine: Any = None
loads = 0  # how many times this process loaded the model (tests: once)


def engine() -> Any:
    global _engine, loads
    if _engine is None:
        with _lock:
            if _engine is None:
                from rapidocr_onnxruntime import RapidOCR

                _engine = RapidOCR()
                loads += 1
    return _engine


def prepared(image: Image.Image) -> Image.Image:
    """Upright (EXIF orientation), RGB, longest side at most READ_MAX_SIDE."""
    image = ImageOps.exif_transpose(image) or image
    image = image.convert("RGB")
    scale = READ_MAX_SIDE / max(image.size)
    if scale < 1:
        image = image.resize(
            (round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS
        )
    return image


def read_lines(image: Image.Image) -> tuple[list[Line], float]:
    """The text boxes on ``image`` and the seconds the engine took."""
    import numpy

    ocr = engine()
    started = time.perf_counter()
    result, _ = ocr(numpy.asarray(prepared(image)))
    seconds = time.perf_counter() - started
    lines = [
        Line(text=str(text), confidence=float(score), box=_box(box)) for box, text, score in result or []
    ]
    return lines, seconds


def _box(points: Sequence[Sequence[float]]) -> list[list[float]]:
    return [[float(x), float(y)] for x, y in points]
