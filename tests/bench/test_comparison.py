"""The benchmark compares like with like: the afternoon admin shows the same rows as the
ledger page, django-import-export writes the same rows and columns as our export, the
hand-written anti-join finds the same missing plans as the deadline check, and the list of
URLs whose queries are counted covers every page and API list."""

import io
from datetime import date

import pytest
from django.http import QueryDict
from django.urls import clear_url_caches, reverse
from django.utils import timezone
from openpyxl import load_workbook

from bench import compare, pages
from portal import exports, services
from portal.months import due_date
from portal.scoping import Scope
from tests.portal.test_access_matrix import EXPECTED, URLS
from villages.models import ActivityPlan, Village
from villages.selectors import missing_plans


@pytest.fixture
def bench_urls(settings):
    settings.ROOT_URLCONF = "bench.urls"
    clear_url_caches()
    yield
    clear_url_caches()


@pytest.fixture
def ledger(list_case, alice, bob, county_admin):
    villages = list(Village.objects.filter(code__startswith="12011410").order_by("code")[:6])
    for village in villages:
        list_case(alice if village.township_id == alice.division_id else bob, village)
    return villages


def test_the_admin_changelist_shows_the_rows_the_ledger_shows(
    client, bench_urls, ledger, county_admin, superuser
):
    client.force_login(county_admin)
    ours = client.get("/ledger/?year=2026").context["page_obj"].object_list
    client.force_login(superuser)
    theirs = client.get("/bench/admin/rectification/case/?campaign__year=2026&q=120114")
    assert theirs.status_code == 200
    assert {c.pk for c in theirs.context["cl"].result_list} == {c.pk for c in ours}
    assert "hello" in client.get("/bench/hello/").content.decode()


def test_import_export_writes_the_same_rows_and_columns(ledger, superuser):
    handle = io.BytesIO()
    rows = services.export_write(
        handle, kind="rectification.ledger", params=QueryDict(""), acting_user=superuser
    )
    queryset = exports.get("rectification.ledger").queryset(Scope.of(superuser), QueryDict(""))
    dataset = compare.iie_resource().export(queryset)
    ours = load_workbook(handle).active
    header = [cell.value for cell in ours[3]][1:]  # after the title, the groups and 序号
    assert rows == len(dataset) == len(ledger)
    assert len(dataset.headers) == len(header) == 17
    codes = sorted(row[3] for row in ours.iter_rows(min_row=4, values_only=True))
    assert codes == sorted(dataset["村代码"]) == sorted(v.code for v in ledger)


def test_the_anti_join_finds_what_the_deadline_check_finds(village_a, superuser):
    from django.db import connection

    month = date(2026, 12, 1)
    ActivityPlan.objects.create(village=village_a, month=month, submitted_at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(compare.ANTI_JOIN, [due_date(month), month])
        floor = cursor.fetchone()[0]
    ours = missing_plans(scope=Scope.of(superuser), month=month).count()
    assert floor == ours == Village.objects.count() - 1


def test_every_page_and_api_list_is_counted():
    names = compare.list_urls()
    paths = {reverse(name) for name in names}
    assert {"/ledger/", "/dashboard/", "/villages/", "/api/v1/cases/", "/api/v1/villages/"} <= paths
    assert not any("<" in path for path in paths)


def test_the_page_weight_bench_measures_every_page_a_county_administrator_opens():
    opened = {
        name
        for name, params in URLS.items()
        if not params and EXPECTED.get((name, "GET"), {}).get("county_admin") == "ok"
    }
    elsewhere = {
        "dashboard",  # bench/dashboard.py
        "dashboard_print",  # the dashboard's figures, printed
        "healthz",  # no page
        "case_import_template",  # workbooks
        "rating_import_template",
        "secretary_import_template",
        "acceptance_import_template",
    }
    # The API's lists and documents (its route names have hyphens): bench/compare.py.
    api = {name for name in opened if "-" in name or name in ("api_docs", "api_schema")}
    assert sorted(opened - api - elsewhere - set(pages.PAGES)) == []


def test_no_bench_module_changes_the_environment_when_imported():
    """The suite imports bench modules (compare, pages); one that dropped REDIS_URL on import
    took it from the test process, and every worker test after it failed in CI. What a
    bench changes in os.environ, it changes in main()."""
    import ast
    from pathlib import Path

    def changes_environ(node):
        for sub in ast.walk(node):
            target = (
                sub.func.value
                if isinstance(sub, ast.Call)
                and isinstance(sub.func, ast.Attribute)
                and sub.func.attr in ("pop", "update", "clear", "__setitem__")
                else None
            )
            if isinstance(sub, (ast.Assign, ast.Delete)):
                targets = sub.targets
                target = next((t.value for t in targets if isinstance(t, ast.Subscript)), None)
            if target is not None and ast.unparse(target) == "os.environ":
                return True
        return False

    offenders = [
        f"{path.name}:{node.lineno}"
        for path in sorted((Path(__file__).resolve().parents[2] / "bench").glob("*.py"))
        for node in ast.parse(path.read_text()).body
        if not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.If)) and changes_environ(node)
    ]
    assert offenders == []


def test_issue_19s_table_gives_each_target_its_verdict_and_what_would_close_a_missed_one():
    pages = [
        {"label": "bare hello view", "rps": 2000.0},
        {"label": "lightest portal page (notifications)", "rps": 300.0},
        {"label": "ledger page, county", "rps": 60.0},
        {"label": "admin changelist, county", "rps": 20.0},
        {"label": "ledger page, township", "rps": 90.0},
        {"label": "admin changelist, township", "rps": 25.0},
    ]
    deadline = {"runs": [(5.0, 7, "…"), (4.0, 7, "…")], "floor": 1.0}
    national = {"ms": 1500.0, "slowest_ms": 800.0}
    targets = {
        "every_page": {
            "within": 133,
            "of": 135,
            "over": [["home", [], 24, 21], ["presence", ["county"], 8, 8]],
            "load": 1.2,
            "at": "2026-12-01T07:00:00+00:00",
        },
        "transitions": {"test_client": 120.0, "served": 96.0, "load": 2.5, "at": "…"},
    }
    rows = compare.issue_19(pages, deadline, national, targets).splitlines()

    def row(start):
        return next(line for line in rows if line.startswith(f"| {start}"))

    assert "| 3.0×; 3.6× | met |  |" in row("1. ledger page ≥ 3×")
    bare = row("1. ledger page ≥ 10 %")
    assert "3.0%; 4.5% (the lightest page: 15.0%) | **missed** | not reachable" in bare
    assert "= 5.0× | **missed** | fewer indexes" in row("2. deadline")
    pages_row = row("3. every page")
    assert "133 of 135 (over time: presence; queries differ: home;" in pages_row
    assert "**missed**" in pages_row
    assert "= 1.88× | met |" in row("4. dashboard")
    assert "| 120; 96 (load 2.5; …) | **missed** | cores of its own" in row("5. API")
