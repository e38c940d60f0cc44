"""A draft as HIS-ready plain text: section headings, 24-hour times, Arabic numerals.

The doctor pastes this into the HIS record screen, whole or one section at a time, so each
section renders on its own too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from engine.drafting.model import Draft, DraftContent

TIME_FORMAT = "%Y-%m-%d %H:%M"


def _lines(items: list[str]) -> str:
    return "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1))


def _diagnosis(content: DraftContent) -> str:
    text = content.diagnosis.primary
    if content.diagnosis.differentials:
        text += f"\n鉴别诊断：{'；'.join(content.diagnosis.differentials)}"
    return text


def _risk(content: DraftContent) -> str:
    lines = [f"{item.name}：{item.result}" + _basis(item.basis)
             for item in content.risk_assessment]
    if content.risk_level:
        lines.append(f"风险等级：{content.risk_level}")
    return "\n".join(lines)


def _basis(basis: str) -> str:
    basis = basis.removeprefix("依据：")
    return f"（依据：{basis}）" if basis else ""


def _reminders(content: DraftContent) -> str:
    lines = []
    for reminder in content.reminders:
        clock = reminder.due_at.strftime("%H:%M") if reminder.due_at is not None else ""
        if clock and clock in reminder.text:
            lines.append(reminder.text)  # the text already says when
        elif clock:
            lines.append(f"{clock} {reminder.text}")
        elif reminder.due_in_minutes is not None:
            lines.append(f"{reminder.due_in_minutes}分钟后 {reminder.text}")
        else:
            lines.append(reminder.text)
    return "\n".join(lines)


# The record's sections in the order of 病历书写基本规范, then the assistant's outputs.
RECORD_SECTIONS: list[tuple[str, str, Callable[[DraftContent], str]]] = [
    ("chief_complaint", "主诉", lambda c: c.chief_complaint),
    ("present_illness", "现病史", lambda c: c.present_illness),
    ("past_history", "既往史", lambda c: c.past_history),
    ("personal_history", "个人史", lambda c: c.personal_history),
    ("allergy_history", "过敏史", lambda c: c.allergy_history),
    ("physical_exam", "体格检查", lambda c: c.physical_exam),
    ("investigations", "辅助检查", lambda c: c.investigations),
    ("diagnosis", "初步诊断", _diagnosis),
    ("plan", "处理意见", lambda c: c.plan),
]
ASSISTANT_SECTIONS: list[tuple[str, str, Callable[[DraftContent], str]]] = [
    ("history_to_ask", "补病史", lambda c: _lines(c.history_to_ask)),
    ("risk_assessment", "风险评估", _risk),
    ("suggested_workup", "建议处置", lambda c: _lines(c.suggested_workup)),
    ("reminders", "日程提醒", _reminders),
]
SECTION_TITLES = {key: title for key, title, _ in RECORD_SECTIONS + ASSISTANT_SECTIONS}


def render_section(content: DraftContent, key: str) -> str:
    """One section as `标题：text`, for copying a single section to the HIS."""
    for name, title, text_of in RECORD_SECTIONS + ASSISTANT_SECTIONS:
        if name == key:
            return f"{title}：{text_of(content)}"
    raise KeyError(f"no section {key!r}; sections: {', '.join(SECTION_TITLES)}")


def render_record(content: DraftContent, visit_time: datetime | None = None) -> str:
    """The record sections only: what goes into the HIS."""
    lines = []
    if visit_time is not None:
        lines.append(f"就诊时间：{visit_time.strftime(TIME_FORMAT)}")
    for _, title, text_of in RECORD_SECTIONS:
        lines.append(f"{title}：{text_of(content) or '（待补充）'}")
    return "\n".join(lines)


def render_draft(draft: Draft, visit_time: datetime | None = None) -> str:
    """The whole draft for the command line: record, assistant's outputs, provenance."""
    content = draft.content
    parts = [f"【{draft.label}】", "", "== 病史草稿 ==", render_record(content, visit_time)]
    for _, title, text_of in ASSISTANT_SECTIONS:
        text = text_of(content)
        if text:
            parts += ["", f"== {title} ==", text]
    if draft.citations:
        cited = [f"{c.document}" + (f" · {c.section}" if c.section else "")
                 + (f"（{c.version}）" if c.version else "") for c in draft.citations]
        parts += ["", "== 知识库引用 ==", _lines(cited)]
    if draft.warnings:
        parts += ["", "== 提示 ==", _lines(draft.warnings)]
    p = draft.provenance
    made_by = p.engine + (f" · {p.model}" if p.model else "")
    parts += ["", f"（生成：{made_by} · 提示词 {p.prompt_id}@{p.prompt_version}"
                  f" · 知识库 {p.kb_version or '无'} · {p.created_at.strftime(TIME_FORMAT)}"
                  f" · {p.timings.total_s:.2f}s）"]
    return "\n".join(parts)
