"""Form fields Twilio's SMS and voice webhooks carry, for the fuzzers to vary."""

TWILIO_FORM_FIELDS = [
    "From",
    "To",
    "Body",
    "MessageSid",
    "SmsSid",
    "NumMedia",
    "MediaUrl0",
    "CallSid",
    "Digits",
    "SpeechResult",
    "Confidence",
    "CallStatus",
    "MessageStatus",
    "ErrorCode",
    "AccountSid",
]
