"""Terminal stand-ins for a phone: ``policyline sms`` (texting) and ``policyline call`` (IVR).

Each module exposes ``add_parser(subparsers)``; the parser's ``handler(args, settings) -> int``
runs the simulator. Both sign every request exactly as Twilio does, so they exercise the real
webhooks of a running Rasa server, and print the texts the local outbox holds for their number.
"""
