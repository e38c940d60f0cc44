"""The input half of the panel: template, structured fields, triage vitals, free text,
dictation and pictures. It shows the session's inputs and reports each edit to it."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QBuffer, QByteArray, QLocale, QSize, Qt, Signal
from PySide6.QtGui import QDoubleValidator, QImage, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.highlight import EvidenceHighlighter
from desktop.inputs import CaseInputs
from desktop.session import CaseSession, Picture
from desktop.templates import TemplateCatalog
from desktop.workers import Job, Runner

log = logging.getLogger(__name__)

THUMBNAIL = QSize(72, 72)
# (key, label, minimum, maximum, decimals, unit) of the triage vitals shown as fields.
VITAL_FIELDS = (
    ("hr", QT_TRANSLATE_NOOP("InputPanel", "心率"), 10, 300, 0,
     QT_TRANSLATE_NOOP("InputPanel", "次/分")),
    ("sbp", QT_TRANSLATE_NOOP("InputPanel", "收缩压"), 30, 300, 0, "mmHg"),
    ("dbp", QT_TRANSLATE_NOOP("InputPanel", "舒张压"), 10, 250, 0, "mmHg"),
    ("rr", QT_TRANSLATE_NOOP("InputPanel", "呼吸"), 2, 80, 0,
     QT_TRANSLATE_NOOP("InputPanel", "次/分")),
    ("spo2", "SpO₂", 30, 100, 0, "%"),
    ("temp", QT_TRANSLATE_NOOP("InputPanel", "体温"), 25, 45, 1, "°C"),
)


class NumberBox(QLineEdit):
    """A number field; empty means "not measured". Reports once editing ends (Enter or
    leaving the field), so a half-typed 11 of 112 never reaches the engine."""

    value_changed = Signal(object)  # float | None

    def __init__(self, low: float, high: float, decimals: int, placeholder: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.low, self.high, self.decimals = low, high, decimals
        validator = QDoubleValidator(0, high, decimals, self)
        validator.setNotation(QDoubleValidator.Notation.StandardNotation)
        validator.setLocale(QLocale.c())
        self.setValidator(validator)
        self.setPlaceholderText(placeholder)
        self.setMaxLength(6)
        self._reported: float | None = None
        self.editingFinished.connect(self._finish)

    def number(self) -> float | None:
        try:
            value = float(self.text())
        except ValueError:
            return None
        return value if self.low <= value <= self.high else None

    def show_number(self, value: float | None) -> None:
        self._reported = value
        if value is None:
            self.setText("")
            return
        text = f"{value:.{self.decimals}f}"
        self.setText(text.rstrip("0").rstrip(".") if self.decimals else text)

    def _finish(self) -> None:
        value = self.number()
        if self.text().strip() and value is None:
            self.setStyleSheet("border: 2px solid #c62828;")
            self.setToolTip(self.tr("超出范围 {0:g}–{1:g}").format(self.low, self.high))
            return
        self.setStyleSheet("")
        if value != self._reported:
            self._reported = value
            self.value_changed.emit(value)


class VitalBox(NumberBox):
    """One triage vital; green with a note when it was carried over from triage."""

    def __init__(self, key: str, low: float, high: float, decimals: int, unit: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(low, high, decimals, unit, parent)
        self.key = key

    def vital(self) -> float | None:
        return self.number()

    def show_vital(self, value: float | None, from_triage: bool) -> None:
        self.show_number(value)
        self.setProperty("triage", from_triage)
        self.setStyleSheet("background: #e8f5e9;" if from_triage else "")
        self.setToolTip(self.tr("预检带入") if from_triage else "")


class InputPanel(QWidget):
    """See the module docstring."""

    save_template_requested = Signal()
    picture_opened = Signal(object)  # Picture

    def __init__(self, session: CaseSession, catalog: TemplateCatalog,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.catalog = catalog
        self._thumbnails = Runner("thumbnails", threads=1, parent=self)
        self._showing = False  # True while the session's values are put into the widgets
        self._last_text = ""

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(self._template_row())
        self.patient_label = QLabel(self)
        self.patient_label.setObjectName("label")
        self.patient_label.setWordWrap(True)
        layout.addWidget(self.patient_label)
        self.structured = QWidget(self)
        structured = QVBoxLayout(self.structured)
        structured.setContentsMargins(0, 0, 0, 0)
        structured.addLayout(self._course_row())
        structured.addLayout(self._vitals_grid())
        layout.addWidget(self.structured)

        self.text = QPlainTextEdit(self)
        self.text.setPlaceholderText(self.tr("口述或输入病情，例如：持续左胸痛3小时 压榨样 "
                                             "冷汗 气促"))
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(120)
        self.text.setAccessibleName(self.tr("病情描述"))
        self.highlighter = EvidenceHighlighter(self.text.document())
        self.text.textChanged.connect(self._text_changed)
        layout.addWidget(self.text, 1)

        self.dictation_row = QHBoxLayout()
        layout.addLayout(self.dictation_row)
        self.pictures_row = self._pictures_row()
        layout.addWidget(self.pictures_row)

        session.inputs_replaced.connect(self.show_inputs)
        session.pictures_changed.connect(self._show_pictures)
        catalog.changed.connect(self._fill_templates)
        self.show_inputs()

    # -- building ------------------------------------------------------------------------

    def _template_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        label = QLabel(self.tr("模板"), self)
        label.setObjectName("label")
        self.template = QComboBox(self)
        self.template.setAccessibleName(self.tr("模板"))
        self.template.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.template.setMinimumContentsLength(8)
        label.setBuddy(self.template)
        self.template.currentIndexChanged.connect(self._template_changed)
        self.save_template = QToolButton(self)
        self.save_template.setText(self.tr("存为我的"))
        self.save_template.setToolTip(self.tr("把当前模板和结构化设置存为我的模板"))
        self.save_template.clicked.connect(self.save_template_requested)
        row.addWidget(label)
        row.addWidget(self.template, 1)
        row.addWidget(self.save_template)
        self._fill_templates()
        return row

    def _course_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.course = QComboBox(self)
        self.course.setAccessibleName(self.tr("病程"))
        for text, value in ((self.tr("病程未填"), None), (self.tr("持续性"), "persistent"),
                            (self.tr("间断性"), "intermittent")):
            self.course.addItem(text, value)
        self.course.currentIndexChanged.connect(self._course_changed)
        self.duration = NumberBox(0.1, 9999, 1, self.tr("时长"), self)
        self.duration.setAccessibleName(self.tr("持续时间"))
        self.duration.value_changed.connect(self._duration_changed)
        self.unit = QComboBox(self)
        self.unit.setAccessibleName(self.tr("时间单位"))
        for text, value in ((self.tr("分钟"), "minutes"), (self.tr("小时"), "hours"),
                            (self.tr("天"), "days")):
            self.unit.addItem(text, value)
        self.unit.setCurrentIndex(1)
        self.unit.currentIndexChanged.connect(self._duration_changed)
        row.addWidget(self.course, 2)
        row.addWidget(self.duration, 1)
        row.addWidget(self.unit, 1)
        return row

    def _vitals_grid(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        self.vitals: dict[str, VitalBox] = {}
        for index, (key, label, low, high, decimals, unit) in enumerate(VITAL_FIELDS):
            name = QLabel(self.tr(str(label)), self)
            name.setObjectName("label")
            box = VitalBox(key, low, high, decimals, self.tr(str(unit)), self)
            box.setAccessibleName(self.tr(str(label)))
            name.setBuddy(box)
            box.value_changed.connect(lambda _value, b=box: self._vital_changed(b))
            self.vitals[key] = box
            row, column = divmod(index, 3)
            grid.addWidget(name, row, column * 2)
            grid.addWidget(box, row, column * 2 + 1)
        self.arms = QLabel(self)
        self.arms.setObjectName("label")
        grid.addWidget(self.arms, 2, 0, 1, 6)
        return grid

    def _pictures_row(self) -> QWidget:
        holder = QWidget(self)
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        self.add_picture = QPushButton(self.tr("图片资料…"), holder)
        self.add_picture.setToolTip(self.tr("附加心电图、检查单等图片（随病例加密保存）"))
        self.add_picture.clicked.connect(self._choose_pictures)
        self.thumbs = QWidget(holder)
        self.thumbs_layout = QHBoxLayout(self.thumbs)
        self.thumbs_layout.setContentsMargins(0, 0, 0, 0)
        self.thumbs_layout.addStretch(1)
        scroll = QScrollArea(holder)
        scroll.setWidget(self.thumbs)
        scroll.setWidgetResizable(True)
        scroll.setFixedHeight(THUMBNAIL.height() + 14)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pictures_area = scroll
        row.addWidget(self.add_picture, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(scroll, 1)
        row.addStretch(0)  # takes the room while there are no pictures
        self.add_picture.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        scroll.setVisible(False)
        return holder

    def set_dictation_widget(self, widget: QWidget) -> None:
        self.dictation_row.addWidget(widget)

    # -- showing the session -------------------------------------------------------------

    def show_inputs(self) -> None:
        inputs = self.session.inputs
        self._showing = True
        try:
            if self.text.toPlainText() != inputs.text:
                self.text.setPlainText(inputs.text)
            self._select_template(inputs.template)
            self.course.setCurrentIndex(max(0, self.course.findData(inputs.course)))
            self.duration.show_number(inputs.duration_value)
            self.unit.setCurrentIndex(max(0, self.unit.findData(inputs.duration_unit)))
            for key, box in self.vitals.items():
                box.show_vital(inputs.vitals.get(key), key in inputs.triage_vitals)
            self.patient_label.setText(self._patient_line(inputs))
            self.patient_label.setVisible(bool(self.patient_label.text()))
            self.arms.setText(self._arms_line(inputs))
            self.arms.setVisible(bool(self.arms.text()))
        finally:
            self._showing = False

    def _patient_line(self, inputs: CaseInputs) -> str:
        parts = []
        sex = {"male": self.tr("男"), "female": self.tr("女")}.get(inputs.sex or "")
        if sex:
            parts.append(sex)
        if inputs.age is not None:
            parts.append(self.tr("{0}岁").format(inputs.age))
        if inputs.visit_id:
            parts.append(self.tr("就诊号 {0}").format(inputs.visit_id))
        if inputs.visit_time is not None:
            parts.append(inputs.visit_time.strftime("%m-%d %H:%M"))
        if not parts:
            return ""
        return self.tr("HIS 带入：") + " · ".join(parts)

    def _arms_line(self, inputs: CaseInputs) -> str:
        vitals = inputs.vitals
        arms = []
        for side, label in (("left", self.tr("左臂")), ("right", self.tr("右臂"))):
            sbp, dbp = vitals.get(f"sbp_{side}"), vitals.get(f"dbp_{side}")
            if sbp is not None:
                arms.append(f"{label} {sbp:g}/{dbp:g}" if dbp is not None else f"{label} {sbp:g}")
        return self.tr("双上肢血压：") + "  ".join(arms) if arms else ""

    def _fill_templates(self) -> None:
        current = self.session.inputs.template
        self.template.blockSignals(True)
        self.template.clear()
        for group, entries in ((self.tr("公共"), self.catalog.public()),
                               (self.tr("我的"), self.catalog.personal())):
            if not entries:
                continue
            self.template.addItem(f"— {group} —", None)
            item = self.template.model().item(self.template.count() - 1)  # type: ignore[attr-defined]
            item.setEnabled(False)
            for entry in entries:
                self.template.addItem(entry.title, entry.template_id)
        self.template.blockSignals(False)
        self._select_template(current)

    def _select_template(self, template_id: str) -> None:
        index = self.template.findData(template_id)
        if index >= 0 and index != self.template.currentIndex():
            self.template.blockSignals(True)
            self.template.setCurrentIndex(index)
            self.template.blockSignals(False)

    def _show_pictures(self) -> None:
        while self.thumbs_layout.count() > 1:
            item = self.thumbs_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for picture in self.session.pictures:
            self._add_thumbnail(picture)
        self.pictures_area.setVisible(bool(self.session.pictures))

    def _add_thumbnail(self, picture: Picture) -> None:
        button = QToolButton(self.thumbs)
        button.setObjectName("thumbnail")
        button.setToolTip(picture.name)
        button.setIconSize(THUMBNAIL)
        button.setFixedSize(THUMBNAIL + QSize(6, 6))
        button.setText(picture.name[:6])
        button.clicked.connect(lambda: self.picture_opened.emit(picture))
        self.thumbs_layout.insertWidget(self.thumbs_layout.count() - 1, button)
        data = picture.data

        def work(job: Job) -> QImage:
            return scaled_image(data, THUMBNAIL)

        def done(image: QImage, target: QToolButton = button) -> None:
            if not image.isNull():
                from PySide6.QtGui import QIcon

                target.setIcon(QIcon(QPixmap.fromImage(image)))
                target.setText("")

        self._thumbnails.submit(work, done=done)

    # -- edits ---------------------------------------------------------------------------

    def _text_changed(self) -> None:
        # Qt also reports the highlighter's format changes as text changes: compare the text.
        text = self.text.toPlainText()
        if text == self._last_text:
            return
        self._last_text = text
        self.highlighter.clear()  # the spans were of the old text
        if not self._showing:
            self.session.set_text(text)

    def _template_changed(self) -> None:
        template_id = self.template.currentData()
        if template_id and not self._showing:
            self.session.set_template(template_id)

    def _course_changed(self) -> None:
        if not self._showing:
            self.session.set_course(self.course.currentData())

    def _duration_changed(self, *_changed: object) -> None:
        if not self._showing:
            self.session.set_duration(self.duration.number(), self.unit.currentData())

    def _vital_changed(self, box: VitalBox) -> None:
        if not self._showing:
            self.session.set_vital(box.key, box.vital())
            box.show_vital(box.vital(), False)

    def insert_question(self, question: str) -> None:
        """A 补病史 question clicked: put it on a new line for the answer, cursor after it."""
        cursor = self.text.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        prefix = "" if not self.text.toPlainText() or self.text.toPlainText().endswith("\n") \
            else "\n"
        cursor.insertText(f"{prefix}{question.rstrip('？?')}：")
        self.text.setTextCursor(cursor)
        self.text.setFocus()

    def insert_dictation(self, text: str) -> None:
        """Final dictated words at the cursor (with a space if they would run into a word)."""
        cursor = self.text.textCursor()
        before = self.text.toPlainText()[:cursor.position()]
        joiner = "" if not before or before[-1].isspace() or before[-1] in "，。；、" else " "
        cursor.insertText(joiner + text)
        self.text.setTextCursor(cursor)

    def _choose_pictures(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, self.tr("选择图片"), "", self.tr("图片 (*.png *.jpg *.jpeg *.bmp *.gif)"))
        for name in names:
            self.attach_file(Path(name))

    def attach_file(self, path: Path) -> None:
        """Attach a picture file (read on a worker: photos can be large)."""

        def work(job: Job) -> bytes:
            return path.read_bytes()

        def failed(exc: Exception) -> None:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else \
                type(exc).__name__
            self.session.notice.emit("error", self.tr("无法读取图片 {0}：{1}")
                                     .format(path.name, reason))

        def done(data: bytes) -> None:
            self.session.attach_picture(path.name, data)

        self._thumbnails.submit(work, done=done, failed=failed)

    def shutdown(self) -> None:
        self._thumbnails.shutdown()


def scaled_image(data: bytes, size: QSize) -> QImage:
    """A picture decoded at thumbnail size (QImageReader scales while decoding: fast)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QBuffer.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    original = reader.size()
    if original.isValid():
        reader.setScaledSize(original.scaled(size, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    buffer.close()
    return image

