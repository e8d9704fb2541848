"""Real mail servers for the tests: Debian's dovecot-imapd and aiosmtpd, on free ports, with TLS."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.serving import free_port, stop

USER, PASSWORD = "meters", "throwaway-password"
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost; the tests trust it as their CA."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)  # fmt: skip
    return cert, key


def tls_server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@dataclass
class Dovecot:
    folder: Path
    cert: Path
    imap_port: int = field(default_factory=free_port)  # STARTTLS
    imaps_port: int = field(default_factory=free_port)
    tls: bool = True  # False: a server that offers no TLS at all, which the poller must refuse
    process: subprocess.Popen | None = None

    def start(self) -> None:
        # Dovecot's processes run as the mail user: a folder of their own it may enter, not pytest's.
        owner = pwd.getpwnam("dovecot") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
        login = "dovenull" if os.geteuid() == 0 else owner.pw_name
        for name in ("run", "state", "mail"):
            (self.folder / name).mkdir()
        os.chown(self.folder / "mail", owner.pw_uid, owner.pw_gid)
        (self.folder / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        conf = self.folder / "dovecot.conf"
        conf.write_text(CONF.format(folder=self.folder, cert=self.cert, key=self.cert.with_name("key.pem"),
                                    imap=self.imap_port, imaps=self.imaps_port, user=owner.pw_name, uid=owner.pw_uid,
                                    gid=owner.pw_gid, login=login, ssl="required" if self.tls else "no",
                                    tls_flag="yes" if self.tls else "no"))  # fmt: skip
        log = (self.folder / "dovecot.out").open("wb")
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.imap_port), 0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not listen: {self.log()}")

    def log(self) -> str:
        return "".join(
            p.read_text(errors="replace") for p in self.folder.glob("dovecot.*") if p.suffix != ".conf"
        )

    def stop(self) -> None:
        if self.process:
            stop(self.process, 10)

    def client(self) -> imaplib.IMAP4_SSL:
        context = ssl.create_default_context(cafile=str(self.cert))
        client = imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port, ssl_context=context, timeout=30)
        client.login(USER, PASSWORD)
        return client


CONF = """
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = {ssl}
ssl_cert = <{cert}
ssl_key = <{key}
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = {tls_flag}
auth_mechanisms = plain login
default_internal_user = {user}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:{folder}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={folder}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = {imaps}
    ssl = {tls_flag}
  }}
}}
service anvil {{
  chroot =
}}
"""


def dovecot_folder() -> Path:
    """A folder the mail user may enter (pytest's own are private to the user running the tests)."""
    folder = Path(tempfile.mkdtemp(prefix="ivr-dovecot-"))
    folder.chmod(0o755)
    return folder


class Collector:
    """An aiosmtpd handler that keeps what it accepts, or answers every message with `refuse`."""

    def __init__(self) -> None:
        self.letters: list = []
        self.refuse: str | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001
        if self.refuse:
            return self.refuse
        from email import message_from_bytes, policy

        self.letters.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"
