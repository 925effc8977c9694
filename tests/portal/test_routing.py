"""Which queue each task goes to (settings: CELERY_TASK_ROUTES), and which worker of the
Procfile and of docker-compose.yml takes each queue: beat's jobs never share a worker with
imports and reports."""

import re
import shlex
from pathlib import Path

import yaml
from django.conf import settings

from portal.celery import app

QUEUES = {"periodic", "imports", "reports", "default"}

# Written by hand: the queue each task must land on.
EXPECTED = {
    "portal.tasks.run_job": "periodic",
    "portal.tasks.resend_reports": "periodic",
    "portal.tasks.purge_expired_reports": "periodic",
    "portal.tasks.build_report": "reports",
    "portal.tasks.build_report_part": "reports",
    "portal.tasks.join_report": "reports",
    # Uploaded workbooks checked and written, bulk transitions (issue 18's other parts,
    # routed by the globs whatever their module).
    "portal.tasks.check_import": "imports",
    "portal.tasks.commit_import": "imports",
    "portal.tasks.run_bulk_job": "imports",
    "rectification.tasks.batch_transition": "imports",
    # Anything not named goes to the default queue.
    "celery.backend_cleanup": "default",
}


def queue_of(task_name):
    return app.amqp.router.route({}, task_name)["queue"].name


def test_each_task_goes_to_the_queue_of_its_kind_of_work():
    assert {name: queue_of(name) for name in EXPECTED} == EXPECTED


def test_every_periodic_run_of_beat_goes_to_the_periodic_queue():
    assert {queue_of(entry["task"]) for entry in app.conf.beat_schedule.values()} == {"periodic"}


def test_every_registered_task_goes_to_a_declared_queue_and_each_queue_has_its_own_key():
    app.loader.import_default_modules()
    assert {queue.name for queue in app.conf.task_queues} == QUEUES
    assert {queue.routing_key for queue in app.conf.task_queues} == QUEUES
    for name in app.tasks:
        assert queue_of(name) in QUEUES, name


def _queues(command):
    """The queues a `celery worker` command line consumes (None: not a worker)."""
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if "worker" not in words:
        return None
    for option in ("-Q", "--queues"):
        if option in words:
            return frozenset(words[words.index(option) + 1].split(","))
    return frozenset(QUEUES)  # without -Q a worker takes every declared queue


def _check(workers):
    assert set().union(*workers.values()) == QUEUES, "every queue has a worker"
    for name, queues in workers.items():
        if "periodic" in queues:
            assert not queues & {"imports", "reports"}, f"{name} would make beat wait"


def test_the_procfile_runs_a_worker_for_beats_jobs_and_one_for_imports_and_reports():
    lines = (Path(settings.BASE_DIR) / "Procfile").read_text().splitlines()
    commands = dict(re.match(r"(\w+):\s*(.*)", line).groups() for line in lines if line.strip())
    workers = {name: _queues(command) for name, command in commands.items()}
    workers = {name: queues for name, queues in workers.items() if queues is not None}
    assert workers == {
        "periodic": {"periodic", "default"},
        "worker": {"imports", "reports"},
    }
    _check(workers)


def test_docker_compose_runs_the_same_workers_and_scales_the_imports_and_reports_one():
    compose = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())
    services = compose["services"]
    workers = {
        name: _queues(service["command"])
        for name, service in services.items()
        if "command" in service and _queues(service["command"]) is not None
    }
    assert workers == {
        "periodic": {"periodic", "default"},
        "worker": {"imports", "reports"},
    }
    _check(workers)
    # `--scale worker=N` needs a service without a fixed container name or host port.
    assert "container_name" not in services["worker"] and "ports" not in services["worker"]
