"""The issue's acceptance: a team configures everything over REST alone; another team sees none of it."""

from __future__ import annotations

import pytest

from agents.models import Agent
from agents.realtime.spec import HttpToolConfig, ToolSpec
from agents.selectors import agent_spec_for
from rooms.selectors import room_config_agents, room_config_for_room

pytestmark = pytest.mark.django_db


def test_it_configures_agents_and_a_room_over_rest_and_isolates_them(world, api_as):
    acme = api_as(key=world.acme_key, secret=world.acme_secret)

    def post(path: str, body: dict) -> dict:
        r = acme.post(path, body, format="json")
        assert r.status_code == 201, r.content
        return r.json()

    prompt = post("/api/prompts/", {"name": "concierge", "text": "Greet {{ user_name }} in {{ room_name }}."})
    http = post("/api/tools/", {
        "name": "lookup_order", "kind": "http", "url": "https://shop.acme.test/orders", "method": "POST",
        "description": "Find an order", "timeout_s": 4,
        "parameters": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
        "headers": {"X-Shop": "acme"}, "secret_headers": {"Authorization": "Bearer shop-token-1"},
    })  # fmt: skip
    python = post("/api/tools/", {"name": "clock", "kind": "python", "python_function": "current_time"})
    credential = post("/api/credentials/", {"name": "openai", "provider": "openai", "api_key": "sk-acme-live-123"})
    concierge = post("/api/agents/", {
        "name": "Concierge", "slug": "concierge", "provider": "openai", "credential": credential["id"],
        "prompt": prompt["id"], "tools": [python["id"], http["id"]], "is_default": True,
    })  # fmt: skip
    second = post("/api/agents/", {"name": "Second", "slug": "second"})
    room = post("/api/room-configs/", {
        "name": "Front desk", "slug": "front-desk", "agents": [concierge["id"], second["id"]],
        "floor_policy": "round_robin", "webhook_urls": ["https://hooks.acme.test/end"],
    })  # fmt: skip
    assert room["agents"] == [concierge["id"], second["id"]]

    created = {
        "prompts": prompt, "tools": http, "credentials": credential, "agents": concierge, "room-configs": room,
    }  # fmt: skip
    created_python = {"tools": python, "agents": second}
    for outsider in (api_as(world.charlie), api_as(key=world.globex_key, secret=world.globex_secret)):
        for endpoint, objs in [(e, [o, created_python.get(e)]) for e, o in created.items()]:
            listed = outsider.get(f"/api/{endpoint}/").json()["results"]
            assert listed == []
            for obj in filter(None, objs):
                url = f"/api/{endpoint}/{obj['id']}/"
                assert outsider.get(url).status_code == 404
                assert outsider.patch(url, {"name": "taken"}, format="json").status_code == 404
                assert outsider.delete(url).status_code == 404
                assert acme.get(url).json() == obj  # untouched

    config = room_config_for_room(world.acme, "front-desk")
    assert config is not None and config.pk == room["id"]
    assert room_config_for_room(world.globex, "front-desk") is None
    agents = room_config_agents(config)
    assert [a.slug for a in agents] == ["concierge", "second"]

    spec = agent_spec_for(Agent.objects.get(pk=concierge["id"]), variables={"user_name": "Ada", "room_name": "front-desk"})
    assert spec.api_key == "sk-acme-live-123"
    assert spec.instructions == "Greet Ada in front-desk."
    assert spec.tools == (
        ToolSpec("clock", "", {"type": "object", "properties": {}}, kind="python", python_function="current_time"),
        ToolSpec(
            "lookup_order",
            "Find an order",
            {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
            kind="http",
            http=HttpToolConfig(
                url="https://shop.acme.test/orders",
                method="POST",
                headers={"X-Shop": "acme", "Authorization": "Bearer shop-token-1"},
                timeout_s=4.0,
            ),
        ),
    )
    assert (spec.provider, spec.model, spec.voice) == ("openai", "gpt-realtime", "alloy")
