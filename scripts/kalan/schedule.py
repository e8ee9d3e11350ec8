"""The training agenda, computed from session minutes — nobody types a clock time.

Sessions are laid out in curriculum order, never split. A break is taken at the
first session boundary at or after its planned time, or earlier when the next
session would otherwise run more than `tolerance` minutes past that time. A
session that would end after the end of the day starts the next day.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kalan.config import Break, DayPlan
from kalan.manifests import Module, Session


@dataclass(frozen=True)
class Slot:
    start: int
    end: int
    module: Module | None = None
    session: Session | None = None
    pause: Break | None = None


@dataclass
class Day:
    number: int
    slots: list[Slot] = field(default_factory=list)

    @property
    def teaching_minutes(self) -> int:
        return sum(s.end - s.start for s in self.slots if s.session)


def build_agenda(modules: list[Module], day: DayPlan) -> list[Day]:
    days: list[Day] = []
    current = Day(1)
    clock = day.start
    pending = list(day.breaks)
    for module in modules:
        for session in module.sessions:
            while True:
                clock = _take_due_breaks(current, clock, pending, session.minutes, day)
                fits = clock + session.minutes <= day.end
                if fits or not any(slot.session for slot in current.slots):
                    break
                days.append(current)
                current, clock, pending = Day(current.number + 1), day.start, list(day.breaks)
            current.slots.append(Slot(clock, clock + session.minutes, module, session))
            clock += session.minutes
    if current.slots:
        days.append(current)
    return days


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
