"""docs/DESIGN.md's diagrams are the code's: regenerated here, compared with what is committed."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "diagrams.py"


@pytest.fixture(scope="module")
def diagrams():
    spec = importlib.util.spec_from_file_location("diagrams", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_diagrams_are_the_code_s(diagrams):
    committed = diagrams.DESIGN.read_text("utf-8")
    assert diagrams.rendered(committed, diagrams.current()) == committed, (
        f"docs/DESIGN.md's diagrams are stale: run `{diagrams.COMMAND}` and commit docs/DESIGN.md"
    )


def test_imports_anywhere_in_a_module_count_collapsed_to_packages_and_root_modules(diagrams, tmp_path):
    root = tmp_path / "ivr"
    files = {
        "__init__.py": "def create_app():\n    from ivr.web import routes\n",
        "config.py": "import os\n",
        "web/__init__.py": "",
        "web/routes.py": "from ivr import config\n\ndef handle():\n    from ivr.store.models import Call\n",
        "web/more.py": "from . import routes\nfrom .. import create_app\n",
        "store/models.py": "import sqlalchemy\n",
        "cli.py": "import importlib\nCOMMANDS = {'db': 'ivr.store.cli:db', 'x': 'not ivr'}\n"
        "def run(name):\n    return importlib.import_module(COMMANDS[name].split(':')[0])\n",
    }
    for name, source in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(source)
    assert diagrams.import_graph(root) == {
        "ivr": {"web": "import"},
        "config": {},
        "web": {"config": "import", "store": "import", "ivr": "import"},
        "store": {},
        "cli": {"store": "by name"},
    }


def test_a_stale_diagram_is_named_with_the_command_that_redraws_it(diagrams, tmp_path, monkeypatch, capsys):
    design = tmp_path / "DESIGN.md"
    stale = "# Design\n\n<!-- imports: generated -->\n```mermaid\nflowchart LR\n    calls --> speech\n```\n"
    design.write_text(stale + "<!-- end of imports -->\n\n<!-- flow: generated -->\n<!-- end of flow -->\n")
    monkeypatch.setattr(diagrams, "DESIGN", design)
    monkeypatch.setattr(diagrams, "ROOT", tmp_path)
    monkeypatch.setattr(
        diagrams, "current", lambda: {"imports": "flowchart LR\n    calls --> flows", "flow": "x"}
    )
    assert diagrams.main(["--check"]) == 1
    assert "DESIGN.md: the diagrams are stale; run `python scripts/diagrams.py`" in capsys.readouterr().err
    assert diagrams.main([]) == 0
    redrawn = design.read_text()
    assert "calls --> flows" in redrawn and "calls --> speech" not in redrawn
    assert diagrams.main(["--check"]) == 0
