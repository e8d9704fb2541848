"""What serving the media streams' sockets costs, three ways.

Usage: python benchmarks/sockets.py [--streams 20] [--seconds 10] [--rounds 3]

- flask-sock under gunicorn's threads: a reader thread per socket beside the request's thread;
- sans-io: the `websockets` library's protocol on the request's own thread (ivr/telephony/websocket.py),
  reading every message as it comes, or a quiet line in batches as ivr/telephony/media.py does;
- an asyncio loop with the `websockets` library's server.

Every server only receives: each parses the JSON of every message and decodes its base64 payload, as
the app does before listening, and at the end says how many it took (checked). Twilio's side is one
asyncio process sending 20 ms mu-law messages in real time on every stream. Reported: each server's
CPU, in % of a core, for the streams together and per stream, measured in turns in one run (the
machine is shared and noisy)."""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from load import free_port, wait_for

from ivr.telephony.media import QUIET_READ_S

ROOT = Path(__file__).resolve().parent.parent

FLASK_SOCK = """
import base64, json
from flask import Flask
from flask_sock import Sock
app = Flask(__name__)
sock = Sock(app)
@app.get("/healthz")
def healthz():
    return "ok"
@sock.route("/stream")
def stream(ws):
    count = 0
    while True:
        message = json.loads(ws.receive(timeout=5) or '{"event": "stop"}')
        if message["event"] == "stop":
            ws.send(str(count))
            return
        base64.b64decode(message["media"]["payload"])
        count += 1
"""

SANS_IO = """
import base64, json, os, time
from flask import Flask, request
from ivr.telephony.websocket import WebSocket
QUIET_READ_S = float(os.environ["QUIET_READ_S"])
app = Flask(__name__)
@app.get("/healthz")
def healthz():
    return "ok"
@app.route("/stream", websocket=True)
def stream():
    ws = WebSocket(request.environ, list(request.headers.items()), 8192)
    count = 0
    while True:
        if not ws.buffered:
            time.sleep(QUIET_READ_S)
        message = json.loads(ws.receive(5) or '{"event": "stop"}')
        if message["event"] == "stop":
            ws.protocol.send_text(str(count).encode())
            ws.close()
            return ws.response()
        base64.b64decode(message["media"]["payload"])
        count += 1
"""

ASYNCIO = """
import asyncio, base64, json, sys
import websockets
async def stream(ws):
    count = 0
    async for raw in ws:
        message = json.loads(raw)
        if message["event"] == "stop":
            await ws.send(str(count))
            return
        base64.b64decode(message["media"]["payload"])
        count += 1
async def main():
    async with websockets.serve(stream, "127.0.0.1", int(sys.argv[1]), max_size=8192, compression=None):
        await asyncio.Future()
asyncio.run(main())
"""


def cpu_seconds(pid: int) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    fields = [Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split() for p in pids]
    return sum(int(f[11]) + int(f[12]) for f in fields) / ticks


async def twilio(url: str, streams: int, seconds: float) -> None:
    import websockets

    payload = base64.b64encode(b"\xff" * 160).decode()

    async def one() -> None:
        async with websockets.connect(url, compression=None) as ws:
            due = time.monotonic()
            for n in range(int(seconds / 0.02)):
                media = {"track": "inbound", "chunk": str(n), "timestamp": str(n * 20), "payload": payload}
                await ws.send(json.dumps({"event": "media", "sequenceNumber": str(n), "media": media}))
                due += 0.02
                await asyncio.sleep(max(0.0, due - time.monotonic()))
            await ws.send(json.dumps({"event": "stop"}))
            heard = int(await ws.recv())
            assert heard == n + 1, f"the server heard {heard} of {n + 1} messages"

    await asyncio.gather(*(one() for _ in range(streams)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ivr-sockets-") as folder:
        Path(folder, "flask_sock_app.py").write_text(FLASK_SOCK)
        Path(folder, "asyncio_server.py").write_text(ASYNCIO)
        Path(folder, "sans_io_app.py").write_text(SANS_IO)
        names = [
            "flask-sock",
            "sans-io, every message",
            f"sans-io, quiet line every {QUIET_READ_S} s",
            "asyncio",
        ]
        ports = {name: free_port() for name in names}
        gunicorn = ["-m", "gunicorn", "-w", "1", "-k", "gthread", "--threads", "64", "-b"]
        servers = {
            names[0]: ([*gunicorn, f"127.0.0.1:{ports[names[0]]}", "flask_sock_app:app"], 0),
            names[1]: ([*gunicorn, f"127.0.0.1:{ports[names[1]]}", "sans_io_app:app"], 0),
            names[2]: ([*gunicorn, f"127.0.0.1:{ports[names[2]]}", "sans_io_app:app"], QUIET_READ_S),
            names[3]: (["asyncio_server.py", str(ports[names[3]])], 0),
        }
        servers = {name: subprocess.Popen([sys.executable, *command], cwd=folder, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL,
                                          env={**os.environ, "PYTHONPATH": str(ROOT), "QUIET_READ_S": str(quiet)})
                   for name, (command, quiet) in servers.items()}  # fmt: skip
        try:
            for name in names[:3]:
                wait_for(f"http://127.0.0.1:{ports[name]}")
            time.sleep(1)
            print(
                f"{args.streams} silent streams for {args.seconds:.0f} s; load average {os.getloadavg()[0]:.1f}"
            )
            for round_ in range(1, args.rounds + 1):
                for name, server in servers.items():
                    before = cpu_seconds(server.pid)
                    asyncio.run(twilio(f"ws://127.0.0.1:{ports[name]}/stream", args.streams, args.seconds))
                    share = (cpu_seconds(server.pid) - before) / args.seconds * 100
                    print(
                        f"round {round_}, {name}: {share:.1f}% of a core, {share / args.streams:.2f}% a stream"
                    )
        finally:
            for server in servers.values():
                server.terminate()
                server.wait(timeout=10)


if __name__ == "__main__":
    main()
