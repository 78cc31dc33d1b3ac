"""The Rasa server builds its Twilio channels separately; they share one set of resources."""

from __future__ import annotations

from pathlib import Path

import pytest

from channels import resources
from channels.twilio_sms import TwilioSmsInput
from channels.twilio_voice import TwilioVoiceInput


def test_the_sms_and_voice_channels_rasa_builds_share_one_engine_sender_and_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICYLINE_VAR_DIR", str(tmp_path))
    monkeypatch.setattr(resources, "_process_resources", None)  # a fresh Rasa process

    sms = TwilioSmsInput.from_credentials(None)
    voice = TwilioVoiceInput.from_credentials(None)

    assert isinstance(sms, TwilioSmsInput) and isinstance(voice, TwilioVoiceInput)
    assert sms.resources is voice.resources
    sms.resources.engine.dispose()
