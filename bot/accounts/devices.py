"""Device recognition for anomaly detection at sign-in.

A device is a long-lived random cookie (``__Host-policyline-device``) plus a coarse fingerprint:
browser family, operating system, the first accept-language and the IPv4 /24 (IPv6 /48). Only
keyed hashes of the cookie and of the fingerprint are stored, and a label such as "Firefox on
Linux" for the owner's security page. Assessment:

- ``known``: this account has signed in from this device cookie before, and the fingerprint is
  the one last seen with it;
- ``unusual``: a known device cookie presented by another browser or operating system than the
  one it was issued to (a copied cookie). A new network or language alone is normal (phones move
  between networks) and only refreshes the record;
- ``new_device``: no record of this cookie for this account.

``unusual`` and ``new_device`` make the sign-in step up (the strongest enrolled factor) and send
a notification; every assessment is in the account audit.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from bot.accounts.tables import account_devices
from bot.clock import Clock, utc_now
from bot.keyed_digest import keyed_digest

DeviceRisk = Literal["known", "unusual", "new_device"]

_BROWSERS = (
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/|HeadlessChrome/")),
    ("Safari", re.compile(r"Safari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"Android")),
    ("iOS", re.compile(r"iPhone|iPad|iPod")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Linux", re.compile(r"Linux")),
)


def new_device_id() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class DeviceTraits:
    """Coarse, stable attributes of a browser (nothing unique to a person)."""

    browser: str
    system: str
    language: str
    network: str

    @property
    def label(self) -> str:
        return f"{self.browser} on {self.system}"

    @classmethod
    def from_request(cls, user_agent: str, accept_language: str, ip: str) -> DeviceTraits:
        browser = next((name for name, rx in _BROWSERS if rx.search(user_agent)), "Other browser")
        system = next((name for name, rx in _SYSTEMS if rx.search(user_agent)), "other system")
        first = accept_language.split(",", 1)[0].split(";", 1)[0].strip().lower()
        language = first[:16] or "none"
        return cls(browser, system, language, _network(ip))


def _network(ip: str) -> str:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "unknown"
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


@dataclass(frozen=True)
class DeviceAssessment:
    risk: DeviceRisk
    label: str


class DeviceRegistry:
    def __init__(self, engine: Engine, key: str, *, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._key = key
        self._clock = clock

    def _device_hash(self, device_id: str) -> str:
        return keyed_digest(self._key, "device", device_id)

    def _fingerprint(self, traits: DeviceTraits) -> str:
        return keyed_digest(
            self._key,
            "fingerprint",
            "|".join((traits.browser, traits.system, traits.language, traits.network)),
        )

    def assess(
        self, account_id: int, device_id: str | None, traits: DeviceTraits
    ) -> DeviceAssessment:
        if not device_id:
            return DeviceAssessment("new_device", traits.label)
        with self._engine.connect() as conn:
            row = (
                conn.execute(
                    select(account_devices)
                    .where(account_devices.c.account_id == account_id)
                    .where(account_devices.c.device_hash == self._device_hash(device_id))
                )
                .mappings()
                .first()
            )
        if row is None:
            return DeviceAssessment("new_device", traits.label)
        if row["fingerprint_hash"] == self._fingerprint(traits):
            return DeviceAssessment("known", traits.label)
        if row["label"] != traits.label:
            # The same cookie in another browser or on another system: a copied cookie.
            return DeviceAssessment("unusual", traits.label)
        return DeviceAssessment("known", traits.label)

    def remember(self, account_id: int, device_id: str, traits: DeviceTraits) -> None:
        """Record a successful sign-in from this device (after MFA)."""
        now = self._clock()
        device_hash = self._device_hash(device_id)
        values = {
            "fingerprint_hash": self._fingerprint(traits),
            "label": traits.label,
            "last_seen_at": now,
        }
        with self._engine.begin() as conn:
            updated = conn.execute(
                update(account_devices)
                .where(account_devices.c.account_id == account_id)
                .where(account_devices.c.device_hash == device_hash)
                .values(**values)
            )
            if updated.rowcount == 0:
                conn.execute(
                    insert(account_devices).values(
                        account_id=account_id, device_hash=device_hash, first_seen_at=now, **values
                    )
                )

    def labels(self, account_id: int) -> list[tuple[str, object]]:
        """(label, last seen) of each device the account signed in from, newest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(account_devices.c.label, account_devices.c.last_seen_at)
                .where(account_devices.c.account_id == account_id)
                .order_by(account_devices.c.last_seen_at.desc())
            ).all()
        return [(r[0], r[1]) for r in rows]
