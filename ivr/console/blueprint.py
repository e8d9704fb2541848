"""The console blueprint: every page needs a login, and answers are never cached.

The view modules record their pages on `routes`; each app gets its own blueprint, built by
`blueprint(parts)`, whose views are handed the console's parts as their first argument.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from functools import partial, update_wrapper
from itertools import chain
from typing import TYPE_CHECKING

from flask import Blueprint, Response, abort, render_template, request
from flask_login import LoginManager, current_user
from werkzeug.exceptions import HTTPException

from ivr.console import i18n, outcomes
from ivr.console.charts import share
from ivr.console.roles import may

if TYPE_CHECKING:
    from ivr.console.parts import ConsoleParts

PREFIX = "/console"
OPEN_ENDPOINTS = {"console.login", "console.static"}
# Row ids in URLs: PostgreSQL's integer ends at 2^31 - 1, so a larger id is a 404, not a 500.
ROW_ID = "int(max=2147483647)"
# No console form or link sends control characters; PostgreSQL cannot even store a NUL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Pages show personal data: no third-party content, no framing, nothing inline but styles in CSS.
POLICY = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def console_path() -> bool:
    """Whether this request is for the console, routed or not (a 404 or 405 has no blueprint)."""
    return request.path.startswith(PREFIX + "/")


def refuse_control_characters() -> None:
    """Answer 400 to input no console page sends, before it reaches a query."""
    sent = chain(request.args.items(multi=True), request.form.items(multi=True))
    if CONTROL.search(request.path) or any(CONTROL.search(k + v) for k, v in sent):
        abort(400)


def protect(response: Response) -> Response:
    """Keep console pages, error pages too, out of caches and frames; remember the language."""
    if not console_path():
        return response
    i18n.remember(response)
    response.headers.setdefault("Content-Security-Policy", POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "console.static":
        response.headers["Cache-Control"] = "no-store"
    return response


def error_page(error: HTTPException) -> Response | HTTPException:
    """Show console errors (403, 404, 429, CSRF) as console pages; leave other URLs alone."""
    if not console_path() or (error.code or 0) < 400:
        return error
    page = render_template("console/error.html", error=error)
    return Response(page, status=error.code)


class Routes:
    """The console's pages as the view modules declare them (`@routes.get(rule)`), each view taking
    the console's parts first; `blueprint` adds them to every app's console blueprint."""

    def __init__(self) -> None:
        self.pages: list[tuple[str, Callable, dict]] = []

    def route(self, rule: str, **options: object) -> Callable[[Callable], Callable]:
        def record(view: Callable) -> Callable:
            self.pages.append((rule, view, options))
            return view

        return record

    def get(self, rule: str) -> Callable[[Callable], Callable]:
        return self.route(rule, methods=["GET"])

    def post(self, rule: str) -> Callable[[Callable], Callable]:
        return self.route(rule, methods=["POST"])


routes = Routes()


def blueprint(parts: ConsoleParts, logins: LoginManager) -> Blueprint:
    """One app's console: its pages handed `parts`, anonymous visitors sent to `logins`' form."""
    bp = Blueprint("console", __name__, url_prefix=PREFIX, template_folder="templates",
                   static_folder="static", static_url_path="/static")  # fmt: skip
    for rule, view, options in routes.pages:
        bp.add_url_rule(rule, view.__name__, update_wrapper(partial(view, parts), view), **options)
    bp.before_request(refuse_control_characters)  # first: such input reaches no other handler
    bp.after_app_request(protect)
    bp.app_errorhandler(HTTPException)(error_page)

    @bp.app_context_processor
    def helpers() -> dict:
        """Let templates translate, ask for permissions and draw gauges, error pages included."""
        if not console_path():
            return {}
        return {
            "may": may,
            "share": share,
            "outcome_of": outcomes.shown,
            "zone_label": parts.clock.label,
            **i18n.template_globals(),
        }

    @bp.app_template_filter("local")
    def local_time(moment: datetime | None, form: str = "%d.%m.%Y %H:%M:%S") -> str:
        """{{ call.started_at|local }}: a stored time in the utility's zone."""
        return parts.clock.shown(moment, form)

    @bp.before_request
    def require_login() -> Response | None:
        """Send anonymous visitors of any console page to the login form."""
        if request.endpoint in OPEN_ENDPOINTS or current_user.is_authenticated:
            return None
        return logins.unauthorized()

    return bp
