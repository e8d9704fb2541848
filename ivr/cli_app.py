"""The one app context of the `ivr` commands: the app built by the composition root, its parts typed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ivr.runtime import Runtime


@contextmanager
def app_context(ready: bool = True) -> Iterator[Runtime]:
    """The app's parts for a command's storage work (no speech models, which would only cost seconds to
    load), on a database that is reachable and migrated unless `ready` is False (`ivr db upgrade`)."""
    from ivr.app import create_app
    from ivr.runtime import runtime
    from ivr.store.migrate import check_ready

    app = create_app({"RECOGNIZERS": {}})
    with app.app_context():
        if ready:
            check_ready(runtime(app).sessions)
        yield runtime(app)
