"""Test settings: the real settings with a test secret, fast hashing and scratch media."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret")

from portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-media-"))
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-static-"))
# Tasks run in-process unless a test starts a real worker (tests/portal/test_worker.py).
CELERY_TASK_ALWAYS_EAGER = True
# The live server of the browser tests mounts a media handler at MEDIA_URL; the portal
# itself has none (files are streamed by views after a scope check), so give it a path
# nothing links to.
MEDIA_URL = "/media-not-served/"
