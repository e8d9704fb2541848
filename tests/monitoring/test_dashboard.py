"""Every metric the Grafana dashboard (docs/grafana-dashboard.json) queries is one /metrics exports:
a renamed metric or label value breaks this test, not the utility's dashboard."""

import json
import re
from pathlib import Path

from tests.console.conftest import Console
from tests.monitoring.scrape import names
from tests.monitoring.test_metrics import keypad_call
from tests.texts.conftest import KNOWN, signed

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana-dashboard.json"
METRIC = re.compile(r"\bivr_[a-z_]+\b")


def queried() -> set[str]:
    panels = json.loads(DASHBOARD.read_text(encoding="utf-8"))["panels"]
    return {name for p in panels for t in p["targets"] for name in METRIC.findall(t["expr"])}


def test_the_dashboard_asks_what_a_manager_asks():
    titles = " ".join(p["title"] for p in json.loads(DASHBOARD.read_text(encoding="utf-8"))["panels"])
    for panel in ("Containment", "Transfers by reason", "no-match rate per question", "p95 webhook latency"):
        assert panel in titles


def test_every_metric_the_dashboard_queries_is_exported(client, phone):
    keypad_call(phone)
    sms = {"MessageSid": "SM" + "d" * 32, "From": KNOWN, "Body": "100001 1100", "NumMedia": "0"}
    assert client.post("/twilio/sms", data=sms, headers=signed(sms)).status_code == 200
    assert Console(client).login("nobody", "wrong").status_code == 401
    exported = names(client.get("/metrics").get_data(as_text=True))
    assert queried() - exported == set()
    assert len(queried()) >= 9
