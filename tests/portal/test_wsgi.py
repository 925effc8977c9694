"""The WSGI entry point gunicorn loads serves its first request like its thousandth."""

import subprocess
import sys

from django.conf import settings


def test_the_entry_point_loads_every_view_and_freezes_what_it_loaded():
    """After `import portal.wsgi` the URL conf's modules are loaded and the objects of the
    start-up are frozen: a full garbage collection no longer walks them (portal.wsgi.settle)."""
    probe = (
        "import gc, sys; import portal.wsgi; "
        "print('home.urls' in sys.modules, 'rectification.views' in sys.modules, "
        "gc.get_freeze_count() > 50000)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_SECRET_KEY": "test-only",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True"]
