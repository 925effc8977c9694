"""The ledger's fixtures, for findings linked to cases and draws among listed villages."""

from tests.rectification.conftest import (  # noqa: F401
    campaign,
    case_a,
    categories,
    list_case,
)
