"""The ledger's fixtures, for the dashboard's figures."""

from tests.rectification.conftest import (  # noqa: F401
    campaign,
    categories,
    list_case,
    region_of_seed_004,
)
