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

Everyone else — anonymous visitors are sent to sign in, policyholders get 403. Charts are SVG
drawn on the server; the only script is the sign-in's idle-timeout warning, under a CSP that
allows this origin's scripts and nothing inline.
"""

from bot.web.staff.views import bp, init_app

__all__ = ["bp", "init_app"]
