"""Configuration comes from the environment and refuses what it cannot trust."""

import os
import subprocess
import sys

from django.conf import settings


def load_settings(**env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.pop("DATABASE_URL", None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import portal.settings as s; print(s.DEBUG, s.TIME_ZONE)"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_there_is_no_secret_key_default_outside_debug():
    result = load_settings(DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_a_mistyped_boolean_stops_the_start_up():
    result = load_settings(DJANGO_DEBUG="ture")
    assert result.returncode != 0
    assert "DJANGO_DEBUG='ture' is not a boolean" in result.stderr


def test_debug_runs_with_a_development_key_in_shanghai_time():
    result = load_settings(DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "Asia/Shanghai"]


def test_the_interface_defaults_to_simplified_chinese():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]


PRODUCTION = {
    "DJANGO_SECRET_KEY": "k7Vq2mZ9rT4xW8bN1cF6hJ3pL0sD5gY2aE9uQ7iO4tR8wX1zC6vB3nM0kH5jG2fA",
    "DJANGO_ALLOWED_HOSTS": "zuzhibu.wuqing.gov.cn",
    "DJANGO_HTTPS": "true",
}


def test_the_deployment_check_passes_with_production_settings():
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.pop("DATABASE_URL", None)
    environment.update(PRODUCTION)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_behind_https_cookies_are_secure_and_hsts_is_sent():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import portal.settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
            " s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_AGE)",
        ],
        cwd=settings.BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            **PRODUCTION,
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "31536000", "True", str(8 * 3600)]


def test_every_variable_the_settings_read_is_explained_in_env_example():
    """An operator learns the knobs from .env.example: a new one must be listed there."""
    import re
    from pathlib import Path

    base = Path(settings.BASE_DIR)
    source = (base / "portal" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.[a-z_]+)?\(\s*"([A-Z][A-Z0-9_]+)"', source))
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (base / ".env.example").read_text(), re.M))
    assert len(read) > 20
    assert read - listed == set()
