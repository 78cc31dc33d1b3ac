"""Staff console views (roles and pages: ``bot.web.staff``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.conversation.formatting import DEFAULT_DISPLAY_TZ
from bot.conversation.intents import ROUTED_TO_PEOPLE, SELF_SERVICE_INTENTS
from bot.conversation.outcomes import Outcome
from bot.db import make_engine
from bot.settings import Settings
from bot.transcripts.audit import StaffAccessAudit, StaffAction
from bot.transcripts.containment import CATEGORIES, containment_report
from bot.transcripts.conversations import (
    CHANNEL_ALIASES,
    ConversationArchive,
    InvalidFilter,
)
from bot.transcripts.export import (
    CONVERSATION_COLUMNS,
    TURN_COLUMNS,
    conversation_rows,
    csv_lines,
    turn_rows,
)
from bot.transcripts.handoff_queue import QUEUES, HandoffQueue
from bot.web.auth.guards import current_principal, staff_required
from bot.web.root import web_root
from bot.web.security_headers import page_policy
from bot.web.staff.charts import containment_chart
from bot.web.staff.params import conversation_filter, dashboard_range, page_number

bp = Blueprint(
    "staff",
    __name__,
    url_prefix="/staff",
    static_folder="../static/staff",
    static_url_path="/static",
)
EXTENSION = "policyline.staff"
PER_PAGE = 25
MAX_CONVERSATION_ID = 255
# Staff pages run one script of our own: the sign-in's idle-timeout warning (it polls the
# session status, hence connect-src).
STAFF_CSP = page_policy()
INTENTS = (*SELF_SERVICE_INTENTS, *ROUTED_TO_PEOPLE, "out_of_scope")
FILTER_KEYS = ("channel", "from", "to", "intent", "outcome", "verified", "search")
# Search text may name a person: it is kept in the (server-side) session, never in a URL. The
# query string only says ``search=1`` ("apply the search you typed").
SEARCH_SESSION_KEY = "staff_search"


@dataclass
class StaffServices:
    archive: ConversationArchive
    handoffs: HandoffQueue
    audit: StaffAccessAudit
    app_engine: Engine
    clock: Clock


def init_app(app: Flask) -> None:
    """The services the views use: the app database and clock of the composition root
    (``bot.web.root``), and an engine on the tracker store (``TRACKER_ENGINE`` in
    ``test_config`` replaces it)."""
    settings: Settings = app.config["POLICYLINE_SETTINGS"]
    root = web_root(app)
    tracker_engine = app.config.get("TRACKER_ENGINE") or make_engine(settings.tracker_database_url)
    app_engine = root.engine
    clock = root.clock
    app.extensions[EXTENSION] = StaffServices(
        archive=ConversationArchive(tracker_engine, app_engine),
        handoffs=HandoffQueue(app_engine),
        audit=StaffAccessAudit(app_engine, clock=clock),
        app_engine=app_engine,
        clock=clock,
    )


def _services() -> StaffServices:
    services: StaffServices = current_app.extensions[EXTENSION]
    return services


def _staff_id() -> int:
    principal = current_principal()
    if principal is None or not principal.is_staff:  # the guard already refused these
        abort(403)
    return principal.account_id


def _local(value: datetime) -> datetime:
    return value.astimezone(DEFAULT_DISPLAY_TZ)


def _page(template: str, status: int = 200, **context: Any) -> Response:
    principal = current_principal()
    body = render_template(
        template,
        local=_local,
        is_supervisor=bool(principal and principal.has_role("supervisor")),
        **context,
    )
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = STAFF_CSP
    response.headers["Cache-Control"] = "no-store"
    return response


def _filter_args() -> dict[str, str]:
    return {k: request.args[k] for k in FILTER_KEYS if request.args.get(k)}


def _search_text() -> str | None:
    if request.args.get("search") != "1":
        return None
    text = session.get(SEARCH_SESSION_KEY)
    return text if isinstance(text, str) and text else None


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", STAFF_CSP)
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
    return response


@bp.get("/")
@staff_required("reviewer")
def index() -> Response:
    return redirect(url_for("staff.conversations"))  # type: ignore[return-value]


@bp.get("/conversations")
@staff_required("reviewer")
def conversations() -> Response:
    """The conversation list with filters, search and pages."""
    args = _filter_args()
    form: dict[str, Any] = {
        "args": args,
        "search_text": _search_text() or "",
        "channels": sorted(CHANNEL_ALIASES),
        "intents": INTENTS,
        "outcomes": [o.value for o in Outcome],
    }
    try:
        filters = conversation_filter(request.args, _search_text())
        number = page_number(request.args)
        page = _services().archive.page(filters, page=number, per_page=PER_PAGE)
    except InvalidFilter as refused:
        return _page("staff/conversations.html", status=400, error=str(refused), page=None, **form)
    return _page(
        "staff/conversations.html",
        error=None,
        page=page,
        page_url=lambda n: url_for("staff.conversations", page=n, **args),  # type: ignore[arg-type]
        export_query=urlencode(args),
        **form,
    )


@bp.post("/conversations")
@staff_required("reviewer")
def search_conversations() -> Response:
    """The filter form: the search text goes to the session, the other filters to the URL."""
    text = (request.form.get("q") or "").strip()
    args = {k: request.form[k].strip() for k in FILTER_KEYS[:-1] if request.form.get(k, "").strip()}
    if text:
        session[SEARCH_SESSION_KEY] = text
        args["search"] = "1"
    else:
        session.pop(SEARCH_SESSION_KEY, None)
    target = url_for("staff.conversations") + (f"?{urlencode(args)}" if args else "")
    return Response(status=303, headers={"Location": target})


@bp.get("/conversations/<conversation_id>")
@staff_required("reviewer")
def transcript(conversation_id: str) -> Response:
    """One redacted transcript; the view is audited before anything is shown."""
    if len(conversation_id) > MAX_CONVERSATION_ID:
        abort(404)
    services = _services()
    if services.archive.summary(conversation_id) is None:
        abort(404, description="There is no conversation with that id.")
    services.audit.record(_staff_id(), StaffAction.VIEW_TRANSCRIPT, conversation_id=conversation_id)
    found = services.archive.transcript(conversation_id)
    if found is None:  # removed between the check and the read
        abort(404)
    return _page(
        "staff/transcript.html",
        transcript=found,
        handoffs=services.handoffs.for_conversation(conversation_id),
    )


@bp.get("/handoffs")
@staff_required("reviewer")
def handoffs() -> Response:
    """Handoffs with their context, urgent first."""
    queue = (request.args.get("queue") or "").strip() or None
    try:
        number = page_number(request.args)
        page = _services().handoffs.page(queue=queue, page=number, per_page=PER_PAGE)
    except (InvalidFilter, ValueError) as refused:
        return _page(
            "staff/handoffs.html",
            status=400,
            error=str(refused),
            page=None,
            queues=QUEUES,
            queue=queue,
        )
    return _page(
        "staff/handoffs.html",
        error=None,
        page=page,
        queues=QUEUES,
        queue=queue,
        page_url=lambda n: url_for("staff.handoffs", queue=queue or "", page=n),
    )


@bp.get("/dashboard")
@staff_required("supervisor")
def dashboard() -> Response:
    """Containment by category over time, against the reference figures (docs/architecture.md)."""
    services = _services()
    now = services.clock()
    try:
        first, last, bucketing = dashboard_range(
            request.args, now.astimezone(DEFAULT_DISPLAY_TZ).date()
        )
    except InvalidFilter as refused:
        return _page("staff/dashboard.html", status=400, error=str(refused), report=None)
    report = containment_report(services.app_engine, first, last, bucketing, now=now)
    charts = [
        containment_chart(
            category.value.capitalize(),
            [
                (b.start, b.by_category[category].rate, b.by_category[category].tasks)
                for b in report.buckets
            ],
            report.case_study[category],
        )
        for category in CATEGORIES
    ]
    charts.insert(
        0,
        containment_chart(
            "Overall",
            [(b.start, b.overall.rate, b.overall.tasks) for b in report.buckets],
            report.case_study_overall,
        ),
    )
    return _page(
        "staff/dashboard.html",
        error=None,
        report=report,
        charts=charts,
        categories=CATEGORIES,
        first=first,
        last=last,
        bucketing=bucketing.value,
    )


def _export(kind: StaffAction) -> Response:
    try:
        filters = conversation_filter(request.args, _search_text())
    except InvalidFilter as refused:
        abort(400, description=str(refused))
    services = _services()
    services.audit.record(_staff_id(), kind, detail=filters.describe())
    if kind is StaffAction.EXPORT_TURNS:
        lines: Iterator[str] = csv_lines(TURN_COLUMNS, turn_rows(services.archive, filters))
        name = "turns"
    else:
        lines = csv_lines(CONVERSATION_COLUMNS, conversation_rows(services.archive, filters))
        name = "conversations"
    stamp = services.clock().strftime("%Y%m%d-%H%M%S")
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="policyline-{name}-{stamp}.csv"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/export/conversations.csv")
@staff_required("supervisor")
def export_conversations() -> Response:
    """One row per conversation matching the list's filters (streamed)."""
    return _export(StaffAction.EXPORT_CONVERSATIONS)


@bp.get("/export/turns.csv")
@staff_required("supervisor")
def export_turns() -> Response:
    """One row per message, redacted, for conversations matching the filters (streamed)."""
    return _export(StaffAction.EXPORT_TURNS)


@bp.get("/audit")
@staff_required("supervisor")
def audit() -> Response:
    """Who looked at which transcript, and who exported what."""
    conversation_id = (request.args.get("conversation") or "").strip()[:MAX_CONVERSATION_ID]
    records = _services().audit.recent(conversation_id=conversation_id or None, limit=200)
    return _page("staff/audit.html", records=records, conversation_id=conversation_id)
