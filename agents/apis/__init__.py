"""REST endpoints for agent configuration: thin views over ``agents.services`` and ``agents.selectors``."""
