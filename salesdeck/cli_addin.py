"""CLI commands (cli_addin)."""

COMMANDS: list = []
