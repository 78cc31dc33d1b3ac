"""Document links: signed, opaque, bound, single-use, expiring, recorded and purged."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from bot.db import make_engine
from bot.documents import (
    DocumentKind,
    DocumentService,
    LinkAlreadyUsed,
    LinkExpired,
    LinkMismatch,
    LinkNotFound,
    LinkTampered,
    PolicyNotInForce,
)
from bot.documents.links import LinkClaims, LinkSigner
from bot.documents.store import document_links, documents_issued
from tests.documents.conftest import BASE_URL, SECRET
from tests.documents.support import pdf_text
from tests.support.app_database import upgrade


def _issue(service: DocumentService, persona, number: str = "AUT-1000001", **kw):  # type: ignore[no-untyped-def]
    holder, policy = persona(number)
    kw.setdefault("conversation_id", "conv-A")
    kw.setdefault("channel", "sms")
    return service.issue_link(kw.pop("kind", DocumentKind.ID_CARD), policy, holder, **kw)


def _token(url: str) -> str:
    return urlsplit(url).path.removeprefix("/d/")


def test_link_url_is_short_opaque_and_carries_no_policy_or_personal_data(
    service: DocumentService, persona, clock
) -> None:
    holder, policy = persona("AUT-1000001")
    issued = _issue(service, persona)

    assert issued.url.startswith(f"{BASE_URL}/d/")
    assert len(issued.url) < len(BASE_URL) + 90  # it travels in SMS
    url = issued.url.lower()
    for secret in (
        policy.policy_number,
        policy.policy_number.split("-")[1],
        holder.last_name,
        holder.phone.lstrip("+"),
        holder.date_of_birth.isoformat(),
        holder.address.zip,
        "conv-a",
    ):
        assert secret.lower() not in url, secret
    assert issued.expires_at == clock.now + timedelta(minutes=15)
    assert issued.mms_eligible and 0 < issued.size_bytes < 500_000
    assert issued.payload() == {
        "document": {
            "kind": "id_card",
            "url": issued.url,
            "expires_at": issued.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "bytes": issued.size_bytes,
        }
    }


def test_single_use_link_serves_the_pdf_once_then_refuses(
    service: DocumentService, persona
) -> None:
    _, policy = persona("AUT-1000001")
    issued = _issue(service, persona)
    token = _token(issued.url)

    download = service.open_link(token)
    assert download.kind is DocumentKind.ID_CARD
    assert download.filename == "insurance-id-card-2026-11-25.pdf"
    assert download.content_type == "application/pdf"
    assert len(download.content) == issued.size_bytes
    assert policy.policy_number in pdf_text(download.content)
    with pytest.raises(LinkAlreadyUsed):
        service.open_link(token)
    with pytest.raises(LinkAlreadyUsed):
        service.check_link(token)


def test_tampered_tokens_are_refused(service: DocumentService, persona, clock) -> None:
    token = _token(_issue(service, persona).url)
    link_id, kind, expiry, signature = token.split(".")
    forged_signature = ("A" if signature[0] != "A" else "B") + signature[1:]
    for bad in (
        f"{link_id}.{kind}.{expiry}.{forged_signature}",
        f"{link_id}.d.{expiry}.{signature}",  # kind swapped
        f"{link_id}.{kind}.zzzzzz.{signature}",  # expiry pushed out
        f"{link_id[:-1]}x.{kind}.{expiry}.{signature}",
        "not-a-token",
        "",
    ):
        with pytest.raises(LinkTampered):
            service.open_link(bad)
    # Signed with another deployment's secret.
    other = LinkSigner("another-secret").sign(
        LinkClaims(link_id=link_id, kind=DocumentKind.ID_CARD, expires_at=clock.now)
    )
    with pytest.raises(LinkTampered):
        service.open_link(other)
    # None of that used the link up.
    assert service.open_link(token).kind is DocumentKind.ID_CARD


def test_expired_link_is_refused_even_after_it_is_purged(
    service: DocumentService, persona, clock
) -> None:
    token = _token(_issue(service, persona, ttl=timedelta(minutes=15)).url)
    clock.advance(minutes=14, seconds=59)
    service.check_link(token)
    clock.advance(seconds=1)
    with pytest.raises(LinkExpired):
        service.open_link(token)
    assert service.purge_expired() == 1
    with pytest.raises(LinkExpired):
        service.open_link(token)


def test_validly_signed_link_that_was_never_issued_is_not_found(
    service: DocumentService, clock
) -> None:
    token = LinkSigner(SECRET).sign(
        LinkClaims(
            link_id="A" * 22,
            kind=DocumentKind.ID_CARD,
            expires_at=(clock.now + timedelta(minutes=5)).replace(microsecond=0),
        )
    )
    with pytest.raises(LinkNotFound):
        service.open_link(token)


def test_wrong_kind_other_conversation_or_other_policy_is_refused_without_using_the_link(
    service: DocumentService, persona
) -> None:
    token = _token(_issue(service, persona, conversation_id="conv-A").url)

    with pytest.raises(LinkMismatch):
        service.open_link(token, kind=DocumentKind.DECLARATIONS)
    with pytest.raises(LinkMismatch):
        service.open_link(token, conversation_id="conv-B")
    with pytest.raises(LinkMismatch):
        service.open_link(token, policy_number="AUT-1000003")
    download = service.open_link(
        token, kind=DocumentKind.ID_CARD, conversation_id="conv-A", policy_number="AUT-1000001"
    )
    assert download.kind is DocumentKind.ID_CARD


def test_multi_use_link_opens_until_it_expires(
    service: DocumentService, engine, persona, clock
) -> None:
    token = _token(_issue(service, persona, single_use=False, ttl=timedelta(minutes=2)).url)
    for _ in range(3):
        service.open_link(token)
    with engine.connect() as conn:
        used_at, count = conn.execute(
            select(document_links.c.used_at, document_links.c.use_count)
        ).one()
    assert count == 3 and used_at == clock.now
    clock.advance(minutes=2)
    with pytest.raises(LinkExpired):
        service.open_link(token)


def test_refused_documents_store_nothing(service: DocumentService, engine, persona) -> None:
    with pytest.raises(PolicyNotInForce):
        _issue(service, persona, "AUT-1000002")
    with engine.connect() as conn:
        assert conn.execute(select(documents_issued)).all() == []
        assert conn.execute(select(document_links)).all() == []


def test_issue_records_what_when_which_channel_and_conversation_with_a_masked_policy(
    service: DocumentService, engine, persona, clock
) -> None:
    issued = _issue(
        service,
        persona,
        "REN-3000001",
        kind=DocumentKind.DECLARATIONS,
        conversation_id="CA1234",
        channel="voice",
    )
    with engine.connect() as conn:
        row = conn.execute(select(documents_issued)).mappings().one()
        link = conn.execute(select(document_links)).mappings().one()
    assert row["document_id"] == issued.document_id
    assert row["kind"] == "declarations"
    assert row["policy_ref"] == "REN-***0001"
    assert row["policy_digest"] == service.policy_digest("REN-3000001")
    assert row["channel"] == "voice" and row["conversation_id"] == "CA1234"
    assert row["issued_at"] == clock.now
    assert row["size_bytes"] == issued.size_bytes
    assert "REN-3000001" not in {str(v) for v in row.values()}
    # The policy number is kept only on the link, for binding, until the link is purged.
    assert link["policy_number"] == "REN-3000001"
    assert link["document_id"] == issued.document_id


def test_purge_deletes_only_expired_links_and_keeps_the_issue_record(
    service: DocumentService, engine, persona, clock
) -> None:
    _issue(service, persona, ttl=timedelta(minutes=5))
    live = _token(_issue(service, persona, ttl=timedelta(minutes=30)).url)
    clock.advance(minutes=10)
    assert service.purge_expired() == 1
    with engine.connect() as conn:
        assert len(conn.execute(select(document_links)).all()) == 1
        assert len(conn.execute(select(documents_issued)).all()) == 2
    assert service.open_link(live).kind is DocumentKind.ID_CARD


def test_issuing_purges_expired_links_every_few_minutes(engine, persona, clock, renderer) -> None:
    service = DocumentService(
        engine, SECRET, BASE_URL, clock=clock, renderer=renderer, purge_every=timedelta(minutes=5)
    )
    _issue(service, persona, ttl=timedelta(minutes=1))  # first issue purges (nothing yet)
    clock.advance(minutes=2)
    _issue(service, persona, ttl=timedelta(minutes=1))  # within 5 minutes: no purge
    clock.advance(minutes=4)
    _issue(service, persona, ttl=timedelta(minutes=30))  # purge due: both short links go
    with engine.connect() as conn:
        assert len(conn.execute(select(document_links)).all()) == 1


def test_issue_refuses_bad_lifetimes_missing_binding_and_a_stranger_s_policy(
    service: DocumentService, persona
) -> None:
    with pytest.raises(ValueError, match="lifetime"):
        _issue(service, persona, ttl=timedelta(0))
    with pytest.raises(ValueError, match="lifetime"):
        _issue(service, persona, ttl=timedelta(days=2))
    with pytest.raises(ValueError, match="conversation"):
        _issue(service, persona, conversation_id="")
    stranger, _ = persona("HOM-2000001")
    _, policy = persona("AUT-1000001")
    with pytest.raises(ValueError, match="does not hold"):
        service.issue_link(
            DocumentKind.ID_CARD, policy, stranger, conversation_id="c", channel="sms"
        )


def test_logs_name_the_document_but_never_the_policy_number_or_token(
    service: DocumentService, persona, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="policyline.documents")
    issued = _issue(service, persona)
    service.open_link(_token(issued.url))
    logged = caplog.text
    assert issued.document_id in logged
    assert "AUT-1000001" not in logged and "1000001" not in logged
    assert _token(issued.url) not in logged


def _race(service: DocumentService, token: str, clicks: int) -> list[str]:
    barrier = threading.Barrier(clicks)
    results: list[str] = []
    lock = threading.Lock()

    def click() -> None:
        barrier.wait()
        try:
            service.open_link(token)
            outcome = "served"
        except LinkAlreadyUsed:
            outcome = "used"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=click) for _ in range(clicks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_simultaneous_clicks_on_a_single_use_link_serve_it_once_sqlite(
    service: DocumentService, persona
) -> None:
    token = _token(_issue(service, persona).url)
    results = _race(service, token, clicks=6)
    assert sorted(results) == ["served"] + ["used"] * 5


@pytest.mark.postgres
def test_simultaneous_clicks_on_a_single_use_link_serve_it_once_postgresql(
    postgres_url: str, persona, clock, renderer
) -> None:
    engine = make_engine(postgres_url)
    upgrade(engine)
    try:
        service = DocumentService(engine, SECRET, BASE_URL, clock=clock, renderer=renderer)
        for _ in range(3):
            token = _token(_issue(service, persona).url)
            results = _race(service, token, clicks=5)
            assert sorted(results) == ["served"] + ["used"] * 4
        # Times round-trip as UTC on PostgreSQL too.
        with engine.connect() as conn:
            used = (
                conn.execute(
                    select(document_links.c.used_at).where(document_links.c.used_at.isnot(None))
                )
                .scalars()
                .all()
            )
        assert used and all(u == clock.now for u in used)
    finally:
        with engine.begin() as conn:
            conn.execute(document_links.delete())
            conn.execute(documents_issued.delete())
        engine.dispose()


def test_mms_media_link_is_a_separate_short_lived_reusable_link_to_the_same_pdf(
    service: DocumentService, engine, persona, clock
) -> None:
    issued = _issue(service, persona)
    media_token = _token(service.issue_media_link(issued))
    assert media_token != _token(issued.url)
    # Twilio may fetch the media more than once; the holder's own link stays single-use.
    first = service.open_link(media_token)
    assert service.open_link(media_token).content == first.content
    assert service.open_link(_token(issued.url)).content == first.content
    with pytest.raises(LinkAlreadyUsed):
        service.open_link(_token(issued.url))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(documents_issued)).scalar() == 1
    clock.advance(minutes=5)
    with pytest.raises(LinkExpired):
        service.open_link(media_token)
