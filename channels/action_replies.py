"""The Rasa server checks every action server reply with a JSON Schema validator built once.

Rasa 3.6's ``RemoteAction._validate_action_result`` calls ``jsonschema.validate(reply, spec)`` on
every remote action call. ``validate`` first checks the schema itself against its metaschema, then
builds a new validator, and only then checks the reply: on this project's 2-core machine that is
about 22 ms of Rasa CPU for a reply of nine events, against about 2.4 ms with a validator built once
(``bench/`` measures the effect on whole turns). Every jsonschema release Rasa 3.6 accepts
(``>=3.2,<4.18``) checks the schema inside ``validate``, so no version pin removes the cost.

``install()`` replaces that one method with the same check, same schema, same error (the best
match, with Rasa's own explanation appended), using a validator built once. Rasa Open Source has
no plugin point for this, so every Policyline Rasa server is started through
``python -m channels.rasa_server`` (Rasa's own command line, after ``install()``). It refuses to
replace a method whose source is not the one it was written against, so a Rasa upgrade that
changes the hook keeps Rasa's own validation and logs why (a test fails too).
"""

from __future__ import annotations

import hashlib
import inspect
import logging
from functools import cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

logger = logging.getLogger(__name__)

# sha256 of the source of Rasa 3.6.21's RemoteAction._validate_action_result.
RASA_HOOK_SOURCE_SHA256 = "f8cdb4be6812396167ced74161b2ccd65c5ea676ad86d7d359d8c322d9d8dc42"

_INSTALLED_MARK = "_policyline_prebuilt_validator"


def hook_source_digest() -> str:
    """The sha256 of the source of the Rasa method ``install`` replaces (as Rasa ships it)."""
    original = getattr(RemoteAction._validate_action_result, "__wrapped__", None)
    method = original or RemoteAction._validate_action_result
    return hashlib.sha256(inspect.getsource(method).encode()).hexdigest()


@cache
def reply_validator() -> Validator:
    """The validator of Rasa's action reply schema, with the schema checked once."""
    spec = RemoteAction.action_response_format_spec()
    cls = validator_for(spec)
    cls.check_schema(spec)
    return cls(spec)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's check of an action server reply, with the validator built once."""
    error = best_match(reply_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        "For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def installed() -> bool:
    return bool(getattr(RemoteAction._validate_action_result, _INSTALLED_MARK, False))


def install() -> bool:
    """Replace Rasa's per-call schema check with the prebuilt one; whether it is in place."""
    if installed():
        return True
    if hook_source_digest() != RASA_HOOK_SOURCE_SHA256:
        logger.warning(
            "Rasa's RemoteAction._validate_action_result is not the one channels/action_replies.py "
            "was written for: Rasa's own (slower) reply validation stays in place"
        )
        return False
    original = RemoteAction._validate_action_result

    def prebuilt(self: RemoteAction, result: dict[str, Any]) -> bool:
        return validate_action_result(self, result)

    prebuilt.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(prebuilt, _INSTALLED_MARK, True)
    RemoteAction._validate_action_result = prebuilt  # type: ignore[method-assign]
    reply_validator()  # build it now, not on the first conversation's turn
    return True


__all__ = ["ValidationError", "install", "installed", "validate_action_result"]
