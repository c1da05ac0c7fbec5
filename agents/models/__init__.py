"""Agent configuration: provider credentials, prompts (versioned), tools and agents."""

from agents.models.agents import *  # noqa: F403
from agents.models.credentials import *  # noqa: F403
from agents.models.prompts import *  # noqa: F403
from agents.models.tools import *  # noqa: F403
