"""Put ``platform/`` on sys.path.

``platform`` is a stdlib module, so the folder holding the domain apps must stay a plain directory
(never a package) and its apps are imported by their own names: ``core``, ``accounts``, ...
Every entry point (manage.py, wsgi, asgi, celery) imports this module first.
"""

import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PLATFORM_DIR = BASE_DIR / "platform"

if str(PLATFORM_DIR) not in sys.path:
    sys.path.insert(0, str(PLATFORM_DIR))
