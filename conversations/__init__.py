"""Conversation engine and flows: pure Python, no platform or web framework imports."""
