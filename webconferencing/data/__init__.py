"""Data files shipped with the core (the demo organization)."""
