"""What the stream hears becomes the call's answer: through the call service, once; then the call moves."""

from __future__ import annotations

import logging
import time

from ivr.runtime import Runtime
from ivr.speech.decoder import decoders_for
from ivr.speech.stream import BargeIn, Listener, Question, Utterance
from ivr.speech.telephone import FRAME_BYTES, ulaw_to_pcm, wav
from ivr.telephony import live
from ivr.telephony.listen import kept, spoken, start_keeping
from ivr.telephony.webhooks import link, renderer

log = logging.getLogger(__name__)


class Ears:
    """One call's listener. Runs on the socket's thread, inside the upgrade request's context."""

    def __init__(self, rt: Runtime, sid: str, locale: str) -> None:
        self.rt, self.sid = rt, sid
        decoders = decoders_for(rt.speech.recognizers.get(locale))
        self.listener = decoders and Listener(decoders, locale, rt.speech, self._question)
        if not decoders:
            log.warning("call %s: no streaming recogniser for %s; the stream hears nothing", sid, locale)
        self.updates = live.Updates(rt.config, sid)
        self.renderer = renderer(rt.config)
        self.pcm = bytearray()

    def hear(self, ulaw: bytes) -> None:
        """Take the caller's audio as it comes, and act on what it says."""
        if not self.listener:
            return
        self.pcm += ulaw_to_pcm(ulaw)
        while len(self.pcm) >= FRAME_BYTES:
            frame = bytes(self.pcm[:FRAME_BYTES])
            del self.pcm[:FRAME_BYTES]
            for event in self.listener.feed(frame):
                if isinstance(event, BargeIn):
                    self.updates.listening(link(self.rt.config, "telephony.listening", {"q": event.seq}))
                else:
                    self._answer(event)

    @property
    def idle(self) -> bool:
        """Nothing is being heard now: the line's audio may wait a little before it is read."""
        return not self.listener or self.listener.idle

    def _question(self) -> Question | None:
        listening = self.rt.calls.streams.listening(self.sid)
        return listening and Question(listening.seq, listening.kind, listening.lengths)

    def _answer(self, heard: Utterance) -> None:
        ended = time.perf_counter()  # the listener has just heard the answer end
        path = kept(start_keeping(self.rt.config, self.sid, heard.seq, wav(heard.pcm)), self.sid, heard.seq)
        reply = self.rt.calls.answer(self.sid, heard.seq, spoken(heard.heard, path), self.renderer)
        if reply is not None and not reply.replayed:  # a key press that came first has moved the call
            self.updates.move(link(self.rt.config, "telephony.repeat", {}), ended)
