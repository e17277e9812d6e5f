"""Fair shares on the question routes: one client address cannot crowd out the others.

Every question (the chat's submit, a click on an example, the API's ``/ask``) is one event in Gradio's shared
queue, all of them under one concurrency id. :class:`FairShare` is the accounting; the check runs in
:class:`qa.web.guard.UploadGuard`, in front of Gradio, on the two routes by which an event enters the queue
(``/gradio_api/queue/join``, ``/gradio_api/call/<name>``): an address that already has ``per_client`` questions
answering or waiting is refused at once with HTTP 429, a message saying when to try again and a ``Retry-After``
header. The refused call never reaches Gradio: no queue place, no answering slot, not even a thread of
Gradio's request handling; nobody else waits for it. Other events (documents, uploads, the page's own calls)
pass as they are.

What an address holds is read from Gradio's own queue at each check: the events it has queued or running, which
Gradio lets go of when an answer is sent, when it fails, when the client cancels and when the client's stream
disconnects; plus the calls this check let through a moment ago that Gradio has not registered yet. Nothing is
remembered per address beyond those (no slot can leak; memory stays within the queue's own bound). Addresses
are keyed as the admin throttle keys them (:func:`qa.web.admin.client_key`: IPv6 by its /64); behind a proxy
named in ``QA_WEB_TRUSTED_PROXY`` the address is the one it forwards.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from dataclasses import dataclass

from .admin import client_key

log = logging.getLogger(__name__)
LOG_EVERY_S = 10.0  # refusals are logged as one line per this many seconds, however many there are


@dataclass(frozen=True)
class Refusal:
    message: str
    wait_s: int  # whole seconds, for the message and the Retry-After header


def refusal_text(held: int, wait_s: int) -> str:
    return (f"同一地址的问题太多（{held} 个正在回答或排队）：请 {wait_s} 秒后再试。 Too many questions from this address "
            f"({held} being answered or waiting): try again in {wait_s} s.")


class FairShare:
    """At most ``per_client`` questions per client address answering or waiting in a Gradio app's queue
    (the events of ``concurrency_id``). :meth:`attach` it to the Blocks once its queue is set up."""

    def __init__(self, per_client: int, concurrency_id: str, clock=time.monotonic):
        self.per_client, self.concurrency_id, self.clock = per_client, concurrency_id, clock
        self.blocks = None
        self._admitting: Counter[str] = Counter()  # address → calls let through, not yet registered by Gradio
        self.refused = 0  # refusals since the start
        self._logged_at, self._logged_refused = -math.inf, 0

    def attach(self, blocks) -> "FairShare":
        self.blocks = blocks
        return self

    @property
    def queue(self):
        return self.blocks._queue

    # ---------------------------------------------------------------- which calls are questions

    def is_question_api(self, api_name: str) -> bool:
        """Whether ``/gradio_api/call/<api_name>`` asks a question."""
        return any(fn.api_name == api_name and fn.concurrency_id == self.concurrency_id
                   for fn in self.blocks.fns.values())

    def is_question_event(self, fn_index: object) -> bool:
        """Whether a queue/join of ``fn_index`` asks a question."""
        fn = self.blocks.fns.get(fn_index) if isinstance(fn_index, int) else None
        return fn is not None and fn.concurrency_id == self.concurrency_id

    # ---------------------------------------------------------------- the accounting

    def _events(self, key: str) -> list:
        return [e for e in list(self.queue.event_ids_to_events.values())
                if e.concurrency_id == self.concurrency_id and client_key(_host(e.request)) == key]

    def held(self, client: str | None) -> int:
        """Questions from this client's address answering or waiting (or let through a moment ago)."""
        key = client_key(client)
        return len(self._events(key)) + self._admitting.get(key, 0)

    def refusal(self, client: str | None) -> Refusal | None:
        """Why a question from this client address is refused now (it has its share already), or None. Never waits."""
        held = self.held(client)
        if held < self.per_client:
            return None
        key, wait = client_key(client), self.wait_s(client)
        self.refused += 1
        now = self.clock()
        if now - self._logged_at >= LOG_EVERY_S:
            log.warning("refused %d question(s) from addresses past their share of %d (the latest from %s)",
                        self.refused - self._logged_refused, self.per_client, key)
            self._logged_at, self._logged_refused = now, self.refused
        return Refusal(refusal_text(held, wait), wait)

    def admit(self, client: str | None):
        """Count a question let through until Gradio has registered it; returns the (idempotent) release,
        to call once Gradio answered the call that queued it (or failed to)."""
        key = client_key(client)
        self._admitting[key] += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._admitting[key] -= 1
                if not self._admitting[key]:
                    del self._admitting[key]

        return release

    def wait_s(self, client: str | None) -> int:
        """Whole seconds until this client's first question is likely answered: the mean answer time, times the
        rounds of answering before it (queued ones are answered ``concurrency`` at a time)."""
        key = client_key(client)
        mean = [t.avg_time for fn, t in list(self.queue.process_time_per_fn.items())
                if fn.concurrency_id == self.concurrency_id and t.count]
        answer_s = max(mean) if mean else 1.0
        waiting = self.queue.event_queue_per_concurrency_id.get(self.concurrency_id)
        queued = list(waiting.queue) if waiting is not None else []
        mine = [i for i, e in enumerate(queued) if client_key(_host(e.request)) == key]
        if not mine or len(mine) < len(self._events(key)):
            rounds = 1  # one of its questions is being answered now
        else:  # all waiting: the ones running now, then the rounds ahead of its first
            rounds = mine[0] // max(1, waiting.concurrency_limit or 1) + 2
        return max(1, math.ceil(answer_s * rounds))


def _host(request) -> str | None:
    client = getattr(request, "client", None)
    return getattr(client, "host", None)
