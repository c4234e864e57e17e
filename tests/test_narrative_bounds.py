"""A --narrative folder is code a user writes: whatever it does, a render ends with text or with an error
naming the file and line, in bounded time and memory, in the main thread or any other."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from salesdeck.cli import cli
from salesdeck.errors import TemplateError
from salesdeck.generator.parts import sandbox
from salesdeck.generator.parts.narrative import Narrative
from tests.corpus import build

CONTEXT = dict(topic="满意度", reason="本月无数据", month=None)

#: name -> (template, text the error must contain)
ATTACKS = {
    "nested loops": ("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
                     "took longer than 2 s"),
    "range(10**9)": ("{% for i in range(10**9) %}{{ i }}{% endfor %}", "a range of 1,000,000,000 numbers"),
    "huge string": ("{{ 'a' * 10**9 }}", "1,000,000,000 characters or items long"),
    "doubling a text": ("{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
                        "{% endfor %}", "a joined text would be 131,072"),
    "doubling a list": ("{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}"
                        "{% endfor %}", "131,072"),
    "recursive macro": ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "calls nest too deep"),
    "including itself": ("{% include 'empty.j2' %}", "calls nest too deep"),
    "huge power": ("{{ 10 ** (10 ** 8) }}", "digits"),
    "squaring a number": ("{% set ns = namespace(x=10**1000) %}{% for i in range(30) %}{% set ns.x = ns.x * ns.x %}"
                          "{% endfor %}", "digits"),
    "padding filter": ("{{ 'a'|center(10**9) }}", "|center with 1,000,000,000"),
    "padding method": ("{{ 'a'.ljust(10**9) }}", "'ljust' of 'str' object is unsafe"),
    "format width": ("{{ '%999999999d'|format(1) }}", "a %-format with a width"),
    "replace": ("{% set s = 'a' * 50000 %}{{ s|replace('a', 'aaaaaaaaaa') }}", "|replace would be 500,000"),
    "join": ("{{ range(10000)|join('x' * 10000) }}", "|join would be"),
    "batch padding": ("{{ [1]|batch(10**9, 'x')|list }}", "|batch with 1,000,000,000"),
    "long output": ("{% for i in range(10000) %}{{ 'x' * 1000 }}{% endfor %}", "over 100,000 characters"),
    "lorem ipsum": ("{{ lipsum(10**6) }}", "'lipsum' is undefined"),
    "absolute include": ("{% include '/etc/passwd' %}", "'/etc/passwd' is outside the narrative folder"),
    "include going up": ("{% include '../../etc/passwd' %}", "is outside the narrative folder"),
    "import going up": ("{% import '../x.j2' as x %}", "is outside the narrative folder"),
}


def _folder(tmp_path: Path, source: str) -> Path:
    (tmp_path / "empty.j2").write_text(source, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_each_attack_ends_in_an_error_naming_file_and_line(name, tmp_path):
    source, text = ATTACKS[name]
    with pytest.raises(TemplateError) as err:
        Narrative("zh", _folder(tmp_path, source)).render("empty", **CONTEXT)
    message = str(err.value)
    assert text in message
    assert f"{tmp_path / 'empty.j2'}, line 1: " in message


def test_the_line_named_is_the_one_that_went_wrong(tmp_path):
    folder = _folder(tmp_path, "{{ topic }}\n{{ reason }}\n{% for i in range(10**6) %}{% endfor %}\n")
    with pytest.raises(TemplateError, match=r"empty\.j2, line 3: a range of 1,000,000 numbers"):
        Narrative("zh", folder).render("empty", **CONTEXT)


def test_a_missing_include_is_named_not_the_template_including_it(tmp_path):
    folder = _folder(tmp_path, "标题\n{% include 'nope.j2' %}")
    with pytest.raises(TemplateError, match=r"empty\.j2, line 2: includes 'nope\.j2', which is not in the narrative"):
        Narrative("zh", folder).render("empty", **CONTEXT)


def test_a_symlink_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("TOP-SECRET", encoding="utf-8")
    folder = tmp_path / "narrative"
    folder.mkdir()
    (folder / "leak.j2").symlink_to(outside)
    _folder(folder, "{% include 'leak.j2' %}")
    with pytest.raises(TemplateError, match="'leak.j2' leads outside the narrative folder") as err:
        Narrative("zh", folder).render("empty", **CONTEXT)
    assert "TOP-SECRET" not in str(err.value)


def test_an_include_inside_the_folder_and_the_packaged_ones_still_work(tmp_path):
    (tmp_path / "part.j2").write_text("{{ topic }}的说明", encoding="utf-8")
    folder = _folder(tmp_path, "{% include 'part.j2' %}：{% include 'deck_presenter.j2' ignore missing %}")
    assert Narrative("zh", folder).render("empty", **CONTEXT, presenter="王磊", company="华信") == "满意度的说明：华信 · 汇报人：王磊"


def test_a_huge_template_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "MAX_TEMPLATE_BYTES", 1000)
    (tmp_path / "big.j2").write_text("x" * 2000, encoding="utf-8")
    folder = _folder(tmp_path, "{% include 'big.j2' %}")
    with pytest.raises(TemplateError, match="'big.j2' is 2,000 bytes; a narrative template may be at most 1,000"):
        Narrative("zh", folder).render("empty", **CONTEXT)


def test_the_time_bound_holds_in_any_thread(tmp_path):
    """No signal is involved: a render in a worker thread stops just the same (batch workers use threads
    and processes), and the thread that started it keeps no tracer behind."""
    folder = _folder(tmp_path, ATTACKS["nested loops"][0])
    outcome = []

    def work() -> None:
        try:
            Narrative("zh", folder).render("empty", **CONTEXT)
        except TemplateError as exc:
            outcome.append(str(exc))

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive()
    assert outcome and "took longer than 2 s" in outcome[0]


def test_ordinary_templates_render_as_before():
    text = Narrative("zh")
    kwargs = dict(top="华东", top_share=0.52, top3_share=0.521, first="X3", first_share=0.213, products=9)
    assert text.render("p1_products", **kwargs) == "前三产品贡献52%销售额，X3居首（21%）"


def test_build_reports_a_runaway_narrative_as_an_error(tmp_path):
    workbook = build.write_valid(tmp_path / "book.xlsx", "zh", rows=300)
    folder = tmp_path / "narrative"
    folder.mkdir()
    (folder / "deck_title.j2").write_text("{{ company }}\n{% include '/etc/passwd' %}", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(workbook), "--narrative", str(folder), "-o", str(tmp_path / "d.pptx")])
    assert result.exit_code == 1
    assert "deck_title.j2, line 2: '/etc/passwd' is outside the narrative folder" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "d.pptx").exists()
