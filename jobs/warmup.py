"""Get the renderer ready while the workbook is still being read.

python-calamine parses the big sheets without holding the GIL, so for a large
workbook one core sits idle for most of the read. ``start`` uses it: in a
background thread it loads what every deck needs and keeps for the process
(renderer modules, the prepared template, the narrative templates compiled,
the fonts text is measured with). It only fills caches the build would fill
anyway, so it never changes a deck; if anything fails here the build meets
the same problem later and reports it properly.
"""

from __future__ import annotations

import threading
from pathlib import Path

from salesdeck.background import lower_priority

__all__ = ["start", "Warmup"]


class Warmup:
    """A running warm-up; ``wait`` before rendering so no work is done twice."""

    def __init__(self, lang: str | None, template: Path | None) -> None:
        self._thread = threading.Thread(target=self._run, args=(lang, template), name="salesdeck-warmup", daemon=True)
        self._thread.start()

    @staticmethod
    def _run(lang: str | None, template: Path | None) -> None:
        lower_priority()  # the workbook's parse is what the build waits for
        try:
            from salesdeck.generator.parts import analysis  # noqa: F401
            from salesdeck.generator.render import charts, deck  # noqa: F401 - imported to load them
            from salesdeck.generator.render.layouts import open_presentation
            from salesdeck.generator.parts.narrative import Narrative
            from salesdeck.generator.render.text import text_width, warm_advances

            open_presentation(template)
            Narrative(lang or "zh").warm()
            text_width("销售额 Sales 1,234.5万", 12)
            text_width("销售额 Sales 1,234.5万", 12, bold=True)
            warm_advances()
            warm_advances(bold=True)
        except Exception:  # noqa: BLE001 - the build itself will raise this with its proper message
            pass

    def wait(self) -> None:
        self._thread.join()


def start(lang: str | None = None, template: str | Path | None = None) -> Warmup:
    """Begin warming up for a deck in ``lang`` (default zh) on ``template`` (default ours)."""
    return Warmup(lang, Path(template) if template else None)
