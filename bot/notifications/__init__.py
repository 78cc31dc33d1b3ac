"""Outbound notifications to policyholders: SMS and e-mail, each through one interface.

- ``sms``: the ``SmsSender`` port (``send_sms(to, body, media_url=None)``) with a Twilio REST
  sender and a local outbox sender; ``create_sms_sender`` picks one from the configuration.
- ``suppression``: numbers that opted out (STOP); every sender enforces it.
- ``outbox``: the local stand-in for Twilio (an app DB table the simulators and web app read).
- ``delivery_status``: Twilio status callbacks (message sid, status, error code).
- ``phone_numbers``: E.164 normalisation and keyed digests of numbers (never raw numbers as keys).
- ``config``: the Twilio settings this package needs.
- ``email_sender``: the ``EmailSender`` port: SMTP (stdlib ``smtplib``) or the local e-mail outbox.
- ``claim_alerts*``: claim status alerts (``docs/claim-alerts.md``): the notifier that reads the
  PAS claim timeline as a change feed (``claim_alerts``), its tables (``claim_alerts_store``),
  texts (``claim_alerts_messages``), quiet hours (``claim_alerts_quiet_hours``), STATUS /
  ADJUSTER replies (``claim_alerts_replies``) and the ``notifier`` / ``alerts`` commands
  (``claim_alerts_cli``).

This is domain core: channels and actions both use it; it imports neither.
"""
