"""Is this webhook really from Stripe? ``Stripe-Signature`` checked on the raw body.

``verify_event`` wraps ``StripeClient.construct_event``: the HMAC is computed over the exact
bytes received (re-serialised JSON would not match), and the signed timestamp must be within
``tolerance_s`` (never ``None``, which would switch the check off). Anything else, including a
missing header, is ``ForgedWebhook`` (403 at the endpoint), before any work is done.
"""

from __future__ import annotations

import stripe


class ForgedWebhook(Exception):
    """The request is not a Stripe event signed with our endpoint secret (or it is too old)."""


class MalformedEvent(Exception):
    """Signed with our secret, but not an event (no id or type): nothing to process."""


def verify_event(
    client: stripe.StripeClient,
    payload: bytes,
    signature_header: str | None,
    secret: str,
    tolerance_s: int,
) -> stripe.Event:
    """The verified event, ``ForgedWebhook``, or ``MalformedEvent`` for a signed non-event."""
    if not signature_header:
        raise ForgedWebhook("no Stripe-Signature header")
    if tolerance_s <= 0:
        raise ValueError("the webhook tolerance must be positive")
    try:
        event = client.construct_event(payload, signature_header, secret, tolerance=tolerance_s)
    except stripe.SignatureVerificationError as exc:
        raise ForgedWebhook("signature does not match") from exc
    except (ValueError, AttributeError, TypeError) as exc:
        # A valid signature over JSON that is not an object (null, a list, a number).
        raise MalformedEvent("not a Stripe event") from exc
    if not isinstance(getattr(event, "id", None), str) or not isinstance(
        getattr(event, "type", None), str
    ):
        raise MalformedEvent("an event needs a string id and type")
    return event
