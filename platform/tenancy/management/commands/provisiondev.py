from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tenancy.services import provision_dev


class Command(BaseCommand):
    help = "Create the local-development organization, API key and superuser (DEBUG only; idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("provisiondev creates well-known credentials and runs only with DEBUG on.")
        dev = provision_dev(organization_slug=settings.DEV_ORGANIZATION_SLUG)
        # The agents app owns agent configuration; import here so tenancy does not depend on it.
        from agents.services.dev import dev_agent_ensure

        agent, agent_created = dev_agent_ensure(organization=dev.organization)
        self.stdout.write(
            self.style.WARNING(
                "Development credentials (local development only, never use them in production):\n"
                f"  admin console   http://127.0.0.1:{settings.DEV_PORT}/admin/  user {dev.admin_username} / password {dev.admin_password}\n"
                f"  organization    {dev.organization.slug}\n"
                f"  API key/secret  {dev.api_key} / {dev.api_secret}\n"
                f"  default agent   {agent.name} ({agent.slug}, offline local model): "
                f"http://127.0.0.1:{settings.DEV_PORT}/playground/"
            )
        )
        self.stdout.write("created" if dev.created or agent_created else "already provisioned")
