"""Slide titles from jinja2 templates: one ``.j2`` file per slide, per language.

Templates live in ``templates/narrative/<lang>/``. A user folder given as
``narrative_dir`` is searched first (its ``<lang>/`` subfolder when present,
else the folder itself), so a user overrides a single title by adding one
file. The environment is sandboxed and strict: a missing variable raises
:class:`~salesdeck.errors.TemplateError` naming the template and the line.

A rendered template's first line is the slide title; further non-blank lines
are the subtitle.
"""

from __future__ import annotations

import functools
import importlib.resources
import traceback
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from salesdeck.errors import TemplateError
from salesdeck.generator.parts import numfmt

__all__ = ["Narrative", "DEFAULT_DIR"]

#: The packaged narrative templates (zh/ and en/ inside), found through the package system so the
#: source tree and an installed wheel behave the same.
DEFAULT_DIR = Path(str(importlib.resources.files("salesdeck.templates") / "narrative"))


@functools.lru_cache(maxsize=8)
def _environment(lang: str, search_path: tuple[str, ...]) -> SandboxedEnvironment:
    """One environment per language and folder, so templates compile once per process
    (the loader still notices a template edited on disk)."""
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(list(search_path), encoding="utf-8"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=False,  # keep the newline after a block tag at a line end: line 2 is the subtitle
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update({
        "money": lambda v: numfmt.money(v, lang),
        "num": numfmt.number,
        "count": numfmt.count,
        "pct": numfmt.pct,
        "pct1": lambda v: numfmt.pct(v, 1),
        "delta": numfmt.delta,
        "points": numfmt.delta_points,
        "signed": lambda v: numfmt.delta_points(v, 0),
        "pp": numfmt.points,
        "pp_abs": lambda v: numfmt.number(abs(v) * 100, 1),
        "month": lambda v: numfmt.month_label(v, lang),
        "date": lambda v: numfmt.date(v, lang),
    })
    return env


def _search_path(lang: str, user_dir: Path | None) -> list[str]:
    paths: list[str] = []
    if user_dir is not None:
        user_dir = Path(user_dir)
        if not user_dir.is_dir():
            raise TemplateError(f"narrative folder not found: {user_dir}")
        paths.append(str(user_dir / lang if (user_dir / lang).is_dir() else user_dir))
    paths.append(str(DEFAULT_DIR / lang))
    return paths


class Narrative:
    """Renders slide text for one language with the number filters of :mod:`numfmt`.

    Filters: ``money`` (123.5万 / 1.23M), ``num``, ``count``, ``pct`` (112%),
    ``pct1`` (112.3%), ``delta`` (+12.3%), ``points`` (+0.4), ``signed`` (+32), ``pp`` (percentage
    points of a ratio difference: 0.183 -> +18.3), ``month``
    (2026年10月 / October 2026), ``date``.
    """

    def __init__(self, lang: str = "zh", user_dir: Path | None = None):
        self.lang = lang
        self.env = _environment(lang, tuple(_search_path(lang, user_dir)))

    def warm(self) -> None:
        """Compile every template of this language now (they are kept for the process)."""
        for name in self.env.list_templates(extensions=["j2"]):
            try:
                self.env.get_template(name)
            except jinja2.TemplateError:
                pass  # reported properly, with its line, when the slide is written

    def render(self, name: str, **context: Any) -> str:
        """The rendered text of ``<name>.j2`` (stripped)."""
        filename = f"{name}.j2"
        try:
            template = self.env.get_template(filename)
            return template.render(**context).strip()
        except jinja2.TemplateNotFound:
            raise TemplateError(f"narrative template {filename} not found for language {self.lang!r}") from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"{exc.filename or filename}, line {exc.lineno}: {exc.message}") from None
        except (jinja2.UndefinedError, jinja2.exceptions.SecurityError, TypeError, ValueError) as exc:
            where, line = _template_line(exc, filename)
            raise TemplateError(f"{where}, line {line}: {exc}") from None

    def title(self, name: str, **context: Any) -> tuple[str, str]:
        """(title, subtitle) from a template: first line, then the remaining lines."""
        lines = [ln.strip() for ln in self.render(name, **context).splitlines() if ln.strip()]
        if not lines:
            return "", ""
        return lines[0], " ".join(lines[1:])


def _template_line(exc: BaseException, filename: str) -> tuple[str, int | str]:
    """The template file and line where a render error happened (jinja maps frames to templates)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".j2"):
            return frame.filename, frame.lineno or "?"
    return filename, "?"
