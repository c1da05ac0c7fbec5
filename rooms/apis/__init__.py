"""REST endpoints for rooms."""
