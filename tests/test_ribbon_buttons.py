"""The Check and Build deck buttons, run against the small fake of xlwings' Book/Sheet/Range."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlwings as xw
from pptx import Presentation

from salesdeck.addin import check, deck
from tests.fake_excel import fake_book_from, written_rows
from tests.test_refresh import ORDERS, SETTINGS, write_tiny

BAD_ORDERS = ORDERS[:3] + [("O9", dt.datetime(2026, 10, 1), "张三", "华东", "直营", "客户A", "产品X", "线A", "新签",
                            "十万")]  # J4: an amount that is not a number


@pytest.fixture
def bad(tmp_path) -> Path:
    return write_tiny(tmp_path / "bad.xlsx", orders=BAD_ORDERS)


# ---------------------------------------------------------------- Check
def test_check_lists_every_problem_with_a_link_and_marks_the_cells(bad):
    book = fake_book_from(bad)
    book.sheets["订单"].range("J4").color = (1, 2, 3)           # the user's own fill, to be given back later
    count = check.check_book(book)
    problems = book.sheets["问题"]
    rows = written_rows(problems)
    assert rows[0][:5] == ["级别", "位置", "列", "值", "问题"]
    listed = [r for r in rows[1:] if r and r[0]]
    assert count == len(listed) >= 1
    error = next(r for r in listed if "订单!J4" in r[1])
    assert error[0] == "错误" and error[1] == '=HYPERLINK("#\'订单\'!J4","订单!J4")' and error[3] == "十万"
    assert problems.formats.get((2, 1)) == "@"                  # text stays text; the link stays a formula
    assert book.sheets["订单"].colors[(4, 10)] == check.FILL["error"]
    assert book.active is problems
    [(title, message)] = book.app.alerts
    assert title == "salesdeck" and "1 个错误" in message


def test_check_again_after_a_fix_gives_the_colour_back(bad):
    book = fake_book_from(bad)
    book.sheets["订单"].range("J4").color = (1, 2, 3)
    before = check.check_book(book)
    book.sheets["订单"].range("J4").value = [[100000.0]]
    assert check.check_book(book) == before - 1                 # the tiny workbook keeps its warnings
    assert book.sheets["订单"].colors[(4, 10)] == (1, 2, 3)
    assert not any("J4" in str(r[1]) for r in written_rows(book.sheets["问题"])[1:] if len(r) > 1)
    assert [s.name for s in book.sheets].count("问题") == 1


def test_no_problems_removes_the_sheet_and_says_so(monkeypatch, bad):
    book = fake_book_from(bad)
    check.check_book(book)
    real = check.reader.parse_sheets

    def without_issues(*args, **kwargs):
        model = real(*args, **kwargs)
        model.issues = []
        return model

    monkeypatch.setattr(check.reader, "parse_sheets", without_issues)
    assert check.check_book(book) == 0
    assert "问题" not in [s.name for s in book.sheets]
    assert book.sheets["订单"].colors[(4, 10)] is None              # the mark is gone
    assert book.app.alerts[-1] == ("salesdeck", "没有发现问题。")


def test_check_speaks_the_workbooks_language(tmp_path):
    settings = SETTINGS + [("语言", "English")]
    book = fake_book_from(write_tiny(tmp_path / "en.xlsx", settings=settings, orders=BAD_ORDERS))
    check.check_book(book)
    rows = written_rows(book.sheets["Problems"])
    assert rows[0][:5] == ["Severity", "Where", "Column", "Value", "Problem"]
    assert any(r[0] == "error" for r in rows[1:] if r)
    assert "see the Problems sheet" in book.app.alerts[-1][1]


def test_a_users_own_sheet_called_wenti_is_left_alone(bad):
    book = fake_book_from(bad)
    own = book.sheets.add("问题", after=book.sheets[len(book.sheets) - 1])
    own.range("A1").value = [["客户投诉", "处理人"], ["延迟交货", "张三"]]
    check.check_book(book)
    check.check_book(book)
    assert book.sheets["问题"].cells[(2, 1)] == "延迟交货"
    assert [s.name for s in book.sheets].count("问题 (salesdeck)") == 1


def test_a_problems_sheet_is_never_read_as_input(bad):
    book = fake_book_from(bad)
    first = check.check_book(book)
    assert check.check_book(book) == first


def test_check_caller_checks_the_calling_book(monkeypatch, bad):
    book = fake_book_from(bad)
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    check.check_caller()
    assert "问题" in [s.name for s in book.sheets]


# ---------------------------------------------------------------- Build deck
def test_deck_is_written_beside_the_workbook_and_opened(tmp_path):
    path = write_tiny(tmp_path / "月报.xlsx")
    book = fake_book_from(path, fullname=str(path))
    opened = []
    deck_path = deck.deck_book(book, opener=lambda p: opened.append(p) or True)
    assert deck_path == tmp_path / "月报-deck.pptx" and deck_path.is_file()
    assert opened == [deck_path]
    assert book.app.alerts == []
    titles = [s.shapes.title.text for s in Presentation(str(deck_path)).slides if s.shapes.title is not None]
    assert len(titles) > 10 and "销售月例会" in " ".join(titles)


def test_when_the_deck_cannot_be_opened_its_folder_is(tmp_path):
    path = write_tiny(tmp_path / "tiny.xlsx")
    book = fake_book_from(path, fullname=str(path))
    tried = []
    deck.deck_book(book, opener=lambda p: tried.append(p) or p.is_dir())
    assert tried == [tmp_path / "tiny-deck.pptx", tmp_path] and book.app.alerts == []


def test_an_unsaved_workbook_is_asked_to_be_saved_first(tmp_path):
    book = fake_book_from(write_tiny(tmp_path / "tiny.xlsx"), fullname="工作簿1")
    assert deck.deck_book(book, opener=lambda p: pytest.fail("nothing to open")) is None
    assert book.app.alerts == [("salesdeck", deck.NOT_SAVED)]


def test_an_invalid_workbook_gets_its_errors_not_a_deck(bad):
    book = fake_book_from(bad, fullname=str(bad))
    assert deck.deck_book(book, opener=lambda p: pytest.fail("nothing to open")) is None
    [(title, message)] = book.app.alerts
    assert "订单!J4" in message and not (bad.parent / "bad-deck.pptx").exists()


def test_deck_caller_builds_the_calling_books_deck(monkeypatch, tmp_path):
    path = write_tiny(tmp_path / "tiny.xlsx")
    book = fake_book_from(path, fullname=str(path))
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    opened = []
    monkeypatch.setattr(deck, "open_path", lambda p: opened.append(p) or True)
    deck.deck_caller()
    assert opened == [tmp_path / "tiny-deck.pptx"]
    assert (tmp_path / "tiny-deck.pptx").is_file()
