"""China's working days (portal.workdays) on real dates. The expected answers are read off
the State Council's notices (国办发明电), as the pinned chinesecalendar release holds them:
2025 National Day and Mid-Autumn 10月1日至8日放假，9月28日（周日）、10月11日（周六）上班;
2025 Spring Festival 1月28日至2月4日放假，1月26日（周日）、2月8日（周六）上班;
2026 Mid-Autumn 9月25日至27日放假; National Day 10月1日至7日放假，9月20日（周日）、
10月10日（周六）上班; Spring Festival 2月15日至23日放假，2月14日（周六）、2月28日（周六）上班."""

from datetime import date

from portal.workdays import WorkCalendar, package_holds

CHINA = WorkCalendar()


def test_the_pinned_package_holds_2025_and_2026():
    assert package_holds(2025) and package_holds(2026)


def test_the_2025_national_day_week_is_off_and_its_sunday_and_saturday_are_worked():
    assert CHINA.is_workday(date(2025, 9, 28))  # Sunday, make-up day
    assert not any(CHINA.is_workday(date(2025, 10, day)) for day in range(1, 9))
    assert CHINA.is_workday(date(2025, 10, 11))  # Saturday, make-up day
    assert not CHINA.is_workday(date(2025, 10, 12))  # an ordinary Sunday


def test_one_working_day_after_the_30th_of_september_2025_is_the_9th_of_october():
    assert CHINA.add(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert CHINA.add(date(2025, 9, 30), 3) == date(2025, 10, 11)


def test_three_working_days_before_the_9th_of_october_2025_is_the_make_up_sunday():
    assert CHINA.add(date(2025, 10, 9), -3) == date(2025, 9, 28)


def test_a_day_off_moves_to_the_next_working_day_and_a_working_day_stays():
    assert CHINA.on_or_after(date(2025, 10, 4)) == date(2025, 10, 9)
    assert CHINA.on_or_after(date(2025, 1, 25)) == date(2025, 1, 26)  # Sat -> make-up Sunday
    assert CHINA.on_or_after(date(2025, 11, 25)) == date(2025, 11, 25)


def test_working_days_between_count_the_end_and_not_the_start():
    assert CHINA.between(date(2025, 9, 30), date(2025, 10, 11)) == 3
    assert CHINA.between(date(2025, 10, 11), date(2025, 9, 30)) == 0


def test_the_2026_arrangement_as_the_state_council_announced_it():
    assert not CHINA.is_workday(date(2026, 9, 25))  # Friday, Mid-Autumn Festival
    assert CHINA.on_or_after(date(2026, 9, 25)) == date(2026, 9, 28)
    assert CHINA.is_workday(date(2026, 9, 20)) and CHINA.is_workday(date(2026, 10, 10))
    assert CHINA.is_workday(date(2026, 2, 14)) and CHINA.is_workday(date(2026, 2, 28))
    assert not CHINA.is_workday(date(2026, 2, 23))  # Monday, the Spring Festival's last day


def test_a_year_the_package_does_not_hold_reads_the_entered_days_else_monday_to_friday():
    entered = WorkCalendar({date(2099, 1, 2): False, date(2099, 1, 10): True})
    assert not package_holds(2099) and entered.holds(2099) and not CHINA.holds(2099)
    assert not entered.is_workday(date(2099, 1, 2))  # a Friday entered as a holiday
    assert entered.is_workday(date(2099, 1, 10))  # a Saturday entered as a make-up day
    assert CHINA.is_workday(date(2099, 1, 2)) and not CHINA.is_workday(date(2099, 1, 10))
