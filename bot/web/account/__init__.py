"""Policyholder pages: ``/account/`` (the signed-in home), ``POST /account/documents`` and
``POST /account/pay``.

Guarded by ``policyholder_required``; the holder id always comes from the signed-in principal,
never from the request (``bot.portal.overview``). The PAS is the app's one synchronous facade
(``bot.web.root``); ``bot.web.shutdown(app)`` closes it.
"""

from bot.web.account.views import bp, init_app

__all__ = ["bp", "init_app"]
