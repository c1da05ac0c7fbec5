"""LiveKit-compatible room grants: build, sign, verify and read access tokens.

``claims``/``codec``/``builder``/``effective`` are Django-free; ``keys``, ``verifier`` and
``services`` use the organization's API keys from the database.
"""
