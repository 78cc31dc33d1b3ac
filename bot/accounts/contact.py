"""Delivery of codes and security notices to the contact points on file (SMS and e-mail).

Thin over ``bot.notifications``: the SMS sender (Twilio, or the local outbox) and the e-mail
sender (SMTP, or the local e-mail outbox). A failed delivery is an error the caller shows
("we couldn't send the code"), never a silent success.
"""

from __future__ import annotations

from bot.notifications.email_sender import EmailSender
from bot.notifications.sms import SmsSender


class DeliveryFailed(Exception):
    """The message could not be handed to the SMS or e-mail transport."""


def mask_email(address: str) -> str:
    """``m***@example.com``: enough for the owner to recognise, not enough to harvest."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


class ContactDelivery:
    def __init__(self, sms: SmsSender, email: EmailSender) -> None:
        self._sms = sms
        self._email = email

    def sms(self, to: str, body: str) -> None:
        if not self._sms.send_sms(to, body).accepted:
            raise DeliveryFailed("sms")

    def email(self, to: str, subject: str, body: str) -> None:
        if not self._email.send_email(to, subject, body).accepted:
            raise DeliveryFailed("email")
