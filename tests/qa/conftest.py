"""QA fixtures: the case library, and one in-process replay target per test module."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.qa.recordings import LocalRecordings
from ivr.qa.targets import InProcess

CALLS = Path(__file__).resolve().parents[1] / "calls"


@pytest.fixture(scope="module")
def recordings():
    with LocalRecordings() as host:
        yield host


@pytest.fixture(scope="module")
def in_process(recordings):
    target = InProcess(recordings)
    yield target
    target.close()
