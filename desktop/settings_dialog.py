"""The settings dialog: the box, its key, knowledge base, dictation, language, troponin, retention.

Values are the typed settings of `engine.settings` (the user's layer); a value IT fixed by
policy is shown read-only with a note. The API key goes to the OS keyring for every configured
box and is never shown again nor written to a file: the field stays empty, and says whether a
key is stored.
"""

from __future__ import annotations

import logging
from typing import Any

import keyring.errors
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.client.config import Endpoint
from engine.client.keys import api_key_for, store_api_key
from engine.errors import BadInput
from engine.scores import troponin
from engine.settings import SettingError, Settings

log = logging.getLogger(__name__)

LANGUAGES = (("zh_CN", "中文"), ("en", "English"))
# Settings that take effect only when the panel starts again.
RESTART_KEYS = frozenset({"language", "vosk_model_dir", "vosk_words_file"})


class SettingsDialog(QDialog):
    """See the module docstring. `applied(changed keys)` after a successful save."""

    applied = Signal(object)  # set[str]

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(self.tr("设置"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        layout.addLayout(form)

        self.urls = QPlainTextEdit(self)
        self.urls.setPlaceholderText("http://10.1.2.3:8080")
        self.urls.setFixedHeight(80)
        self.urls.setToolTip(self.tr("每行一个地址，按顺序尝试（前一个不通时用下一个）"))
        form.addRow(self.tr("推理服务器地址"), self.urls)
        self.api_key = QLineEdit(self)
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("API 密钥"), self.api_key)
        self.ca_bundle = self._path_row(form, self.tr("CA 证书（PEM）"), pick="file")
        self.kb_source = QLineEdit(self)
        form.addRow(self.tr("知识库来源"), self.kb_source)
        self.vosk_model_dir = self._path_row(form, self.tr("Vosk 语音模型文件夹"), pick="dir")
        self.vosk_words_file = self._path_row(form, self.tr("科室词表"), pick="file")
        self.language = QComboBox(self)
        for code, name in LANGUAGES:
            self.language.addItem(name, code)
        form.addRow(self.tr("界面语言"), self.language)
        self.protocol = QComboBox(self)
        for protocol in troponin.protocols():
            self.protocol.addItem(protocol.replace("h", "h/", 1), protocol)
        form.addRow(self.tr("肌钙蛋白方案"), self.protocol)
        self.assay = QComboBox(self)
        for assay in troponin.assays():
            self.assay.addItem(troponin.assay_label(assay), assay)
        form.addRow(self.tr("肌钙蛋白检测"), self.assay)
        self.retention = QDoubleSpinBox(self)
        self.retention.setRange(0.1, 24 * 90)
        self.retention.setDecimals(1)
        self.retention.setSuffix(self.tr(" 小时"))
        form.addRow(self.tr("病例暂存保留"), self.retention)

        self.message = QLabel(self)
        self.message.setObjectName("warning")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._editors: dict[str, QWidget] = {
            "inference_urls": self.urls, "ca_bundle": self.ca_bundle,
            "kb_source": self.kb_source, "vosk_model_dir": self.vosk_model_dir,
            "vosk_words_file": self.vosk_words_file, "language": self.language,
            "troponin_protocol": self.protocol, "troponin_assay": self.assay,
            "retention_hours": self.retention,
        }
        self.load()

    def _path_row(self, form: QFormLayout, label: str, *, pick: str) -> QLineEdit:
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        edit = QLineEdit(row)
        browse = QPushButton(self.tr("浏览…"), row)
        browse.clicked.connect(lambda: self._browse(edit, pick))
        layout.addWidget(edit, 1)
        layout.addWidget(browse)
        form.addRow(label, row)
        return edit

    def _browse(self, edit: QLineEdit, pick: str) -> None:
        if pick == "dir":
            chosen = QFileDialog.getExistingDirectory(self, self.tr("选择文件夹"), edit.text())
        else:
            chosen, _ = QFileDialog.getOpenFileName(self, self.tr("选择文件"), edit.text())
        if chosen:
            edit.setText(chosen)

    # -- values --------------------------------------------------------------------------

    def load(self) -> None:
        get = self.settings.get
        self.urls.setPlainText("\n".join(get("inference_urls")))
        self.ca_bundle.setText(get("ca_bundle"))
        self.kb_source.setText(get("kb_source"))
        self.vosk_model_dir.setText(get("vosk_model_dir"))
        self.vosk_words_file.setText(get("vosk_words_file"))
        _select(self.language, get("language"))
        _select(self.protocol, get("troponin_protocol"))
        _select(self.assay, get("troponin_assay"))
        self.retention.setValue(float(get("retention_hours")))
        self._show_key_state(get("inference_urls"))
        for key, editor in self._editors.items():
            locked = self.settings.is_locked(key)
            editor.setEnabled(not locked)
            editor.setToolTip(self.tr("由医院策略设定，不能在此修改") if locked else "")

    def _show_key_state(self, urls: list[str]) -> None:
        stored = bool(urls) and api_key_for(urls[0]) is not None
        self.api_key.clear()
        self.api_key.setPlaceholderText(self.tr("已保存密钥（不显示）；输入新密钥可替换")
                                        if stored else self.tr("未保存密钥"))

    def values(self) -> dict[str, Any]:
        urls = [line.strip() for line in self.urls.toPlainText().splitlines() if line.strip()]
        return {
            "inference_urls": urls, "ca_bundle": self.ca_bundle.text().strip(),
            "kb_source": self.kb_source.text().strip(),
            "vosk_model_dir": self.vosk_model_dir.text().strip(),
            "vosk_words_file": self.vosk_words_file.text().strip(),
            "language": self.language.currentData(),
            "troponin_protocol": self.protocol.currentData(),
            "troponin_assay": self.assay.currentData(),
            "retention_hours": round(self.retention.value(), 1),
        }

    def save(self) -> bool:
        """Check and store every changed value; on a bad one say which and keep the dialog."""
        wanted = self.values()
        try:
            for url in wanted["inference_urls"]:
                Endpoint(url)
        except BadInput as exc:
            self.message.setText(str(exc))
            return False

        changed = {key for key, value in wanted.items()
                   if value != self.settings.get(key) and not self.settings.is_locked(key)}
        try:
            for key in sorted(changed):
                self.settings.set_user(key, wanted[key])
        except SettingError as exc:
            self.message.setText(str(exc))
            return False

        key = self.api_key.text().strip()
        if key:
            urls = self.settings.get("inference_urls")
            if not urls:
                self.message.setText(self.tr("先填写推理服务器地址，再保存密钥"))
                return False
            try:
                for url in urls:
                    store_api_key(url, key)
            except keyring.errors.KeyringError as exc:
                self.message.setText(self.tr("密钥未保存：系统凭据管理器不可用（{0}）")
                                     .format(type(exc).__name__))
                return False
            self.api_key.clear()
            changed.add("api_key")
        self._show_key_state(self.settings.get("inference_urls"))
        if changed & RESTART_KEYS:
            self.message.setText(self.tr("语言和语音设置在下次启动后生效"))
        self.applied.emit(changed)
        self.accept()
        return True


def _select(box: QComboBox, value: str) -> None:
    index = box.findData(value)
    if index >= 0:
        box.setCurrentIndex(index)
