"""The scripted conversations of issue 13: each item, in many wordings, over SMS and voice.

Every line is written the way people text or talk (shorthand, typos, no punctuation from speech
to text, long polite paragraphs). Each step checks facts of the reply (amounts, adjusters, links,
a handoff reference) and what must not be there (another holder's data, a question the person
already answered or walked away from). Persona facts come from the PAS sandbox's fixture
personas (README "Fixture personas").
"""

from __future__ import annotations

import re

from tests.dialogue_suite.checks import (
    ASKS_AMOUNT,
    ASKS_CODE,
    ASKS_DOB,
    ASKS_HOLDER_ADDRESS,
    ASKS_HOLDER_NAME,
    ASKS_POLICY_NUMBER,
    ASKS_WHICH,
    ASKS_ZIP,
    CLAIMS_LINE,
    DOCUMENT_LINK,
    MMS,
    NOT_YOURS,
    PAY_LINK,
    PERSON,
    Check,
    Fact,
    any_of,
    anything,
    has,
    in_order,
    lacks,
    same_answer_as,
)
from tests.dialogue_suite.script import (
    Step,
    Suite,
    code_for,
    dob,
    dob_keys,
    loss_day,
    masked,
    verify,
    verify_by_keys,
    word,
)
from tests.support.personas import JAMES, JOSE, MARIA, PRIYA, ROBERT, Persona

# The table is laid out by hand: one conversation per call, one step per line.
# fmt: off
S = Step
suite = Suite()

# --- the personas' facts (pas_sandbox/personas.py) -------------------------------------------
M_POL = masked(MARIA.policy_number)
J_POL = masked(JAMES.policy_number)
P_POL = masked(PRIYA.policy_number)
R_POL = masked(ROBERT.policy_number)
JOSE_AUTO_NUMBER, JOSE_HOME_NUMBER = JOSE.policy_numbers
JOSE_AUTO, JOSE_HOME = masked(JOSE_AUTO_NUMBER), masked(JOSE_HOME_NUMBER)

MARIA_BALANCE, MARIA_MINIMUM = "$412.50", "$206.25"
JAMES_BALANCE = "$186.00"
PRIYA_BALANCE, PRIYA_PAST_DUE = "$144.00", "$96.00"
JOSE_AUTO_BALANCE, JOSE_HOME_BALANCE = "$233.10", "$972.00"
MARIA_CLAIM, JAMES_CLAIM = "CLM-50000001", "CLM-50000002"
JOSE_GLASS_CLAIM, JOSE_HAIL_CLAIM = "CLM-50000003", "CLM-50000004"
DANA, MARCUS, ALICIA, KEVIN = "Dana Brooks", "Marcus Webb", "Alicia Moreno", "Kevin Osei"
GLASS_DAYS_AGO, HAIL_DAYS_AGO = 9, 20

_OWN: dict[str, tuple[Fact, ...]] = {
    "maria": (word("Alvarez"), MARIA_BALANCE, DANA),
    "james": (word("Whitfield"), JAMES_BALANCE, MARCUS),
    "priya": (word("Raman"), PRIYA_BALANCE),
    "robert": (word("Chen"),),
    "jose": (re.compile(r"\bN[uú][nñ]ez\b", re.IGNORECASE), JOSE_AUTO_BALANCE, JOSE_HOME_BALANCE,
             ALICIA, KEVIN),
}


def key_of(persona: Persona) -> str:
    return persona.first_name.lower().replace("é", "e")


def others_of(who: str) -> tuple[Fact, ...]:
    """Everything that belongs to the other personas: never in this persona's replies."""
    return tuple(fact for name, facts in _OWN.items() if name != who for fact in facts)


NOT_MARIA, NOT_JAMES, NOT_PRIYA = others_of("maria"), others_of("james"), others_of("priya")
NOT_ROBERT, NOT_JOSE = others_of("robert"), others_of("jose")

# Numbers nobody holds, for "same answer whether it exists or not".
NOBODYS_POLICY = "HOM-2999999"
NOBODYS_CLAIM = "CLM-59999999"


def stranger(n: int) -> str:
    """A number that is on nobody's file (one per conversation: its own conversation)."""
    return f"+1737555{7000 + n:04d}"


def the_id_card(policy: str) -> Check:
    return has(policy, DOCUMENT_LINK) & MMS


def balance(policy: str, amount: str) -> Check:
    return has(policy, amount)


def pays(amount: str) -> Check:
    return has(amount, PAY_LINK) & lacks("how much")


def claim(number: str, adjuster: str) -> Check:
    return has(number, adjuster)


def queued() -> Check:
    return PERSON


VERIFIED_FIRST = ASKS_DOB


# =============================================================================================
# documents: ID cards, declarations pages, certificates
# =============================================================================================
def documents() -> None:
    add = suite.add
    add("documents", "maria_texts_for_her_insurance_card", MARIA.phone,
        S("can u txt me my insurance card", VERIFIED_FIRST),
        *verify(MARIA, the_id_card(M_POL), style=1),
        forbidden=NOT_MARIA)
    add("documents", "maria_needs_proof_of_insurance_for_the_dmv", MARIA.phone,
        S("need proof of insurance for the dmv asap", VERIFIED_FIRST),
        *verify(MARIA, the_id_card(M_POL), style=3),
        forbidden=NOT_MARIA)
    add("documents", "maria_lost_her_card_typo", MARIA.phone,
        S("lost my insurence card can i get anuther one", VERIFIED_FIRST),
        *verify(MARIA, the_id_card(M_POL), style=0),
        forbidden=NOT_MARIA)
    add("documents", "maria_card_got_wet", MARIA.phone,
        S("my insurance card went thru the wash lol, need a new copy", VERIFIED_FIRST),
        *verify(MARIA, the_id_card(M_POL), style=2),
        forbidden=NOT_MARIA)
    add("documents", "james_asks_for_a_copy_of_his_dec_page", JAMES.phone,
        S("can i get a copy of my dec page please", VERIFIED_FIRST),
        *verify(JAMES, has(J_POL, "declarations", DOCUMENT_LINK), style=0),
        forbidden=NOT_JAMES)
    add("documents", "james_declarations_for_his_house_for_the_lender", JAMES.phone,
        S("my mortgage company wants the declarations for my house", VERIFIED_FIRST),
        *verify(JAMES, has(J_POL, DOCUMENT_LINK), style=1),
        forbidden=NOT_JAMES)
    add("documents", "priya_declarations_for_her_renters_policy", PRIYA.phone,
        S("hey could you send over my renters declarations?", VERIFIED_FIRST),
        *verify(PRIYA, has(P_POL, DOCUMENT_LINK), style=4),
        forbidden=NOT_PRIYA)
    add("documents", "priya_asks_for_an_id_card_and_hears_only_auto_gets_one", PRIYA.phone,
        S("pls send my insurance id card", VERIFIED_FIRST),
        *verify(PRIYA, has("auto", "declarations") & lacks(DOCUMENT_LINK), style=0),
        forbidden=NOT_PRIYA)
    add("documents", "robert_cancelled_gets_no_id_card", ROBERT.phone,
        S("need my car insurance card for the rental place", VERIFIED_FIRST),
        *verify(ROBERT, any_of("no longer in force", "cancelled") & lacks(DOCUMENT_LINK)),
        forbidden=NOT_ROBERT)
    add("documents", "jose_id_card_goes_to_his_only_auto_policy_without_asking", JOSE.phone,
        S("id card for my car plz", VERIFIED_FIRST),
        *verify(JOSE, the_id_card(JOSE_AUTO) & lacks("which one"), style=2),
        forbidden=NOT_JOSE)
    add("documents", "james_certificate_for_a_contractor_step_by_step", JAMES.phone,
        S("a contractor i hired needs a COI from me", VERIFIED_FIRST),
        *verify(JAMES, ASKS_HOLDER_NAME),
        S("Carolina Fence Co", ASKS_HOLDER_ADDRESS),
        S("2210 Wilkinson Blvd, Charlotte NC 28208", has("certificate", DOCUMENT_LINK)),
        forbidden=NOT_JAMES)
    add("documents", "maria_certificate_for_her_landlord_step_by_step", MARIA.phone,
        S("my apartment complex is asking for a certificate of insurance", VERIFIED_FIRST),
        *verify(MARIA, ASKS_HOLDER_NAME, style=3),
        S("Barton Creek Villas LLC", ASKS_HOLDER_ADDRESS),
        S("3500 S Lamar Blvd Austin TX 78704", has("certificate", M_POL, DOCUMENT_LINK)),
        forbidden=NOT_MARIA)
    add("documents", "jose_declarations_picks_home_from_the_menu", JOSE.phone,
        S("I need the declarations page", VERIFIED_FIRST),
        *verify(JOSE, ASKS_WHICH & has(JOSE_AUTO, JOSE_HOME), style=1),
        S("2", has(JOSE_HOME, DOCUMENT_LINK) & lacks(JOSE_AUTO)),
        forbidden=NOT_JOSE)
    add("documents", "maria_asks_for_her_id_card_by_voice", MARIA.phone,
        S("yeah i need a copy of my proof of insurance", VERIFIED_FIRST),
        *verify_by_keys(MARIA, has("texted") & has(DOCUMENT_LINK)),
        channel="voice", forbidden=NOT_MARIA)
    add("documents", "james_asks_for_his_declarations_by_voice", JAMES.phone,
        S("i need my declarations page sent to me", VERIFIED_FIRST),
        *verify_by_keys(JAMES, has("texted", DOCUMENT_LINK)),
        channel="voice", forbidden=NOT_JAMES)


# =============================================================================================
# payments: balance, history, paying, autopay, payment method
# =============================================================================================
def payments() -> None:
    add = suite.add
    add("payments", "maria_asks_what_she_owes_in_shorthand", MARIA.phone,
        S("how much do i owe rn", VERIFIED_FIRST),
        *verify(MARIA, balance(M_POL, MARIA_BALANCE) & has(MARIA_MINIMUM)),
        forbidden=NOT_MARIA)
    add("payments", "maria_asks_for_her_bill_with_a_typo", MARIA.phone,
        S("wats my bil", VERIFIED_FIRST),
        *verify(MARIA, balance(M_POL, MARIA_BALANCE), style=1),
        forbidden=NOT_MARIA)
    add("payments", "maria_asks_politely_for_the_amount_due", MARIA.phone,
        S("Hi there, could you please tell me the amount that is currently due on my account? "
          "Thank you so much.", VERIFIED_FIRST),
        *verify(MARIA, balance(M_POL, MARIA_BALANCE), style=2),
        forbidden=NOT_MARIA)
    add("payments", "priya_hears_her_past_due_amount", PRIYA.phone,
        S("am i behind on my payments??", VERIFIED_FIRST),
        *verify(PRIYA, balance(P_POL, PRIYA_BALANCE) & has("past due", PRIYA_PAST_DUE), style=3),
        forbidden=NOT_PRIYA)
    add("payments", "robert_cancelled_policy_owes_nothing", ROBERT.phone,
        S("do i still owe u guys anything", VERIFIED_FIRST),
        *verify(ROBERT, has(R_POL, "cancelled")),
        forbidden=NOT_ROBERT)
    add("payments", "james_autopay_is_on_for_the_15th", JAMES.phone,
        S("is my autopay still set up", VERIFIED_FIRST),
        *verify(JAMES, has(J_POL, "on", "15th"), style=2),
        forbidden=NOT_JAMES)
    add("payments", "maria_autopay_is_off", MARIA.phone,
        S("r my payments automatic?", VERIFIED_FIRST),
        *verify(MARIA, has(M_POL, "off")),
        forbidden=NOT_MARIA)
    add("payments", "maria_sets_up_autopay_with_a_secure_link", MARIA.phone,
        S("i want my premium to come out automatically every month", VERIFIED_FIRST),
        *verify(MARIA, has(M_POL, PAY_LINK), style=4),
        forbidden=NOT_MARIA)
    add("payments", "james_asks_to_stop_autopay_and_is_asked_to_confirm", JAMES.phone,
        S("please turn off the automatic drafts on my account", VERIFIED_FIRST),
        *verify(JAMES, has(J_POL, "turn off") & any_of("YES", "yes")),
        forbidden=NOT_JAMES)
    add("payments", "james_changes_the_card_autopay_uses", JAMES.phone,
        S("got a new credit card, need to change the one you charge", VERIFIED_FIRST),
        *verify(JAMES, has(J_POL, PAY_LINK), style=1),
        forbidden=NOT_JAMES)
    add("payments", "maria_checks_when_she_last_paid", MARIA.phone,
        S("did my last payment actually go thru", VERIFIED_FIRST),
        *verify(MARIA, has(MARIA_MINIMUM, "payments")),
        forbidden=NOT_MARIA)
    add("payments", "james_payment_history", JAMES.phone,
        S("show me my recent payments", VERIFIED_FIRST),
        *verify(JAMES, has(JAMES_BALANCE, "card")),
        forbidden=NOT_JAMES)
    add("payments", "maria_pays_the_full_balance", MARIA.phone,
        S("i'd like to make a payment", VERIFIED_FIRST),
        *verify(MARIA, ASKS_AMOUNT, style=1),
        S("the whole thing please", pays(MARIA_BALANCE)),
        forbidden=NOT_MARIA)
    add("payments", "maria_pays_a_typed_amount", MARIA.phone,
        S("wanna pay my bill", VERIFIED_FIRST),
        *verify(MARIA, ASKS_AMOUNT, style=3),
        S("125", pays("$125.00")),
        forbidden=NOT_MARIA)
    add("payments", "priya_pays_what_she_owes", PRIYA.phone,
        S("how do i pay my bill online with you", VERIFIED_FIRST),
        *verify(PRIYA, ASKS_AMOUNT),
        S("the full amount i owe", pays(PRIYA_BALANCE)),
        forbidden=NOT_PRIYA)
    add("payments", "maria_hears_her_balance_by_voice", MARIA.phone,
        S("what do i owe on my car insurance", VERIFIED_FIRST),
        *verify_by_keys(MARIA, has("412 dollars and 50 cents") & lacks("$")),
        channel="voice", forbidden=NOT_MARIA)


# =============================================================================================
# claims: status and adjuster
# =============================================================================================
def claims() -> None:
    add = suite.add
    add("claims", "maria_asks_for_an_update_on_her_claim", MARIA.phone,
        S("any update on my claim?? its been almost 2 weeks", VERIFIED_FIRST),
        *verify(MARIA, claim(MARIA_CLAIM, DANA), style=2),
        forbidden=NOT_MARIA)
    add("claims", "maria_asks_who_her_adjuster_is", MARIA.phone,
        S("who is handling my claim", VERIFIED_FIRST),
        *verify(MARIA, claim(MARIA_CLAIM, DANA) & has("(800) 555-0142")),
        forbidden=NOT_MARIA)
    add("claims", "maria_asks_when_her_car_gets_fixed", MARIA.phone,
        S("when is my car getting fixed from the accident claim", VERIFIED_FIRST),
        *verify(MARIA, claim(MARIA_CLAIM, DANA), style=4),
        forbidden=NOT_MARIA)
    add("claims", "james_hears_his_claim_is_closed", JAMES.phone,
        S("whats the status on my water damage claim", VERIFIED_FIRST),
        *verify(JAMES, claim(JAMES_CLAIM, MARCUS) & has("closed")),
        forbidden=NOT_JAMES)
    add("claims", "priya_has_no_claims", PRIYA.phone,
        S("checking on a claim", VERIFIED_FIRST),
        *verify(PRIYA, any_of("don't see any claims", "no claims", "no open claims")),
        forbidden=NOT_PRIYA)
    add("claims", "robert_has_no_claims", ROBERT.phone,
        S("status of my claim please", VERIFIED_FIRST),
        *verify(ROBERT, any_of("don't see any claims", "no claims")),
        forbidden=NOT_ROBERT)
    add("claims", "jose_picks_his_claim_from_the_menu_by_number", JOSE.phone,
        S("where are we at with my claim", VERIFIED_FIRST),
        *verify(JOSE, ASKS_WHICH & has(JOSE_GLASS_CLAIM, JOSE_HAIL_CLAIM), style=5),
        S("1", claim(JOSE_GLASS_CLAIM, ALICIA) & lacks(KEVIN)),
        forbidden=NOT_JOSE)
    add("claims", "maria_claim_status_by_voice", MARIA.phone,
        S("i want to check on my claim", VERIFIED_FIRST),
        *verify_by_keys(MARIA, has("Dana Brooks")),
        channel="voice", forbidden=NOT_MARIA)
    add("claims", "james_claim_status_by_voice_spoken_dates", JAMES.phone,
        S("um yeah calling about my claim", VERIFIED_FIRST),
        S(JAMES.born.strftime("%B ") + "thirtieth nineteen seventy two", ASKS_ZIP),
        S("#" + JAMES.zip, has(MARCUS)),
        channel="voice", forbidden=NOT_JAMES)
    add("claims", "jose_claim_menu_by_voice_keys", JOSE.phone,
        S("claim update", VERIFIED_FIRST),
        *verify_by_keys(JOSE, ASKS_WHICH),
        S("2", has(KEVIN) & lacks(ALICIA)),
        channel="voice", forbidden=NOT_JOSE)


# =============================================================================================
# choice in words: policy by line or synonym, vehicle, claim by type or date, ordinal, digits
# =============================================================================================
def choice_in_words() -> None:
    add = suite.add

    def jose_policy(name: str, ask: str, answer: str, policy: str, fact: Check, style: int) -> None:
        other = JOSE_HOME if policy == JOSE_AUTO else JOSE_AUTO
        add("choice_in_words", name, JOSE.phone,
            S(ask, VERIFIED_FIRST),
            *verify(JOSE, ASKS_WHICH, style=style),
            S(answer, has(policy) & fact & lacks(other)),
            forbidden=NOT_JOSE)

    auto_balance = has(JOSE_AUTO_BALANCE)
    home_balance = has(JOSE_HOME_BALANCE)
    jose_policy("jose_balance_the_car_one", "what do i owe yall", "the car one", JOSE_AUTO,
                auto_balance, 0)
    jose_policy("jose_balance_my_truck", "balance please", "my truck", JOSE_AUTO,
                auto_balance, 1)
    jose_policy("jose_balance_the_house", "how much is due on it", "the house", JOSE_HOME,
                home_balance, 2)
    jose_policy("jose_balance_the_condo_one", "whats due this month", "the condo one",
                JOSE_HOME, home_balance, 3)
    jose_policy("jose_declarations_homeowners", "send me the dec page", "homeowners",
                JOSE_HOME, has(DOCUMENT_LINK), 4)
    jose_policy("jose_balance_the_homeowners_i_think", "what's my balance looking like",
                "the homeowners policy i think", JOSE_HOME, home_balance, 5)
    jose_policy("jose_declarations_by_vehicle_make", "need a declarations page",
                "the subaru one please", JOSE_AUTO, has(DOCUMENT_LINK), 0)
    jose_policy("jose_summary_by_vehicle_model", "give me a summary of my coverage",
                "the outback", JOSE_AUTO, has("Outback"), 1)
    jose_policy("jose_payment_history_by_vehicle_year", "when did i pay last",
                "the 2019 one", JOSE_AUTO, has("payments"), 2)
    jose_policy("jose_balance_the_first_one", "hows my balance looking", "the first one",
                JOSE_AUTO, auto_balance, 3)
    jose_policy("jose_balance_the_second_one", "what's my current bill amount", "2nd one",
                JOSE_HOME, home_balance, 4)
    jose_policy("jose_balance_the_last_one", "amount owed?", "the last one on the list", JOSE_HOME,
                home_balance, 5)
    jose_policy("jose_balance_by_last_three_digits", "balance due pls",
                f"the one ending in {JOSE_HOME_NUMBER[-3:]}", JOSE_HOME, home_balance,
                0)
    jose_policy("jose_declarations_by_last_four_digits", "can i get my declarations",
                JOSE_AUTO_NUMBER[-4:], JOSE_AUTO, has(DOCUMENT_LINK), 1)
    jose_policy("jose_autopay_on_the_home_policy_in_words", "is autopay on",
                "for the house policy", JOSE_HOME, has("on"), 2)

    def jose_claim(name: str, ask: str, answer: str, adjuster: str, style: int) -> None:
        other = KEVIN if adjuster == ALICIA else ALICIA
        add("choice_in_words", name, JOSE.phone,
            S(ask, VERIFIED_FIRST),
            *verify(JOSE, ASKS_WHICH, style=style),
            S(answer, has(adjuster) & lacks(other)),
            forbidden=NOT_JOSE)

    jose_claim("jose_claim_the_hail_one", "claim status for me", "the hail one pls", KEVIN, 0)
    jose_claim("jose_claim_the_windshield", "update on my claim pls", "the windshield", ALICIA, 1)
    jose_claim("jose_claim_the_glass_claim", "hows my claim going", "glass claim", ALICIA, 2)
    jose_claim("jose_claim_wind_damage", "any news on the claim", "the wind damage one", KEVIN, 3)
    jose_claim("jose_claim_from_the_storm", "where's my claim at", "the storm one", KEVIN, 4)
    jose_claim("jose_claim_by_loss_date", "check claim status",
               f"the one from {loss_day(HAIL_DAYS_AGO)}", KEVIN, 5)
    jose_claim("jose_claim_the_second_claim", "status of my claims", "the second claim",
               KEVIN, 0)
    jose_claim("jose_claim_by_last_digits", "my claim??? any news",
               f"the one ending {JOSE_GLASS_CLAIM[-4:]}", ALICIA, 1)
    jose_claim("jose_claim_the_car_one", "what's happening with my claim lately", "the car one",
               ALICIA, 2)

    add("choice_in_words", "maria_id_card_for_the_civic", MARIA.phone,
        S("i need the id card for the civic", VERIFIED_FIRST),
        *verify(MARIA, the_id_card(M_POL)),
        forbidden=NOT_MARIA)
    add("choice_in_words", "maria_claim_on_the_rav4", MARIA.phone,
        S("status of the claim on my rav4", VERIFIED_FIRST),
        *verify(MARIA, claim(MARIA_CLAIM, DANA), style=1),
        forbidden=NOT_MARIA)
    add("choice_in_words", "jose_says_the_home_one_by_voice", JOSE.phone,
        S("i want to know my balance please", VERIFIED_FIRST),
        *verify_by_keys(JOSE, ASKS_WHICH),
        S("uh the home one", has("972 dollars") & lacks("233 dollars")),
        channel="voice", forbidden=NOT_JOSE)
    add("choice_in_words", "jose_says_the_hail_claim_by_voice", JOSE.phone,
        S("whats going on with my claim", VERIFIED_FIRST),
        *verify_by_keys(JOSE, ASKS_WHICH),
        S("the hail damage claim", has(KEVIN) & lacks(ALICIA)),
        channel="voice", forbidden=NOT_JOSE)
    add("choice_in_words", "jose_says_the_second_one_by_voice", JOSE.phone,
        S("how much do i owe you this month", VERIFIED_FIRST),
        *verify_by_keys(JOSE, ASKS_WHICH),
        S("the second one", has("972 dollars") & lacks("233 dollars")),
        channel="voice", forbidden=NOT_JOSE)


# =============================================================================================
# what the first message already says is not asked again
# =============================================================================================
def first_message() -> None:
    add = suite.add
    add("first_message", "jose_balance_on_his_home_policy_is_not_asked_which", JOSE.phone,
        S("whats the balance on my home policy", VERIFIED_FIRST),
        *verify(JOSE, has(JOSE_HOME, JOSE_HOME_BALANCE) & lacks("which one", JOSE_AUTO)),
        forbidden=NOT_JOSE)
    add("first_message", "jose_dec_page_for_his_car_is_not_asked_which", JOSE.phone,
        S("send the dec page for my car", VERIFIED_FIRST),
        *verify(JOSE, has(JOSE_AUTO, DOCUMENT_LINK) & lacks("which one"), style=1),
        forbidden=NOT_JOSE)
    add("first_message", "jose_hail_claim_status_is_not_asked_which", JOSE.phone,
        S("status of my hail claim?", VERIFIED_FIRST),
        *verify(JOSE, has(KEVIN) & lacks("which one", ALICIA), style=2),
        forbidden=NOT_JOSE)
    add("first_message", "jose_claim_by_number_is_not_asked_which", JOSE.phone,
        S(f"any news on claim {JOSE_GLASS_CLAIM}", VERIFIED_FIRST),
        *verify(JOSE, has(ALICIA) & lacks("which one", KEVIN), style=3),
        forbidden=NOT_JOSE)
    add("first_message", "jose_windshield_claim_is_not_asked_which", JOSE.phone,
        S("hey whats up with my windshield claim", VERIFIED_FIRST),
        *verify(JOSE, has(ALICIA) & lacks("which one", KEVIN), style=4),
        forbidden=NOT_JOSE)
    add("first_message", "jose_policy_number_in_the_first_message", JOSE.phone,
        S(f"declarations for {JOSE_HOME_NUMBER} please", VERIFIED_FIRST),
        *verify(JOSE, has(JOSE_HOME, DOCUMENT_LINK) & lacks("which one"), style=5),
        forbidden=NOT_JOSE)
    add("first_message", "maria_amount_in_the_first_message_is_not_asked", MARIA.phone,
        S("i'd like to pay $150 today", VERIFIED_FIRST),
        *verify(MARIA, pays("$150.00")),
        forbidden=NOT_MARIA)
    add("first_message", "maria_amount_with_cents_is_not_asked", MARIA.phone,
        S("pay 206.25 toward my auto bill", VERIFIED_FIRST),
        *verify(MARIA, pays(MARIA_MINIMUM), style=1),
        forbidden=NOT_MARIA)
    add("first_message", "jose_amount_and_policy_are_not_asked", JOSE.phone,
        S("pay $300 on the home policy", VERIFIED_FIRST),
        *verify(JOSE, pays("$300.00") & lacks("which one", JOSE_AUTO), style=0),
        forbidden=NOT_JOSE)
    add("first_message", "james_certificate_holder_name_and_address_are_not_asked",
        JAMES.phone,
        S("need a certificate of insurance for Blue Ridge Property Management, "
          "410 S Tryon St, Charlotte, NC 28202", VERIFIED_FIRST),
        *verify(JAMES, has("certificate", DOCUMENT_LINK) & lacks("made out to", "mailing address")),
        forbidden=NOT_JAMES)
    add("first_message", "maria_certificate_holder_in_the_first_message", MARIA.phone,
        S("can you make a COI out to Lone Star Apartments 900 Congress Ave Austin TX 78701",
          VERIFIED_FIRST),
        *verify(MARIA, has("certificate", DOCUMENT_LINK) & lacks("made out to", "mailing address"),
                style=2),
        forbidden=NOT_MARIA)
    add("first_message", "maria_volunteers_her_date_of_birth", MARIA.phone,
        S(f"balance pls, dob {dob(MARIA, 0)}", ASKS_ZIP & lacks("date of birth")),
        S(MARIA.zip, balance(M_POL, MARIA_BALANCE)),
        forbidden=NOT_MARIA)
    add("first_message", "maria_volunteers_date_of_birth_and_zip", MARIA.phone,
        S(f"id card - born {dob(MARIA, 1)}, zip {MARIA.zip}",
          the_id_card(M_POL) & lacks("date of birth", "ZIP code")),
        forbidden=NOT_MARIA)
    add("first_message", "james_introduces_himself_with_everything", JAMES.phone,
        S(f"Hi, this is James. My DOB is {dob(JAMES, 0)} and zip {JAMES.zip}. "
          "Is my autopay still on?", has(J_POL, "15th") & lacks("date of birth", "ZIP code")),
        forbidden=NOT_JAMES)
    add("first_message", "priya_birthday_in_words_and_zip_get_the_balance_at_once", PRIYA.phone,
        S(f"hey its priya, born {PRIYA.born:%B} {PRIYA.born.day}nd {PRIYA.born.year}, zip "
          f"code is {PRIYA.zip} - how much do i owe rn", has(P_POL, PRIYA_BALANCE)
          & lacks("date of birth", "ZIP code")),
        forbidden=NOT_PRIYA)
    add("first_message", "maria_zip_first_then_only_the_date_of_birth_is_asked", MARIA.phone,
        S(f"zip {MARIA.zip}. could u text me my insurance card", ASKS_DOB & lacks("ZIP")),
        S(dob(MARIA, 5), the_id_card(M_POL) & lacks("ZIP code", "date of birth")),
        forbidden=NOT_MARIA)
    add("first_message", "maria_certificate_holder_named_without_address_asks_only_the_address",
        MARIA.phone,
        S("pls issue a certificate of insurance to Barton Creek Self Storage", VERIFIED_FIRST),
        *verify(MARIA, ASKS_HOLDER_ADDRESS & lacks("made out to"), style=3),
        S("3601 S Lamar Blvd, Austin TX 78704", has("certificate", DOCUMENT_LINK)
          & lacks("made out to")),
        forbidden=NOT_MARIA)
    add("first_message", "stranger_with_james_labelled_details_is_sent_the_code_first", stranger(9),
        S(f"how much is my bill right now? my policy number is {JAMES.policy_number}, d.o.b. "
          f"{dob(JAMES, 4)} and postal code {JAMES.zip}", ASKS_CODE & lacks(JAMES_BALANCE)),
        S(code_for(JAMES.phone), has(JAMES_BALANCE)),
        forbidden=(MARIA_BALANCE,), codes_to=JAMES.phone)


# =============================================================================================
# corrections and changes of mind, right after the answer
# =============================================================================================
def corrections() -> None:
    add = suite.add
    add("corrections", "jose_meant_the_home_policy_after_the_auto_balance", JOSE.phone,
        S("what is my balance at", VERIFIED_FIRST),
        *verify(JOSE, ASKS_WHICH),
        S("auto", has(JOSE_AUTO_BALANCE)),
        S("no wait i meant the home one",
          has(JOSE_HOME, JOSE_HOME_BALANCE) & lacks("date of birth")),
        forbidden=NOT_JOSE)
    add("corrections", "jose_actually_the_house_after_the_car", JOSE.phone,
        S("balance on my car", VERIFIED_FIRST),
        *verify(JOSE, has(JOSE_AUTO_BALANCE), style=1),
        S("actually the house", has(JOSE_HOME_BALANCE) & lacks("date of birth", "ZIP code")),
        forbidden=NOT_JOSE)
    add("corrections", "jose_the_other_claim", JOSE.phone,
        S("update on my glass claim", VERIFIED_FIRST),
        *verify(JOSE, has(ALICIA), style=2),
        S("sorry no, the other claim", has(KEVIN) & lacks("date of birth")),
        forbidden=NOT_JOSE)
    add("corrections", "jose_oops_auto_after_home_declarations", JOSE.phone,
        S("dec page asap", VERIFIED_FIRST),
        *verify(JOSE, ASKS_WHICH, style=3),
        S("home", has(JOSE_HOME, DOCUMENT_LINK)),
        S("oops i meant auto", has(JOSE_AUTO, DOCUMENT_LINK) & lacks("date of birth")),
        forbidden=NOT_JOSE)
    add("corrections", "maria_changes_the_amount_after_the_link", MARIA.phone,
        S("making a payment", VERIFIED_FIRST),
        *verify(MARIA, ASKS_AMOUNT, style=4),
        S("50", pays("$50.00")),
        S("wait make it 75", pays("$75.00") & lacks("date of birth")),
        forbidden=NOT_MARIA)
    add("corrections", "jose_switches_policy_while_asked_the_amount", JOSE.phone,
        S("i need to make a payment", VERIFIED_FIRST),
        *verify(JOSE, ASKS_WHICH, style=5),
        S("auto policy", ASKS_AMOUNT & has(JOSE_AUTO)),
        S("no the home policy sorry", has(JOSE_HOME) & lacks("date of birth")),
        S("100", pays("$100.00") & lacks(JOSE_AUTO)),
        forbidden=NOT_JOSE)
    add("corrections", "maria_changes_that_to_90_after_the_link", MARIA.phone,
        S("make payment pls", VERIFIED_FIRST),
        *verify(MARIA, ASKS_AMOUNT, style=0),
        S("60", pays("$60.00")),
        S("oh sorry, change that to 90", pays("$90.00") & lacks("date of birth", "how much")),
        forbidden=NOT_MARIA)
    add("corrections", "jose_rather_pays_the_house_when_asked_how_much", JOSE.phone,
        S("gotta pay my insurance bill", VERIFIED_FIRST),
        *verify(JOSE, ASKS_WHICH, style=2),
        S("car", ASKS_AMOUNT & has(JOSE_AUTO)),
        S("hmm actually the house one", has(JOSE_HOME, JOSE_HOME_BALANCE)
          & lacks("date of birth", "not getting it")),
        S("two hundred", pays("$200.00")),
        forbidden=NOT_JOSE)
    add("corrections", "jose_actually_the_auto_summary", JOSE.phone,
        S("summary of my home policy", VERIFIED_FIRST),
        *verify(JOSE, has(JOSE_HOME)),
        S("actually the auto policy instead", has(JOSE_AUTO, "Outback") & lacks("date of birth")),
        forbidden=NOT_JOSE)
    add("corrections", "james_corrects_the_certificate_holder_name", JAMES.phone,
        S("certificate of insurance please", VERIFIED_FIRST),
        *verify(JAMES, ASKS_HOLDER_NAME, style=1),
        S("Queen City Realty", ASKS_HOLDER_ADDRESS),
        S("sorry, the name should be Piedmont Realty Group", ASKS_HOLDER_ADDRESS
          & lacks("made out to")),
        S("500 East Blvd, Charlotte, NC 28203", has("certificate", DOCUMENT_LINK)),
        forbidden=NOT_JAMES)
    add("corrections", "jose_no_the_other_one_for_his_balance", JOSE.phone,
        S("bal owed??", VERIFIED_FIRST),
        *verify(JOSE, ASKS_WHICH, style=0),
        S("1", has(JOSE_AUTO_BALANCE)),
        S("no, the other one", has(JOSE_HOME_BALANCE) & lacks(JOSE_AUTO_BALANCE)),
        forbidden=NOT_JOSE)
    add("corrections", "jose_changes_his_mind_by_voice", JOSE.phone,
        S("balance on my stuff", VERIFIED_FIRST),
        *verify_by_keys(JOSE, ASKS_WHICH),
        S("the auto one i guess", has("233 dollars")),
        S("no sorry i meant my home insurance", has("972 dollars") & lacks("date of birth")),
        channel="voice", forbidden=NOT_JOSE)


# =============================================================================================
# payment amounts in words
# =============================================================================================
def amount_in_words() -> None:
    add = suite.add
    add("amount_in_words", "jose_puts_80_bucks_on_his_home_bill", JOSE.phone,
        S("put 80 bucks on my home bill", VERIFIED_FIRST),
        *verify(JOSE, pays("$80.00") & lacks("which one", JOSE_AUTO)),
        forbidden=NOT_JOSE)
    add("amount_in_words", "maria_pays_a_hundred_dollars", MARIA.phone,
        S("i want to pay a hundred dollars", VERIFIED_FIRST),
        *verify(MARIA, pays("$100.00"), style=1),
        forbidden=NOT_MARIA)
    add("amount_in_words", "maria_pays_fifty_on_her_car_insurance", MARIA.phone,
        S("pay fifty on my car insurance", VERIFIED_FIRST),
        *verify(MARIA, pays("$50.00"), style=2),
        forbidden=NOT_MARIA)
    add("amount_in_words", "priya_pays_96_dollars_towards_renters", PRIYA.phone,
        S("can I pay 96 dollars towards my renters", VERIFIED_FIRST),
        *verify(PRIYA, pays(PRIYA_PAST_DUE), style=3),
        forbidden=NOT_PRIYA)
    add("amount_in_words", "priya_pays_the_minimum", PRIYA.phone,
        S("just want to pay the minimum", VERIFIED_FIRST),
        *verify(PRIYA, pays(PRIYA_PAST_DUE), style=4),
        forbidden=NOT_PRIYA)
    add("amount_in_words", "maria_pays_off_everything", MARIA.phone,
        S("pay off my entire balance", VERIFIED_FIRST),
        *verify(MARIA, pays(MARIA_BALANCE), style=5),
        forbidden=NOT_MARIA)
    add("amount_in_words", "jose_throws_120_at_the_car_policy", JOSE.phone,
        S("throw $120 at the car policy", VERIFIED_FIRST),
        *verify(JOSE, pays("$120.00") & lacks("which one", JOSE_HOME)),
        forbidden=NOT_JOSE)
    add("amount_in_words", "maria_says_seventy_five_bucks_when_asked", MARIA.phone,
        S("make payment", VERIFIED_FIRST),
        *verify(MARIA, ASKS_AMOUNT),
        S("seventy five bucks", pays("$75.00")),
        forbidden=NOT_MARIA)
    add("amount_in_words", "jose_a_hundred_and_fifty_on_the_house", JOSE.phone,
        S("I'd like to pay a hundred and fifty on the house", VERIFIED_FIRST),
        *verify(JOSE, pays("$150.00") & lacks("which one", JOSE_AUTO), style=1),
        forbidden=NOT_JOSE)
    add("amount_in_words", "jose_two_hundred_twenty_five_on_the_truck", JOSE.phone,
        S("pay two hundred twenty five on the truck", VERIFIED_FIRST),
        *verify(JOSE, pays("$225.00") & lacks("which one", JOSE_HOME), style=3),
        forbidden=NOT_JOSE)
    add("amount_in_words", "maria_pays_the_minimum_due_in_words", MARIA.phone,
        S("pay the minimum due please", VERIFIED_FIRST),
        *verify(MARIA, pays(MARIA_MINIMUM), style=2),
        forbidden=NOT_MARIA)


# =============================================================================================
# two requests in one message
# =============================================================================================
def two_requests() -> None:
    add = suite.add
    add("two_requests", "maria_balance_and_id_card", MARIA.phone,
        S("whats my balance and send me my id card", VERIFIED_FIRST),
        *verify(MARIA, in_order(MARIA_BALANCE, DOCUMENT_LINK)),
        forbidden=NOT_MARIA)
    add("two_requests", "jose_home_balance_and_hail_claim", JOSE.phone,
        S("balance on the home policy and also status of the hail claim", VERIFIED_FIRST),
        *verify(JOSE, in_order(JOSE_HOME_BALANCE, KEVIN)),
        forbidden=NOT_JOSE)
    add("two_requests", "james_autopay_and_payment_history", JAMES.phone,
        S("is autopay on? & what were my last few payments", VERIFIED_FIRST),
        *verify(JAMES, in_order("15th", "Nov")),
        forbidden=NOT_JAMES)
    add("two_requests", "maria_id_card_and_declarations_after_verifying", MARIA.phone,
        S("what do I owe right now", VERIFIED_FIRST),
        *verify(MARIA, balance(M_POL, MARIA_BALANCE)),
        S("send id card and dec page", has("ID card", "declarations", DOCUMENT_LINK)),
        forbidden=NOT_MARIA)
    add("two_requests", "priya_balance_and_declarations", PRIYA.phone,
        S("how much do i owe and can i get my declarations", VERIFIED_FIRST),
        *verify(PRIYA, in_order(PRIYA_BALANCE, DOCUMENT_LINK), style=1),
        forbidden=NOT_PRIYA)
    add("two_requests", "jose_car_id_card_plus_home_dec_page", JOSE.phone,
        S("id card for the car plus my home dec page", VERIFIED_FIRST),
        *verify(JOSE, has(JOSE_AUTO, JOSE_HOME) & in_order("ID card", "declarations")),
        forbidden=NOT_JOSE)
    add("two_requests", "maria_balance_and_adjuster", MARIA.phone,
        S("balance? also who is my adjuster", VERIFIED_FIRST),
        *verify(MARIA, in_order(MARIA_BALANCE, DANA), style=3),
        forbidden=NOT_MARIA)
    add("two_requests", "james_dec_page_then_last_payment", JAMES.phone,
        S("can you send my dec page, then tell me what i last paid", VERIFIED_FIRST),
        *verify(JAMES, in_order(DOCUMENT_LINK, JAMES_BALANCE), style=2),
        forbidden=NOT_JAMES)
    add("two_requests", "maria_claim_and_autopay", MARIA.phone,
        S("Two things: how is my claim coming along, and is autopay on?", VERIFIED_FIRST),
        *verify(MARIA, in_order(DANA, "autopay")),
        forbidden=NOT_MARIA)
    add("two_requests", "maria_balance_and_id_card_by_voice", MARIA.phone,
        S("i need my balance and my id card", VERIFIED_FIRST),
        *verify_by_keys(MARIA, has("412 dollars and 50 cents", DOCUMENT_LINK)),
        channel="voice", forbidden=NOT_MARIA)
    add("two_requests", "james_dec_page_and_payments_share_one_verb", JAMES.phone,
        S("need the declarations n my payment history pls", VERIFIED_FIRST),
        *verify(JAMES, in_order(DOCUMENT_LINK, "Nov"), style=1),
        forbidden=NOT_JAMES)
    add("two_requests", "maria_card_and_claim_by_voice", MARIA.phone,
        S("i want my insurance card and my claim status", VERIFIED_FIRST),
        *verify_by_keys(MARIA, has(DOCUMENT_LINK, DANA)),
        channel="voice", forbidden=NOT_MARIA)


# =============================================================================================
# long messages: the main request inside a paragraph
# =============================================================================================
def long_messages() -> None:
    add = suite.add
    add("long_messages", "maria_accident_story_gets_the_claims_line", MARIA.phone,
        S("So I was driving home from work on Lamar around 5:30 and the guy behind me wasn't "
          "paying attention at the light and rear-ended me pretty hard. Nobody is hurt thank god "
          "but my back bumper is crushed and the trunk won't close. We exchanged info and I took "
          "pictures. What do I need to do now?", CLAIMS_LINE & PERSON),
        forbidden=NOT_MARIA)
    add("long_messages", "james_tree_on_the_roof_story_gets_the_claims_line", JAMES.phone,
        S("Last night during the storm a big oak from my neighbor's yard came down on the back "
          "of my house. There's a hole in the roof over the sunroom and water is coming in, "
          "I've put buckets out and a tarp. I have no idea how this works, I've never had to "
          "do this before. Please tell me what to do next", CLAIMS_LINE & PERSON),
        forbidden=NOT_JAMES)
    add("long_messages", "maria_vehicle_swap_goes_to_a_person", MARIA.phone,
        S("Hi! We finally sold the 2017 Civic last weekend and picked up a 2023 Honda CR-V "
          "from the dealer yesterday. The dealer said I need to get the new car on my policy "
          "before I can drive it off the lot for good, and take the Civic off. Can you help me "
          "switch them?", PERSON & lacks("claims line")),
        forbidden=NOT_MARIA)
    add("long_messages", "priya_behind_on_payments_paragraph", PRIYA.phone,
        S("Hello, I got a letter in the mail saying I'm behind on my renters insurance "
          "payments. I lost my job in the fall and things got a bit messy but I'm back on my "
          "feet now. How much do I need to pay to get caught up? I don't want to lose my "
          "coverage.", VERIFIED_FIRST),
        *verify(PRIYA, has(PRIYA_BALANCE, PRIYA_PAST_DUE)),
        forbidden=NOT_PRIYA)
    add("long_messages", "maria_pulled_over_needs_her_card", MARIA.phone,
        S("I just got pulled over for a broken taillight and the officer says the insurance "
          "card in my glovebox is expired. I'm sitting on the shoulder right now. Can you send "
          "me the current one so I can show it to him?", VERIFIED_FIRST),
        *verify(MARIA, the_id_card(M_POL), style=2),
        forbidden=NOT_MARIA)
    add("long_messages", "jose_windshield_paragraph_asks_for_status", JOSE.phone,
        S("Good afternoon. About a week and a half ago a rock flew up on the BQE and cracked "
          "my windshield, and I filed a claim the next day. I haven't heard anything since "
          "and the crack is spreading. Can you tell me where things stand and who I should "
          "talk to?", VERIFIED_FIRST),
        *verify(JOSE, has(ALICIA) & lacks(KEVIN), style=3),
        forbidden=NOT_JOSE)
    add("long_messages", "james_burst_pipe_coverage_question_goes_to_an_agent", JAMES.phone,
        S("My neighbor had a pipe burst in his basement last winter and his insurance didn't "
          "cover all of it. Now I'm worried. If a pipe bursts in my house while we're away "
          "over the holidays, would my policy cover the damage, and what about the stuff in "
          "the basement?", PERSON & any_of("agent", "licensed")),
        forbidden=NOT_JAMES)
    add("long_messages", "jose_teen_driver_paragraph_goes_to_a_person", JOSE.phone,
        S("My son turned 17 last month and just passed his road test. He'll be driving the "
          "Outback to school a couple days a week. What do I need to do to get him on the "
          "car insurance, and is there anything you need from me?", PERSON),
        forbidden=NOT_JOSE)
    add("long_messages", "priya_moving_paragraph_goes_to_a_person", PRIYA.phone,
        S("hey so my lease is up at the end of the month and im moving to a new place across "
          "town on Summit St, i need my renters insurance to move with me and the new landlord "
          "wants to see proof its updated, how do i change the address on my policy", PERSON),
        forbidden=NOT_PRIYA)
    add("long_messages", "maria_husband_traveling_pays_the_minimum", MARIA.phone,
        S("Hi, my husband normally takes care of the insurance bills but he's traveling for "
          "work this month and asked me to handle it. I'd like to make a payment of 206.25 "
          "today so we're not late. Thanks!", VERIFIED_FIRST),
        *verify(MARIA, pays(MARIA_MINIMUM), style=4),
        forbidden=NOT_MARIA)
    add("long_messages", "maria_parking_lot_claim_already_open_asks_who_has_it", MARIA.phone,
        S("Hey so a while ago somebody backed into my car at the grocery store and I opened a "
          "claim for it that same week. The body shop keeps calling me to ask if the repair "
          "got approved and honestly I have no idea. Who is handling it and where is it at",
          VERIFIED_FIRST),
        *verify(MARIA, claim(MARIA_CLAIM, DANA), style=1),
        forbidden=NOT_MARIA)
    add("long_messages", "priya_roommates_stolen_laptop_asks_if_she_is_covered", PRIYA.phone,
        S("My roommate had her laptop stolen out of her car last week and found out her "
          "insurance wont pay since it wasnt in the apartment. Kinda freaked me out. If "
          "somebody took my stuff out of my car would my renters policy cover it or not",
          PERSON & any_of("agent", "licensed") & lacks("claims line")),
        forbidden=NOT_PRIYA)
    add("long_messages", "maria_accident_story_by_voice", MARIA.phone,
        S("yeah hi um so i was in a car accident about an hour ago somebody ran a red light "
          "and hit my passenger side nobody got hurt but the car is not drivable and its "
          "sitting in a parking lot what do i do", any_of("transferred", "claims", what="claims")
          & PERSON),
        channel="voice", forbidden=NOT_MARIA)


# =============================================================================================
# interruptions inside forms: nothing re-asks the interrupted question
# =============================================================================================
def interruptions() -> None:
    add = suite.add
    add("interruptions", "maria_asks_for_a_person_instead_of_her_date_of_birth", MARIA.phone,
        S("whats my balance at", VERIFIED_FIRST),
        S("actually can i just talk to someone", PERSON & lacks("date of birth")),
        forbidden=NOT_MARIA)
    add("interruptions", "maria_asks_for_a_person_instead_of_her_zip", MARIA.phone,
        S("insurance card", VERIFIED_FIRST),
        S(dob(MARIA, 1), ASKS_ZIP),
        S("agent please", PERSON & lacks("ZIP")),
        forbidden=NOT_MARIA)
    add("interruptions", "james_starts_over_while_asked_his_date_of_birth", JAMES.phone,
        S("could i get the dec page please", VERIFIED_FIRST),
        S("ugh forget it, start over", lacks("date of birth")),
        forbidden=NOT_JAMES)
    add("interruptions", "priya_never_minds_while_asked_her_date_of_birth", PRIYA.phone,
        S("balance check pls", VERIFIED_FIRST),
        S("never mind then", lacks("date of birth")),
        forbidden=NOT_PRIYA)
    add("interruptions", "maria_asks_what_the_bot_can_do_while_asked_her_date_of_birth",
        MARIA.phone,
        S("need my id card", VERIFIED_FIRST),
        S("wait what can you even do", has("ID card") & lacks("date of birth")),
        forbidden=NOT_MARIA)
    add("interruptions", "james_asks_his_balance_while_asked_the_certificate_holder", JAMES.phone,
        S("need a certificate of insurance", VERIFIED_FIRST),
        *verify(JAMES, ASKS_HOLDER_NAME),
        S("wait whats my balance first", has(JAMES_BALANCE) & lacks("made out to")),
        forbidden=NOT_JAMES)
    add("interruptions", "maria_asks_for_her_id_card_while_asked_the_amount", MARIA.phone,
        S("i want to pay something today", VERIFIED_FIRST),
        *verify(MARIA, ASKS_AMOUNT, style=1),
        S("hold on send me my id card first", the_id_card(M_POL) & lacks("how much")),
        forbidden=NOT_MARIA)
    add("interruptions", "maria_asks_for_a_person_while_asked_the_amount", MARIA.phone,
        S("pay bill now", VERIFIED_FIRST),
        *verify(MARIA, ASKS_AMOUNT, style=2),
        S("let me talk to a real person", PERSON & lacks("how much")),
        forbidden=NOT_MARIA)
    add("interruptions", "jose_asks_for_a_representative_while_asked_which_policy", JOSE.phone,
        S("what's my balance?", VERIFIED_FIRST),
        *verify(JOSE, ASKS_WHICH),
        S("get me a representative please", PERSON & lacks("which one")),
        forbidden=NOT_JOSE)
    add("interruptions", "jose_switches_task_while_asked_which_claim", JOSE.phone,
        S("claim status pls", VERIFIED_FIRST),
        *verify(JOSE, ASKS_WHICH, style=1),
        S("nvm, when is my car payment due", has(JOSE_AUTO_BALANCE)
          & lacks("status of", "date of birth")),
        forbidden=NOT_JOSE)
    add("interruptions", "james_cancels_while_asked_the_certificate_address", JAMES.phone,
        S("i need a certificate", VERIFIED_FIRST),
        *verify(JAMES, ASKS_HOLDER_NAME, style=2),
        S("Dilworth HOA", ASKS_HOLDER_ADDRESS),
        S("cancel that, i'll do it later", lacks("mailing address", "made out to")),
        forbidden=NOT_JAMES)
    add("interruptions", "stranger_asks_for_a_person_instead_of_the_policy_number", stranger(1),
        S("balance pls thx", ASKS_POLICY_NUMBER),
        S("i'd rather speak with an agent", PERSON & lacks("policy number")),
        forbidden=(MARIA_BALANCE,))
    add("interruptions", "stranger_asks_for_a_human_instead_of_the_code", stranger(2),
        S("can u check my balance for me", ASKS_POLICY_NUMBER),
        S(MARIA.policy_number, ASKS_DOB),
        S(dob(MARIA, 0), ASKS_ZIP),
        S(MARIA.zip, ASKS_CODE & lacks(MARIA_BALANCE)),
        S("can a human help me instead", PERSON & lacks("6-digit code", MARIA_BALANCE)),
        forbidden=(MARIA_BALANCE, DANA), codes_to=MARIA.phone)
    add("interruptions", "maria_says_representative_while_asked_her_date_of_birth_by_voice",
        MARIA.phone,
        S("whats my balance on the car", VERIFIED_FIRST),
        S("representative please", PERSON & lacks("date of birth")),
        channel="voice", forbidden=NOT_MARIA)
    add("interruptions", "jose_says_stop_while_asked_his_zip_by_voice", JOSE.phone,
        S("i need a claim update", VERIFIED_FIRST),
        S(dob_keys(JOSE), ASKS_ZIP),
        S("stop", lacks("ZIP code")),
        channel="voice", forbidden=NOT_JOSE)
    add("interruptions", "maria_starts_over_while_asked_her_date_of_birth_by_voice", MARIA.phone,
        S("i need an id card", VERIFIED_FIRST),
        S("lets start from the beginning", lacks("date of birth")),
        channel="voice", forbidden=NOT_MARIA)
    add("interruptions", "maria_asks_for_help_while_asked_her_date_of_birth_by_voice",
        MARIA.phone,
        S("what's left on my bill", VERIFIED_FIRST),
        S("uh can you help me here", lacks("date of birth")),
        channel="voice", forbidden=NOT_MARIA)
    add("interruptions", "maria_another_task_while_asked_her_date_of_birth_is_served",
        MARIA.phone,
        S("balance pls, ty", VERIFIED_FIRST),
        S("actually whats going on with my claim", ASKS_DOB),
        *verify(MARIA, claim(MARIA_CLAIM, DANA) & lacks(MARIA_BALANCE), style=3),
        forbidden=NOT_MARIA)


# =============================================================================================
# a guaranteed way to a person
# =============================================================================================
def human_exit() -> None:
    add = suite.add
    for n, (who, line) in enumerate([
        (MARIA, "agent pls"),
        (JAMES, "can i get an agent"),
        (PRIYA, "representative plz"),
        (ROBERT, "I'd like to speak with a representative, please."),
        (JOSE, "real human please"),
        (MARIA, "i need to talk to somebody"),
        (JAMES, "get me the operator"),
    ]):
        add("human_exit", f"asks_for_a_person_at_once_{n + 1}", who.phone,
            S(line, PERSON & lacks("date of birth")),
            forbidden=others_of(key_of(who)))
    add("human_exit", "two_misunderstood_texts_reach_a_person", MARIA.phone,
        S("asdfgh jkl", anything(), confused_ok=True),
        S("qqq ???", PERSON, confused_ok=True),
        forbidden=NOT_MARIA)
    add("human_exit", "two_misunderstood_texts_after_verifying_reach_a_person", JAMES.phone,
        S("autopay?", VERIFIED_FIRST),
        *verify(JAMES, has("15th")),
        S("blorp zzz", anything(), confused_ok=True),
        S("mmmm kkkk", PERSON, confused_ok=True),
        forbidden=NOT_JAMES)
    add("human_exit", "two_misunderstood_texts_while_asked_which_policy_reach_a_person",
        JOSE.phone,
        S("need my balance real quick", VERIFIED_FIRST),
        *verify(JOSE, ASKS_WHICH, style=2),
        S("lkjh poiu", anything(), confused_ok=True),
        S("xcvb nm,.", PERSON & lacks("which one"), confused_ok=True),
        forbidden=NOT_JOSE)
    add("human_exit", "zero_at_the_menu_transfers_the_call", MARIA.phone,
        S("0", has("transferred")),
        channel="voice", forbidden=NOT_MARIA)
    add("human_exit", "operator_please_transfers_the_call", JAMES.phone,
        S("operator please", has("transferred")),
        channel="voice", forbidden=NOT_JAMES)
    add("human_exit", "two_misunderstood_utterances_transfer_the_call", PRIYA.phone,
        S("mumble mumble", anything(), confused_ok=True),
        S("hrmm uh the thing", has("transferred"), confused_ok=True),
        channel="voice", forbidden=NOT_PRIYA)


# =============================================================================================
# other policyholders' numbers: a clear answer, nothing disclosed
# =============================================================================================
def other_holders() -> None:
    add = suite.add

    def typed(name: str, persona: Persona, style: int, line: str, leaks: tuple[Fact, ...]) -> None:
        add("other_holders", name, persona.phone,
            S("hiya whats my balance", VERIFIED_FIRST),
            *verify(persona, anything(), style=style),
            S(line, NOT_YOURS & lacks(*leaks)),
            forbidden=others_of(key_of(persona)))

    typed("maria_types_james_policy_number", MARIA, 0,
          f"whats the balance on {JAMES.policy_number}", (JAMES_BALANCE, "Whitfield"))
    typed("maria_types_jose_claim_number", MARIA, 1,
          f"status of claim {JOSE_GLASS_CLAIM}", (ALICIA, "Glass", "windshield"))
    typed("jose_types_priya_policy_number", JOSE, 2,
          f"balance for {PRIYA.policy_number}", (PRIYA_BALANCE, "Raman", "past due"))
    typed("james_types_maria_claim_number", JAMES, 3,
          f"any update on {MARIA_CLAIM}?", (DANA, "Collision"))
    typed("priya_asks_for_an_id_card_on_maria_policy", PRIYA, 4,
          f"send the id card for {MARIA.policy_number}", (DOCUMENT_LINK, "AUT-****001"))
    typed("robert_asks_for_a_summary_of_james_policy", ROBERT, 5,
          f"policy summary for {JAMES.policy_number} please", ("Kenilworth", "425,000"))
    typed("jose_types_james_policy_without_the_dash", JOSE, 0,
          f"dec page for hom {JAMES.policy_number[-7:]}", ("Kenilworth", J_POL))
    add("other_holders", "maria_gets_the_same_answer_for_a_policy_that_does_not_exist",
        MARIA.phone,
        S("whats my balance looking like", VERIFIED_FIRST),
        *verify(MARIA, has(MARIA_BALANCE), style=2),
        S(f"and what about {JAMES.policy_number}", NOT_YOURS & lacks(JAMES_BALANCE)),
        S(f"and what about {NOBODYS_POLICY}",
          NOT_YOURS & same_answer_as(4, apart_from=(JAMES.policy_number, NOBODYS_POLICY))),
        forbidden=NOT_MARIA)
    add("other_holders", "jose_gets_the_same_answer_for_a_claim_that_does_not_exist",
        JOSE.phone,
        S("claim status update?", VERIFIED_FIRST),
        *verify(JOSE, ASKS_WHICH, style=3),
        S(f"no, {JAMES_CLAIM}", NOT_YOURS & lacks(MARCUS, "Water")),
        S(f"no, {NOBODYS_CLAIM}",
          NOT_YOURS & same_answer_as(4, apart_from=(JAMES_CLAIM, NOBODYS_CLAIM))),
        forbidden=NOT_JOSE)
    add("other_holders", "james_types_another_policy_first_thing", JAMES.phone,
        S(f"hi can i get the declarations for {MARIA.policy_number}", VERIFIED_FIRST),
        *verify(JAMES, NOT_YOURS & lacks("AUT-****001")),
        forbidden=NOT_JAMES)


# =============================================================================================
# possession: a number not on file sees nothing before the code texted to the number on file
# =============================================================================================
def possession() -> None:
    add = suite.add
    add("possession", "stranger_with_maria_details_sees_no_claim_before_the_code", stranger(3),
        S("claim status please", ASKS_POLICY_NUMBER),
        S(MARIA.policy_number, ASKS_DOB & lacks(DANA)),
        S(dob(MARIA, 2), ASKS_ZIP & lacks(DANA)),
        S(MARIA.zip, ASKS_CODE & has("ending in 01") & lacks(DANA, MARIA_CLAIM)),
        S(code_for(MARIA.phone), has(DANA)),
        forbidden=(JAMES_BALANCE, ALICIA), codes_to=MARIA.phone)
    add("possession", "stranger_with_maria_details_gets_no_id_card_before_the_code", stranger(4),
        S("need my id card", ASKS_POLICY_NUMBER),
        S(MARIA.policy_number.lower(), ASKS_DOB),
        S(dob(MARIA, 1), ASKS_ZIP),
        S(MARIA.zip, ASKS_CODE & lacks(DOCUMENT_LINK)),
        S(code_for(MARIA.phone), has(DOCUMENT_LINK)),
        forbidden=(JAMES_BALANCE,), codes_to=MARIA.phone)
    add("possession", "stranger_with_james_details_gets_no_declarations_before_the_code",
        stranger(5),
        S("hi texting from my work phone, need my dec page", ASKS_POLICY_NUMBER),
        S(JAMES.policy_number, ASKS_DOB),
        S(dob(JAMES, 3), ASKS_ZIP),
        S(JAMES.zip, ASKS_CODE & lacks(DOCUMENT_LINK)),
        S(code_for(JAMES.phone), has(J_POL, DOCUMENT_LINK)),
        forbidden=(MARIA_BALANCE,), codes_to=JAMES.phone)
    add("possession", "stranger_volunteering_everything_still_needs_the_code", stranger(6),
        S(f"hi this is maria, policy {MARIA.policy_number} dob {dob(MARIA, 0)} zip {MARIA.zip}, "
          "whats my balance", ASKS_CODE & lacks(MARIA_BALANCE)),
        S(code_for(MARIA.phone), has(MARIA_BALANCE)),
        forbidden=(JAMES_BALANCE,), codes_to=MARIA.phone)
    add("possession", "stranger_with_jose_details_sees_no_balance_before_the_code", stranger(7),
        S("how much is my home insurance bill right now", ASKS_POLICY_NUMBER),
        S(JOSE_HOME_NUMBER, ASKS_DOB & lacks(JOSE_HOME_BALANCE)),
        S(dob(JOSE, 4), ASKS_ZIP & lacks(JOSE_HOME_BALANCE)),
        S(JOSE.zip, ASKS_CODE & lacks(JOSE_HOME_BALANCE, JOSE_AUTO_BALANCE)),
        S(code_for(JOSE.phone), has(JOSE_HOME_BALANCE)),
        forbidden=(MARIA_BALANCE,), codes_to=JOSE.phone)
    add("possession", "caller_not_on_file_hears_nothing_before_the_keyed_code", stranger(8),
        S("what do i owe on it", ASKS_POLICY_NUMBER),
        S("#" + MARIA.policy_number[-7:], ASKS_DOB),
        S(dob_keys(MARIA), ASKS_ZIP),
        S("#" + MARIA.zip, ASKS_CODE & lacks("412 dollars")),
        S(code_for(MARIA.phone, keyed=True), has("412 dollars and 50 cents")),
        channel="voice", codes_to=MARIA.phone)


# =============================================================================================
# a second wording of the hardest items, written after the fixes above and kept apart from them
# =============================================================================================
def second_wording() -> None:
    add = suite.add
    add("first_message", "maria_gives_her_birthday_with_the_card_request", MARIA.phone,
        S(f"my birthday is {dob(MARIA, 3)} - need my auto id card",
          ASKS_ZIP & lacks("date of birth")),
        S(MARIA.zip, the_id_card(M_POL) & lacks("ZIP code")),
        forbidden=NOT_MARIA)
    add("first_message", "priya_sends_everything_with_the_balance_question", PRIYA.phone,
        S(f"whats my balance? d.o.b {dob(PRIYA, 5)} zip code {PRIYA.zip}",
          has(PRIYA_BALANCE) & lacks("date of birth", "ZIP code")),
        forbidden=NOT_PRIYA)
    add("first_message", "james_born_and_lives_in_then_declarations", JAMES.phone,
        S(f"born {dob(JAMES, 4)}, i live in {JAMES.zip}. send my declarations page",
          has(J_POL, DOCUMENT_LINK) & lacks("date of birth", "ZIP code")),
        forbidden=NOT_JAMES)
    add("first_message", "james_coi_made_out_to_a_storage_company", JAMES.phone,
        S("COI made out to Carolina Storage Co at 1200 Wilkinson Blvd Charlotte NC 28208 please",
          VERIFIED_FIRST),
        *verify(JAMES, has("certificate", DOCUMENT_LINK) & lacks("made out to", "mailing address"),
                style=3),
        forbidden=NOT_JAMES)
    add("first_message", "jose_amount_policy_and_birthday_in_one_text", JOSE.phone,
        S(f"want to pay 200 on the car, my dob is {dob(JOSE, 5)}",
          ASKS_ZIP & lacks("date of birth")),
        S(JOSE.zip, pays("$200.00") & lacks("which one", JOSE_HOME)),
        forbidden=NOT_JOSE)
    add("corrections", "maria_raises_the_amount_after_the_link", MARIA.phone,
        S("can i make a payment", VERIFIED_FIRST),
        *verify(MARIA, ASKS_AMOUNT, style=1),
        S("40", pays("$40.00")),
        S("actually can you do 60 instead", pays("$60.00") & lacks("date of birth")),
        forbidden=NOT_MARIA)
    add("corrections", "jose_moves_the_payment_to_the_house_before_the_amount", JOSE.phone,
        S("want to pay my bill", VERIFIED_FIRST),
        *verify(JOSE, ASKS_WHICH, style=2),
        S("the car", ASKS_AMOUNT & has(JOSE_AUTO)),
        S("hmm wait, do the house one instead", has(JOSE_HOME) & lacks("date of birth")),
        S("do the whole balance", pays(JOSE_HOME_BALANCE)),
        forbidden=NOT_JOSE)
    add("corrections", "jose_declarations_for_the_car_after_the_home_one", JOSE.phone,
        S("need my declarations", VERIFIED_FIRST),
        *verify(JOSE, ASKS_WHICH, style=4),
        S("2", has(JOSE_HOME, DOCUMENT_LINK)),
        S("sorry meant the car policy", has(JOSE_AUTO, DOCUMENT_LINK) & lacks("date of birth")),
        forbidden=NOT_JOSE)
    add("amount_in_words", "maria_pays_two_hundred_and_twelve_dollars", MARIA.phone,
        S("can i pay two hundred and twelve dollars", VERIFIED_FIRST),
        *verify(MARIA, pays("$212.00"), style=5),
        forbidden=NOT_MARIA)
    add("amount_in_words", "priya_pays_sixty_dollars_on_her_renters", PRIYA.phone,
        S("I want to pay sixty dollars on my renters", VERIFIED_FIRST),
        *verify(PRIYA, pays("$60.00"), style=1),
        forbidden=NOT_PRIYA)
    add("amount_in_words", "maria_says_a_hundred_twenty_five_when_asked", MARIA.phone,
        S("lemme pay my bill", VERIFIED_FIRST),
        *verify(MARIA, ASKS_AMOUNT, style=3),
        S("a hundred twenty five", pays("$125.00")),
        forbidden=NOT_MARIA)
    add("two_requests", "jose_car_card_and_house_balance", JOSE.phone,
        S("send me the car id card and what's the balance on the house", VERIFIED_FIRST),
        *verify(JOSE, has(JOSE_AUTO, DOCUMENT_LINK, JOSE_HOME_BALANCE), style=3),
        forbidden=NOT_JOSE)
    add("two_requests", "priya_declarations_and_payment_history", PRIYA.phone,
        S("can you text my declarations and my payment history", VERIFIED_FIRST),
        *verify(PRIYA, has(DOCUMENT_LINK, "payments"), style=2),
        forbidden=NOT_PRIYA)
    add("two_requests", "maria_card_and_adjuster_after_the_balance", MARIA.phone,
        S("what's owed on my account rn", VERIFIED_FIRST),
        *verify(MARIA, balance(M_POL, MARIA_BALANCE), style=4),
        S("ok now my id card and also whos handling my claim", has(DOCUMENT_LINK, DANA)),
        forbidden=NOT_MARIA)
    add("long_messages", "priya_landlord_wants_the_declarations", PRIYA.phone,
        S("Hi there, my landlord's property manager emailed me today saying they need a copy of "
          "my renters insurance declarations for their files before my lease renewal goes "
          "through next week. Could you send that over to me?", VERIFIED_FIRST),
        *verify(PRIYA, has(DOCUMENT_LINK), style=5),
        forbidden=NOT_PRIYA)
    add("long_messages", "james_bank_statement_autopay_worry", JAMES.phone,
        S("Good morning. I set up automatic payments last spring I believe but my bank "
          "statement this month doesn't show a withdrawal from you guys and I'm worried I'll "
          "miss the due date. Can you check whether autopay is still active on my account?",
          VERIFIED_FIRST),
        *verify(JAMES, has("15th"), style=1),
        forbidden=NOT_JAMES)
    add("long_messages", "maria_body_shop_wants_the_adjuster", MARIA.phone,
        S("So my car got hit in a parking lot a few weeks ago and I opened a claim right away "
          "with you. The body shop keeps asking me who the adjuster is and whether the estimate "
          "was approved. Can you tell me what's going on with it?", VERIFIED_FIRST),
        *verify(MARIA, has(DANA), style=0),
        forbidden=NOT_MARIA)
    add("long_messages", "jose_pool_liability_question_goes_to_an_agent", JOSE.phone,
        S("We're thinking of putting in a swimming pool in the backyard next summer and my wife "
          "asked me if our homeowners policy would cover it if somebody got hurt using it, or "
          "if we'd need extra liability coverage. What do you think?",
          PERSON & any_of("agent", "licensed")),
        forbidden=NOT_JOSE)
    add("long_messages", "maria_daughter_slid_into_a_mailbox", MARIA.phone,
        S("hi um my daughter was driving my car this morning and slid on some ice into a "
          "mailbox, the front is dented and a headlight is busted but she's ok. how do I get a "
          "claim started for this", CLAIMS_LINE & PERSON),
        forbidden=NOT_MARIA)
    add("interruptions", "maria_never_mind_while_asked_her_birthday_by_voice", MARIA.phone,
        S("how big is my bill this month", VERIFIED_FIRST),
        S("nah never mind then", lacks("date of birth")),
        channel="voice", forbidden=NOT_MARIA)
    add("interruptions", "james_wants_a_real_person_instead_of_his_birthday", JAMES.phone,
        S("id card pls", VERIFIED_FIRST),
        S("i'd rather talk to a real person", PERSON & lacks("date of birth")),
        forbidden=NOT_JAMES)
    add("interruptions", "priya_forget_it_while_asked_her_birthday", PRIYA.phone,
        S("how much do i still owe on renters", VERIFIED_FIRST),
        S("ugh forget about it", lacks("date of birth")),
        forbidden=NOT_PRIYA)
    add("interruptions", "jose_cancel_that_while_asked_his_zip_by_voice", JOSE.phone,
        S("whats new with my claim", VERIFIED_FIRST),
        S(dob_keys(JOSE), ASKS_ZIP),
        S("cancel that", lacks("ZIP code")),
        channel="voice", forbidden=NOT_JOSE)
    add("choice_in_words", "jose_the_one_for_the_house", JOSE.phone,
        S("hows my balance these days", VERIFIED_FIRST),
        *verify(JOSE, ASKS_WHICH, style=1),
        S("the one for the house", has(JOSE_HOME_BALANCE) & lacks(JOSE_AUTO_BALANCE)),
        forbidden=NOT_JOSE)
    add("choice_in_words", "jose_the_cracked_glass_claim", JOSE.phone,
        S("any movement on my claim?", VERIFIED_FIRST),
        *verify(JOSE, ASKS_WHICH, style=2),
        S("the one with the cracked glass", has(ALICIA) & lacks(KEVIN)),
        forbidden=NOT_JOSE)
    add("choice_in_words", "jose_says_two_by_voice", JOSE.phone,
        S("what do i owe on my policies", VERIFIED_FIRST),
        *verify_by_keys(JOSE, ASKS_WHICH),
        S("two", has("972 dollars") & lacks("233 dollars")),
        channel="voice", forbidden=NOT_JOSE)


for build in (
    documents,
    payments,
    claims,
    choice_in_words,
    first_message,
    corrections,
    amount_in_words,
    two_requests,
    long_messages,
    interruptions,
    human_exit,
    other_holders,
    possession,
    second_wording,
):
    build()

CONVERSATIONS = tuple(suite.conversations)
# fmt: on
