"""CLI commands: template and sample."""

COMMANDS: list = []
