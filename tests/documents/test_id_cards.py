"""Auto ID cards: every required field per state template, copies per vehicle, the 2D code."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

import pytest
import segno
from pypdf import PdfReader

from bot.documents import (
    DocumentKind,
    DocumentRenderer,
    PolicyNotInForce,
    WrongLineOfBusiness,
)
from bot.documents.formatting import us_date
from bot.documents.id_card import barcode_payload
from bot.documents.state_templates import default_registry
from bot.phone_numbers import display_phone
from pas_connector.models import Policy
from tests.documents.support import page_texts, pdf_text, text_lines_with_y


def _core_fields(policy: Policy) -> list[str]:
    return [
        policy.insurer.name,
        policy.insurer.naic_code,
        policy.policy_number,
        us_date(policy.effective_date),
        us_date(policy.expiration_date),
        display_phone(policy.claims_phone),
        *policy.named_insureds,
    ]


def test_texas_card_has_texas_title_minimum_limits_statement_and_one_card_per_vehicle(
    renderer: DocumentRenderer, persona
) -> None:
    holder, policy = persona("AUT-1000001")
    doc = renderer.render(DocumentKind.ID_CARD, policy, holder)
    text = pdf_text(doc.pdf)

    assert doc.template == "TX"
    assert len(policy.vehicles) == 2
    assert text.count("TEXAS LIABILITY INSURANCE CARD") == 2
    assert (
        "This policy provides at least the minimum amounts of liability insurance required by "
        "the Texas Motor Vehicle Safety Responsibility Act" in text
    )
    for value in _core_fields(policy):
        assert text.count(value) >= 2, value
    for vehicle in policy.vehicles:
        assert text.count(vehicle.vin) == 1
        assert text.count(vehicle.description) == 1
    # Texas lists the liability limits: Maria's BI is 100,000/300,000 and PD 100,000.
    assert "Bodily Injury Liability: $100,000 / $300,000" in text
    assert "Property Damage Liability: $100,000" in text
    assert policy.producer.name in text


def test_new_york_card_has_its_title_and_two_labelled_cards_per_vehicle(
    renderer: DocumentRenderer, persona
) -> None:
    holder, policy = persona("AUT-1000003")
    doc = renderer.render(DocumentKind.ID_CARD, policy, holder)
    text = pdf_text(doc.pdf)

    assert doc.template == "NY"
    assert text.count("NEW YORK STATE INSURANCE IDENTIFICATION CARD") == 2 * len(policy.vehicles)
    assert "Card 1 of 2 · Keep in the vehicle" in text
    assert "Card 2 of 2 · For registration with the DMV" in text
    vehicle = policy.vehicles[0]
    assert text.count(vehicle.vin) == 2
    for value in _core_fields(policy):
        assert text.count(value) >= 2, value
    address = policy.mailing_address
    assert f"{address.city}, {address.state} {address.zip}" in text
    assert "must be carried in the insured motor vehicle" in text


def test_new_york_two_vehicles_print_four_cards_on_two_pages(
    renderer: DocumentRenderer, persona
) -> None:
    holder, policy = persona("AUT-1000003")
    second = replace(policy.vehicles[0], vehicle_id="V2", vin="1HGCM82633A004352", year=2012)
    policy = replace(policy, vehicles=(policy.vehicles[0], second))
    doc = renderer.render(DocumentKind.ID_CARD, policy, holder)
    pages = page_texts(doc.pdf)

    assert doc.page_count == 2
    assert [p.count("NEW YORK STATE INSURANCE IDENTIFICATION CARD") for p in pages] == [2, 2]
    assert pages[0].count(policy.vehicles[0].vin) == 2
    assert pages[1].count("1HGCM82633A004352") == 2


def _qr_image(pdf: bytes):  # type: ignore[no-untyped-def]
    images = PdfReader(io.BytesIO(pdf)).pages[0].images
    assert len(images) == 1, "one 2D code image, drawn once per card"
    return images[0].image.convert("L")


def test_new_york_2d_code_is_a_crisp_qr_carrying_the_card_data(
    renderer: DocumentRenderer, persona
) -> None:
    holder, policy = persona("AUT-1000003")
    doc = renderer.render(DocumentKind.ID_CARD, policy, holder)
    template = default_registry().for_state("NY")
    payload = barcode_payload(template, policy, policy.vehicles[0])
    assert payload.split("|") == [
        "NYIIC1",
        policy.insurer.naic_code,
        policy.policy_number,
        policy.effective_date.strftime("%Y%m%d"),
        policy.expiration_date.strftime("%Y%m%d"),
        policy.vehicles[0].vin,
        policy.vehicles[0].description,
        ";".join(policy.named_insureds),
    ]

    # Sample the embedded image at each module's centre and compare with the QR the payload
    # encodes: every module must match, so the image is the code for exactly this payload.
    expected = segno.make(payload, error="m", micro=False)
    image = _qr_image(doc.pdf)
    modules = expected.symbol_size(scale=1, border=4)[0]
    scale = image.width // modules
    assert image.width == image.height == modules * scale
    matrix = expected.matrix
    for row, bits in enumerate(matrix):
        for col, dark in enumerate(bits):
            pixel = image.getpixel(((col + 4) * scale + scale // 2, (row + 4) * scale + scale // 2))
            assert (pixel < 128) == bool(dark), (row, col)
    # Quiet zone is light all round.
    assert all(image.getpixel((x, 1)) > 128 for x in range(image.width))


def test_states_without_a_template_get_the_generic_card(
    renderer: DocumentRenderer, persona
) -> None:
    holder, policy = persona("AUT-1000001")
    policy = replace(policy, state="OH")
    doc = renderer.render(DocumentKind.ID_CARD, policy, holder)
    text = pdf_text(doc.pdf)

    assert doc.template == "default"
    assert text.count("AUTOMOBILE INSURANCE IDENTIFICATION CARD") == 2
    assert "TEXAS" not in text
    for value in _core_fields(policy):
        assert value in text
    for vehicle in policy.vehicles:
        assert vehicle.vin in text


def test_cancelled_policy_gets_no_id_card(renderer: DocumentRenderer, persona) -> None:
    holder, policy = persona("AUT-1000002")
    with pytest.raises(PolicyNotInForce):
        renderer.render(DocumentKind.ID_CARD, policy, holder)


def test_policy_past_its_expiration_date_gets_no_id_card(
    renderer: DocumentRenderer, persona, clock
) -> None:
    holder, policy = persona("AUT-1000001")
    clock.now = clock.now.replace(
        year=policy.expiration_date.year,
        month=policy.expiration_date.month,
        day=policy.expiration_date.day,
    ) + timedelta(days=1)
    with pytest.raises(PolicyNotInForce):
        renderer.render(DocumentKind.ID_CARD, policy, holder)
    with pytest.raises(PolicyNotInForce):
        renderer.render(DocumentKind.ID_CARD, replace(policy, status="expired"), holder)


def test_pending_cancellation_still_gets_a_card(renderer: DocumentRenderer, persona) -> None:
    holder, policy = persona("AUT-1000001")
    doc = renderer.render(DocumentKind.ID_CARD, replace(policy, status="pending_cancel"), holder)
    assert policy.policy_number in pdf_text(doc.pdf)


@pytest.mark.parametrize("number", ["HOM-2000001", "REN-3000001", "HOM-2000002"])
def test_home_and_renters_policies_get_no_id_card(
    renderer: DocumentRenderer, persona, number: str
) -> None:
    holder, policy = persona(number)
    with pytest.raises(WrongLineOfBusiness):
        renderer.render(DocumentKind.ID_CARD, policy, holder)


def test_many_long_names_shrink_to_fit_above_the_card_statement(
    renderer: DocumentRenderer, persona
) -> None:
    holder, policy = persona("AUT-1000001")
    names = tuple(
        f"{first} Alvarez-Montenegro de la Fuente"
        for first in ("Maria", "Daniel", "Lucía", "Mateo", "Valentina", "Sebastián")
    )
    policy = replace(policy, named_insureds=names)
    doc = renderer.render(DocumentKind.ID_CARD, policy, holder)
    runs = text_lines_with_y(doc.pdf)

    statement_y = max(y for text, y in runs if text.startswith("This policy provides"))
    card_top_y = max(y for text, y in runs if text == "TEXAS LIABILITY INSURANCE CARD")
    # Every name of the first card sits between its band and its statement box.
    first_card = [(t, y) for t, y in runs if statement_y < y < card_top_y]
    card_text = " ".join(t for t, _ in first_card)
    for name in names:
        assert name in card_text, name
    lowest_field = min(y for _, y in first_card)
    assert lowest_field - statement_y > 8  # points: clear of the statement box's top padding
