"""A county's Party organization department as its documents name it (GB/T 9704).

区委组织部 for a district, 县委组织部 for a county, 旗委组织部 for a banner, 市委组织部 for a
county-level city, from the division's own name; the full name under its city
(中共天津市武清区委组织部); and the abbreviation in its documents' numbers (武组通).
These are Chinese institutional names: written as officials write them, not translated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from villages.models import Division

# The organ's level by the last character of the division's own name.
LEVEL_SUFFIXES = ("区", "县", "旗", "市")
# Levels of the statistical code with no government of their own (天津市 › 市辖区 › 武清区).
STATISTICAL_PLACEHOLDERS = frozenset(
    {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
)


def issuer(county: Division) -> str:
    """区委组织部 for a district, 县委组织部 for a county (旗委…, 市委…), from its name."""
    suffix = county.name[-1] if county.name.endswith(LEVEL_SUFFIXES) else "县"
    return f"{suffix}委组织部"


def organ(county: Division) -> str:
    """The issuing organ's full name, as in the red heading: 中共天津市武清区委组织部.

    The county is named under its city (a municipality's city level, 市辖区, is a
    statistical placeholder: the province's name is written instead)."""
    place = ""
    parent = county.parent
    while parent is not None:
        if parent.name not in STATISTICAL_PLACEHOLDERS:
            place = parent.name
            break
        parent = parent.parent
    return f"中共{place}{county.name}委组织部"


def derived_abbreviation(county: Division) -> str:
    """The first character of the county's name followed by 组通 (武清区 → 武组通)."""
    return f"{county.name[:1]}组通"


def abbreviation(county: Division) -> str:
    """The organ's abbreviation in document numbers: the county's own, or the derived one."""
    return county.document_abbreviation or derived_abbreviation(county)
