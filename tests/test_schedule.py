"""The agenda is computed from session minutes with breaks; exact clock times."""

from __future__ import annotations

from kalan.config import Break, DayPlan, DayRound, minutes_to_clock
from kalan.manifests import Module, Session
from kalan.schedule import build_agenda

DAY = DayPlan(start=8 * 60 + 30, end=16 * 60 + 45, tolerance=15, breaks=(
    Break(10 * 60 + 30, 15, {"fr": "Pause"}),
    Break(12 * 60 + 30, 60, {"fr": "Déjeuner"}),
    Break(15 * 60 + 15, 15, {"fr": "Pause"}),
))


def _module(minutes: list[int]) -> Module:
    sessions = tuple(Session(f"M1-S{i}", {"fr": f"S{i}"}, m, {"fr": "x"}, (), f"m1/s{i}.md")
                     for i, m in enumerate(minutes, 1))
    return Module("M1", 1, "m1", {"fr": "M"}, {"fr": "p"}, sum(minutes), (), sessions, (), None)


def _timeline(days):
    return [[(minutes_to_clock(s.start), minutes_to_clock(s.end),
              s.session.id if s.session else s.pause.name["fr"]) for s in d.slots] for d in days]


def test_breaks_fall_between_sessions_and_days_roll_over():
    days = build_agenda([_module([60, 60, 45, 90, 60, 45, 90, 60])], DAY)
    assert _timeline(days) == [
        # S4 (90 min) would end at 13:00, past 12:30 + 15: lunch comes first.
        [("08:30", "09:30", "M1-S1"), ("09:30", "10:30", "M1-S2"), ("10:30", "10:45", "Pause"),
         ("10:45", "11:30", "M1-S3"), ("11:30", "12:30", "Déjeuner"),
         ("12:30", "14:00", "M1-S4"), ("14:00", "15:00", "M1-S5"), ("15:00", "15:15", "Pause"),
         ("15:15", "16:00", "M1-S6")],
        # S7 would end at 17:30, after 16:45: it opens day 2.
        [("08:30", "10:00", "M1-S7"), ("10:00", "10:15", "Pause"), ("10:15", "11:15", "M1-S8")],
    ]


def test_break_taken_early_rather_than_overrunning():
    # 10:00 + 90 min would end at 11:30, far past 10:30 + 15 min: break first.
    days = build_agenda([_module([90, 90])], DAY)
    assert _timeline(days)[0][:3] == [("08:30", "10:00", "M1-S1"), ("10:00", "10:15", "Pause"),
                                      ("10:15", "11:45", "M1-S2")]


def test_teaching_minutes_exclude_breaks():
    days = build_agenda([_module([60, 60, 45])], DAY)
    assert days[0].teaching_minutes == 165


def test_days_open_and_close_with_their_rounds_and_sessions_never_overlap_them():
    opening = DayRound(15, {"fr": "Accueil du jour"}, from_day=2)
    closing = DayRound(15, {"fr": "Bilan du jour"})
    day = DayPlan(start=8 * 60, end=12 * 60, tolerance=15, breaks=(), opening=opening, closing=closing)
    days = build_agenda([_module([90, 90, 60, 60])], day)
    assert _timeline(days) == [
        # S3 would end at 12:00, when the closing round must start: it opens day 2.
        [("08:00", "09:30", "M1-S1"), ("09:30", "11:00", "M1-S2"), ("11:00", "11:15", "Bilan du jour")],
        [("08:00", "08:15", "Accueil du jour"), ("08:15", "09:15", "M1-S3"), ("09:15", "10:15", "M1-S4"),
         ("10:15", "10:30", "Bilan du jour")],
    ]
    assert [d.teaching_minutes for d in days] == [180, 120]


def test_real_agenda_fits_four_days_with_rounds_and_catch_up(repo):
    from kalan.manifests import load_curriculum

    days = build_agenda(load_curriculum(repo).modules, repo.day)
    assert len(days) == 4
    for d in days:
        names = [s.pause.name["fr"] for s in d.slots if s.pause]
        assert names[-1].startswith("Bilan du jour") and d.slots[-1].end <= repo.day.end
        assert any(n.startswith("Temps de reprise") for n in names)
        assert (d.number == 1) != names[0].startswith("Accueil du jour")
