"""The ledger's fixtures, for the benchmark's like-for-like checks."""

from tests.rectification.conftest import campaign, categories, list_case  # noqa: F401
