"""What the web app's pages list: the seam where the agents and rooms apps' selectors plug in.

Those apps are built in parallel with this one. Until they expose their list selectors, the
sections below render empty and the playground takes an agent slug typed by hand; wiring them
means replacing the two bodies marked below, nothing in the views or templates.
"""

from __future__ import annotations

from typing import Any

from tenancy.access import Actor, memberships_for_user
from tenancy.models import Membership


def organization_memberships(actor: Actor) -> list[Membership]:
    """Every organization the member can switch to (the switcher shows when there are several)."""
    if actor.user is None:
        return []
    return list(memberships_for_user(actor.user))


def agent_options(actor: Actor) -> list[Any]:
    """Agents the member may talk to, each with ``slug`` and ``name`` (seam: the agents selector)."""
    return []


def room_config_options(actor: Actor) -> list[Any]:
    """The organization's room configs, each with ``slug`` and ``name`` (seam: the rooms selector)."""
    return []
