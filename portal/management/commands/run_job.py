"""Run a periodic job by hand for a given period: `run_job NAME --period YYYY-MM`."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal import jobs


class Command(BaseCommand):
    help = "Run one of the periodic jobs for a given month (default: the one beat would)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="job name; `run_job list` lists them")
        parser.add_argument("--period", help="YYYY-MM (the month the job is about)")

    def handle(self, *args, name, period, **options):
        if name == "list":
            for job_name, (_fn, period_help, _default) in sorted(jobs.JOBS.items()):
                self.stdout.write(f"{job_name:<28} {period_help}")
            return
        if name not in jobs.JOBS:
            raise CommandError(f"No job named {name!r}; `run_job list` lists them.")
        if period:
            try:
                fmt = "%Y-%m-%d" if period.count("-") == 2 else "%Y-%m"
                month = datetime.strptime(period, fmt).date()
            except ValueError:
                raise CommandError("--period is YYYY-MM (or YYYY-MM-DD for a day)") from None
        else:
            month = jobs.default_period(name, timezone.localdate())
        self.stdout.write(jobs.run(name, month))
