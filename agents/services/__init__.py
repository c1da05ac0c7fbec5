"""Writes to agent configuration. Every write validates with the model rules the admin also uses."""
