"""The registry of table exports: each app's exports.py registers its lists here.

An export is the list page's FilterSet applied to the model's scoped queryset, written
column by column; the page, the export in the request and the Celery task all call it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from portal.excel import Column
from portal.scoping import Scope

REGISTRY: dict[str, TableExport] = {}


@dataclass(frozen=True)
class TableExport:
    """A filtered, scoped list written to one sheet."""

    kind: str
    title: Any  # lazy translated text: the sheet title and the report's name
    filename: Any
    model: Any
    filterset_class: Any
    columns: list[Column]
    prepare: Callable | None = None  # e.g. add select_related for the columns
    # The list page's own selector (scope -> queryset), when it annotates what the
    # FilterSet filters on.
    base: Callable | None = None
    # A paper form's layout: group headers [(label, number of columns)], a 序号 column,
    # and a heading that names the user's area (user -> text).
    groups: list | None = None
    numbered: bool = False
    heading: Callable | None = None

    def queryset(self, scope: Scope, params):
        """The rows a reader of `scope` would see on the list page with the same filters."""
        base = self.base(scope) if self.base else self.model.objects.visible_to(scope)
        if self.prepare is not None:
            base = self.prepare(base)
        # The FilterSet narrows its own choices through request.scope, as on the page.
        request = HttpRequest()
        request.scope = scope  # type: ignore[attr-defined]  # as ScopeMiddleware sets it
        filterset = self.filterset_class(params, queryset=base, request=request)
        if not filterset.is_valid():
            return base.none()
        return filterset.qs


def register(export: TableExport) -> TableExport:
    REGISTRY[export.kind] = export
    return export


def get(kind: str) -> TableExport:
    return REGISTRY[kind]


# Reports that are not one list: a workbook built by a function of the report.
BUILDERS: dict[str, ReportBuilder] = {}


@dataclass(frozen=True)
class ReportBuilder:
    """`build(report, handle, on_progress(percent)) -> rows` writes the workbook.

    A report that can be built in parts by many workers at once (a province's quarterly
    report, one part per county) also gives `parts(report) -> keys` (none or one: built
    in one task), `build_part(report, key) -> part` (plain data: it travels through the
    result backend) and `join(report, parts, handle, on_progress) -> rows`, which writes
    from the parts, in the order of their keys, the workbook `build` would write.
    `done(report)`, if given, is called once the file is saved (to notify its readers)."""

    kind: str
    title: Any
    filename: Any
    build: Callable
    parts: Callable | None = None
    build_part: Callable | None = None
    join: Callable | None = None
    done: Callable | None = None


def register_builder(builder: ReportBuilder) -> ReportBuilder:
    BUILDERS[builder.kind] = builder
    return builder
