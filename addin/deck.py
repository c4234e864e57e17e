"""The ribbon's Build deck button: the monthly meeting deck of the calling workbook, beside it, opened.

The workbook's current cells (unsaved edits included, read as Refresh reads
them) go through the same reader and deck builder as ``salesdeck build``; the
deck is written next to the workbook as ``<name>-deck.pptx`` and opened (or,
failing that, its folder), so nobody needs a command line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

from salesdeck.addin.ribbon import error_message, input_grids
from salesdeck.errors import SalesdeckError
from salesdeck.jobs.build import deck_from_model, default_deck_name
from salesdeck.workbook.read import reader

NOT_SAVED = ("请先把工作簿保存到本机文件夹,PPT 会生成在它旁边。\n"
             "Save the workbook to a folder on this computer first: the deck is written beside it.")


def open_path(path: Path) -> bool:
    """Open a file or folder with its usual program; False when that fails."""
    try:
        if sys.platform == "win32":
            os.startfile(str(path))  # noqa: S606 - the user's own deck or folder
        else:
            subprocess.run(["open" if sys.platform == "darwin" else "xdg-open", str(path)], check=True,
                           capture_output=True, timeout=30)
        return True
    except (OSError, subprocess.SubprocessError):
        return False


def deck_book(book, opener: Callable[[Path], bool] = open_path) -> Path | None:
    """Build the deck of an xlwings Book beside it and open it; None (after a message) when it cannot."""
    folder = Path(book.fullname).parent
    if not Path(book.fullname).is_absolute() or not folder.is_dir():
        book.app.alert(NOT_SAVED, title="salesdeck")
        return None
    try:
        model = reader.parse_sheets(input_grids(book), source=book.name)
        result = deck_from_model(model, folder / default_deck_name(Path(book.fullname)))
    except SalesdeckError as exc:
        book.app.alert(error_message(exc), title="salesdeck")
        return None
    if not opener(result.deck) and not opener(result.deck.parent):
        book.app.alert(str(result.deck), title="salesdeck")
    return result.deck


def deck_caller() -> None:
    """Entry point of the Build deck button: the deck of the calling workbook."""
    import xlwings as xw

    deck_book(xw.Book.caller(), open_path)
