"""Admin console: owners configure, read-only members look, outsiders see nothing; secrets stay hidden."""

from __future__ import annotations

import pytest

from agents.models import Agent, Prompt, ProviderCredential, Tool
from tests.agents.builders import (
    OPENAI_KEY,
    SECRET_HEADER,
    a_credential,
    a_prompt,
    a_python_tool,
    agent_form,
    an_agent,
    an_http_tool,
)

pytestmark = pytest.mark.django_db

PAGES = ["agent", "prompt", "tool", "providercredential"]


@pytest.fixture
def acme_config(world):
    prompt = a_prompt(world.acme, text="Hello {{ user_name }}, welcome to {{ room_name }}.")
    return {
        "prompt": prompt,
        "tool": an_http_tool(world.acme),
        "providercredential": a_credential(world.acme),
        "agent": an_agent(world.acme, prompt=prompt),
    }


@pytest.mark.parametrize("page", PAGES)
def test_it_renders_list_add_and_change_pages_for_an_owner(world, web_as, acme_config, page):
    client = web_as(world.alice)
    obj = acme_config[page]
    assert client.get(f"/admin/agents/{page}/").status_code == 200
    assert client.get(f"/admin/agents/{page}/add/").status_code == 200
    r = client.get(f"/admin/agents/{page}/{obj.pk}/change/")
    assert r.status_code == 200
    assert str(obj) in r.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_it_hides_another_organizations_objects_from_an_outsider(world, web_as, acme_config, page):
    client = web_as(world.charlie)
    obj = acme_config[page]
    listing = client.get(f"/admin/agents/{page}/")
    assert listing.status_code == 200
    assert f"/admin/agents/{page}/{obj.pk}/change/" not in listing.content.decode()
    assert web_as(world.alice).get(f"/admin/agents/{page}/").content.decode().count(f"/{obj.pk}/change/") >= 1
    assert client.get(f"/admin/agents/{page}/{obj.pk}/change/").status_code == 302
    assert client.post(f"/admin/agents/{page}/{obj.pk}/delete/", {"post": "yes"}).status_code == 302
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("page", PAGES)
def test_it_gives_a_member_read_only_pages(world, web_as, acme_config, page):
    client = web_as(world.bob)
    obj = acme_config[page]
    assert client.get(f"/admin/agents/{page}/{obj.pk}/change/").status_code == 200
    assert client.get(f"/admin/agents/{page}/add/").status_code == 403
    assert client.post(f"/admin/agents/{page}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_it_lets_an_owner_create_an_agent_with_ordered_tools(world, web_as):
    calc, clock = a_python_tool(world.acme), a_python_tool(world.acme, name="clock", python_function="current_time")
    data = agent_form(world, **{
        "agent_tools-TOTAL_FORMS": "2",
        "agent_tools-0-position": "1", "agent_tools-0-tool": calc.pk,
        "agent_tools-1-position": "0", "agent_tools-1-tool": clock.pk,
    })  # fmt: skip
    r = web_as(world.alice).post("/admin/agents/agent/add/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    agent = Agent.objects.get(slug="desk")
    assert [t.name for t in agent.tools.order_by("agent_tools__position")] == ["clock", "calc"]


def test_it_shows_validation_errors_on_the_field(world, web_as):
    client = web_as(world.alice)
    r = client.post("/admin/agents/agent/add/", agent_form(world, provider="openai"))
    assert r.status_code == 200
    assert "needs a credential" in r.context["adminform"].form.errors["credential"][0]
    tool = {"organization": world.acme.pk, "name": "bad name", "kind": "python", "python_function": "nope",
            "parameters": '{"type": "object", "properties": {"x": {"type": 3}}}', "method": "POST",
            "headers": "{}", "timeout_s": "10"}  # fmt: skip
    r = client.post("/admin/agents/tool/add/", tool)
    assert {"name", "parameters", "python_function"} <= set(r.context["adminform"].form.errors)
    r = client.post("/admin/agents/prompt/add/", {"organization": world.acme.pk, "name": "p", "text": "{{ oops"})
    assert "text" in r.context["adminform"].form.errors
    assert not Prompt.objects.exists() and not Tool.objects.exists() and not Agent.objects.exists()


def test_it_previews_the_rendered_prompt(world, web_as, acme_config):
    page = web_as(world.alice).get(f"/admin/agents/agent/{acme_config['agent'].pk}/change/").content.decode()
    assert "Hello Ada, welcome to support-demo." in page


def test_it_shows_a_missing_variable_in_the_preview_instead_of_failing(world, web_as):
    agent = an_agent(world.acme, prompt=a_prompt(world.acme, text="Hi {{ customer_id }}"))
    r = web_as(world.alice).get(f"/admin/agents/agent/{agent.pk}/change/")
    assert r.status_code == 200
    assert "not provided: customer_id" in r.content.decode()


def test_it_never_shows_secrets_and_keeps_them_when_left_blank(world, web_as, acme_config):
    client = web_as(world.alice)
    credential, tool = acme_config["providercredential"], acme_config["tool"]
    page = client.get(f"/admin/agents/providercredential/{credential.pk}/change/").content.decode()
    assert OPENAI_KEY not in page and "Currently set" in page
    r = client.post(f"/admin/agents/providercredential/{credential.pk}/change/",
                    {"name": "renamed", "api_key": "", "base_url": ""})
    assert r.status_code == 302
    credential.refresh_from_db()
    assert (credential.name, credential.api_key) == ("renamed", OPENAI_KEY)
    page = client.get(f"/admin/agents/tool/{tool.pk}/change/").content.decode()
    assert SECRET_HEADER not in page and "Currently set: Authorization" in page
    form = {"organization": world.acme.pk, "name": tool.name, "kind": "http", "url": tool.url, "method": "POST",
            "parameters": '{"type": "object"}', "headers": "{}", "timeout_s": "5", "secret_headers_input": ""}
    assert client.post(f"/admin/agents/tool/{tool.pk}/change/", form).status_code == 302
    tool.refresh_from_db()
    assert tool.secret_header_values == {"Authorization": SECRET_HEADER}


def test_it_requires_a_key_for_a_new_credential(world, web_as):
    r = web_as(world.alice).post("/admin/agents/providercredential/add/",
                                 {"organization": world.acme.pk, "name": "k", "provider": "openai", "api_key": ""})
    assert "api_key" in r.context["adminform"].form.errors
    assert not ProviderCredential.objects.exists()


def test_it_ignores_a_member_saving_changes(world, web_as, acme_config):
    agent = acme_config["agent"]
    web_as(world.bob).post(f"/admin/agents/agent/{agent.pk}/change/", agent_form(world, name="bob was here"))
    agent.refresh_from_db()
    assert agent.name == "Support"


def test_it_duplicates_agents_with_their_tools(world, web_as, acme_config):
    agent = acme_config["agent"]
    from agents.services.agents import agent_tools_set

    agent_tools_set(agent=agent, tools=[acme_config["tool"]])
    agent.is_default = True
    agent.save()
    r = web_as(world.alice).post("/admin/agents/agent/", {"action": "duplicate", "_selected_action": [agent.pk]})
    assert r.status_code == 302
    copy = Agent.objects.get(slug="support-copy")
    assert copy.prompt == agent.prompt and copy.is_default is False
    assert list(copy.tools.all()) == [acme_config["tool"]]
    # An outsider's duplicate request on acme's agent does nothing.
    web_as(world.charlie).post("/admin/agents/agent/", {"action": "duplicate", "_selected_action": [agent.pk]})
    assert Agent.objects.filter(organization=world.acme).count() == 2


def test_a_new_destination_needs_its_secret_typed_again(world, web_as, acme_config):
    client = web_as(world.alice)
    credential, tool = acme_config["providercredential"], acme_config["tool"]
    page = f"/admin/agents/providercredential/{credential.pk}/change/"
    r = client.post(page, {"name": credential.name, "api_key": "", "base_url": "wss://collector.attacker.example/"})
    assert r.status_code == 200
    assert "enter the API key again" in r.context["adminform"].form.errors["api_key"][0]
    credential.refresh_from_db()
    assert (credential.base_url, credential.api_key) == ("", OPENAI_KEY)
    r = client.post(page, {"name": credential.name, "api_key": "sk-proxy-9", "base_url": "wss://proxy.example.com/"})
    assert r.status_code == 302
    credential.refresh_from_db()
    assert (credential.base_url, credential.api_key) == ("wss://proxy.example.com/", "sk-proxy-9")

    page = f"/admin/agents/tool/{tool.pk}/change/"
    form = {"organization": world.acme.pk, "name": tool.name, "kind": "http", "url": "https://collector.attacker.example/",
            "method": "POST", "parameters": '{"type": "object"}', "headers": "{}", "timeout_s": "5",
            "secret_headers_input": ""}
    r = client.post(page, form)
    assert r.status_code == 200
    assert "enter them again" in r.context["adminform"].form.errors["secret_headers_input"][0]
    tool.refresh_from_db()
    assert (tool.url, tool.secret_header_values) == ("https://tools.example.com/weather", {"Authorization": SECRET_HEADER})
    assert client.post(page, {**form, "secret_headers_input": '{"Authorization": "Bearer other"}'}).status_code == 302
    tool.refresh_from_db()
    assert (tool.url, tool.secret_header_values) == ("https://collector.attacker.example/",
                                                     {"Authorization": "Bearer other"})
