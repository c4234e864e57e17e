"""Workbook file in, deck out: read, validate, analyse, render (and optionally PDF).

The CLI's ``build``, ``demo`` and ``batch`` all go through here, so they
behave the same. Split into steps so a batch can read a workbook once and
render several scoped decks from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from salesdeck.errors import Issue
from salesdeck.filesafety import check_outputs
from salesdeck.gc_tuning import fewer_passes
from salesdeck.generator.parts.analysis import analyze
from salesdeck.generator.spec import DeckSpec
from salesdeck.timing import step
from salesdeck.workbook.model import SalesWorkbook
from salesdeck.workbook.read.reader import read_workbook

__all__ = ["BuildResult", "build_deck", "deck_from_model", "default_deck_name", "load"]


@dataclass
class BuildResult:
    """What one build produced."""

    deck: Path
    spec: DeckSpec
    pdf: Path | None = None
    warnings: list[Issue] = field(default_factory=list)

    @property
    def slides(self) -> int:
        """Slide count: title, agenda, then a divider and the content slides per part (before table splits)."""
        return 2 + sum(1 + len(part.slides) for part in self.spec.parts)


def default_deck_name(workbook: Path, lang: str | None = None, suffix: str = "") -> str:
    """``<workbook stem>[-suffix]-deck[.lang].pptx``: ASCII-safe apart from the user's own stem."""
    parts = [Path(workbook).stem]
    if suffix:
        parts.append(suffix)
    name = "-".join(parts) + "-deck"
    return f"{name}.{lang}.pptx" if lang else f"{name}.pptx"


def load(workbook: str | Path) -> SalesWorkbook:
    """Read and validate; raises NotAWorkbookError / WorkbookInvalidError with every problem listed."""
    return read_workbook(workbook)


def deck_from_model(model: SalesWorkbook, out: str | Path, *, lang: str | None = None,
                    template: str | Path | None = None, previous: SalesWorkbook | None = None,
                    pdf: bool = False, narrative_dir: str | Path | None = None, compact: bool = False) -> BuildResult:
    """Analyse ``model`` and render the deck to ``out`` (atomically); ``lang`` defaults to the workbook's.

    ``compact`` keeps one slide per part (a rep's personal review).
    """
    from salesdeck.generator.render.deck import render_deck
    from salesdeck.jobs.scope import compact as one_per_part

    lang = lang or model.settings.language or "zh"
    with step("compute"):
        spec = analyze(model, lang, previous=previous, narrative_dir=Path(narrative_dir) if narrative_dir else None)
        if compact:
            spec = one_per_part(spec)
    with step("render"):
        deck = render_deck(spec, out, template=Path(template) if template else None)
    pdf_path = None
    if pdf:
        from salesdeck.generator.render.pdf import convert_to_pdf

        with step("pdf"):
            pdf_path = convert_to_pdf(deck)
    return BuildResult(deck=Path(deck), spec=spec, pdf=pdf_path, warnings=list(model.warnings))


@fewer_passes
def build_deck(workbook: str | Path, out: str | Path | None = None, *, lang: str | None = None,
               template: str | Path | None = None, previous: str | Path | None = None,
               pdf: bool = False, narrative_dir: str | Path | None = None) -> BuildResult:
    """The whole job for one workbook file. ``out`` defaults to ``default_deck_name`` in the current folder.

    An output (the deck, its PDF) that is one of the inputs is refused before anything is read.
    """
    from salesdeck.jobs import warmup

    out = Path(out) if out else Path(default_deck_name(Path(workbook)))
    check_outputs({"the deck": out, "the PDF": out.with_suffix(".pdf") if pdf else None},
                  {"the workbook": workbook, "--template": template, "--previous": previous,
                   "a file of --narrative": narrative_dir})
    ready = warmup.start(lang, template)  # uses the core calamine leaves idle while it parses
    model = load(workbook)
    previous_model = load(previous) if previous else None
    ready.wait()
    return deck_from_model(model, out, lang=lang, template=template, previous=previous_model,
                           pdf=pdf, narrative_dir=narrative_dir)
