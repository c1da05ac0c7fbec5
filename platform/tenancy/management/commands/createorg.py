from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenancy.services import api_key_create, organization_create


class Command(BaseCommand):
    help = "Create an organization with one API key; the secret is printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--name", default="")
        parser.add_argument("--json", action="store_true", help="print a JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = organization_create(slug=options["slug"], name=options["name"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        issued = api_key_create(organization=org, label="created by createorg")
        result = {"organization": org.slug, "api_key": issued.api_key.key_id, "api_secret": issued.secret}
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(f"organization {org.slug}\napi key      {result['api_key']}\napi secret   {result['api_secret']}")
            self.stdout.write(self.style.WARNING("The secret is shown only this once."))
