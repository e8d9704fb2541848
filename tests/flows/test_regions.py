"""Submission windows: built-in, overridden by a file, and the period a reading counts for."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ivr.flows.regions import RegionsFileError, load


@pytest.mark.parametrize(
    "region, day, inside",
    [
        ("Москва", 15, True),
        ("Москва", 20, True),
        ("Москва", 21, False),
        ("Москва", 14, False),
        ("Якутия", 1, True),
        ("Якутия", 11, False),
        ("Липецкая область", 25, True),
        ("Тверская область", 15, True),
        ("Санкт-Петербург", 22, False),
        ("Неизвестный край", 23, True),
        ("Неизвестный край", 26, False),
    ],
)
def test_built_in_windows(region, day, inside):
    assert load(None).in_window(region, date(2026, 11, day)) is inside


def test_after_the_window_a_reading_counts_for_the_next_period_even_across_the_new_year():
    regions = load(None)
    assert regions.period("Москва", date(2026, 12, 25)) == "2027-01"
    assert regions.period("Москва", date(2026, 12, 17)) == "2026-12"


def test_regions_file_overrides_and_adds_windows(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("region,start_day,end_day\nМосква,1,31\nКрым,5,9\n", encoding="utf-8")
    regions = load(str(path))
    assert regions.window("Москва") == (1, 31) and regions.window("Крым") == (5, 9)
    assert regions.window("Якутия") == (1, 10)


@pytest.mark.parametrize(
    "row, message",
    [("Крым,x,9", "line 2: start_day"), ("Крым,5,40", "line 2: end_day"), ("Крым,9,5", "line 2: start_day")],
)
def test_bad_regions_file_names_the_line_and_field(tmp_path, row, message):
    path = tmp_path / "regions.csv"
    path.write_text(f"region,start_day,end_day\n{row}\n", encoding="utf-8")
    with pytest.raises(RegionsFileError, match=message):
        load(str(path))


def test_a_regions_file_saved_by_russian_excel_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_bytes("region,start_day,end_day\nКрым,5,9\n".encode("cp1251"))
    with pytest.raises(RegionsFileError, match="not UTF-8 .*save it as CSV UTF-8"):
        load(str(path))


def test_every_built_in_region_lives_on_its_own_clock():
    regions = load(None)
    night = datetime(2026, 11, 10, 16, 30)  # naive UTC: 19:30 in Moscow, 01:30 next day in Yakutsk
    assert regions.day("Москва", night) == date(2026, 11, 10)
    assert regions.day("Якутия", night) == date(2026, 11, 11)
    assert regions.day("Иркутская область", night) == date(2026, 11, 11)  # UTC+8
    assert regions.day("Алтайский край", datetime(2026, 11, 10, 17, 30)) == date(2026, 11, 11)  # UTC+7
    assert regions.zone("Забайкальский край") == ZoneInfo("Asia/Chita")


def test_regions_without_a_zone_live_on_the_utilitys_clock(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("region,start_day,end_day,timezone\nКрым,5,9,\nЯкутия,1,12,\n", encoding="utf-8")
    regions = load(str(path), ZoneInfo("Asia/Yekaterinburg"))
    assert regions.zone("Крым") == ZoneInfo("Asia/Yekaterinburg")  # IVR_TIMEZONE
    assert regions.zone("Неизвестный край") == ZoneInfo("Asia/Yekaterinburg")
    assert regions.zone("Якутия") == ZoneInfo("Asia/Yakutsk")  # the built-in zone stays
    assert regions.window("Якутия") == (1, 12)


def test_the_regions_file_gives_a_zone(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("region,start_day,end_day,timezone\nСвердловская область,20,25,Asia/Yekaterinburg\n")
    regions = load(str(path))
    assert regions.zone("Свердловская область") == ZoneInfo("Asia/Yekaterinburg")
    assert regions.day("Свердловская область", datetime(2026, 11, 24, 19, 30)) == date(2026, 11, 25)


@pytest.mark.parametrize("zone", ["Europe/Moskow", "UTC+5", "../etc/passwd"])
def test_a_wrong_zone_names_the_line(tmp_path, zone):
    path = tmp_path / "regions.csv"
    path.write_text(f"region,start_day,end_day,timezone\nКрым,5,9,Europe/Simferopol\nУрал,20,25,{zone}\n")
    with pytest.raises(
        RegionsFileError, match=re.escape(f"line 3: timezone: '{zone}' is not an IANA time zone")
    ):
        load(str(path))
