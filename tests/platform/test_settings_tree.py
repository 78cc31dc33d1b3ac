"""One settings tree, one environment reader: every default is written once, in the dataclasses."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bot.settings import ConfigurationError, Settings, TwilioSettings
from channels.config import ChannelSettings

# Derived from other variables (the var folder, the sandbox port), not fixed defaults.
DERIVED = {"environ", "var_dir", "database_url", "tracker_database_url", "replica_url"}


def _fields(value: Any, prefix: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in dataclasses.fields(value):
        inner = getattr(value, item.name)
        if item.name in DERIVED:
            continue
        if dataclasses.is_dataclass(inner):
            found.update(_fields(inner, f"{prefix}{item.name}."))
        else:
            found[prefix + item.name] = inner
    return found


def test_an_empty_environment_reads_exactly_the_declared_defaults():
    read = _fields(Settings.from_env({}))
    declared = _fields(Settings())
    assert {name: value for name, value in read.items() if declared[name] != value} == {}


def test_the_channels_take_their_settings_from_the_tree_not_from_a_reader_of_their_own():
    env = {
        "CARRIER_NAME": "Lakeside Mutual",
        "PUBLIC_WEBHOOK_BASE_URL": "https://bot.example.test/",
        "TRUST_FORWARDED_HEADERS": "yes",
        "TWILIO_VOICE_NAME": "Polly.Matthew-Neural",
        "VOICE_TURN_DEADLINE_S": "6",
    }
    tree = Settings.from_env(env)
    channels = ChannelSettings.from_settings(tree)
    assert channels.carrier_name == "Lakeside Mutual"
    assert channels.twilio == tree.twilio
    assert channels.public_webhook_base_url == "https://bot.example.test"
    assert channels.trust_forwarded_headers is True
    assert channels.voice == tree.voice and channels.voice.turn_deadline_s == 6
    assert ChannelSettings.from_mapping(env) == channels


def test_twilio_settings_are_the_trees_own_part():
    env = {"TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_FROM_NUMBER": "+15005550006"}
    assert TwilioSettings.from_mapping(env) == Settings.from_env(env).twilio


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TRUST_FORWARDED_HEADERS": "perhaps"}, "true or false"),
        ({"PUBLIC_WEBHOOK_BASE_URL": "bot.example.test"}, "http"),
        ({"VOICE_TURN_DEADLINE_S": "20"}, "between 0 and 14"),
    ],
)
def test_malformed_channel_variables_stop_start_up(env, message):
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_env(env)
