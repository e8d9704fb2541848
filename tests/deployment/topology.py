"""The reference deployment on one machine: nginx with TLS (deploy/nginx-site.conf) over gunicorn nodes.

Used by tests/deployment and benchmarks/proxy.py. Everything nginx writes (pid, logs, temporary
bodies) stays in the folder it is given; nginx runs in the foreground as a child of the caller.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.serving import ROOT, free_port, gunicorn_command, stop

SITE = ROOT / "deploy" / "nginx-site.conf"
# The production command of docs/DEPLOYMENT.md, with two workers: the model shared copy-on-write.
NODE_OPTIONS = ("--preload", "-w", "2")


def render_site(nodes: list[str], listen: str, server_name: str, certificate: Path, key: Path,
                timeouts: dict[str, str] | None = None) -> str:  # fmt: skip
    """deploy/nginx-site.conf with its placeholders filled in, and any of its client timeouts
    (`client_header_timeout` and the like, each in the template) set otherwise."""
    values = {
        "@NODES@": "\n    ".join(f"server {node};" for node in nodes),
        "@LISTEN@": listen,
        "@SERVER_NAME@": server_name,
        "@CERTIFICATE@": str(certificate),
        "@CERTIFICATE_KEY@": str(key),
    }
    site = SITE.read_text()
    for placeholder, value in values.items():
        site = site.replace(placeholder, value)
    assert not re.search(r"@[A-Z_]+@", site), "a placeholder of nginx-site.conf is not filled"
    for name, value in (timeouts or {}).items():
        site, found = re.subn(rf"^(\s*){name} \S+;$", rf"\g<1>{name} {value};", site, flags=re.M)
        assert found == 1, f"nginx-site.conf sets {name} {found} times"
    return site


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, made with openssl; (certificate, key)."""
    certificate, key = folder / "proxy.crt", folder / "proxy.key"
    # ECDSA P-256: a TLS handshake costs the proxy a fraction of what an RSA key does.
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(certificate)], check=True, capture_output=True)  # fmt: skip
    return certificate, key


def main_config(folder: Path, site: Path) -> str:
    """nginx.conf around the site: one worker (round-robin is per worker), all paths in `folder`."""
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers that can read the folder
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\nevents {{ worker_connections 1024; }}\n"
        f"http {{\n  access_log {folder / 'access.log'};\n"
        f"  client_body_temp_path {temp['body']};\n  proxy_temp_path {temp['proxy']};\n"
        f"  fastcgi_temp_path {temp['fastcgi']};\n  uwsgi_temp_path {temp['uwsgi']};\n"
        f"  scgi_temp_path {temp['scgi']};\n  include {site};\n}}\n"
    )


@contextmanager
def nginx(folder: Path, nodes: list[str], port: int, timeouts: dict[str, str] | None = None) -> Iterator[str]:
    """Run nginx on `port` in front of `nodes` (host:port); yield its https base URL. The certificate
    (self-signed, for 127.0.0.1) is `folder`/proxy.crt; `timeouts` as render_site's."""
    folder.mkdir(parents=True, exist_ok=True)
    certificate, key = self_signed(folder)
    site = folder / "site.conf"
    site.write_text(render_site(nodes, f"127.0.0.1:{port}", "localhost", certificate, key, timeouts))
    config = folder / "nginx.conf"
    config.write_text(main_config(folder, site))
    with (folder / "stderr.log").open("w") as stderr:
        proc = subprocess.Popen([nginx_binary(), "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log")],
                                stdout=stderr, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        _wait_for_port(port, proc, folder)
        yield f"https://127.0.0.1:{port}"
    finally:
        proc.terminate()  # SIGTERM: nginx's fast shutdown
        proc.wait(timeout=10)


def nginx_binary() -> str | None:
    """Debian's nginx is in /usr/sbin, which a user's PATH may lack."""
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _wait_for_port(port: int, proc: subprocess.Popen, folder: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    proc.kill()
    logs = "\n".join(p.read_text() for p in (folder / "stderr.log", folder / "error.log") if p.exists())
    raise AssertionError("nginx did not come up:\n" + logs)


@contextmanager
def node(env: dict, name: str, folder: Path, options: tuple[str, ...] = NODE_OPTIONS,
         wait_s: float = 120.0, port: int | None = None) -> Iterator[str]:  # fmt: skip
    """One app node: the production gunicorn command on a loopback port (a free one unless given: a
    node restarted behind nginx takes its old port again), its own instance folder and logs, named
    `name` (X-IVR-Node); yield host:port once /healthz/ready says it takes calls."""
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    env = {**env, "IVR_NODE_NAME": name, "IVR_INSTANCE_DIR": str(folder),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))}  # fmt: skip
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # each node counts in a folder of its own
    log = folder / "gunicorn.log"
    command = gunicorn_command(port, *options, "--error-logfile", str(log))
    with (folder / "stderr.log").open("w") as stderr:
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=stderr, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + wait_s
        while not _ready(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(f"node {name} did not come up:\n" + (folder / "stderr.log").read_text())
            time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        stop(proc)


def _ready(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz/ready", timeout=2).status_code == 200
    except requests.RequestException:
        return False
