"""The microphone: Qt Multimedia capture from the device chosen in settings.

Audio arrives as mono 16-bit samples at the device's rate (16 kHz when the device offers it;
otherwise its own format, converted here and resampled by the recogniser). The level of each
block is reported for the meter. A device that disappears, or a capture that stops with an
error, is reported by `lost`; what was recognised until then is the controller's to keep.

Qt's multimedia backend is touched only when capture starts or devices are listed, so a panel
without a sound server costs nothing until the doctor presses the microphone button.
"""

from __future__ import annotations

import logging

import numpy as np
from PySide6.QtCore import QIODevice, QObject, Signal, Slot
from PySide6.QtMultimedia import QAudioDevice, QAudioFormat, QAudioSource, QMediaDevices, QtAudio

from desktop.errors import DesktopError
from engine.speech.audio import float_to_int16
from engine.speech.endpoint import level_dbfs

log = logging.getLogger(__name__)

PREFERRED_RATE = 16000


class DictationError(DesktopError):
    """Base of the dictation widget's errors."""


class CaptureError(DictationError):
    """No microphone, or the one chosen cannot be opened; the message says which."""


def device_id(device: QAudioDevice) -> str:
    return bytes(device.id().data()).decode("utf-8", "replace")


def list_microphones() -> list[tuple[str, str]]:
    """(id, description) of every audio input, the system default first."""
    default = device_id(QMediaDevices.defaultAudioInput())
    found = [(device_id(d), d.description()) for d in QMediaDevices.audioInputs()]
    return sorted(found, key=lambda item: item[0] != default)


def choose_device(setting: str) -> tuple[QAudioDevice, str]:
    """The device named by the `microphone` setting (its id or description), else the default.

    Returns the device and a note for the doctor when the chosen one was not there.
    """
    inputs = QMediaDevices.audioInputs()
    if not inputs:
        raise CaptureError("没有找到麦克风：请连接麦克风后再试 (no audio input device)")
    wanted = setting.strip()
    if wanted:
        for device in inputs:
            if wanted in (device_id(device), device.description()):
                return device, ""
        default = QMediaDevices.defaultAudioInput()
        note = f"设置中的麦克风“{wanted}”未连接，改用“{default.description()}”"
        log.warning("microphone %r from settings is not connected; using the default", wanted)
        return default, note
    return QMediaDevices.defaultAudioInput(), ""


def capture_format(device: QAudioDevice) -> QAudioFormat:
    """16 kHz mono 16-bit when the device offers it (no resampling), else its own format."""
    wanted = QAudioFormat()
    wanted.setSampleRate(PREFERRED_RATE)
    wanted.setChannelCount(1)
    wanted.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    if device.isFormatSupported(wanted):
        return wanted
    return device.preferredFormat()


def to_mono_int16(data: bytes, audio_format: QAudioFormat) -> np.ndarray:
    """A block of captured bytes in any of Qt's sample formats as mono int16 samples."""
    kind = audio_format.sampleFormat()
    channels = max(1, audio_format.channelCount())
    if kind == QAudioFormat.SampleFormat.Int16:
        samples = np.frombuffer(data[: len(data) - len(data) % 2], dtype="<i2")
        if channels == 1:
            return samples.astype(np.int16)
        floats = samples.astype(np.float64) / 32768.0
    elif kind == QAudioFormat.SampleFormat.Int32:
        floats = np.frombuffer(data[: len(data) - len(data) % 4], dtype="<i4") / 2.0**31
    elif kind == QAudioFormat.SampleFormat.Float:
        floats = np.frombuffer(data[: len(data) - len(data) % 4], dtype="<f4").astype(np.float64)
    elif kind == QAudioFormat.SampleFormat.UInt8:
        floats = (np.frombuffer(data, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    else:
        raise CaptureError(f"麦克风的采样格式无法使用 (sample format {kind})")
    whole = len(floats) - len(floats) % channels
    return float_to_int16(floats[:whole].reshape(-1, channels).mean(axis=1))


class MicrophoneCapture(QObject):
    """Capture from one device. `audio` carries int16 mono bytes at `rate`."""

    audio = Signal(bytes)
    level = Signal(float)        # dBFS of the latest block
    lost = Signal(str)           # the device went away or failed; capture has stopped
    notice = Signal(str)         # something the doctor should know (device fallback)

    def __init__(self, device_setting: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.device_setting = device_setting
        self.rate = PREFERRED_RATE
        self._source: QAudioSource | None = None
        self._io: QIODevice | None = None
        self._format = QAudioFormat()
        self._device_id = ""
        self._devices: QMediaDevices | None = None

    @property
    def active(self) -> bool:
        return self._source is not None

    def start(self) -> None:
        """Open the device and start capturing; CaptureError when that is impossible."""
        if self._source is not None:
            return
        device, note = choose_device(self.device_setting)
        self._format = capture_format(device)
        self.rate = self._format.sampleRate()
        self._device_id = device_id(device)
        source = QAudioSource(device, self._format, self)
        source.stateChanged.connect(self._state_changed)
        io = source.start()
        if io is None or source.error() != QtAudio.Error.NoError:
            source.deleteLater()
            raise CaptureError(f"无法打开麦克风“{device.description()}” ({source.error()})")
        io.readyRead.connect(self._read)
        self._source, self._io = source, io
        if self._devices is None:
            self._devices = QMediaDevices(self)
            self._devices.audioInputsChanged.connect(self._inputs_changed)
        log.info("capturing from %s at %d Hz, %d channel(s)", device.description(), self.rate,
                 self._format.channelCount())
        if note:
            self.notice.emit(note)

    def stop(self) -> None:
        """Stop capturing; audio already read has been emitted."""
        source, self._source = self._source, None
        if source is None:
            return
        self._read_from(self._io)
        self._io = None
        source.stateChanged.disconnect(self._state_changed)
        source.stop()
        source.deleteLater()

    @Slot()
    def _read(self) -> None:
        self._read_from(self._io)

    def _read_from(self, io: QIODevice | None) -> None:
        if io is None:
            return
        data = bytes(io.readAll().data())
        if not data:
            return
        samples = to_mono_int16(data, self._format)
        if len(samples):
            self.level.emit(level_dbfs(samples))
            self.audio.emit(samples.astype("<i2").tobytes())

    @Slot(QtAudio.State)
    def _state_changed(self, state: QtAudio.State) -> None:
        source = self._source
        if source is None or state != QtAudio.State.StoppedState:
            return
        if source.error() != QtAudio.Error.NoError:
            self._lose(f"麦克风中断 ({source.error()})")

    @Slot()
    def _inputs_changed(self) -> None:
        if self._source is None:
            return
        present = {device_id(device) for device in QMediaDevices.audioInputs()}
        if self._device_id not in present:
            self._lose("麦克风已断开")

    def _lose(self, reason: str) -> None:
        log.warning("microphone lost: %s", reason)
        self.stop()
        self.lost.emit(reason)
