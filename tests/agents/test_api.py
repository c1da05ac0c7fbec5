"""REST: owner CRUD, read-only member 403, outsider 404, API-key auth, for every configuration endpoint."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db

# endpoint -> (create body, patch body, (field, value after the patch))
RESOURCES: dict[str, tuple[dict[str, Any], dict[str, Any], tuple[str, Any]]] = {
    "prompts": ({"name": "greeter", "text": "Hi {{ user_name }}"}, {"text": "Bye"}, ("version", 2)),
    "tools": ({"name": "calc", "kind": "python", "python_function": "calculator"}, {"description": "Math"},
              ("description", "Math")),
    "credentials": ({"name": "main", "provider": "openai", "api_key": "sk-api-test-77c1"}, {"name": "renamed"},
                    ("name", "renamed")),
    "agents": ({"name": "Helper", "slug": "helper"}, {"greeting": "Hey there"}, ("greeting", "Hey there")),
    "room-configs": ({"name": "Lobby", "slug": "lobby"}, {"max_participants": 5}, ("max_participants", 5)),
}  # fmt: skip

ENDPOINTS = list(RESOURCES)


def create(client: Any, endpoint: str) -> dict[str, Any]:
    r = client.post(f"/api/{endpoint}/", RESOURCES[endpoint][0], format="json")
    assert r.status_code == 201, r.content
    return dict(r.json())


def ids(response: Any) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_round_trips_create_read_update_delete_for_an_owner(world, api_as, endpoint):
    client = api_as(world.alice)
    obj = create(client, endpoint)
    url = f"/api/{endpoint}/{obj['id']}/"
    assert obj["id"] in ids(client.get(f"/api/{endpoint}/"))
    assert client.get(url).json() == obj
    _, patch, (field, value) = RESOURCES[endpoint]
    r = client.patch(url, patch, format="json")
    assert r.status_code == 200, r.content
    assert r.json()[field] == value
    assert client.get(url).json()[field] == value
    assert client.delete(url).status_code == 204
    r = client.get(url)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_lets_a_read_only_member_read_but_not_write(world, api_as, endpoint):
    obj = create(api_as(world.alice), endpoint)
    bob = api_as(world.bob)
    url = f"/api/{endpoint}/{obj['id']}/"
    assert bob.get(url).status_code == 200
    assert obj["id"] in ids(bob.get(f"/api/{endpoint}/"))
    for r in (
        bob.post(f"/api/{endpoint}/", RESOURCES[endpoint][0], format="json"),
        bob.patch(url, RESOURCES[endpoint][1], format="json"),
        bob.delete(url),
    ):
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "permission_denied"
    assert api_as(world.alice).get(url).json() == obj


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_hides_one_organizations_objects_from_another(world, api_as, endpoint):
    obj = create(api_as(world.alice), endpoint)
    url = f"/api/{endpoint}/{obj['id']}/"
    for outsider in (api_as(world.charlie), api_as(key=world.globex_key, secret=world.globex_secret)):
        assert obj["id"] not in ids(outsider.get(f"/api/{endpoint}/"))
        for r in (outsider.get(url), outsider.patch(url, RESOURCES[endpoint][1], format="json"), outsider.delete(url)):
            assert r.status_code == 404
            assert r.json()["error"]["code"] == "not_found"
    assert api_as(world.alice).get(url).json() == obj


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_accepts_an_organization_api_key(world, api_as, endpoint):
    client = api_as(key=world.acme_key, secret=world.acme_secret)
    obj = create(client, endpoint)
    assert api_as(world.alice).get(f"/api/{endpoint}/{obj['id']}/").status_code == 200


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_requires_authentication(client, endpoint):
    r = client.get(f"/api/{endpoint}/")
    assert r.status_code in (401, 403)
    assert r.json()["error"]["code"] in ("not_authenticated", "permission_denied")


def test_it_never_returns_a_provider_key(world, api_as):
    client = api_as(world.alice)
    obj = create(client, "credentials")
    assert obj["api_key_set"] is True
    for r in (client.get("/api/credentials/"), client.get(f"/api/credentials/{obj['id']}/"),
              client.patch(f"/api/credentials/{obj['id']}/", {"api_key": "sk-rotated-2"}, format="json")):
        assert "sk-" not in r.content.decode()


def test_it_never_returns_secret_tool_headers(world, api_as):
    client = api_as(world.alice)
    body = {"name": "crm", "kind": "http", "url": "https://crm.example.com/lookup",
            "secret_headers": {"Authorization": "Bearer crm-secret-5512"}, "headers": {"X-Source": "voice"}}
    r = client.post("/api/tools/", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["secret_header_names"] == ["Authorization"]
    assert r.json()["headers"] == {"X-Source": "voice"}
    assert "crm-secret" not in r.content.decode()
    assert "crm-secret" not in client.get(f"/api/tools/{r.json()['id']}/").content.decode()


def test_it_reports_validation_errors_per_field(world, api_as):
    client = api_as(world.alice)
    r = client.post("/api/tools/", {"name": "bad name", "kind": "python", "python_function": "nope",
                                    "parameters": {"type": "object", "properties": {"x": {"type": 7}}}}, format="json")
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "invalid"
    assert {"name", "parameters", "python_function"} <= set(error["fields"])
    r = client.post("/api/agents/", {"name": "A", "slug": "a", "provider": "openai"}, format="json")
    assert r.status_code == 400
    assert "credential" in r.json()["error"]["fields"]
    r = client.post("/api/room-configs/", {"name": "R", "slug": "r", "webhook_urls": ["ftp://x"],
                                           "client_settable_fields": ["room_name"]}, format="json")
    assert set(r.json()["error"]["fields"]) == {"webhook_urls", "client_settable_fields"}


def test_it_refuses_to_reference_another_organizations_objects(world, api_as):
    foreign_tool = create(api_as(world.charlie), "tools")
    foreign_agent = create(api_as(world.charlie), "agents")
    client = api_as(world.alice)
    r = client.post("/api/agents/", {"name": "A", "slug": "a", "tools": [foreign_tool["id"]]}, format="json")
    assert r.status_code == 400
    assert "tools" in r.json()["error"]["fields"]
    r = client.post("/api/room-configs/", {"name": "R", "slug": "r", "agents": [foreign_agent["id"]]}, format="json")
    assert r.status_code == 400
    assert "agents" in r.json()["error"]["fields"]


def test_it_looks_agents_and_room_configs_up_by_slug_and_tools_by_name(world, api_as):
    client = api_as(world.alice)
    agent, room, tool = create(client, "agents"), create(client, "room-configs"), create(client, "tools")
    assert client.get("/api/agents/helper/").json()["id"] == agent["id"]
    assert client.get("/api/room-configs/lobby/").json()["id"] == room["id"]
    assert client.get("/api/tools/calc/").json()["id"] == tool["id"]
    assert api_as(world.charlie).get("/api/agents/helper/").status_code == 404


def test_it_lists_and_adds_prompt_versions(world, api_as):
    client = api_as(world.alice)
    prompt = create(client, "prompts")
    url = f"/api/prompts/{prompt['id']}/versions/"
    r = client.post(url, {"text": "Second {{ room_name }}"}, format="json")
    assert r.status_code == 201
    assert r.json()["number"] == 2
    listed = client.get(url).json()["results"]
    assert [(v["number"], v["text"]) for v in listed] == [(2, "Second {{ room_name }}"), (1, "Hi {{ user_name }}")]
    assert client.get(f"/api/prompts/{prompt['id']}/").json()["text"] == "Second {{ room_name }}"
    assert api_as(world.bob).post(url, {"text": "x"}, format="json").status_code == 403
    assert api_as(world.charlie).get(url).status_code == 404
    assert api_as(world.charlie).post(url, {"text": "x"}, format="json").status_code == 404
    r = client.post(url, {"text": "{% if %}"}, format="json")
    assert r.status_code == 400 and "text" in r.json()["error"]["fields"]


def test_it_refuses_to_delete_a_prompt_an_agent_uses(world, api_as):
    client = api_as(world.alice)
    prompt = create(client, "prompts")
    client.post("/api/agents/", {"name": "A", "slug": "a", "prompt": prompt["id"]}, format="json")
    r = client.delete(f"/api/prompts/{prompt['id']}/")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "in_use"
    assert client.get(f"/api/prompts/{prompt['id']}/").status_code == 200


def test_it_keeps_tool_order_as_given(world, api_as):
    client = api_as(world.alice)
    t1 = client.post("/api/tools/", {"name": "a1", "kind": "client"}, format="json").json()
    t2 = client.post("/api/tools/", {"name": "b2", "kind": "client"}, format="json").json()
    agent = client.post("/api/agents/", {"name": "A", "slug": "a", "tools": [t2["id"], t1["id"]]}, format="json")
    assert agent.json()["tools"] == [t2["id"], t1["id"]]
    r = client.patch(f"/api/agents/{agent.json()['id']}/", {"tools": [t1["id"], t2["id"]]}, format="json")
    assert r.json()["tools"] == [t1["id"], t2["id"]]


# --- a secret follows its destination -------------------------------------------------------------

ATTACKER_URL = "wss://collector.attacker.example/v1/realtime"


def test_a_new_credential_base_url_needs_the_key_again(world, api_as):
    from agents.models import ProviderCredential

    client = api_as(world.alice)
    obj = create(client, "credentials")
    url = f"/api/credentials/{obj['id']}/"
    r = client.patch(url, {"base_url": ATTACKER_URL}, format="json")
    assert r.status_code == 400, r.content
    error = r.json()["error"]
    assert error["code"] == "secret_required" and set(error["fields"]) == {"api_key"}
    stored = ProviderCredential.objects.get(pk=obj["id"])
    assert (stored.base_url, stored.api_key) == ("", "sk-api-test-77c1")
    # Sending the same URL again is no change; renaming alongside it is fine.
    assert client.patch(url, {"base_url": "", "name": "same place"}, format="json").status_code == 200
    r = client.patch(url, {"base_url": "wss://proxy.example.com/v1/realtime", "api_key": "sk-proxy-key-02"},
                     format="json")
    assert r.status_code == 200, r.content
    stored.refresh_from_db()
    assert (stored.base_url, stored.api_key) == ("wss://proxy.example.com/v1/realtime", "sk-proxy-key-02")
    assert client.patch(url, {"base_url": "wss://proxy.example.com/v1/realtime"}, format="json").status_code == 200


def test_a_new_tool_url_needs_the_secret_headers_again(world, api_as):
    from agents.models import Tool

    client = api_as(key=world.acme_key, secret=world.acme_secret)
    body = {"name": "crm", "kind": "http", "url": "https://crm.example.com/lookup",
            "secret_headers": {"Authorization": "Bearer crm-secret-5512"}}
    obj = client.post("/api/tools/", body, format="json").json()
    url = f"/api/tools/{obj['id']}/"
    # Changing the kind alongside does not help: the URL would be back with the secrets once it is http again.
    for patch in ({"url": "https://collector.attacker.example/"},
                  {"url": "https://collector.attacker.example/", "kind": "python", "python_function": "calculator"}):
        r = client.patch(url, patch, format="json")
        assert r.status_code == 400, r.content
        assert r.json()["error"]["code"] == "secret_required"
        assert set(r.json()["error"]["fields"]) == {"secret_headers"}
    stored = Tool.objects.get(pk=obj["id"])
    assert (stored.kind, stored.url) == ("http", "https://crm.example.com/lookup")
    assert stored.secret_header_values == {"Authorization": "Bearer crm-secret-5512"}
    assert client.patch(url, {"url": "https://crm.example.com/lookup", "timeout_s": 3}, format="json").status_code == 200
    r = client.patch(url, {"url": "https://crm2.example.com/lookup", "secret_headers": {"Authorization": "Bearer new"}},
                     format="json")
    assert r.status_code == 200, r.content
    stored.refresh_from_db()
    assert (stored.url, stored.secret_header_values) == ("https://crm2.example.com/lookup", {"Authorization": "Bearer new"})
    r = client.patch(url, {"url": "https://crm3.example.com/lookup", "secret_headers": {}}, format="json")
    assert r.status_code == 200 and r.json()["secret_header_names"] == []
    # With no secret stored there is nothing to re-enter.
    assert client.patch(url, {"url": "https://crm4.example.com/lookup"}, format="json").status_code == 200
