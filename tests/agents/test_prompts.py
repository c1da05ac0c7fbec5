"""Prompt versions and template rendering (the renderer is sandboxed; gaps are reported, not crashed on)."""

from __future__ import annotations

import pytest

from agents.models import PromptVersion
from agents.prompting import PromptRenderFailed, PromptVariableMissing, prompt_render
from agents.selectors import agent_prompt_text
from agents.services.prompts import prompt_update, prompt_version_create
from tests.agents.builders import a_prompt, an_agent

pytestmark = pytest.mark.django_db


def test_it_makes_a_new_numbered_version_per_text_change(world):
    prompt = a_prompt(world.acme, text="v one")
    prompt_update(prompt=prompt, text="v two")
    prompt_update(prompt=prompt, text="v two")  # unchanged text is not a new version
    prompt_update(prompt=prompt, name="renamed")
    prompt_version_create(prompt=prompt, text="v three")
    versions = list(PromptVersion.objects.filter(prompt=prompt).order_by("number").values_list("number", "text"))
    assert versions == [(1, "v one"), (2, "v two"), (3, "v three")]
    assert prompt.text == "v three"


def test_it_uses_the_newest_version_unless_the_agent_pins_one(world):
    prompt = a_prompt(world.acme, text="first")
    follower = an_agent(world.acme, slug="follower", prompt=prompt)
    pinned = an_agent(world.acme, slug="pinned", prompt=prompt, prompt_version=prompt.active_version)
    prompt_update(prompt=prompt, text="second")
    follower.refresh_from_db()
    pinned.refresh_from_db()
    assert agent_prompt_text(follower) == "second"
    assert agent_prompt_text(pinned) == "first"


def test_it_renders_the_standard_variables():
    text = "Hi {{ user_name }} in {{ room_name }} ({{ participant.plan }}, topic {{ room.topic }})."
    out = prompt_render(
        text,
        {"user_name": "Ada", "room_name": "r1", "participant": {"plan": "pro"}, "room": {"topic": "billing"}},
    )
    assert out == "Hi Ada in r1 (pro, topic billing)."


def test_it_reports_every_missing_variable_at_once():
    with pytest.raises(PromptVariableMissing) as exc:
        prompt_render("{{ user_name }} {{ participant.plan }} {{ room_name }}", {"participant": {}})
    assert exc.value.code == "prompt_variable_missing"
    assert exc.value.missing == ["user_name", "participant.plan", "room_name"]
    assert "user_name" in str(exc.value)


def test_it_lets_a_template_test_for_an_optional_variable():
    text = "{% if participant.vip %}VIP. {% endif %}Hello{% if user_name is defined %} {{ user_name }}{% endif %}."
    assert prompt_render(text, {"participant": {}}) == "Hello."
    assert prompt_render(text, {"participant": {"vip": True}, "user_name": "Bo"}) == "VIP. Hello Bo."


@pytest.mark.parametrize(
    "attack",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ user_name.__class__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{% for c in user_name.__class__.__mro__ %}{{ c }}{% endfor %}",
    ],
)
def test_it_refuses_code_execution_in_a_template(attack):
    with pytest.raises(PromptRenderFailed) as exc:
        prompt_render(attack, {"user_name": "Ada"})
    assert exc.value.code == "prompt_render_failed"
    assert "unsafe" in str(exc.value)
