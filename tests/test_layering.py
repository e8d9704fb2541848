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


def files(unit: str) -> list[Path]:
    """A package's files, or a root module's one file."""
    if (PACKAGE / unit).is_dir():
        return sorted((PACKAGE / unit).rglob("*.py"))
    return [PACKAGE / f"{unit}.py"]


def violations(unit: str, forbidden) -> list[str]:  # noqa: ANN001
    return [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
        for path in files(unit)
        for line, name in imports(path)
        if name != "ivr"  # `from ivr import x`: x is checked as ivr.x
        and forbidden(name)
        or (unit not in BUILDERS and name in FACTORY)
    ]


def top(name: str) -> str:
    return name.split(".")[0]


def within(*allowed: str):  # noqa: ANN201
    """Only the standard library, these packages and modules (top-level or ivr.*), and itself."""
    return lambda name: not (top(name) in STDLIB or top(name) == "__future__" or name.startswith(allowed))


def ivr_only(*allowed: str):  # noqa: ANN201
    """Any outside library, but of the hotline only these."""
    return lambda name: top(name) == "ivr" and not name.startswith(allowed)


WEB = ("flask", "werkzeug", "twilio", "flask_login", "flask_wtf")
# Only the composition root (ivr/app.py), the one CLI app context, `ivr serve` and the QA tools build
# the app; everything else is handed its parts.
FACTORY = ("ivr.app", "ivr.create_app")
BUILDERS = {"__init__", "app", "cli_app", "serve", "qa"}
RULES = {
    # The conversation is pure: the standard library and itself.
    "flows": within("ivr.flows"),
    # Settings types and parsers, below config: the standard library only.
    "settings": within("ivr.settings"),
    "config": within("ivr.config", "ivr.settings", "ivr.flows", "ivr.locales", "flask"),  # flask: lazily, for the instance folder
    # The packs as data; ivr.locales.lexicon hands the flow its words as the flow's own types.
    "locales": within("ivr.locales", "yaml", "ivr.flows"),
    "clock": within("ivr.clock"),
    "pools": within("ivr.pools"),
    "metrics": within("ivr.metrics", "prometheus_client"),
    "logs": within("ivr.logs", "ivr.store.phones", "ivr.locales.texts"),  # every pack's address words
    "runtime": within("ivr.runtime", "flask", "sqlalchemy", "ivr.calls", "ivr.clock", "ivr.config", "ivr.flows",
                      "ivr.speech"),  # types only
    # Adapters translate; the call service does the storage work.
    "telephony": lambda name: top(name) == "sqlalchemy" or name.startswith(("ivr.store", "ivr.console", "ivr.qa", "ivr.mail")),
    # The mail adapter reads letters and talks IMAP and SMTP; the service does the storage work
    # (its command opens the app through the CLI's one app context).
    "mail": lambda name: top(name) in ("sqlalchemy", "flask")
    or (name.startswith(("ivr.store", "ivr.console", "ivr.qa", "ivr.telephony", "ivr.runtime")) and name != "ivr.store.phones"),
    # The Telegram adapter reads updates and calls the Bot API; the service does the storage work.
    "telegram": lambda name: top(name) in ("sqlalchemy", "twilio")
    or name.startswith(("ivr.store", "ivr.console", "ivr.qa", "ivr.telephony", "ivr.mail")),
    # The service knows no transport and no web framework.
    "calls": lambda name: top(name) in WEB or name.startswith(("ivr.telephony", "ivr.console", "ivr.qa", "ivr.mail", "ivr.runtime")),
    # The console reads through queries and changes data through the store; the flow's public names
    # only; it is handed its parts (ConsoleParts), not the app's Runtime.
    "console": lambda name: name.startswith(("ivr.flows.", "ivr.telephony", "ivr.calls", "ivr.qa", "ivr.runtime")),
    "store": lambda name: top(name) in ("twilio", "werkzeug")
    or name.startswith(("ivr.telephony", "ivr.console", "ivr.calls", "ivr.qa", "ivr.mail", "ivr.speech", "ivr.runtime")),
    "speech": lambda name: top(name) in ("flask", "sqlalchemy") or top(name) in WEB
    or name.startswith(("ivr.telephony", "ivr.console", "ivr.calls", "ivr.store", "ivr.qa", "ivr.mail", "ivr.runtime")),
    "recordings": ivr_only("ivr.recordings", "ivr.config"),
    "retention": ivr_only("ivr.retention", "ivr.cli_app", "ivr.clock", "ivr.config", "ivr.recordings", "ivr.store"),
    # The QA tools drive the app from outside; nothing of the product imports them.
    "qa": lambda name: False,
    # The root modules.
    "__init__": ivr_only("ivr.app"),
    "__main__": ivr_only("ivr.cli"),
    "app": lambda name: name.startswith("ivr.qa"),
    "cli": ivr_only("ivr.flows", "ivr.settings"),
    "cli_app": ivr_only("ivr.app", "ivr.runtime", "ivr.store.migrate"),
    "gunicorn_conf": ivr_only(),
    "health": lambda name: name.startswith(("ivr.telephony", "ivr.console", "ivr.calls", "ivr.qa")),
    "monitoring": ivr_only("ivr.config", "ivr.logs", "ivr.metrics"),
    "notices": ivr_only("ivr.cli_app", "ivr.config", "ivr.channels"),
    # The channel registry: each text channel's adapter, traits and notifier.
    "channels": lambda name: name.startswith(("ivr.qa", "ivr.console", "ivr.app")),
    "serve": lambda name: name.startswith(("ivr.qa", "ivr.telephony", "ivr.calls")),
}  # fmt: skip


def lookups(unit: str) -> list[str]:
    """Where a file takes the app's look-ups from ivr.runtime (`runtime()`, its KEY): anything of it but
    the `Runtime` type, which names what a blueprint or service is handed."""
    found = []
    for path in files(unit):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names if alias.name == "ivr.runtime"]
            elif isinstance(node, ast.ImportFrom) and node.module == "ivr.runtime":
                names = [f"ivr.runtime.{alias.name}" for alias in node.names if alias.name != "Runtime"]
            elif isinstance(node, ast.ImportFrom) and node.module == "ivr":
                names = [f"ivr.{alias.name}" for alias in node.names if alias.name == "runtime"]
            else:
                continue
            found += [f"{path.relative_to(PACKAGE.parent)}:{node.lineno} imports {name}" for name in names]
    return found


def units() -> set[str]:
    """Every package of ivr and every root module."""
    return {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()} | {
        p.stem for p in PACKAGE.glob("*.py")
    }


def test_every_package_and_root_module_has_a_rule():
    assert units() == set(RULES)


@pytest.mark.parametrize("unit", sorted(RULES))
def test_each_layer_imports_only_what_it_may(unit):
    assert violations(unit, RULES[unit]) == []


# Parts are handed over when a blueprint or service is built: only what builds the app looks it up.
ROOT = BUILDERS | {"runtime"}


@pytest.mark.parametrize("unit", sorted(set(RULES) - ROOT))
def test_below_the_root_nothing_looks_the_app_up(unit):
    assert lookups(unit) == []


# What importing a module may load, in a fresh interpreter: the rules above hold for what a file
# names; these hold for everything that comes with it.
LOADS_NOT = {
    "ivr.flows": ("flask", "werkzeug", "sqlalchemy", "yaml", "ivr.config", "ivr.store", "ivr.calls"),
    "ivr.speech": ("sqlalchemy", "flask", "ivr.store", "ivr.calls", "ivr.telephony"),
    "ivr.speech.service": ("sqlalchemy", "flask", "ivr.store", "ivr.calls", "ivr.telephony"),
    "ivr.calls": ("flask", "twilio", "werkzeug", "ivr.telephony", "ivr.console", "ivr.mail", "ivr.runtime"),
    "ivr.config": (
        "flask",
        "sqlalchemy",
        "ivr.calls",
        "ivr.store",
        "ivr.mail",
        "ivr.speech",
        "ivr.telephony",
    ),
    "ivr": ("flask", "sqlalchemy", "ivr.app", "ivr.config"),
}


def loaded(module: str) -> list[str]:
    script = f"import sys, {module}\nprint('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=PACKAGE.parent, env={"PATH": "/usr/bin:/bin"})  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.parametrize("module", sorted(LOADS_NOT))
def test_importing_a_layer_loads_only_what_it_may(module):
    forbidden = LOADS_NOT[module]
    assert [
        m for m in loaded(module) if m in forbidden or m.startswith(tuple(f + "." for f in forbidden))
    ] == []


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
