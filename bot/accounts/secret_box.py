"""Encryption of TOTP secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256) from ``cryptography``.

The key is ``MFA_ENCRYPTION_KEY`` (settings refuse the public local default outside local/test).
``MultiFernet`` would allow rotation later: the first key encrypts, any key decrypts.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


class SecretBoxError(RuntimeError):
    """A stored secret could not be decrypted (wrong key or tampered row)."""


class SecretBox:
    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key.encode())
        except (ValueError, TypeError) as exc:
            raise ValueError(
                "MFA_ENCRYPTION_KEY must be a Fernet key (32 url-safe base64-encoded bytes)"
            ) from exc

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise SecretBoxError("stored secret could not be decrypted") from exc
