"""The operators' back office: a FastAPI application with sqladmin views under /office.

``backoffice.app.create_app`` builds the office's own application (the office, /health);
bot/app.py mounts it beside the web chat and the webhooks. ``python -m backoffice`` serves it
alone and creates operator accounts."""
