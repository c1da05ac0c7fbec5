"""Print an access token, mirroring ``lk token create``."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rooms.grants.builder import mint
from rooms.grants.claims import ClaimError, VideoGrant
from rooms.grants.keys import signing_key_get

_DURATION = re.compile(r"(\d+)([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> int:
    """``90s``, ``15m``, ``24h``, ``1h30m`` or plain seconds."""
    if text.isdigit():
        return int(text)
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise CommandError(f"--valid-for: cannot read {text!r}; use e.g. 30m, 24h or 1h30m.")
    return sum(int(n) * _UNIT_SECONDS[u] for n, u in parts)


def parse_attributes(pairs: list[str]) -> dict[str, str]:
    attributes = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise CommandError(f"--attribute: expected key=value, got {pair!r}.")
        attributes[key] = value
    return attributes


class Command(BaseCommand):
    help = "Create an access token for a room (like `lk token create`). Prints the JWT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--api-key", required=True)
        parser.add_argument("--api-secret", help="Without it, the key's secret is read from the database.")
        parser.add_argument("--room", default="")
        parser.add_argument("--identity", default="")
        parser.add_argument("--name", default="")
        parser.add_argument("--metadata", default="")
        parser.add_argument("--attribute", action="append", default=[], metavar="KEY=VALUE")
        parser.add_argument("--valid-for", default="6h")
        parser.add_argument("--join", action="store_true", help="Join the room (roomJoin).")
        parser.add_argument("--admin", action="store_true", help="Administer the room (roomAdmin).")
        parser.add_argument("--list", action="store_true", help="List rooms (roomList).")
        parser.add_argument("--create", action="store_true", help="Create and delete rooms (roomCreate).")
        parser.add_argument("--record", action="store_true", help="Use egress (roomRecord).")
        parser.add_argument("--hidden", action="store_true", help="Join invisibly.")
        parser.add_argument("--no-publish", action="store_true", help="Join without publishing.")
        parser.add_argument("--agent", action="store_true", help="Register agent workers.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not any(options[p] for p in ("join", "admin", "list", "create", "record", "agent")):
            raise CommandError("Give at least one permission: --join, --admin, --list, --create, --record, --agent.")
        if (options["join"] or options["admin"]) and not options["room"]:
            raise CommandError("--join and --admin need --room.")
        if options["join"] and not options["identity"]:
            raise CommandError("--join needs --identity.")
        secret = options["api_secret"] or self._stored_secret(options["api_key"])
        video = VideoGrant(
            room=options["room"],
            room_join=options["join"] or None,
            room_admin=options["admin"] or None,
            room_list=options["list"] or None,
            room_create=options["create"] or None,
            room_record=options["record"] or None,
            hidden=options["hidden"] or None,
            agent=options["agent"] or None,
            can_publish=False if options["no_publish"] else None,
        )
        try:
            token = mint(
                options["api_key"],
                secret,
                identity=options["identity"],
                name=options["name"],
                metadata=options["metadata"],
                attributes=parse_attributes(options["attribute"]),
                video=video,
                ttl_seconds=parse_duration(options["valid_for"]),
            )
        except ClaimError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(token)

    def _stored_secret(self, key_id: str) -> str:
        key = signing_key_get(key_id)
        if key is None:
            raise CommandError(f"No API key {key_id!r}; pass --api-secret or create the key first.")
        if key.revoked:
            raise CommandError(f"API key {key_id!r} is revoked.")
        return key.secret
