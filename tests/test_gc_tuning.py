"""A job runs with fewer collector passes and leaves the collector as it found it."""

from __future__ import annotations

import gc

import pytest

from salesdeck.errors import NotAWorkbookError
from salesdeck.gc_tuning import JOB_THRESHOLDS, fewer_passes
from salesdeck.jobs.build import build_deck


@pytest.fixture
def default_thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_a_job_runs_with_raised_thresholds_and_restores_them_even_when_it_fails(default_thresholds):
    seen = []

    @fewer_passes
    def job():
        seen.append(gc.get_threshold())
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        job()
    assert seen == [JOB_THRESHOLDS]
    assert gc.get_threshold() == (700, 10, 10)


def test_higher_thresholds_set_by_the_caller_are_kept(default_thresholds):
    gc.set_threshold(500_000, 50, 50)
    seen = []
    fewer_passes(lambda: seen.append(gc.get_threshold()))()
    assert seen == [(500_000, 50, 50)]


def test_a_refused_build_leaves_the_collector_as_it_was(tmp_path, default_thresholds):
    bogus = tmp_path / "notes.xlsx"
    bogus.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(NotAWorkbookError):
        build_deck(bogus, tmp_path / "deck.pptx")
    assert gc.get_threshold() == (700, 10, 10)
    assert not (tmp_path / "deck.pptx").exists()


def test_jobs_overlapping_in_threads_restore_the_thresholds_only_when_the_last_ends(default_thresholds):
    import threading

    first_inside, second_inside, first_done, seen = threading.Event(), threading.Event(), threading.Event(), []

    @fewer_passes
    def first_job():  # starts first, ends first
        first_inside.set()
        second_inside.wait(5)

    @fewer_passes
    def second_job():
        second_inside.set()
        first_done.wait(5)
        seen.append(gc.get_threshold())  # the first job has ended: still raised for this one

    worker = threading.Thread(target=first_job)
    worker.start()
    first_inside.wait(5)
    later = threading.Thread(target=second_job)
    later.start()
    worker.join(5)
    first_done.set()
    later.join(5)
    assert seen == [JOB_THRESHOLDS]
    assert gc.get_threshold() == (700, 10, 10)  # not left raised
