from __future__ import annotations

from django.urls import path

from agents.apis.agents import AgentDetailApi, AgentListApi
from agents.apis.credentials import CredentialDetailApi, CredentialListApi
from agents.apis.prompts import PromptDetailApi, PromptListApi, PromptVersionListApi
from agents.apis.tools import ToolDetailApi, ToolListApi

urlpatterns = [
    path("agents/", AgentListApi.as_view(), name="api-agents"),
    path("agents/<str:ref>/", AgentDetailApi.as_view(), name="api-agent"),
    path("prompts/", PromptListApi.as_view(), name="api-prompts"),
    path("prompts/<str:ref>/", PromptDetailApi.as_view(), name="api-prompt"),
    path("prompts/<str:ref>/versions/", PromptVersionListApi.as_view(), name="api-prompt-versions"),
    path("tools/", ToolListApi.as_view(), name="api-tools"),
    path("tools/<str:ref>/", ToolDetailApi.as_view(), name="api-tool"),
    path("credentials/", CredentialListApi.as_view(), name="api-credentials"),
    path("credentials/<str:ref>/", CredentialDetailApi.as_view(), name="api-credential"),
]
