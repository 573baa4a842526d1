"""Wiring: settings, entry point (python -m bot), logging."""
