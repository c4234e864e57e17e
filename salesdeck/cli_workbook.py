"""CLI commands (cli_workbook)."""

COMMANDS: list = []
