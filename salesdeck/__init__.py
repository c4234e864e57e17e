"""salesdeck: monthly sales workbooks, Excel functions and meeting decks."""

__version__ = "0.1.0"


def main() -> None:
    """Ribbon entry point: refresh the workbook that called it (Excel only)."""
    from salesdeck.addin.ribbon import refresh_caller

    refresh_caller()
