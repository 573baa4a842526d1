"""The flows, each declared in one module with a Mermaid diagram beside it."""
