"""The conversation domain core: identity verification, answers, handoffs and task outcomes.

Adapters (``actions/``, ``channels/``) call into these modules; nothing here knows Rasa.
"""
