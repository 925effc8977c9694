"""Settings for the benchmarks: the production settings, plus the two things compared
against the portal that it does not ship — a bare "hello" view (the ceiling of the stack)
and a Django admin set up the way one would in an afternoon (bench/admin.py)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["*"]
# {% static %} without the manifest `collectstatic` writes: the views are measured.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": True}
