#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

# Commands that neither serve requests nor sign anything may run without a secret, so
# that `python manage.py makemigrations --check` works on a fresh checkout; every other
# command (runserver, migrate, the jobs…) still needs DJANGO_SECRET_KEY outside debug.
KEYLESS = {"makemigrations", "check", "showmigrations", "makemessages", "spectacular"}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    if len(sys.argv) > 1 and sys.argv[1] in KEYLESS:
        os.environ.setdefault("DJANGO_SECRET_KEY", f"unused-by-{sys.argv[1]}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
