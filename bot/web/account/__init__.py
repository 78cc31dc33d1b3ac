"""Policyholder pages: ``/account/`` (the signed-in home) and ``POST /account/documents``.

Guarded by ``policyholder_required``; the holder id always comes from the signed-in principal,
never from the request (``bot.portal.overview``). ``init_app`` builds the PAS connector (or takes
``PAS_CONNECTOR`` from ``test_config``) and the event-loop thread it runs on.
"""

from bot.web.account.views import bp, init_app, shutdown

__all__ = ["bp", "init_app", "shutdown"]
