"""CLI commands (cli_deck)."""

COMMANDS: list = []
