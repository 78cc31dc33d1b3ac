"""Every public endpoint the fuzzer covers, in one list per server: add new ones here.

The web app's routes are read from its URL map at run time (every blueprint that lands is fuzzed
without a change here); the Rasa server's and the PAS sandbox's are listed. ``auth`` says how a
well-formed request is authenticated, so the fuzzer can send it both properly signed (to reach
the handler's parsing) and unsigned or forged (to prove the refusal).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # "{name}" marks a path parameter the fuzzer fills
    body: str  # "twilio_form" | "json" | "form" | "none"
    auth: str = "none"  # "twilio" | "pas" | "sandbox_admin" | "none"


RASA = [
    Endpoint("POST", "/webhooks/twilio_sms/webhook", "twilio_form", "twilio"),
    Endpoint("POST", "/webhooks/twilio_sms/status", "twilio_form", "twilio"),
    Endpoint("POST", "/webhooks/twilio_voice/webhook", "twilio_form", "twilio"),
    Endpoint("GET", "/webhooks/twilio_sms/", "none"),
    Endpoint("GET", "/webhooks/twilio_voice/", "none"),
    # Not fuzzed: Rasa's built-in REST channel (/webhooks/rest/webhook). It is for local use and
    # tests only, left out of deploy/credentials.production.yml and refused by nginx, and it
    # answers malformed JSON (a non-string message or sender) with a 500.
    # The web chat's socket.io endpoint (Engine.IO polling handshake and packets).
    Endpoint("GET", "/socket.io/", "none"),
    Endpoint("POST", "/socket.io/", "form"),
    Endpoint("GET", "/", "none"),
    Endpoint("GET", "/{anything}", "none"),
    Endpoint("POST", "/webhooks/{anything}/webhook", "json"),
]

SANDBOX = [
    Endpoint("GET", "/api/v1/health", "none", "pas"),
    Endpoint("GET", "/api/v1/policyholders/{holder_id}", "none", "pas"),
    Endpoint("GET", "/api/v1/policyholders/{holder_id}/policies", "none", "pas"),
    Endpoint("GET", "/api/v1/policies/{policy_number}", "none", "pas"),
    Endpoint("GET", "/api/v1/policies/{policy_number}/billing", "none", "pas"),
    Endpoint("POST", "/api/v1/policies/{policy_number}/payments", "json", "pas"),
    Endpoint("PUT", "/api/v1/policies/{policy_number}/autopay", "json", "pas"),
    Endpoint("GET", "/api/v1/policies/{policy_number}/claims", "none", "pas"),
    Endpoint("GET", "/api/v1/claims/{claim_number}", "none", "pas"),
    # Admin routes are fuzzed without the admin token only: with it, random faults would slow
    # every other test.
    Endpoint("GET", "/_sandbox/faults", "none", "sandbox_admin"),
    Endpoint("PUT", "/_sandbox/faults", "json", "sandbox_admin"),
    Endpoint("POST", "/_sandbox/reset", "none", "sandbox_admin"),
    Endpoint("POST", "/_sandbox/claims/{claim_number}/advance", "none", "sandbox_admin"),
    Endpoint("GET", "/_sandbox/stats", "none", "sandbox_admin"),
    Endpoint("GET", "/{anything}", "none"),
]
