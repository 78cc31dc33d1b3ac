"""Greeting, goodbye and "are you a bot?": the carrier's name comes from settings (CARRIER_NAME)."""

from __future__ import annotations


def greeting(carrier_name: str) -> str:
    return (
        f"Hi, this is Policyline for {carrier_name}. I can send your ID card, check your balance, "
        "take a payment or look up a claim. What do you need?"
    )


def goodbye(carrier_name: str) -> str:
    return f"Thanks for contacting {carrier_name}. Text us any time."


def bot_challenge(carrier_name: str) -> str:
    return f"I'm Policyline, a bot for {carrier_name}. Reply AGENT any time to reach a person."
