"""The development organization's default agent, so `make run` can be talked to offline at once."""

from __future__ import annotations

from django.db import transaction

from agents.models import Agent, Tool
from agents.services.agents import agent_create
from agents.services.prompts import prompt_create
from agents.services.tools import tool_create
from agents.tools.registry import get_python_tool
from tenancy.models import Organization

DEV_AGENT_SLUG = "assistant"
DEV_PROMPT = (
    "You are {{ user_name }}'s assistant in room {{ room_name }}. Answer briefly. "
    "Use the calculator for arithmetic and browser_timezone to learn the user's time zone."
)


@transaction.atomic
def dev_agent_ensure(*, organization: Organization) -> tuple[Agent, bool]:
    """Idempotent: the default local agent with a python tool and the web app's example client tool."""
    existing = Agent.objects.filter(organization=organization, slug=DEV_AGENT_SLUG).first()
    if existing is not None:
        return existing, False
    calculator = Tool.objects.filter(organization=organization, name="calculator").first()
    if calculator is None:
        spec = get_python_tool("calculator")
        calculator = tool_create(organization=organization, name="calculator", kind="python",
                                 python_function="calculator", description=spec.description,
                                 parameters=spec.parameters)
    timezone_tool = Tool.objects.filter(organization=organization, name="browser_timezone").first()
    if timezone_tool is None:
        timezone_tool = tool_create(organization=organization, name="browser_timezone", kind="client",
                                    description="The IANA time zone of the user's browser.",
                                    parameters={"type": "object", "properties": {}})
    prompt = prompt_create(organization=organization, name="Assistant", text=DEV_PROMPT)
    agent = agent_create(organization=organization, name="Assistant", slug=DEV_AGENT_SLUG, provider="local",
                         prompt=prompt, is_default=not Agent.objects.filter(organization=organization,
                                                                             is_default=True).exists(),
                         greeting="", tools=[calculator, timezone_tool])
    return agent, True
