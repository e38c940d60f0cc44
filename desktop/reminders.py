"""日程提醒: reminders the doctor starts, kept across restarts, announced when due.

A reminder is armed from a draft's reminder (e.g. "复查高敏肌钙蛋白", 1 hour): the book keeps
its due time, the case it belongs to (a random id) and its label, in `panel/reminders.json` in
the data folder. The label is the rules engine's wording from the template, never the doctor's
or the patient's words, so the file holds no patient text (the case itself is in the encrypted
journal). A reminder that fell due while the panel was closed is announced on the next start.

`ReminderBook.due` fires once per reminder on the GUI thread; `Announcer` turns it into a tray
message and a sound, and the panel shows it in its banner too (offscreen and on desktops
without a tray the banner is what remains).
"""

from __future__ import annotations

import json
import logging
import math
import os
import struct
import uuid
import wave
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from engine.home import sub_folder

log = logging.getLogger(__name__)

FILE_NAME = "reminders.json"
MAX_LABEL_CHARS = 120
MAX_REMINDERS = 200
# Check at least this often, so a changed system clock is noticed within a minute.
LONGEST_WAIT_MS = 60_000


@dataclass(frozen=True)
class ArmedReminder:
    reminder_id: str
    case_id: str
    label: str
    due_at: datetime
    announced: bool = False

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["due_at"] = self.due_at.isoformat(timespec="seconds")
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ArmedReminder:
        return cls(reminder_id=str(data["reminder_id"]), case_id=str(data["case_id"]),
                   label=str(data["label"])[:MAX_LABEL_CHARS],
                   due_at=datetime.fromisoformat(str(data["due_at"])),
                   announced=bool(data.get("announced", False)))


class ReminderBook(QObject):
    """Armed reminders, saved on every change; `due` when one's time comes."""

    due = Signal(object)  # ArmedReminder
    changed = Signal()

    def __init__(self, path: Path | None = None, *,
                 clock: Callable[[], datetime] = datetime.now,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path or sub_folder("panel") / FILE_NAME
        self._clock = clock
        self._reminders: dict[str, ArmedReminder] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check)
        self._load()

    # -- reading -------------------------------------------------------------------------

    def pending(self, case_id: str | None = None) -> list[ArmedReminder]:
        """Reminders not yet announced, soonest first (of one case, or all)."""
        found = [r for r in self._reminders.values()
                 if not r.announced and (case_id is None or r.case_id == case_id)]
        return sorted(found, key=lambda r: r.due_at)

    def all(self) -> list[ArmedReminder]:
        return sorted(self._reminders.values(), key=lambda r: r.due_at)

    def find(self, case_id: str, label: str) -> ArmedReminder | None:
        for reminder in self._reminders.values():
            if reminder.case_id == case_id and reminder.label == label and not reminder.announced:
                return reminder
        return None

    # -- changing ------------------------------------------------------------------------

    def arm(self, case_id: str, label: str, due_at: datetime) -> ArmedReminder:
        """Start a reminder (the same label of the same case is re-timed, not doubled)."""
        label = " ".join(label.split())[:MAX_LABEL_CHARS]
        existing = self.find(case_id, label)
        reminder = ArmedReminder(existing.reminder_id if existing else uuid.uuid4().hex,
                                 case_id, label, due_at)
        self._reminders[reminder.reminder_id] = reminder
        self._trim()
        self._save_and_schedule()
        return reminder

    def cancel(self, reminder_id: str) -> None:
        if self._reminders.pop(reminder_id, None) is not None:
            self._save_and_schedule()

    def dismiss_announced(self) -> None:
        """Forget reminders already announced."""
        self._reminders = {k: r for k, r in self._reminders.items() if not r.announced}
        self._save_and_schedule()

    def check(self) -> None:
        """Announce what is due now, then wait for the next one."""
        now = self._clock()
        announced = []
        for reminder in self.pending():
            if reminder.due_at <= now:
                done = replace(reminder, announced=True)
                self._reminders[reminder.reminder_id] = done
                announced.append(done)
        if announced:
            self._save()
        for reminder in announced:
            self.due.emit(reminder)
        self._schedule()

    def stop(self) -> None:
        self._timer.stop()

    # -- inside --------------------------------------------------------------------------

    def _trim(self) -> None:
        if len(self._reminders) <= MAX_REMINDERS:
            return
        oldest = sorted(self._reminders.values(), key=lambda r: (not r.announced, r.due_at))
        for reminder in oldest[:len(self._reminders) - MAX_REMINDERS]:
            del self._reminders[reminder.reminder_id]

    def _save_and_schedule(self) -> None:
        self._save()
        self._schedule()
        self.changed.emit()

    def _schedule(self) -> None:
        upcoming = self.pending()
        if not upcoming:
            self._timer.stop()
            return
        wait = (upcoming[0].due_at - self._clock()) / timedelta(milliseconds=1)
        self._timer.start(int(min(max(wait, 0), LONGEST_WAIT_MS)))

    def _load(self) -> None:
        try:
            raw = self.path.read_text("utf-8")
        except FileNotFoundError:
            return
        except OSError as exc:
            log.warning("cannot read the reminders file: %s", type(exc).__name__)
            return
        try:
            items = json.loads(raw)
            reminders = [ArmedReminder.from_json(item) for item in items]
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("the reminders file is damaged; starting with no reminders")
            return
        self._reminders = {r.reminder_id: r for r in reminders}
        # Announce at once what fell due while the panel was closed.
        QTimer.singleShot(0, self, self.check)

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        data = [r.to_json() for r in self.all()]
        try:
            partial.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
            os.replace(partial, self.path)
        except OSError as exc:
            log.warning("cannot save the reminders: %s", type(exc).__name__)


class Announcer(QObject):
    """Says a reminder is due: a tray message where there is a tray, and a short sound."""

    def __init__(self, tray: QSystemTrayIcon | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tray = tray
        self._sound: object | None = None
        self.played = 0  # chimes played (the tests' way to hear them)
        self.announced: list[str] = []

    def announce(self, title: str, message: str) -> None:
        self.announced.append(message)
        if self._tray is not None and QSystemTrayIcon.isSystemTrayAvailable():
            self._tray.showMessage(title, message, QSystemTrayIcon.MessageIcon.Warning, 15_000)
        self._play()

    def _play(self) -> None:
        try:
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError:  # the Addons wheel is missing: the system beep instead
            QApplication.beep()
            return
        if QMediaDevices.defaultAudioOutput().isNull():
            QApplication.beep()  # no sound card (or no sound server): what the system has
            return
        if self._sound is None:
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(chime_file())))
            effect.setVolume(0.8)
            self._sound = effect
        self._sound.play()  # type: ignore[attr-defined]
        self.played += 1


def chime_file() -> Path:
    """A short two-tone chime as a WAV in the data folder's cache, written on first use."""
    path = sub_folder("cache") / "reminder-chime.wav"
    if path.exists():
        return path
    rate = 22_050
    frames = bytearray()
    for frequency, seconds in ((880.0, 0.18), (660.0, 0.28)):
        count = int(rate * seconds)
        for n in range(count):
            fade = min(1.0, (count - n) / (rate * 0.04))
            sample = 0.35 * fade * math.sin(2 * math.pi * frequency * n / rate)
            frames += struct.pack("<h", int(sample * 32767))
    partial = path.with_suffix(".tmp")
    with wave.open(str(partial), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    os.replace(partial, path)
    return path
