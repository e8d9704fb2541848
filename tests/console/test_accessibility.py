"""axe-core in real headless Chromium: no serious or critical WCAG 2.1 AA finding on any console page,
on a desktop and on a 375 px phone; every page fits the phone; the queue's first reading is near."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import NOW
from tests.console.conftest import CHROMIUM, PASSWORD, STRANGER

# scripts/test.sh installs axe-core here with npm (outside the checkout); AXE_CORE_JS may point elsewhere.
AXE = Path(
    os.environ.get("AXE_CORE_JS")
    or Path.home() / ".cache" / "ivr" / "axe-core" / "node_modules" / "axe-core" / "axe.min.js"
)
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = (1280, 375)

# What sticks out past the window, tables that scroll in their own frame aside.
OVERFLOW = """(width) => document.documentElement.scrollWidth <= width ? [] :
    [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-wrap'))
    .slice(-3).map(e => `wider than ${width} px: ${e.tagName.toLowerCase()}.${e.className}`)"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),  # the browser is the subject here
]


@pytest.fixture
def axe() -> str:
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is missing at {AXE}: scripts/test.sh installs it with npm")
        pytest.skip(f"axe-core is not installed at {AXE}: run scripts/test.sh, or npm install it there")
    return AXE.read_text()


@pytest.fixture
def pages(login, make_call, send) -> dict[str, str]:
    """A console with something on every page: calls, messages, a reading waiting, a decided one."""
    sent = send("100001 1200", sender=STRANGER)
    send("HELP")
    waiting = make_call(flags="NEGATIVE", status="pending_review", value=900, started=NOW)
    decided = make_call(flags="HIGH;LOW_CONFIDENCE", value=9999, started=NOW)
    login("supervisor").post(f"/console/readings/{decided.reading_id}/approve", {"note": "checked"})
    return {
        "calls": "/console/calls",
        "call": f"/console/calls/{waiting.sid}",
        "messages": "/console/messages",
        "message": f"/console/messages/{sent.id}",
        "queue": "/console/readings",
        "all readings": "/console/readings?show=all",
        "flagged readings": "/console/readings?show=flagged",
        "reading": f"/console/readings/{waiting.reading_id}",
        "decided reading": f"/console/readings/{decided.reading_id}",
        "not found": "/console/readings/999999",
        "billing export": "/console/readings/export",
        "dashboard": f"/console/dashboard?start=2026-11-01&end={NOW.date()}",
        "users": "/console/users",
    }


def log_in(page, server: str, name: str = "admin") -> None:  # noqa: ANN001
    page.goto(server + "/console/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/calls")


def serious(page, axe: str) -> list[str]:  # noqa: ANN001
    """The serious and critical WCAG 2.1 A/AA violations axe-core finds on the page, one line each."""
    page.add_script_tag(content=axe)
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
        }""",
        WCAG_21_AA,
    )
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_no_serious_accessibility_finding_and_every_page_fits(server, browser_context, pages, axe, width):
    # The console's CSP forbids inline scripts, axe-core's injection among them; the pages are the same.
    page = browser_context(viewport={"width": width, "height": 800}, bypass_csp=True).new_page()
    page.goto(server + "/console/login")
    found = {"login": serious(page, axe)}
    log_in(page, server)
    for name, path in pages.items():
        page.goto(server + path)
        found[name] = serious(page, axe)
        found[name] += page.evaluate(OVERFLOW, width)
    failing = {name: v for name, v in found.items() if v}
    assert not failing, "\n".join(f"{name}: {v}" for name, v in failing.items())


def test_the_dashboard_chart_is_named_and_its_labels_readable_on_a_phone(server, browser_context, pages):
    page = browser_context(viewport={"width": 375, "height": 800}).new_page()
    log_in(page, server, "qa")
    page.goto(server + pages["dashboard"])
    chart = page.locator("svg.chart.narrow")  # the one a phone shows
    assert chart.is_visible() and not page.locator("svg.chart.wide").is_visible()
    assert chart.get_attribute("aria-label").startswith("Показания по дням с 01.11.2026 по 17.11.2026")
    smallest = page.evaluate(
        "Math.min(...[...document.querySelectorAll('svg.chart.narrow text')]"
        ".map(t => t.getBoundingClientRect().height))"
    )
    assert smallest >= 10, f"the chart's labels are {smallest:.1f} px high"


def test_the_queues_first_reading_is_a_skip_link_away(server, page, pages):
    log_in(page, server, "supervisor")
    page.goto(server + pages["queue"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "К списку"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == page.locator("tbody a.row-link").first.get_attribute("href")
    assert "/console/readings/" in focused


def contrast(a: list[float], b: list[float]) -> float:
    """WCAG's contrast ratio of two sRGB colours given as 0-255 channels."""

    def luminance(rgb: list[float]) -> float:
        c = [v / 255 for v in rgb[:3]]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_headers_focus_ring_stands_out_from_the_header(server, page, users):
    log_in(page, server, "qa")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand, in the header
    colours = page.evaluate(
        """() => {
            const rgb = c => c.match(/[\\d.]+/g).map(Number);
            const ring = getComputedStyle(document.activeElement);
            return {inHeader: !!document.activeElement.closest('header.top'), style: ring.outlineStyle,
                    ring: rgb(ring.outlineColor),
                    header: rgb(getComputedStyle(document.querySelector('header.top')).backgroundColor)};
        }"""
    )
    assert colours["inHeader"] and colours["style"] != "none"
    assert contrast(colours["ring"], colours["header"]) >= 3  # WCAG 1.4.11, non-text contrast
