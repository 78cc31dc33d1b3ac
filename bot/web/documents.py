"""Document links: ``GET /d/<token>`` serves the PDF behind a signed, single-use link.

A refused link (tampered, unknown, for another conversation, expired, already used) gets a short
HTML page with the status its error names (400, 404, 410) and how to get a new link. A ``HEAD``
request checks the link without using it up, so a link checker cannot burn a single-use link.
"""

from __future__ import annotations

import re

from flask import Blueprint, Flask, Response, current_app, render_template, request

from bot.documents import DocumentService, LinkRefused, LinkTampered
from bot.phone_numbers import display_phone
from bot.web.root import web_root

bp = Blueprint("documents", __name__)
EXTENSION = "policyline.documents"
MAX_TOKEN_LENGTH = 200
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")

_REFUSAL_TEXT = {
    "invalid": ("This link isn't valid", "The link may have been copied incompletely."),
    "not_found": ("We can't find this document", "This link doesn't lead to a document."),
    "mismatch": ("We can't find this document", "This link doesn't lead to a document."),
    "expired": (
        "This link has expired",
        "For your privacy, these links stop working after a short time.",
    ),
    "used": ("This link has already been used", "For your privacy, each link opens only once."),
}


def init_app(app: Flask) -> None:
    """Build the document service for this app (or take the one ``test_config`` supplies)."""
    service = app.config.get("DOCUMENT_SERVICE")
    if service is None:
        root = web_root(app)
        service = DocumentService(
            root.engine, app.config["SECRET_KEY"], app.config["PUBLIC_BASE_URL"], clock=root.clock
        )
    app.extensions[EXTENSION] = service


def document_service() -> DocumentService:
    service: DocumentService = current_app.extensions[EXTENSION]
    return service


@bp.get("/d/<token>")
def download(token: str) -> Response:
    """The PDF behind a document link, or a page saying why not."""
    service = document_service()
    try:
        if len(token) > MAX_TOKEN_LENGTH:
            raise LinkTampered("token too long")
        if request.method == "HEAD":
            record = service.check_link(token)
            response = Response(status=200, mimetype=record.content_type)
            _document_headers(response, record.filename)
            return response
        document = service.open_link(token)
    except LinkRefused as refused:
        return _refused(refused)
    response = Response(document.content, mimetype=document.content_type)
    _document_headers(response, document.filename)
    return response


def _document_headers(response: Response, filename: str) -> None:
    safe = _UNSAFE_FILENAME.sub("-", filename).strip(".-") or "document.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{safe}"'
    response.headers["Cache-Control"] = "no-store, private"
    response.headers["Pragma"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"


def _refused(refused: LinkRefused) -> Response:
    title, message = _REFUSAL_TEXT.get(refused.reason, _REFUSAL_TEXT["not_found"])
    body = render_template(
        "documents/link_refused.html",
        title=title,
        message=message,
        phone=display_phone(current_app.config["CONTACT_CENTRE_PHONE"]),
    )
    response = Response(body, status=refused.http_status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
