"""Operators: accounts, passwords, logins, throttling, the signing key and the audit log."""
