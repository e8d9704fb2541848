"""Who may import whom (docs/DESIGN.md): the rules are checked on the source, so a violation fails CI."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ivr"
STDLIB = sys.stdlib_module_names


def imports(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "ivr":  # `from ivr import flows` imports the package ivr.flows
                found += [(node.lineno, f"ivr.{alias.name}") for alias in node.names]
    return found


def violations(package: str, forbidden) -> list[str]:  # noqa: ANN001
    return [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
        for path in sorted((PACKAGE / package).rglob("*.py"))
        for line, name in imports(path)
        if forbidden(name)
    ]


def top(name: str) -> str:
    return name.split(".")[0]


RULES = {
    # The conversation is pure: the standard library and itself.
    "flows": lambda name: top(name) not in STDLIB and top(name) != "__future__"
    and not name.startswith("ivr.flows"),
    # Adapters translate; the call service does the storage work.
    "telephony": lambda name: top(name) == "sqlalchemy" or name.startswith(("ivr.store", "ivr.console", "ivr.qa")),
    # The mail adapter reads letters and talks IMAP and SMTP; the service does the storage work
    # (its command opens the app like the store's commands do).
    "mail": lambda name: top(name) in ("sqlalchemy", "flask")
    or (name.startswith(("ivr.store", "ivr.console", "ivr.qa", "ivr.telephony")) and name not in ("ivr.store.phones", "ivr.store.cli")),
    # The service knows no transport and no web framework.
    "calls": lambda name: top(name) in ("flask", "twilio", "werkzeug")
    or name.startswith(("ivr.telephony", "ivr.console", "ivr.qa")),
    # The console reads through queries and changes data through the store; the flow's public names only.
    "console": lambda name: name.startswith(("ivr.flows.", "ivr.telephony", "ivr.calls", "ivr.qa")),
    "store": lambda name: name.startswith(("ivr.telephony", "ivr.console", "ivr.calls", "ivr.qa")),
    "speech": lambda name: top(name) in ("flask", "sqlalchemy")
    or name.startswith(("ivr.telephony", "ivr.console", "ivr.calls", "ivr.store", "ivr.qa")),
}  # fmt: skip


@pytest.mark.parametrize("package", sorted(RULES))
def test_each_layer_imports_only_what_it_may(package):
    assert violations(package, RULES[package]) == []


def test_the_web_app_and_the_cli_load_no_qa_tooling(tmp_path):
    script = (
        "import sys\n"
        "from ivr import create_app\n"
        "import ivr.cli\n"
        f"create_app({{'IVR_DATABASE_URL': 'sqlite:///{tmp_path / 'x.db'}', 'RECOGNIZERS': {{}}}})\n"
        "print(sorted(m for m in sys.modules if m.startswith('ivr.qa')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "IVR_INSTANCE_DIR": str(tmp_path)})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
