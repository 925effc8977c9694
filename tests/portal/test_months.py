"""Month and quarter arithmetic (portal/months.py): every app counts months the same way."""

import zoneinfo
from datetime import date, datetime

import pytest

from portal import months


@pytest.mark.parametrize(
    "month, count, expected",
    [
        (date(2026, 12, 1), 1, date(2027, 1, 1)),  # December -> January
        (date(2027, 1, 1), -1, date(2026, 12, 1)),  # January -> December
        (date(2026, 3, 1), 0, date(2026, 3, 1)),
        (date(2026, 3, 1), -3, date(2025, 12, 1)),
        (date(2026, 3, 1), -15, date(2024, 12, 1)),
        (date(2026, 11, 1), 14, date(2028, 1, 1)),
        (date(2026, 1, 31), 1, date(2026, 2, 1)),  # any day: the answer is a first day
        (date(2024, 2, 29), 12, date(2025, 2, 1)),
    ],
)
def test_add_months_counts_across_years_both_ways(month, count, expected):
    assert months.add_months(month, count) == expected


def test_the_previous_and_next_month_roll_over_the_year():
    assert months.previous_month(date(2027, 1, 15)) == date(2026, 12, 1)
    assert months.next_month(date(2026, 12, 31)) == date(2027, 1, 1)
    assert months.previous_month(date(2026, 3, 31)) == date(2026, 2, 1)
    assert months.month_start(date(2026, 7, 19)) == date(2026, 7, 1)


def test_a_months_bounds_and_last_day_know_leap_february():
    assert months.month_end(date(2024, 2, 10)) == date(2024, 2, 29)
    assert months.month_end(date(2026, 2, 1)) == date(2026, 2, 28)
    assert months.month_end(date(2100, 2, 1)) == date(2100, 2, 28)  # not a leap year
    assert months.month_end(date(2026, 12, 5)) == date(2026, 12, 31)
    assert months.month_bounds(date(2024, 2, 29)) == (date(2024, 2, 1), date(2024, 3, 1))
    assert months.month_bounds(date(2026, 12, 15)) == (date(2026, 12, 1), date(2027, 1, 1))


def test_quarters_have_their_three_months_and_the_one_before_crosses_the_year():
    assert months.quarter_of(date(2026, 3, 31)) == (2026, 1)
    assert months.quarter_of(date(2026, 4, 1)) == (2026, 2)
    assert months.quarter_of(date(2026, 12, 31)) == (2026, 4)
    assert months.quarter_months(2026, 4) == [
        date(2026, 10, 1),
        date(2026, 11, 1),
        date(2026, 12, 1),
    ]
    assert months.previous_quarter(date(2027, 2, 14)) == date(2026, 10, 1)
    assert months.previous_quarter(date(2026, 8, 1)) == date(2026, 4, 1)


def test_a_months_plan_is_due_on_the_25th_of_the_month_before():
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    assert months.due_date(date(2027, 1, 1)) == date(2026, 12, 25)
    assert months.due_date(date(2024, 3, 1)) == date(2024, 2, 25)
    assert months.due_by(date(2027, 1, 1)) == datetime(2026, 12, 26, tzinfo=shanghai)
