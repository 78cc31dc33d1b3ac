"""Details given before they are asked: date of birth, ZIP and policy number read from a request,
and the certificate holder named in a certificate request."""

from __future__ import annotations

from datetime import date

import pytest

from bot.conversation.certificate_holder import CertificateHolderText, read_certificate_holder
from bot.conversation.volunteered import VolunteeredIdentity, read_volunteered_identity

TODAY = date(2026, 12, 7)
APRIL_12_1985 = date(1985, 4, 12)


def read(text: str) -> VolunteeredIdentity:
    return read_volunteered_identity(text, TODAY)


@pytest.mark.parametrize(
    "text",
    [
        "balance pls, dob 04/12/1985",
        "id card - born 4/12/1985",
        "my birthday is april 12th 1985",
        "d.o.b. 4-12-85",
        "Date of birth: 12 April 1985",
        "i was born on the twelfth of april nineteen eighty five",
        "bday 1985-04-12 send my card",
        "DOB 04121985",
        "birthdate is Apr. 12, 1985",
    ],
)
def test_a_labelled_date_of_birth_is_read_in_many_wordings(text: str) -> None:
    assert read(text).date_of_birth == APRIL_12_1985


@pytest.mark.parametrize(
    "text",
    [
        "id card 04/12/1985",
        "Is my autopay still on? 09/30/1972 28203",  # fragments appended to a clause
    ],
)
def test_the_one_unlabelled_date_old_enough_to_be_a_birth_date_is_read(text: str) -> None:
    assert read(text).date_of_birth is not None


@pytest.mark.parametrize(
    "text",
    [
        "i had an accident on 11/30/2026, file a claim please",  # too recent for a birth date
        "pay $150 by 12/15/2026",
        "my car was hit on 3/4/1999 whats my claim status",  # introduced as another date
        "I've had this policy since 01/01/2000, balance?",
        "balance 04/12/1985 and 09/30/1972",  # two candidates: not sure which
        "send the dec page for 12/15",  # no year
        "born in 1985",  # no day
        "what's my balance",
    ],
)
def test_dates_that_are_not_surely_a_birth_date_are_left_alone(text: str) -> None:
    assert read(text).date_of_birth is None


@pytest.mark.parametrize(
    ("text", "zip_code"),
    [
        ("id card - born 4/12/1985, zip 78704", "78704"),
        ("zip code is 28203", "28203"),
        ("postal code: 78704-1234", "78704"),
        ("my birthday is april 12th 1985 and i live in 78704", "78704"),
        ("78704 is my zip", "78704"),
        ("zip is seven eight seven oh four", "78704"),
        ("dob 4/12/85 78704", "78704"),  # bare, beside a date of birth
        ("i live in austin tx 78704", "78704"),
        ("COI for Acme 12 Main St Austin TX 78701, my zip is 78704", "78704"),
    ],
)
def test_a_zip_code_is_read_when_labelled_or_beside_a_date_of_birth(
    text: str, zip_code: str
) -> None:
    assert read(text).zip_code == zip_code


@pytest.mark.parametrize(
    "text",
    [
        "can you make a COI out to Lone Star Apartments 900 Congress Ave Austin TX 78701",
        "COI for Acme LLC 12345 Main St, dob 4/12/1985",  # a house number
        "dob 4/12/1985, certificate for Acme, 12 Elm St Austin tx 78701",  # the holder's ZIP
        "pay 12345 dollars, dob 4/12/85",  # an amount
        "pay $12345 dob 4/12/85",
        "balance for 78704",  # bare, and no date of birth beside it
        "dob 4/12/85 policy AUT-1000001",  # digits of a policy number
        "COI for Acme 12 Main St Austin TX, zip 78701",  # the holder's, though labelled
    ],
)
def test_five_digits_that_are_not_the_writers_zip_are_left_alone(text: str) -> None:
    assert read(text).zip_code is None


@pytest.mark.parametrize(
    ("text", "policy"),
    [
        ("hi this is maria, policy AUT-1000001 dob 04/12/1985", "AUT-1000001"),
        ("hom 2000002 balance", "HOM-2000002"),
        ("my policy number is 1000001", "1000001"),
        ("policy # 1000001", "1000001"),
        ("call me at 5125550101", None),
        ("the 1234567 thing", None),
    ],
)
def test_a_policy_number_is_read_with_its_prefix_or_after_the_word_policy(
    text: str, policy: str | None
) -> None:
    assert read(text).policy_number == policy


@pytest.mark.parametrize(
    "text",
    [
        "Hi, this is James. My DOB is 09/30/1972 and zip 28203.",
        "hey its maria, policy aut 1000001, born april 12th 1985, i live in 78704",
        "my policy number is 1000001",
        "balance pls",
    ],
)
def test_the_details_written_with_their_labels_read_back_the_same(text: str) -> None:
    given = read(text)
    assert read(given.as_text()) == given


def test_nothing_is_read_from_a_button_payload() -> None:
    assert not read('/inform{"date_of_birth": "1985-04-12"}')


@pytest.mark.parametrize(
    ("text", "name", "address"),
    [
        (
            "can you make a COI out to Lone Star Apartments 900 Congress Ave Austin TX 78701",
            "Lone Star Apartments",
            "900 Congress Ave Austin TX 78701",
        ),
        (
            "need a certificate of insurance for Blue Ridge Property Management, "
            "410 S Tryon St, Charlotte, NC 28202",
            "Blue Ridge Property Management",
            "410 S Tryon St, Charlotte, NC 28202",
        ),
        (
            "coi for Westgate Pavilion at 5 Gate Rd, Omaha NE 68102",
            "Westgate Pavilion",
            "5 Gate Rd, Omaha NE 68102",
        ),
        (
            "Certificate holder: Oak Hill HOA, PO Box 455, Plano TX 75024",
            "Oak Hill HOA",
            "PO Box 455, Plano TX 75024",
        ),
        (
            "proof of insurance issued to Harbor Marina LLC 77 Dock St. Suite 4, Seattle WA "
            "98101 and my dob is 4/12/85",
            "Harbor Marina LLC",
            "77 Dock St. Suite 4, Seattle WA 98101",
        ),
        ("COI for Acme Property Management please", "Acme Property Management", None),
        ("i need a coi made out to Granite Bay Lending. thanks!", "Granite Bay Lending", None),
        ("send the COI to Acme Movers by friday", "Acme Movers", None),
        (
            "I need a COI. It's for Lone Star Apartments 900 Congress Ave Austin TX 78701.",
            "Lone Star Apartments",
            "900 Congress Ave Austin TX 78701",
        ),
        ("cert for Hilltop Events today pls", "Hilltop Events", None),
    ],
)
def test_the_certificate_holder_is_split_at_the_first_house_number(
    text: str, name: str, address: str | None
) -> None:
    assert read_certificate_holder(text) == CertificateHolderText(name, address)


@pytest.mark.parametrize(
    "text",
    [
        "certificate for my truck",
        "a COI for the condo please",
        "certificate for AUT-1000001",
        "I need to send a COI to my landlord",
        "send my id card to me",
        "need a certificate of insurance",
        "can you make the certificate out to ?!",
        "email the COI to jane@acmemovers.com",
        "need a certificate, it's for my landlord",
    ],
)
def test_no_holder_is_read_where_none_is_named_for_sure(text: str) -> None:
    assert read_certificate_holder(text) is None
