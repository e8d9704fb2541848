"""Benchmark `ivr mail poll --once` on a mailbox of 1,000 letters, and a run killed with kill -9.

    python benchmarks/mail.py [--letters 1000] [--database URL]

A real dovecot (IMAPS, self-signed) and aiosmtpd (SMTPS) on free ports, as in tests/mail; the
database is a fresh SQLite file unless --database names an empty PostgreSQL one. Each letter is
one customer's reading. Run 1 times one `--once` over the whole mailbox. Run 2 fills a second
folder, kills the poller with SIGKILL when half the letters have rows, polls again, and counts
rows, readings and replies: each letter once, each reply once except at most one in the window
between SMTP's acceptance and the replied_at commit (docs/DESIGN.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402

from ivr.clock import wall
from tests.conftest import ACCOUNTS_CSV  # noqa: E402
from tests.mail.servers import (  # noqa: E402
    PASSWORD,
    USER,
    Collector,
    Dovecot,
    certificate,
    dovecot_folder,
    free_port,
    tls_server_context,
)

HOTLINE = "meters@utility.example"


def ivr(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ivr", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


def fill(dovecot: Dovecot, folder: str, letters: int) -> float:
    started = time.perf_counter()
    with dovecot.client() as client:
        client.create(folder)
        for i in range(letters):
            m = EmailMessage()
            m["From"], m["To"], m["Subject"] = f"customer{i}@example.org", HOTLINE, "Показания"
            m["Message-ID"] = f"<{folder}-{i}@example.org>"
            m.set_content(f"Добрый день!\n100001 {1001 + i}\n-- \nС уважением\n")
            client.append(folder, None, None, m.as_bytes())
    return time.perf_counter() - started


def count(url: str, folder: str) -> tuple[int, int]:
    engine = create_engine(url)
    with engine.connect() as c:
        like = {"p": f"<{folder}-%"}
        rows = c.execute(text("SELECT count(*) FROM messages WHERE external_id LIKE :p"), like).scalar()
        readings = c.execute(text("SELECT count(*) FROM readings r JOIN messages m ON r.message_id = m.id "
                                  "WHERE m.external_id LIKE :p"), like).scalar()  # fmt: skip
    engine.dispose()
    return rows, readings


def service_alone(url: str, letters: int) -> float:
    """The same readings straight into MessageService.receive, in this process: what the mail costs on top."""

    from ivr import create_app
    from ivr.calls.messages import Incoming
    from ivr.runtime import runtime

    app = create_app({"IVR_DATABASE_URL": url, "RECOGNIZERS": {}, "IVR_DEMO": True})
    started = time.perf_counter()
    with app.app_context():
        for i in range(letters):
            now = wall()
            runtime(app).messages.receive(Incoming("email", f"<S-{i}@example.org>", f"direct{i}@example.org",
                                                   f"100001 {5001 + i}", now))  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--database")
    args = parser.parse_args()
    from aiosmtpd.controller import Controller

    work = dovecot_folder()
    dovecot = Dovecot(work, certificate(work)[0])
    dovecot.start()
    handler = Collector()
    smtp = Controller(handler, hostname="127.0.0.1", port=free_port(),
                      ssl_context=tls_server_context(dovecot.cert, dovecot.cert.with_name("key.pem")))  # fmt: skip
    smtp.start()
    url = args.database or f"sqlite:///{work / 'ivr.sqlite3'}"
    env = {**os.environ, "IVR_DEMO": "1", "IVR_DATABASE_URL": url, "IVR_INSTANCE_DIR": str(work), "IVR_MAIL_FROM": HOTLINE,
           "IVR_IMAP_USER": USER, "IVR_IMAP_PASSWORD": PASSWORD, "IVR_MAIL_CA_FILE": str(dovecot.cert),
           "IVR_SMTP_URL": f"smtps://127.0.0.1:{smtp.port}"}  # fmt: skip
    (work / "accounts.csv").write_text(ACCOUNTS_CSV)
    for setup in (["db", "upgrade"], ["accounts", "import", str(work / "accounts.csv")]):
        assert ivr(env, *setup).wait() == 0, setup
    try:
        print(f"load: {os.getloadavg()}")
        print(f"fill A: {fill(dovecot, 'A', args.letters):.1f} s for {args.letters} IMAP APPENDs")
        started = time.perf_counter()
        run = ivr(
            {**env, "IVR_IMAP_URL": f"imaps://127.0.0.1:{dovecot.imaps_port}/A"}, "mail", "poll", "--once"
        )
        out, err = run.communicate()
        took = time.perf_counter() - started
        print(f"run 1: {took:.1f} s, {args.letters / took:.1f} letters/s: {out.strip()} {err.strip()[-300:]}")
        print(f"       rows, readings: {count(url, 'A')}; replies: {len(handler.letters)}")
        alone = service_alone(url, args.letters)
        print(
            f"service alone: {alone:.1f} s, {args.letters / alone:.1f} letters/s ({alone / took:.0%} of run 1)"
        )

        handler.letters.clear()
        fill(dovecot, "B", args.letters)
        b = {**env, "IVR_IMAP_URL": f"imaps://127.0.0.1:{dovecot.imaps_port}/B"}
        run = ivr(b, "mail", "poll", "--once")
        while count(url, "B")[0] < args.letters // 2:
            time.sleep(0.05)
        run.send_signal(signal.SIGKILL)
        run.wait()
        killed_at = count(url, "B")
        replies_at = len(handler.letters)
        out, err = ivr(b, "mail", "poll", "--once").communicate()
        rows, readings = count(url, "B")
        ids = [r["In-Reply-To"] for r in handler.letters]
        print(
            f"run 2: killed -9 at {killed_at[0]} rows / {replies_at} replies; again: {out.strip()} {err.strip()[-300:]}"
        )
        print(f"       rows {rows}, readings {readings}, replies {len(ids)}, letters answered {len(set(ids))}, "
              f"answered twice {len(ids) - len(set(ids))}")  # fmt: skip
        print(f"load: {os.getloadavg()}")
    finally:
        smtp.stop()
        dovecot.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    tempfile.tempdir = None
    main()
