"""The apps' fixtures, for the dashboard's figures and the audit trail."""

from tests.firstsecretary.conftest import add_secretary, posted, unit  # noqa: F401
from tests.rectification.conftest import (  # noqa: F401
    campaign,
    case_a,
    categories,
    list_case,
    rectifying_case,
    region_of_seed_004,
)
