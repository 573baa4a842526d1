"""Channel adapters: platform update -> neutral Inbound; neutral Outbound -> platform calls."""
