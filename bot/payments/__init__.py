"""Payments: pay links issued in conversations, and Stripe behind them.

- ``links``: signed, expiring, single-use pay links (what a conversation sends).
- ``amounts``: a requested amount checked against the balance.
- ``service``: ``PaymentService``, the pay page's checkout (PaymentIntent / SetupIntent through
  Stripe-hosted fields), IVR ``<Pay>`` tokens, autopay (enrol, status, cancel, off-session
  charges) and webhook fulfilment (post to the PAS, notify the policyholder).
- ``webhooks``: Stripe-Signature verification of the raw body.
- ``records``: our tables, Stripe ids only. ``notices``: what the policyholder is told.
- ``ivr``: the ``<Pay>`` verb for calls. (localstripe, the local Stripe stand-in: ``devtools/``.)
- ``factory``: builds the service from ``Settings``.
"""
