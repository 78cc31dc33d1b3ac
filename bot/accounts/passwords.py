"""The password rule and password hashing.

Rule (NIST SP 800-63B, section 5.1.1.2 / 800-63B-4 3.1.1.2):

- at least ``min_length`` characters (12 by default) and at most 128. NIST asks for 8 when the
  password is one factor of MFA, which ours always is; 12 is our margin for the day a hash
  database leaks (offline guessing does not meet the MFA prompt), and long passphrases are
  encouraged instead of symbols;
- every printable character, spaces and Unicode included, normalised with NFKC before hashing;
- not on the list of common passwords (``data/common-passwords.txt.gz``), also after stripping
  spaces and the digits and symbols people tack on ("Password2024!" is "password"), not a
  repeated or sequential string ("passwordpassword", "123456789012"), and not built from the
  service's own name or the user's e-mail name;
- no composition rules (no "one upper-case, one digit") and no expiry.

Hashing: argon2id through ``argon2-cffi`` with its RFC 9106 low-memory profile (t=3, m=64 MiB,
p=4); ``needs_rehash`` upgrades old hashes at the next sign-in.
"""

from __future__ import annotations

import gzip
import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt.gz"
_AFFIXES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
# Words that say what kind of company a carrier is, not which one ("Harbor Mutual Insurance").
_GENERIC_WORDS = frozenset({"insurance", "company", "co", "group", "inc", "the"})


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords (lower-cased)."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def normalise(password: str) -> str:
    """NFKC, as NIST asks, so the same passphrase typed on two keyboards matches."""
    return unicodedata.normalize("NFKC", password)


def service_words(carrier_name: str) -> tuple[str, ...]:
    """What a password must not contain: our name and the carrier's (``CARRIER_NAME``) without
    words such as "Insurance": "Harbor Mutual Insurance" → ``("policyline", "harbormutual")``."""
    found = re.findall(r"[a-z0-9]+", carrier_name.casefold())
    words = [word for word in found if word not in _GENERIC_WORDS]
    brand = "".join(words)
    return ("policyline", brand) if len(brand) >= 4 else ("policyline",)


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = 12
    max_length: int = MAX_LENGTH
    # Names nobody may use in a password (``service_words``; compared without spaces).
    forbidden_words: tuple[str, ...] = ("policyline",)

    def problems(self, password: str, *, email: str | None = None) -> list[str]:
        """Plain-language reasons ``password`` is refused (empty when it is acceptable)."""
        text = normalise(password)
        length = len(text)
        if length < self.min_length:
            return [f"Use at least {self.min_length} characters. A few unrelated words work well."]
        if length > self.max_length:
            return [f"Use at most {self.max_length} characters."]
        if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
            return ["Use letters, numbers, spaces and symbols only."]
        lowered = text.casefold()
        if _is_common(lowered):
            return [
                "That password is on a list of commonly used or leaked passwords. Choose another."
            ]
        squashed = re.sub(r"\s+", "", lowered)
        if any(word in squashed for word in self.forbidden_words):
            return ["Don't use the name of this service in your password."]
        if email:
            name = email.split("@", 1)[0].casefold()
            if len(name) >= 4 and name in squashed:
                return ["Don't use your e-mail name in your password."]
        if len(set(lowered)) <= 2:
            return ["Don't repeat the same character. A few unrelated words work well."]
        return []


def _is_sequential(text: str) -> bool:
    """One run up or down: "abcdefghijkl", "9876543210", "123456789012" (digits wrap)."""
    if len(text) < 4:
        return False
    if {ord(b) - ord(a) for a, b in itertools.pairwise(text)} in ({1}, {-1}):
        return True
    if text.isdigit():
        return {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(text)} in ({1}, {9})
    return False


def _is_common(lowered: str) -> bool:
    listed = common_passwords()
    squashed = re.sub(r"\s+", "", lowered)
    if lowered in listed or squashed in listed or _is_sequential(squashed):
        return True
    stripped = _AFFIXES.sub("", squashed)
    if len(stripped) >= 4 and (stripped in listed or _is_sequential(stripped)):
        return True
    # "passwordpassword", "qwertyqwerty": a listed word (or one or two characters) repeated.
    for size in range(1, len(stripped) // 2 + 1):
        if len(stripped) % size == 0 and stripped[:size] * (len(stripped) // size) == stripped:
            return stripped[:size] in listed or len(set(stripped[:size])) <= 2
    return False


class PasswordHashing:
    """argon2id hashing and verification of normalised passwords."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()

    def hash(self, password: str) -> str:
        return self._hasher.hash(normalise(password))

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, normalise(password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)

    def dummy_verify(self, password: str) -> None:
        """Spend the time of a real check (unknown e-mail: no account enumeration by timing)."""
        self.verify(_dummy_hash(self._hasher), password)


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("policyline-timing-equaliser")
