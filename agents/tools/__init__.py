"""Server-side python tools, chosen by name from a registry in code (never by dotted path)."""
