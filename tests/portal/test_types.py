"""Every public service function says what it takes and what it gives back.

The modules where the rules live (each app's services, imports, exports, reports, jobs
and tasks, and the foundation's notifications, spreadsheets and organs) are found on
disk, so a new app is walked too; every function they define without a leading
underscore must annotate each parameter and its return (mypy then checks its body in
`make typecheck`). Selectors are not walked here. A function may be left out only
through ALLOWED below, with the reason.
"""

import importlib
import inspect
from pathlib import Path

from celery.app.task import Task
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# In every app (a folder with apps.py): the modules that write, read files in or out, or
# run as jobs.
APP_MODULES = ("services", "imports", "exports", "reports", "jobs", "tasks")
# The foundation's service-like modules beside those.
# portal.months holds the month arithmetic that moved out of villages.services and
# portal.jobs; rectification.ledger the ledger row the form, API, import and export read.
OTHER_MODULES = (
    "portal.notifications",
    "portal.excel",
    "portal.months",
    "rectification.ledger",
    "villages.organs",
)

# "module.function": why it may stay unannotated. Empty: none may.
ALLOWED: dict[str, str] = {}


def service_modules():
    names = set(OTHER_MODULES)
    for apps_py in sorted(ROOT.glob("*/apps.py")):
        app = apps_py.parent.name
        names.update(
            f"{app}.{name}" for name in APP_MODULES if (apps_py.parent / f"{name}.py").exists()
        )
    return sorted(names)


def public_functions(module):
    """(name, function) for each public function the module defines; a Celery task is
    checked through the function it runs."""
    for name, value in sorted(vars(module).items()):
        if name.startswith("_"):
            continue
        if isinstance(value, Task):
            value = value.run
        if inspect.isfunction(value) and value.__module__ == module.__name__:
            yield name, value


def missing_annotations(function):
    signature = inspect.signature(function)  # follows functools.wraps to the service itself
    missing = [
        name
        for name, parameter in signature.parameters.items()
        if parameter.annotation is inspect.Parameter.empty
    ]
    if signature.return_annotation is inspect.Signature.empty:
        missing.append("return")
    return missing


def test_the_walk_finds_the_service_modules_and_their_functions():
    modules = service_modules()
    for expected in (
        "portal.services",
        "portal.imports",
        "portal.exports",
        "portal.jobs",
        "portal.tasks",
        "portal.notifications",
        "portal.excel",
        "villages.organs",
        "villages.services",
        "rectification.services",
        "rectification.imports",
        "firstsecretary.services",
        "inspections.services",
        "inspections.reports",
    ):
        assert expected in modules
    assert not any(name.endswith(".selectors") for name in modules)
    found = {
        f"{name}.{function}"
        for name in modules
        for function, _ in public_functions(importlib.import_module(name))
    }
    # A decorated service, a Celery task, a registered job and a plain helper are all seen.
    for expected in (
        "rectification.services.case_create",  # @service_transaction
        "inspections.services.finding_verify",  # @transaction.atomic
        "portal.tasks.build_report",  # @shared_task
        "villages.tasks.activity_plan_reminder",  # @job(...)
        "villages.organs.issuer",
        "portal.months.add_months",  # moved from villages.services
        "portal.months.due_by",
    ):
        assert expected in found
    # Imported names are not counted as the importer's own.
    assert "rectification.services.handoff" not in found
    assert len(found) > 140


def test_every_public_service_function_is_annotated():
    unannotated = {}
    for name in service_modules():
        for function_name, function in public_functions(importlib.import_module(name)):
            qualified = f"{name}.{function_name}"
            missing = missing_annotations(function)
            if missing and qualified not in ALLOWED:
                unannotated[qualified] = missing
    assert unannotated == {}, (
        f"annotate these parameters and returns (mypy checks the body once they are): {unannotated}"
    )


def test_an_unannotated_function_is_caught():
    def untyped(user, *, when=None):
        return user

    def typed(user: object, *, when: object = None) -> object:
        return user

    assert missing_annotations(untyped) == ["user", "when", "return"]
    assert missing_annotations(typed) == []


def test_every_allowance_names_a_walked_function_and_a_reason():
    for qualified, reason in ALLOWED.items():
        module_name, function_name = qualified.rsplit(".", 1)
        assert module_name in service_modules()
        assert hasattr(importlib.import_module(module_name), function_name)
        assert reason.strip()
