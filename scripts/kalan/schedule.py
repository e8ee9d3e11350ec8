"""The training agenda, computed from session minutes — nobody types a clock time.

Sessions are laid out in curriculum order, never split. A break is taken at the
first session boundary at or after its planned time, or earlier when the next
session would otherwise run more than `tolerance` minutes past that time. A
session that would end after the end of the day starts the next day. Each day
may open with a check-in and close with a closing round (``ouverture`` and
``cloture`` in ``[tool.kalan.journee]``), which sessions never overlap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kalan.config import Break, DayPlan, DayRound
from kalan.manifests import Module, Session


@dataclass(frozen=True)
class Slot:
    start: int
    end: int
    module: Module | None = None
    session: Session | None = None
    pause: Break | DayRound | None = None


@dataclass
class Day:
    number: int
    slots: list[Slot] = field(default_factory=list)

    @property
    def teaching_minutes(self) -> int:
        return sum(s.end - s.start for s in self.slots if s.session)


def build_agenda(modules: list[Module], day: DayPlan) -> list[Day]:
    days: list[Day] = []
    last_start = day.end - (day.closing.minutes if day.closing else 0)
    current, clock = _open_day(1, day)
    pending = list(day.breaks)
    for module in modules:
        for session in module.sessions:
            while True:
                clock = _take_due_breaks(current, clock, pending, session.minutes, day)
                fits = clock + session.minutes <= last_start
                if fits or not any(slot.session for slot in current.slots):
                    break
                days.append(_close_day(current, clock, day))
                current, clock = _open_day(current.number + 1, day)
                pending = list(day.breaks)
            current.slots.append(Slot(clock, clock + session.minutes, module, session))
            clock += session.minutes
    if any(slot.session for slot in current.slots):
        days.append(_close_day(current, clock, day))
    return days


def _open_day(number: int, day: DayPlan) -> tuple[Day, int]:
    current, clock = Day(number), day.start
    if day.opening and number >= day.opening.from_day:
        current.slots.append(Slot(clock, clock + day.opening.minutes, pause=day.opening))
        clock += day.opening.minutes
    return current, clock


def _close_day(current: Day, clock: int, day: DayPlan) -> Day:
    if day.closing and current.number >= day.closing.from_day:
        current.slots.append(Slot(clock, clock + day.closing.minutes, pause=day.closing))
    return current


def _take_due_breaks(current: Day, clock: int, pending: list[Break], length: int,
                     day: DayPlan) -> int:
    """Insert the breaks that are due before a session of `length` minutes; return the clock."""
    while pending and clock < day.end:
        pause = pending[0]
        if clock < pause.around and clock + length <= pause.around + day.tolerance:
            break
        current.slots.append(Slot(clock, clock + pause.minutes, pause=pause))
        clock += pause.minutes
        pending.pop(0)
    return clock
