"""The body of LiveKit's standard token endpoint (``TokenSourceRequest``) and who may set what."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rooms.grants.claims import ClaimError, check_attributes, room_config_claim

FIELDS = (
    "room_name",
    "participant_identity",
    "participant_name",
    "participant_metadata",
    "participant_attributes",
    "room_config",
)
_STRING_FIELDS = frozenset(FIELDS[:4])
# Fields a room config may let browsers set (RoomConfig.client_settable_fields).
CLIENT_SETTABLE = frozenset({"participant_name", "participant_metadata", "participant_attributes", "room_config"})
DEFAULT_CLIENT_SETTABLE = ("participant_name",)
MAX_NAME_LENGTH = 256
_CAMEL = re.compile(r"([A-Z])")


class TokenRequestError(Exception):
    """A refused request: ``code`` is machine-readable, ``fields`` names the offending inputs."""

    def __init__(self, code: str, message: str, status: int = 400, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields or {}


@dataclass(frozen=True)
class TokenRequest:
    room_name: str = ""
    participant_identity: str = ""
    participant_name: str = ""
    participant_metadata: str = ""
    participant_attributes: dict[str, str] = field(default_factory=dict)
    room_config: dict[str, Any] = field(default_factory=dict)
    # The fields the caller actually sent (a policy refuses by presence, not by value).
    provided: frozenset[str] = frozenset()


def _snake(key: str) -> str:
    return _CAMEL.sub(lambda m: "_" + m.group(1).lower(), key)


def token_request_parse(body: Any) -> TokenRequest:
    """Validate a decoded JSON body; keys may be snake_case or camelCase, as proto3 JSON allows."""
    if not isinstance(body, dict):
        raise TokenRequestError("invalid", "The request body must be a JSON object.")
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for raw_key, value in body.items():
        key = _snake(raw_key)
        if key not in FIELDS:
            errors[raw_key] = "Unknown field."
        elif value is None:
            continue
        elif key in _STRING_FIELDS and not isinstance(value, str):
            errors[key] = "Must be a string."
        elif key in ("room_name", "participant_identity") and len(value) > MAX_NAME_LENGTH:
            errors[key] = f"At most {MAX_NAME_LENGTH} characters."
        else:
            values[key] = value
    try:
        if "participant_attributes" in values:
            values["participant_attributes"] = dict(check_attributes(values["participant_attributes"]))
        if "room_config" in values:
            values["room_config"] = room_config_claim(values["room_config"])
    except ClaimError as exc:
        errors[exc.field] = str(exc)
    if errors:
        raise TokenRequestError("invalid", "The token request has invalid fields.", 400, errors)
    # Empty values are "not set" in proto3 JSON, so they neither count against a policy nor apply.
    provided = frozenset(k for k, v in values.items() if v not in ("", {}, []))
    return TokenRequest(**{k: values[k] for k in provided}, provided=provided)


def token_request_check_policy(request: TokenRequest, *, allowed: frozenset[str], username: str) -> None:
    """Refuse (403) every field a browser caller may not set under the room's policy."""
    refused = {
        name: "This field may not be set by this caller."
        for name in sorted(request.provided)
        if name != "room_name"
        and name not in allowed
        and not (name == "participant_identity" and request.participant_identity == username)
    }
    if refused:
        raise TokenRequestError(
            "field_not_allowed", "The room's policy does not let you set: " + ", ".join(refused) + ".", 403, refused
        )
