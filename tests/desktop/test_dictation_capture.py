"""The whole capture path with a real audio device: speech played into a PulseAudio virtual
microphone, captured by Qt Multimedia, recognised, and written into the widget.

The test starts its own PulseAudio daemon (a null sink, and a virtual source that records the
sink's monitor, which Qt lists as a microphone), plays espeak-ng speech into the sink with
`paplay`, and stops the daemon afterwards. Qt Multimedia connects to the sound server once per
process, when it is first used, and never again: so the Qt side runs in a child process that
sees this daemon from its start. The child drives the real widget and reports what it saw as
JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.speech import voices

pytestmark = [pytest.mark.gui, pytest.mark.speech, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SINK, SOURCE = "sentinel_sink", "sentinel_mic"
CHILD_TIMEOUT_S = 120


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private PulseAudio daemon with a virtual microphone; its environment for clients."""
    for tool in ("pulseaudio", "pactl", "paplay"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is missing: run ./dev setup (scripts/apt-packages.txt)")
    runtime = tmp_path / "pulse"
    runtime.mkdir()
    socket = runtime / "native"
    env = {**os.environ, "HOME": str(runtime), "XDG_RUNTIME_DIR": str(runtime),
           "PULSE_SERVER": f"unix:{socket}", "PULSE_RUNTIME_PATH": str(runtime)}
    daemon = subprocess.Popen(
        ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit",
         "--system=false", "-n", "--log-target=stderr", "--log-level=error",
         f"--load=module-native-protocol-unix socket={socket} auth-anonymous=1",
         f"--load=module-null-sink sink_name={SINK}",
         f"--load=module-remap-source source_name={SOURCE} master={SINK}.monitor"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for_server(env, daemon)
        yield env
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=10)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
        if daemon.stderr is not None:
            daemon.stderr.close()


def _wait_for_server(env: dict[str, str], daemon: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            error = daemon.stderr.read().decode() if daemon.stderr else ""
            raise RuntimeError(f"pulseaudio exited with {daemon.returncode}: {error}")
        sources = subprocess.run(["pactl", "list", "short", "sources"], env=env,
                                 capture_output=True, text=True)
        if sources.returncode == 0 and SOURCE in sources.stdout:
            return
        time.sleep(0.1)  # polling a daemon's start-up, not waiting on Qt
    raise RuntimeError("pulseaudio did not offer the virtual microphone within 15 s")


def test_speech_played_into_the_virtual_microphone_arrives_in_the_widget(
        pulse: dict[str, str], tmp_path: Path, sentinel_home: Path) -> None:
    first, second = voices.SENTENCES[0], voices.SENTENCES[4]
    plan = {
        "toggle": str(voices.synthesize(first, tmp_path / "toggle.wav", 22050, tail_s=1.5)),
        "push": str(voices.synthesize(second, tmp_path / "push.wav", 44100, tail_s=1.5)),
        "words": str(_word_list(tmp_path)),
        "result": str(tmp_path / "result.json"),
    }
    env = {**pulse, "QT_QPA_PLATFORM": "offscreen", "SENTINEL_HOME": str(sentinel_home),
           "PYTHONPATH": str(REPO)}

    child = subprocess.run(
        [sys.executable, "-c", "import sys, json; from tests.desktop.test_dictation_capture "
         "import child_main; child_main(json.loads(sys.argv[1]))", json.dumps(plan)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S)

    assert child.returncode == 0, child.stderr[-3000:]
    result = json.loads(Path(plan["result"]).read_text("utf-8"))
    assert result["device"] == "Remapped Monitor of Null Output"
    assert result["toggle_final"] == first
    assert result["push_final"] == second
    assert result["text"] == f"{first} {second}"
    assert result["partials"] >= 2
    assert result["loudest_meter"] > 0.5
    assert result["states"][-1] == "ready"


def _word_list(folder: Path) -> Path:
    path = folder / "ward.txt"
    path.write_text("\n".join(voices.WORDS) + "\n", "utf-8")
    return path


# -- the child: real Qt, real device --------------------------------------------------------


def child_main(plan: dict[str, str]) -> None:
    """Run in the child process: dictate both recordings through the virtual microphone."""
    from PySide6.QtWidgets import QApplication

    from desktop.dictation.capture import list_microphones
    from desktop.dictation.widget import DictationWidget
    from engine.settings import Settings

    app = QApplication([])
    microphones = dict(list_microphones())
    settings = Settings.load()
    settings.set_user("vosk_model_dir", str(voices.model_folder()))
    settings.set_user("vosk_words_file", plan["words"])
    settings.set_user("microphone", SOURCE)

    widget = DictationWidget()
    widget.show()
    try:
        _dictate_both(plan, widget, microphones)
    finally:
        widget.shutdown()  # a running recognition thread must never outlive the app
        widget.close()
        app.processEvents()


def _dictate_both(plan: dict[str, str], widget: Any, microphones: dict[str, str]) -> None:
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest

    from desktop.dictation.widget import PUSH_TO_TALK

    seen: dict[str, Any] = {"partials": 0, "loudest_meter": 0.0, "states": [],
                            "device": microphones.get(SOURCE, "")}
    controller = widget.controller
    controller.partial.connect(lambda _: seen.__setitem__("partials", seen["partials"] + 1))
    controller.level.connect(lambda _: seen.__setitem__(
        "loudest_meter", max(seen["loudest_meter"], widget.level_meter.fraction)))
    controller.state_changed.connect(seen["states"].append)

    def wait_for(signal: Any, timeout_s: float = 30.0) -> list[Any]:
        loop, got = QEventLoop(), []

        def arrived(*args: Any) -> None:
            got.extend(args)
            loop.quit()

        signal.connect(arrived)
        QTimer.singleShot(round(timeout_s * 1000), loop.quit)
        loop.exec()
        signal.disconnect(arrived)
        if not got:
            raise TimeoutError(f"no signal within {timeout_s} s; status: "
                               f"{widget.status_label.text()}")
        return got

    def play(path: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(["paplay", f"--device={SINK}", path])

    while controller.state != "ready":
        state = wait_for(controller.state_changed)[0]
        if state == "unavailable":
            raise RuntimeError(controller.unavailable_reason)

    # Toggle mode: click, speak, the pause gives the final, click again.
    QTest.mouseClick(widget.mic_button, Qt.MouseButton.LeftButton)
    if controller.state != "listening":
        raise RuntimeError(f"did not start: {widget.status_label.text()}")
    player = play(plan["toggle"])
    seen["toggle_final"] = wait_for(widget.text_final)[0]
    player.wait()
    QTest.mouseClick(widget.mic_button, Qt.MouseButton.LeftButton)
    while controller.state != "ready":
        wait_for(controller.state_changed)

    # Push-to-talk with the hotkey: hold F9 while speaking.
    widget.set_mode(PUSH_TO_TALK)
    QTest.keyPress(widget.text, Qt.Key.Key_F9)
    player = play(plan["push"])
    seen["push_final"] = wait_for(widget.text_final)[0]
    player.wait()
    QTest.keyRelease(widget.text, Qt.Key.Key_F9)
    while controller.state != "ready":
        wait_for(controller.state_changed)

    seen["text"] = widget.text.toPlainText()
    Path(plan["result"]).write_text(json.dumps(seen, ensure_ascii=False), "utf-8")
