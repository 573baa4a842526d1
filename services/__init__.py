"""The application layer: what the engine, the adapters, the back office and the CLI ask for."""
