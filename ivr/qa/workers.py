"""Replay in-process cases on several processes: the flow is Python, so threads would share one core."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing.util import Finalize

from ivr.qa.cases import Case
from ivr.qa.hearing import engine
from ivr.qa.recordings import LocalRecordings
from ivr.qa.replay import run_case
from ivr.qa.results import CaseResult
from ivr.qa.targets import InProcess

_target: InProcess | None = None  # each worker process's own apps and audio server


def run_in_processes(cases: list[Case], jobs: int, progress: Callable[[CaseResult], None] | None = None,
                     stream_speed: float | None = None) -> list[CaseResult]:  # fmt: skip
    """Replay cases on `jobs` forked processes; results come back in the cases' order.

    With stream_speed, each case is a streamed call, its audio sent that much faster than real time.
    """
    # Load the models here, before forking, so that every worker shares one copy of each (a Vosk
    # model is 550 MB). Only loaded, never used: the decoding pool is made in each worker.
    for locale in sorted({c.locale for c in cases if c.says_wav()}):
        engine(locale)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start, initargs=(stream_speed,)) as pool:
        futures = [pool.submit(_run, case) for case in cases]
        for future in as_completed(futures):
            if progress:
                progress(future.result())
    return [future.result() for future in futures]


def _start(stream_speed: float | None) -> None:
    global _target
    recordings = LocalRecordings().start()
    if stream_speed:
        from ivr.qa.streamed import StreamedInProcess

        _target = StreamedInProcess(recordings, stream_speed)
    else:
        _target = InProcess(recordings)
    # A pool worker leaves through os._exit, which skips atexit: clean up on multiprocessing's exit.
    Finalize(_target, _target.close, exitpriority=10)
    Finalize(recordings, recordings.close, exitpriority=10)


def _run(case: Case) -> CaseResult:
    return run_case(case, _target)
