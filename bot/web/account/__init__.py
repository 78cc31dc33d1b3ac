"""Policyholder pages: ``/account/`` (the signed-in home), ``POST /account/documents`` and
``POST /account/pay``.

Guarded by ``policyholder_required``; the holder id always comes from the signed-in principal,
never from the request (``bot.portal.overview``). The PAS connector (or ``PAS_CONNECTOR`` from
``test_config``) and the event-loop thread it runs on are built on the first request that needs
them; ``shutdown(app)`` closes them.
"""

from bot.web.account.views import bp, init_app, shutdown

__all__ = ["bp", "init_app", "shutdown"]
