"""Live rooms, participants and sessions (rooms issue)."""
