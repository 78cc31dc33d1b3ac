"""Transcripts and analytics for the staff console.

- ``conversations``: the conversation list (filters, search, pages) and redacted transcripts,
  read from Rasa's SQL tracker store and joined with our outcome and handoff records;
- ``redaction``: what staff may read (``redact_for_staff``);
- ``audit``: every staff view of a transcript and every export, recorded;
- ``handoff_queue``: handoffs with their context;
- ``containment``: containment by category over time, with the 72-hour repeat-contact rule;
- ``export``: streamed, redacted, formula-safe CSV.

Importing ``bot.transcripts.audit`` declares ``staff_access_audit`` on ``bot.db.metadata``.
"""
