"""Rasa input channels of Policyline: Twilio SMS and Twilio Voice (terminal simulators: devtools/).

Thin Sanic adapters (``twilio_sms``, ``twilio_voice``) over protocol-free modules that are tested
without Sanic: webhook signatures (``bot.twilio_signatures``), replay de-duplication and short-lived
per-conversation state (``ephemeral_store``), SMS keywords, splitting and rendering, voice
rewriting for the ear, TwiML building and the voice call flow. Outbound SMS go through
``bot.notifications``.
"""
