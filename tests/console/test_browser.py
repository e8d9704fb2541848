"""Real headless Chromium: log in, find a call, play a turn's audio, approve a flagged reading."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import NOW
from tests.console.conftest import CHROMIUM, PASSWORD, STRANGER

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture
def shot(tmp_path):
    """shot(page, name): a screenshot, into docs/screenshots only when IVR_REFRESH_SCREENSHOTS=1.

    Otherwise it goes to a temporary folder, and the docs' copies are checked to be untouched:
    a test run leaves the repository as it was.
    """
    refresh = os.environ.get("IVR_REFRESH_SCREENSHOTS") == "1"
    folder = SHOTS if refresh else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    docs = {p.name: p.stat().st_mtime_ns for p in SHOTS.glob("*.png")}

    def take(page, name: str, full: bool = False) -> None:  # noqa: ANN001
        page.screenshot(path=str(folder / f"{name}.png"), full_page=full)

    yield take
    if not refresh:
        assert {p.name: p.stat().st_mtime_ns for p in SHOTS.glob("*.png")} == docs


def test_supervisor_finds_a_call_plays_its_audio_and_approves_its_flagged_reading(
    server, page, users, make_call, shot
):
    now = NOW
    for days, value in (
        (9, 1030),
        (8, 1055),
        (6, 1090),
        (5, 1120),
        (3, 1150),
        (2, 1185),
        (1, 1210),
    ):
        for hour in range(days % 3 + 1):
            make_call(
                flags="",
                value=value - 3 * hour,
                caller="+79031112233",
                started=now - timedelta(days=days, hours=hour),
                duration=40 + 7 * days,
            )
    make_call(
        outcome="transferred",
        caller="+74957287010",
        reading=False,
        account="200002",
        started=now - timedelta(hours=3),
        duration=95,
    )
    made = make_call(flags="HIGH;LOW_CONFIDENCE", value=9999, started=now - timedelta(hours=1))
    make_call(
        outcome="abandoned",
        caller="+74995509550",
        reading=False,
        started=now - timedelta(minutes=20),
        duration=12,
    )

    page.goto(server + "/console/")
    assert page.locator("input[name=password]").is_visible()  # anonymous: the login form
    shot(page, "login")
    page.fill("input[name=name]", "supervisor")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/calls")
    shot(page, "calls")

    page.set_viewport_size({"width": 768, "height": 1024})  # a tablet held upright
    assert page.evaluate("document.documentElement.scrollWidth") <= 768  # the page stays put
    table = page.evaluate("""() => {
        const frame = document.querySelector('.table-wrap');
        frame.scrollLeft = frame.scrollWidth;  // a swipe to the far right
        const time = frame.querySelector('tbody td:first-child').getBoundingClientRect();
        const box = frame.getBoundingClientRect();
        return {scrolled: frame.scrollLeft, timeShown: time.left >= box.left && time.right <= box.right};
    }""")
    assert table == {"scrolled": table["scrolled"], "timeShown": True} and table["scrolled"] > 0
    page.set_viewport_size({"width": 1280, "height": 860})

    page.fill("input[name=caller]", "916")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**by_number=1**")
    assert "916" not in page.url  # the number stays out of URLs, so out of access logs
    assert page.locator("tbody tr").count() == 1
    page.click("a.row-link")
    page.wait_for_url(f"**/console/calls/{made.sid}")
    assert "+7 916 ***-**-67" in page.inner_text(".facts")

    state = page.evaluate("""async () => {
        const audio = document.querySelector('audio[data-turn="1"]');
        await audio.play();
        await new Promise(done => setTimeout(done, 400));
        const error = audio.error && audio.error.code;
        return {time: audio.currentTime, ready: audio.readyState, error: error};
    }""")
    assert state["error"] is None and state["ready"] >= 2 and state["time"] > 0
    shot(page, "call", full=True)
    page.set_viewport_size({"width": 768, "height": 1024})  # a tablet held upright
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    shot(page, "call-tablet")
    page.set_viewport_size({"width": 1280, "height": 860})

    page.click("nav.main >> text=Проверка показаний")
    assert page.locator(f"a[href$='/console/readings/{made.reading_id}']").count() == 0  # accepted: no queue
    page.click("nav.tabs >> text=С отметками, принятые")
    page.click(f"a[href$='/console/readings/{made.reading_id}']")
    page.fill("form[action$='/approve'] input[name=note]", "Сверено с фото счётчика")
    page.click("form[action$='/approve'] button")
    page.wait_for_selector(".flash.ok")
    assert "принято" in page.inner_text("h1")
    assert "Сверено с фото счётчика" in page.inner_text("ol.trail")
    shot(page, "reading", full=True)

    page.goto(server + f"/console/dashboard?start={(now - timedelta(days=13)).date()}")
    assert page.locator("svg.chart rect.bar").count() >= 1
    shot(page, "dashboard", full=True)


def test_supervisor_filters_messages_shows_a_sender_and_approves_an_unverified_reading(
    server, page, users, send
):
    send("100001 1100 перезвоните +7 903 111-22-33")
    stranger = send("100001 1200", sender=STRANGER, channel="whatsapp")
    send("HELP")

    page.goto(server + "/console/login")
    page.fill("input[name=name]", "supervisor")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/calls")
    page.click("nav.main >> text=Сообщения")
    page.wait_for_url("**/console/messages")
    assert page.locator("tbody tr").count() == 3
    listed = page.inner_text("table.messages")
    assert "+7 903 ***-**-33" in listed and "111-22-33" not in listed and "100001 1100" in listed

    page.select_option("select[name=channel]", "whatsapp")
    page.check("input[name=flagged]")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**channel=whatsapp**")
    assert page.locator("tbody tr").count() == 1
    page.click("a.row-link")
    page.wait_for_url(f"**/console/messages/{stranger.id}")
    assert "+7 926 ***-**-00" in page.inner_text(".facts")
    page.click("text=Показать персональные данные")
    page.wait_for_url("**unmask=1")
    assert STRANGER in page.inner_text(".facts")

    page.click("table.list a >> text=Открыть")
    page.wait_for_selector("text=отправитель не подтверждён")
    page.fill("form[action$='/approve'] input[name=note]", "Сосед передал показания")
    page.click("form[action$='/approve'] button")
    page.wait_for_selector(".flash.ok")
    assert "Сосед передал показания" in page.inner_text("ol.trail")
    page.click("text=Перейти к сообщению")
    page.wait_for_url(f"**/console/messages/{stranger.id}")


def test_messages_fit_a_line_each_and_a_decided_reading_offers_no_more_decisions(
    server, page, users, send, make_call
):
    send("100001 1100")  # superseded by the next reading of the same meter and period
    stranger = send("100001 1200", sender=STRANGER)
    send("HELP")

    page.goto(server + "/console/login")
    page.fill("input[name=name]", "supervisor")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/calls")
    page.goto(server + "/console/messages")
    statuses = page.eval_on_selector_all(
        "select[name=status] option[value]:not([value=''])", "os => os.map(o => [o.value, o.textContent])"
    )
    assert [v for v, shown in statuses if shown.strip() == v] == []  # every status in Russian
    assert ("ignored", "пропущено (автоответ)") in [tuple(s) for s in statuses]

    replies = page.eval_on_selector_all(
        "table.messages tbody tr",
        """rows => rows.map(row => {
            const clip = row.querySelector('td:nth-child(6) .clip');
            const line = parseFloat(getComputedStyle(clip).lineHeight);
            return {lines: clip.getBoundingClientRect().height / line, full: clip.title,
                    row: row.getBoundingClientRect().height};
        })""",
    )
    assert len(replies) == 3 and all(r["lines"] < 1.5 and r["row"] < 60 for r in replies), replies
    assert stranger.reply in [r["full"] for r in replies]  # the whole reply, a hover away

    page.goto(server + f"/console/dashboard?start=2026-11-01&end={NOW.date()}")
    assert page.inner_text("tr[data-channel=sms] td.num") == "1"  # the superseded reading is not counted

    page.goto(server + f"/console/messages/{stranger.id}")
    page.click("table.list a >> text=Открыть")
    text = page.inner_text("section.card >> nth=0")
    assert "Текст сообщения: «100001 1200»" in text and "Отправитель:" not in text
    page.fill("form[action$='/approve'] input[name=note]", "Сосед передал показания")
    page.click("form[action$='/approve'] button")
    page.wait_for_selector(".flash.ok")
    for decision in ("approve", "correct", "reject"):
        assert page.locator(f"form[action$='/{decision}']").count() == 0
    assert "Решение по показанию уже принято" in page.inner_text("main")
