"""The contact-centre staff console: ``/staff/...``.

Roles (``bot.web.auth.guards``; a supervisor is also a reviewer):

=====================================  ==========  ============
page                                   reviewer    supervisor
=====================================  ==========  ============
conversation list, search, filters     yes         yes
transcript (redacted, audited)         yes         yes
handoff queue                          yes         yes
containment dashboard                  no          yes
CSV export (audited)                   no          yes
staff access audit                     no          yes
=====================================  ==========  ============

Everyone else — anonymous visitors are sent to sign in, policyholders get 403. Every page is
rendered without script (charts are server-drawn SVG) under a CSP that allows none.
"""

from bot.web.staff.views import bp, init_app

__all__ = ["bp", "init_app"]
