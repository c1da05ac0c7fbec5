"""Provider adapters, created by name so each adapter module loads only when used."""

from __future__ import annotations

from importlib import import_module

from agents.realtime.models.base import RealtimeModel
from agents.realtime.spec import AgentSpec

ADAPTERS = {
    "local": "agents.realtime.models.local:LocalModel",
    "openai": "agents.realtime.models.openai:OpenAIRealtimeModel",
    "dashscope": "agents.realtime.models.dashscope:DashScopeRealtimeModel",
    "gemini": "agents.realtime.models.gemini:GeminiLiveModel",
}


def create_model(spec: AgentSpec, default_urls: dict[str, str]) -> RealtimeModel:
    """``default_urls`` maps provider -> URL from settings; the spec's ``base_url`` wins."""
    module_name, _, class_name = ADAPTERS[spec.provider].partition(":")
    cls: type[RealtimeModel] = getattr(import_module(module_name), class_name)
    return cls(spec, spec.base_url or default_urls.get(spec.provider, ""))
