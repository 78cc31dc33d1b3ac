"""Web accounts: who may sign in to the web app, and how they prove it.

- ``tables``: the app-database tables (accounts, one-time codes, recovery codes, devices, web
  sessions, account audit).
- ``passwords``: the password rule (NIST 800-63B: length, common-password list, no composition
  rules) and argon2id hashing.
- ``secret_box``: Fernet encryption of TOTP secrets at rest.
- ``totp``: TOTP enrolment and single-use verification (last accepted time-step stored).
- ``one_time_codes``: SMS codes (10-minute lifetime, single use, attempt and send limits).
- ``recovery_codes``: single-use recovery codes, stored hashed.
- ``devices``: device cookies and coarse fingerprints for new-device / unusual-pattern detection.
- ``audit``: the account audit trail (no PII).
- ``accounts``: the account store (creation, lockout, MFA state).
- ``pas_records``: the PAS lookups registration needs (through ``pas_connector`` only).
- ``registration``: identity proofing against PAS records.
- ``service``: the sign-in flow that the web blueprints drive.

Domain core: the web blueprints in ``bot.web.auth`` are thin adapters over this package.
"""
