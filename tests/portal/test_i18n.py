"""Every string a user sees is translated into Chinese, and the catalogue is current."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{[\w!.:]*\}")


def catalogue(path=PO):
    with open(path, "rb") as handle:
        return read_po(handle, locale="zh_Hans")


def entries(path=PO):
    return [message for message in catalogue(path) if message.id]


def test_every_message_has_a_chinese_translation():
    missing = [
        message.id
        for message in entries()
        if not all(message.string if isinstance(message.string, tuple) else [message.string])
        or message.fuzzy
    ]
    assert missing == []


def test_translations_keep_every_placeholder_of_the_source():
    for message in entries():
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        target = message.string[0] if isinstance(message.string, tuple) else message.string
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(target)), source


def test_the_catalogue_has_one_plural_form_as_chinese_does():
    assert catalogue().plural_forms == "nplurals=1; plural=0;"


def test_the_catalogue_lists_every_string_in_the_code(tmp_path):
    """Regenerates the catalogue from the sources: a new string not in the .po fails."""
    if shutil.which("xgettext") is None:
        if os.environ.get("PORTAL_REQUIRE_GETTEXT"):
            pytest.fail("GNU gettext (xgettext) is required for this check in CI")
        pytest.skip("GNU gettext is not installed (CI installs it)")
    root = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    shutil.copytree(
        root,
        copy,
        ignore=shutil.ignore_patterns(".venv", "var", ".git", "static", "tests", "*.mo", "bench"),
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_DEBUG": "true",
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = {m.id for m in entries(copy / PO.relative_to(root))}
    current = {m.id for m in entries()}
    assert sorted(map(str, fresh - current)) == [], "run `make makemessages` and translate"
    assert sorted(map(str, current - fresh)) == [], "obsolete entries: run `make makemessages`"
