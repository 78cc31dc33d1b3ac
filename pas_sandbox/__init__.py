"""Stand-in for the carrier's policy administration system (PAS): HTTP API, read replica, faults.

Run it with ``policyline sandbox`` (``python -m devtools.sandbox``); see
``pas_sandbox/README.md`` and ``docs/pas-api.md``.
"""

from pas_sandbox.personas import personas_json

__all__ = ["personas_json"]
