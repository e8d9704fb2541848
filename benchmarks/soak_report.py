"""What benchmarks/soak.py prints at the end: readings confirmed against stored, 5xx, latency, memory."""

from __future__ import annotations

import os
import platform
import re
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from benchmarks.soak_traffic import STORED, told_saved
from ivr.qa.load import Percentiles
from ivr.store.models import Call, Message, Reading

STATUS = re.compile(r'" (\d{3}) ')
GROWTH_AFTER_S = 120.0  # the first two minutes fill caches, pools and the model's pages: not growth


def report(args, seconds, watch, load, results, texts, collector, url, folder: Path, cpu: float) -> None:  # noqa: ANN001
    engine = create_engine(url)
    with engine.connect() as conn:
        by_call = dict(conn.execute(select(Call.sid, func.count(Reading.id))
                                    .outerjoin(Reading, Reading.call_id == Call.id).group_by(Call.sid)).all())  # fmt: skip
        by_message = dict(conn.execute(select(Message.external_id, func.count(Reading.id))
                                       .join(Reading, Reading.message_id == Message.id)
                                       .group_by(Message.external_id)).all())  # fmt: skip
        version = conn.execute(text("SHOW server_version")).scalar()
    engine.dispose()
    print(f"\n== soak: {seconds / 60:.1f} min on {os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
          f"PostgreSQL {version}; load average at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"machine busy {cpu:.0%} over the run (all users)")  # fmt: skip
    print(f"traffic: {args.keypad} keypad + {args.streamed} streamed callers, {args.sms_rate} SMS/s, "
          f"a letter every {args.letter_every} s; gunicorn --preload -w 2 -k gthread --threads {args.threads} x 2 nodes")  # fmt: skip
    for event in watch.events:
        print(f"  {event}")
    confirmed_vs_stored(results, by_call, by_message, texts, collector)
    statuses = Counter()
    for line in (folder / "nginx" / "access.log").read_text(errors="replace").splitlines():
        if found := STATUS.search(line):
            statuses[found.group(1)] += 1
    fives = {s: n for s, n in statuses.items() if s.startswith("5")}
    print(f"nginx answers: {sum(statuses.values())}, 5xx: {sum(fives.values())} {fives or ''}")
    everything = [x for stats in load.values() for x in stats.latencies]
    print(f"webhooks, all: {Percentiles.of(everything)} (n={len(everything)})")
    for kind, stats in load.items():
        errors = dict(stats.errors.most_common(5))
        print(f"  {kind}: {Percentiles.of(stats.latencies)} (n={len(stats.latencies)}); errors {errors or 0}")
    memory(watch, seconds)
    for name in ("a", "b"):
        print(f"node {name} log errors: {log_errors(folder / name / 'gunicorn.log')}")
    print(f"mail poller log errors: {log_errors(folder / 'poller.log')}")


def confirmed_vs_stored(results, by_call, by_message, texts, collector) -> None:  # noqa: ANN001
    played = [(case, r) for case, r in results if r.sid]
    told = {r.sid: told_saved(r) for _, r in played}
    lost = sorted(sid for sid, n in told.items() if n > by_call.get(sid, 0))
    exact = sum(r.passed for _, r in played)
    print(f"calls: {len(played)} ({exact} exactly as their case expects); readings heard accepted "
          f"{sum(told.values())}, stored for those calls {sum(by_call.get(s, 0) for s in told)}; "
          f"accepted but not stored: {len(lost)} calls {lost[:3]}")  # fmt: skip
    otherwise = Counter(f"{case.name}: {strip(r.failures()[0])}" for case, r in played if not r.passed)
    for why, n in otherwise.most_common(5):
        print(f"  {n} x {why}")
    confirmed = {sid for sid, reply in texts.replies.items() if STORED in reply}
    stored = {sid for sid in texts.replies if by_message.get(sid)}
    print(f"SMS: {len(texts.replies)} sent, {len(confirmed)} answered «{STORED}», {len(stored)} stored; "
          f"confirmed not stored {len(confirmed - stored)}, stored not confirmed {len(stored - confirmed)}")  # fmt: skip
    others = Counter(strip(reply)[:60] for sid, reply in texts.replies.items() if sid not in confirmed)
    if others:
        print(f"  other answers: {dict(others.most_common(3))}")
    replied = {m["In-Reply-To"] for m in collector.letters if STORED in m.get_body().get_content()}
    kept = {mid for mid in texts.letters if by_message.get(mid)}
    print(f"e-mail: {len(texts.letters)} letters, {len(collector.letters)} replies, {len(replied)} «{STORED}», "
          f"{len(kept)} stored; confirmed not stored {len(replied - kept)}, stored not confirmed {len(kept - replied)}")  # fmt: skip


def memory(watch, seconds: float) -> None:  # noqa: ANN001
    """VmRSS growth per 10 minutes, after the first two minutes of each process's life, by least squares."""
    print("memory (VmRSS, MB): first -> last sample, growth per 10 min after its first 2 min:")
    workers = [p for p in watch.rss if watch.role[p].startswith("worker")]
    longest = max(workers, key=lambda p: watch.rss[p][-1][0] - watch.rss[p][0][0], default=None)
    shown = [p for p in watch.rss if watch.role[p].startswith("master")] + ([longest] if longest else [])
    for pid in shown:
        samples = watch.rss[pid]
        (t0, first), (t1, last) = samples[0], samples[-1]
        late = [(t, mb) for t, mb in samples if t >= t0 + GROWTH_AFTER_S] or samples
        label = f"{watch.role[pid]} {pid}" + (" (longest-lived worker)" if pid == longest else "")
        print(f"  {label}: {first:.0f} -> {last:.0f} over {t0:.0f}-{t1:.0f} s; "
              f"{slope(late) * 600:+.1f} MB per 10 min")  # fmt: skip
    others = [p for p in workers if p != longest]
    if others:
        spans = ", ".join(f"{watch.rss[p][-1][1] - watch.rss[p][0][1]:+.0f} in {watch.rss[p][-1][0] - watch.rss[p][0][0]:.0f} s"
                          for p in others)  # fmt: skip
        print(f"  the other {len(others)} workers, first -> last: {spans}")
    roles = Counter()
    for pid, used in watch.cpu.items():
        roles["nodes" if watch.role[pid].startswith(("master", "worker")) else watch.role[pid]] += used
    print(f"the soak's CPU, as last sampled every {watch.every_s:.0f} s: {sum(roles.values()) / seconds:.0%} of one core: "
          + ", ".join(f"{role} {used / seconds:.0%}" for role, used in roles.most_common()))  # fmt: skip


def slope(samples: list[tuple[float, float]]) -> float:
    """MB a second, by least squares."""
    if len(samples) < 2:
        return 0.0
    n = len(samples)
    mt, mm = sum(t for t, _ in samples) / n, sum(m for _, m in samples) / n
    var = sum((t - mt) ** 2 for t, _ in samples)
    return sum((t - mt) * (m - mm) for t, m in samples) / var if var else 0.0


def strip(message: str) -> str:
    """A message without its variable parts (numbers), so that alike ones group."""
    return " ".join(w for w in message.split() if not any(c.isdigit() for c in w))[:140]


def log_errors(log: Path) -> dict[str, int]:
    kinds: Counter = Counter()
    if log.exists():
        for line in log.read_text(errors="replace").splitlines():
            if "ERROR" in line or "CRITICAL" in line or line.startswith("Traceback"):
                kinds[strip(line)[:90]] += 1
    return dict(kinds.most_common(6))
