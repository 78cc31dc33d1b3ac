"""An unchanged document is rendered once per day and process; any change to its data redraws it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine

from bot.documents import CertificateHolder, DocumentKind, DocumentRenderer, DocumentService
from bot.documents.render_cache import RenderCache, data_version
from tests.documents.conftest import BASE_URL, SECRET
from tests.documents.support import SettableClock, pdf_text


class CountingRenderer(DocumentRenderer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.calls: list[DocumentKind] = []

    def render(self, kind, policy, holder, **kwargs):  # type: ignore[no-untyped-def]
        self.calls.append(kind)
        return super().render(kind, policy, holder, **kwargs)


def _service(
    engine: Engine, clock: SettableClock, cache: RenderCache
) -> tuple[DocumentService, CountingRenderer]:
    numbers = iter(f"COI-20261125-TEST{n:04d}" for n in range(100))
    renderer = CountingRenderer(clock=clock, certificate_numbers=lambda now: next(numbers))
    service = DocumentService(
        engine, SECRET, BASE_URL, clock=clock, renderer=renderer, render_cache=cache
    )
    return service, renderer


def _issue(service: DocumentService, kind: DocumentKind, policy, holder, **kwargs):  # type: ignore[no-untyped-def]
    return service.issue_link(kind, policy, holder, conversation_id="c-1", channel="web", **kwargs)


def _pdf(service: DocumentService, issued) -> bytes:  # type: ignore[no-untyped-def]
    return service.open_link(issued.url.rsplit("/", 1)[-1]).content


def test_the_same_document_for_the_same_data_is_rendered_once(engine, clock, persona) -> None:  # type: ignore[no-untyped-def]
    service, renderer = _service(engine, clock, RenderCache())
    holder, policy = persona("AUT-1000001")

    first = _issue(service, DocumentKind.ID_CARD, policy, holder)
    clock.advance(minutes=5)
    # Equal data in new objects (a fresh PAS read) is the same version.
    again = _issue(service, DocumentKind.ID_CARD, replace(policy), replace(holder))

    assert renderer.calls == [DocumentKind.ID_CARD]
    assert first.link_id != again.link_id, "each request still gets its own link"
    assert _pdf(service, first) == _pdf(service, again)


def test_a_change_in_the_data_renders_the_document_again(engine, clock, persona) -> None:  # type: ignore[no-untyped-def]
    service, renderer = _service(engine, clock, RenderCache())
    holder, policy = persona("AUT-1000001")
    first = _issue(service, DocumentKind.DECLARATIONS, policy, holder)

    raised = replace(policy, total_premium=policy.total_premium + Decimal("0.01"))
    second = _issue(service, DocumentKind.DECLARATIONS, raised, holder)
    renamed = replace(holder, first_name=holder.first_name + "a")  # not printed, still data
    third = _issue(service, DocumentKind.DECLARATIONS, raised, renamed)

    assert renderer.calls == [DocumentKind.DECLARATIONS] * 3
    assert pdf_text(_pdf(service, first)) != pdf_text(_pdf(service, second))  # the new premium
    assert third.link_id != second.link_id


def test_a_new_day_renders_the_document_again(engine, clock, persona) -> None:  # type: ignore[no-untyped-def]
    service, renderer = _service(engine, clock, RenderCache())
    holder, policy = persona("AUT-1000001")

    _issue(service, DocumentKind.ID_CARD, policy, holder)
    clock.advance(days=1)
    issued = _issue(service, DocumentKind.ID_CARD, policy, holder)

    assert renderer.calls == [DocumentKind.ID_CARD] * 2
    assert (
        clock.now.strftime("%Y-%m-%d") in service.open_link(issued.url.rsplit("/", 1)[-1]).filename
    )


def test_certificates_are_never_served_from_the_cache(engine, clock, persona) -> None:  # type: ignore[no-untyped-def]
    service, renderer = _service(engine, clock, RenderCache())
    holder, policy = persona("AUT-1000001")
    org = CertificateHolder.parse("Riverside Property Management LLC, 12 Main St, Austin, TX")

    first = _issue(service, DocumentKind.CERTIFICATE, policy, holder, certificate_holder=org)
    second = _issue(service, DocumentKind.CERTIFICATE, policy, holder, certificate_holder=org)

    assert renderer.calls == [DocumentKind.CERTIFICATE] * 2
    assert "TEST0000" in pdf_text(_pdf(service, first))
    assert "TEST0001" in pdf_text(_pdf(service, second))


def test_the_cache_keeps_only_the_most_recently_used_documents(engine, clock, persona) -> None:  # type: ignore[no-untyped-def]
    cache = RenderCache(max_entries=2)
    service, renderer = _service(engine, clock, cache)
    tx = persona("AUT-1000001")
    ny = persona("AUT-1000003")

    for holder, policy in (tx, ny, tx):  # tx used last: ny is the oldest
        _issue(service, DocumentKind.ID_CARD, policy, holder)
    _issue(service, DocumentKind.DECLARATIONS, tx[1], tx[0])  # evicts ny
    _issue(service, DocumentKind.ID_CARD, tx[1], tx[0])  # still cached
    _issue(service, DocumentKind.ID_CARD, ny[1], ny[0])  # rendered again

    assert len(cache) == 2
    assert (cache.hits, cache.misses) == (2, 4)
    assert len(renderer.calls) == 4


def test_the_data_version_follows_every_field_and_ignores_object_identity(persona) -> None:  # type: ignore[no-untyped-def]
    holder, policy = persona("AUT-1000001")
    version = data_version(policy, holder)

    assert data_version(replace(policy), replace(holder)) == version
    assert data_version(replace(policy, state="OK"), holder) != version
    assert data_version(policy, replace(holder, phone="+15125550199")) != version
    assert data_version(policy, holder, CertificateHolder("A", "1 Main St")) != version
