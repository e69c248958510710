"""Times are shown to people in their own time zone, in one format everywhere."""

from datetime import UTC, date, datetime

from cyberhub.formatting import day_in, is_known_zone, person_name, when, zone
from cyberhub.services.coaching.streaks import local_day


def test_a_moment_is_shown_in_the_readers_zone() -> None:
    moment = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
    assert when(moment, "Africa/Nairobi") == "3 Dec 2026, 17:05 EAT"
    assert when(moment) == "3 Dec 2026, 14:05 UTC"
    assert when(moment, "Africa/Nairobi", "time") == "17:05"


def test_the_day_can_change_with_the_zone() -> None:
    late = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)
    assert when(late, "Africa/Nairobi", "date") == "4 Dec 2026"
    assert when(late, "America/New_York", "date") == "3 Dec 2026"


def test_daylight_saving_is_followed() -> None:
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    winter = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert when(summer, "Europe/London") == "1 Jul 2026, 13:00 BST"
    assert when(winter, "Europe/London") == "1 Jan 2026, 12:00 GMT"


def test_iso_text_naive_values_dates_and_nothing() -> None:
    assert when("2026-12-03T14:05:00+00:00", "Africa/Nairobi") == "3 Dec 2026, 17:05 EAT"
    assert when(datetime(2026, 12, 3, 14, 5), "UTC") == "3 Dec 2026, 14:05 UTC"  # naive = UTC
    assert when(date(2026, 12, 3), "Pacific/Kiritimati", "date") == "3 Dec 2026"
    assert when(None, "UTC") == ""
    assert when(None, "UTC", empty="never") == "never"


def test_an_unknown_zone_falls_back_to_utc() -> None:
    moment = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
    assert when(moment, "Mars/Olympus_Mons") == "3 Dec 2026, 14:05 UTC"
    assert not is_known_zone("Mars/Olympus_Mons")
    assert is_known_zone("Africa/Lagos")


def test_a_folder_of_the_tz_database_is_no_zone() -> None:
    # ZoneInfo("America") raises IsADirectoryError, which escaped as a 500.
    moment = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
    assert when(moment, "America") == "3 Dec 2026, 14:05 UTC"
    assert not is_known_zone("America")
    assert not is_known_zone("x" * 300)


def test_a_person_is_called_by_name_else_by_the_start_of_their_address() -> None:
    assert person_name("Amina Kiprono", "amina.k@example.org") == "Amina Kiprono"
    assert person_name("", "amina.k@example.org") == "amina.k"
    assert person_name(None, "amina.k@example.org") == "amina.k"


def test_a_persons_day_is_one_rule_for_documents_and_check_ins() -> None:
    """The day a certificate bears (day_in, by zone name) and the day a check-in counts for
    (coaching.streaks.local_day, by tzinfo) are the same day, around midnights and a
    daylight-saving change; a naive moment is UTC for both."""
    moments = [
        datetime(2026, 3, 6, 10, 59, tzinfo=UTC),  # 23:59 in Auckland (UTC+13)
        datetime(2026, 3, 6, 11, 0, tzinfo=UTC),  # midnight there
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # London's clocks go forward at 01:00 UTC
        datetime(2026, 12, 3, 23, 30),  # naive
    ]
    for name in ("Pacific/Auckland", "Europe/London", "America/New_York", "UTC"):
        for moment in moments:
            assert local_day(moment, zone(name)) == day_in(moment, name)
            assert day_in(moment, zone(name)) == day_in(moment, name)
    assert day_in(moments[0], "Pacific/Auckland") == date(2026, 3, 6)
    assert day_in(moments[1], zone("Pacific/Auckland")) == date(2026, 3, 7)
    assert local_day(moments[3], zone("Africa/Nairobi")) == date(2026, 12, 4)
