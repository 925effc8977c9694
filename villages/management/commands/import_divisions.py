"""Import the official division codes: `import_divisions --source DIR --prefix CODE`."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from villages.choices import DivisionLevel
from villages.services import DivisionImportError, divisions_import


class Command(BaseCommand):
    help = "Import (upsert) the official divisions and villages under a code prefix."

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", required=True, help="folder with provinces.csv … villages.csv(.gz)"
        )
        parser.add_argument(
            "--prefix", default="", help="division code prefix, e.g. 120114; empty for all"
        )

    def handle(self, *args, source, prefix, **options):
        started = time.monotonic()
        try:
            result = divisions_import(source_dir=source, prefix=prefix)
        except DivisionImportError as error:
            raise CommandError(_("Nothing was imported. {error}").format(error=error)) from None
        seconds = time.monotonic() - started
        labels = {**dict(DivisionLevel.choices), "village": _("Villages and communities")}
        for level in result.created:
            self.stdout.write(
                _("{level}: {created} new, {updated} updated").format(
                    level=labels[level],
                    created=result.created[level],
                    updated=result.updated[level],
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported {total} records under prefix {prefix!r} in {seconds:.1f} s.").format(
                    total=result.total, prefix=prefix, seconds=seconds
                )
            )
        )
