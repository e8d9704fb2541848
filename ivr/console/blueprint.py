"""The console blueprint: every page needs a login, and answers are never cached."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from ivr.console import i18n
from ivr.console.charts import share
from ivr.console.roles import may

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

OPEN_ENDPOINTS = {"console.login", "console.static"}
# Pages show personal data: no third-party content, no framing, nothing inline but styles in CSS.
POLICY = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


@bp.context_processor
def helpers() -> dict:
    """Let templates translate, ask for permissions and draw gauges."""
    return {"may": may, "share": share, **i18n.template_globals()}


@bp.before_request
def require_login() -> Response | None:
    """Send anonymous visitors of any console page to the login form."""
    if request.endpoint in OPEN_ENDPOINTS or current_user.is_authenticated:
        return None
    from ivr.console.auth import login_manager

    return login_manager.unauthorized()


@bp.after_request
def protect(response: Response) -> Response:
    """Keep console pages out of caches and frames; remember the chosen language."""
    i18n.remember(response)
    response.headers.setdefault("Content-Security-Policy", POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "console.static":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_errorhandler(HTTPException)
def error_page(error: HTTPException) -> Response | HTTPException:
    """Show console errors (403, 404, 429, CSRF) as console pages; leave other URLs alone."""
    if not request.path.startswith(bp.url_prefix + "/") or (error.code or 0) < 400:
        return error
    page = render_template("console/error.html", error=error)
    return Response(page, status=error.code)
