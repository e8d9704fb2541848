"""The mailbox's and the mail server's settings, parsed and checked (docs/CONFIGURATION.md)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from ivr.settings import ConfigError, server_url

IMAP_PORTS = {"imaps": 993, "imap": 143}
SMTP_PORTS = {"smtps": 465, "smtp": 587}


@dataclass(frozen=True)
class Server:
    """A mail server: imaps:// and smtps:// speak TLS at once, imap:// and smtp:// must STARTTLS."""

    scheme: str
    host: str
    port: int
    path: str = ""  # IMAP: the mailbox to read, INBOX by default
    user: str | None = None
    password: str | None = field(default=None, repr=False)  # never in a log line or a traceback

    @property
    def implicit_tls(self) -> bool:
        return self.scheme.endswith("s")


@dataclass(frozen=True)
class MailSettings:
    imap: Server | None  # IVR_IMAP_URL, IVR_IMAP_USER, IVR_IMAP_PASSWORD
    smtp: Server | None  # IVR_SMTP_URL, IVR_SMTP_USER, IVR_SMTP_PASSWORD
    sender: str | None  # IVR_MAIL_FROM: the replies' From
    ca_file: str | None  # IVR_MAIL_CA_FILE: trust this CA as well (a self-signed test server)
    interval_s: float = 60.0  # IVR_MAIL_INTERVAL_S: between two looks into the mailbox
    done_folder: str | None = None  # IVR_MAIL_DONE_FOLDER: move answered letters there
    timeout_s: float = 30.0  # IVR_MAIL_TIMEOUT_S: a silent server fails the round, never hangs it
    failed_folder: str = "Failed"  # IVR_MAIL_FAILED_FOLDER: letters the hotline could not take

    def tls(self) -> ssl.SSLContext:
        """Certificates are always verified; IVR_MAIL_CA_FILE adds a CA to the system's."""
        context = ssl.create_default_context()
        if self.ca_file:
            context.load_verify_locations(cafile=self.ca_file)
        return context

    def ready(self, reading: bool = True) -> None:
        """Refuse to poll without the mailbox, and to write without the mail server and a From address."""
        needed = [("IVR_SMTP_URL", self.smtp), ("IVR_MAIL_FROM", self.sender)]
        missing = [name for name, value in [("IVR_IMAP_URL", self.imap)] * reading + needed if not value]
        if missing:
            raise ConfigError(f"{' and '.join(missing)}: needed for the e-mail channel")


def server(
    name: str, url: str | None, ports: dict[str, int], user: str | None, password: str | None
) -> Server | None:
    """imaps://host[:port]/INBOX or smtp://host:port; credentials come from their own variables."""
    if not url:
        return None
    if "@" in urlsplit(url).netloc:  # checked first: no error message may repeat a password
        raise ConfigError(f"{name}: put the credentials in {name.removesuffix('URL')}USER and ...PASSWORD")
    parts, port = server_url(name, url, ports, f"an {' or '.join(f'{s}://' for s in ports)}")
    path = unquote(parts.path.strip("/")) or ("INBOX" if "imap" in parts.scheme else "")
    return Server(parts.scheme, parts.hostname or "", port, path, user, password)
