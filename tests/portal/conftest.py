"""The ledger's fixtures, for the dashboard's figures."""

from tests.rectification.conftest import campaign, categories, list_case  # noqa: F401
