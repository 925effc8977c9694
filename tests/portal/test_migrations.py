"""The migrations keep an existing database's data: a database at today's schema (the
migrations deployed when issue 17 was done) with the demo in it is migrated to the latest
state, and every row is still there (every migration since must also be reversible). Runs
on SQLite and PostgreSQL alike (no mark: the suite's default run), a few seconds."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Max

from portal.models import User
from rectification.models import Case
from tests.live import load_demo_committed
from villages.models import Village

# The schema deployed databases have: our apps' last migrations on the day of the change.
TODAY = [
    ("portal", "0011_api_token"),
    ("villages", "0006_urging"),
    ("rectification", "0008_constraint_messages_in_chinese"),
    ("firstsecretary", "0006_worklog_photo"),
    ("inspections", "0005_finding_review"),
]


def _rows_of_every_table():
    """{table: (rows, highest key)} of every model, the history tables included."""
    return {
        model._meta.db_table: tuple(
            model._base_manager.aggregate(rows=Count("pk"), last=Max("pk")).values()
        )
        for model in apps.get_models()
    }


def _last_applied():
    applied = MigrationExecutor(connection).loader.applied_migrations
    return {app: max(name for a, name in applied if a == app) for app, _name in TODAY}


def _facts():
    return (
        sorted(User.objects.values_list("username", "role", "division_id", "village_id")),
        sorted(Case.objects.values_list("village_id", "status", "deadline")),
        sorted(Village.objects.values_list("code", "households", "secretary_name")),
    )


@pytest.mark.django_db(transaction=True)
def test_a_database_of_today_with_the_demo_migrates_to_the_latest_state_intact():
    # Today's code writes only the latest schema (a model's new column is in every query
    # of it): the demo is loaded there, and the database is then taken back to the schema
    # deployed databases have, every migration since undone. What it holds then is what
    # the migrations must carry forward.
    load_demo_committed()
    MigrationExecutor(connection).migrate(TODAY)
    assert _last_applied() == dict(TODAY)
    before, facts = _rows_of_every_table(), _facts()
    # The positive control: the demo filled the tables that are compared.
    assert before["portal_user"][0] >= 7 and before["rectification_case"][0] > 0

    call_command("migrate", verbosity=0)

    loader = MigrationExecutor(connection).loader
    assert set(loader.graph.leaf_nodes()) <= set(loader.applied_migrations)
    after = _rows_of_every_table()
    assert {table: (n, after[table]) for table, n in before.items() if after[table] != n} == {}
    assert _facts() == facts
