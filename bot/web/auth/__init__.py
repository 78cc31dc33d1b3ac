"""Authentication for the web app: registration, sign-in with MFA, sessions, account security.

``guards`` is the stable API other blueprints use (``current_principal``,
``policyholder_required``, ``staff_required``).
"""
