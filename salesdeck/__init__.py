"""salesdeck: monthly sales workbooks, Excel functions and meeting decks."""

__version__ = "0.1.0"


def main() -> None:
    """Refresh the workbook that called it (Excel only): what xlwings' template button runs for salesdeck.xlam."""
    from salesdeck.addin.ribbon import refresh_caller

    refresh_caller()
