"""The realtime engine: a Django-free asyncio package.

It speaks AgentScope v1's realtime event protocol to clients (``events``), the providers' protocols
through adapters (``models``), and joins the two in an agent bridge (``bridge``). Nothing here imports
Django; the rooms app hands it plain ``AgentSpec`` values and receives plain event dicts.
"""
