"""The ``auth`` blueprint (``/auth/...``); its views live in the modules named for each journey."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")
