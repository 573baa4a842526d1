"""The operators' back office: a FastAPI application with sqladmin views under /office.

``backoffice.app.create_app`` builds the one ASGI application (back office, health, Telegram
webhook); ``python -m backoffice`` serves it and creates operator accounts."""
