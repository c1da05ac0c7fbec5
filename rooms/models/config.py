"""Room configs (agent configuration issue)."""
