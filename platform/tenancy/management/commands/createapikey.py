from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenancy.models import Organization
from tenancy.services import api_key_create


class Command(BaseCommand):
    help = "Add an API key to an organization; the secret is printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--label", default="")
        parser.add_argument("--json", action="store_true", help="print a JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organization.objects.filter(slug=options["slug"]).first()
        if org is None:
            raise CommandError(f"No organization with slug {options['slug']!r}")
        issued = api_key_create(organization=org, label=options["label"])
        result = {"organization": org.slug, "api_key": issued.api_key.key_id, "api_secret": issued.secret}
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(f"api key    {result['api_key']}\napi secret {result['api_secret']}")
            self.stdout.write(self.style.WARNING("The secret is shown only this once."))
