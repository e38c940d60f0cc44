"""The draft: record sections, the assistant's outputs, and where the draft came from.

`DraftContent` is what an engine writes (the rules composer or the language model, whose JSON
schema is generated from it). `Draft` wraps it with provenance, citations and warnings, which only
code fills in. String lengths are bounded so schema-constrained generation always finishes.

Section names follow the national basic rules for medical records (病历书写基本规范).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CHIEF_COMPLAINT_CONVENTION = 20
DECISION_SUPPORT_LABEL = "辅助决策建议，由医生审核修改后使用（非诊断结论）"

RiskLevel = Literal["低危", "中危", "高危"]
Engine = Literal["rules", "model", "rules+model"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Diagnosis(_Strict):
    """拟诊: the provisional diagnosis and its differentials."""

    primary: str = Field("", max_length=60, description="初步诊断（拟诊）")
    differentials: list[str] = Field(
        default_factory=list, max_length=6, description="鉴别诊断"
    )


class RiskItem(_Strict):
    """风险评估: one assessment with the evidence it rests on."""

    name: str = Field(max_length=40, description="评分或评估名称，如 HEART 评分")
    result: str = Field(max_length=80, description="结果，如 5分（中危）")
    basis: str = Field("", max_length=300, description="依据")


class Reminder(_Strict):
    """日程提醒: something to do at a time."""

    text: str = Field(max_length=120, description="提醒内容")
    due_in_minutes: int | None = Field(None, ge=0, le=7 * 24 * 60, description="多少分钟后")
    due_at: datetime | None = Field(None, description="到期时间（由规则计算时给出）")


class DraftContent(_Strict):
    """What an engine writes: the record sections and the assistant's outputs."""

    chief_complaint: str = Field("", max_length=60, description="主诉（约定不超过20字）")
    present_illness: str = Field("", max_length=2000, description="现病史")
    past_history: str = Field("", max_length=400, description="既往史")
    personal_history: str = Field("", max_length=200, description="个人史")
    allergy_history: str = Field("", max_length=120, description="过敏史")
    physical_exam: str = Field("", max_length=600, description="体格检查（阳性及重要阴性体征）")
    investigations: str = Field("", max_length=400, description="辅助检查")
    diagnosis: Diagnosis = Field(default_factory=Diagnosis)
    plan: str = Field("", max_length=600, description="处理意见")
    history_to_ask: list[str] = Field(
        default_factory=list, max_length=12, description="补病史：还需询问的病史"
    )
    risk_assessment: list[RiskItem] = Field(default_factory=list, max_length=10)
    suggested_workup: list[str] = Field(
        default_factory=list, max_length=12, description="建议处置"
    )
    reminders: list[Reminder] = Field(default_factory=list, max_length=8)
    risk_level: RiskLevel | None = Field(None, description="风险等级")


class Citation(_Strict):
    """A knowledge-base chunk the draft used."""

    document: str
    section: str = ""
    version: str = ""
    chunk_id: str = ""
    level: str = ""


class Timings(_Strict):
    """Seconds spent in each stage; absent stages are None."""

    total_s: float = 0.0
    rules_s: float | None = None
    retrieval_s: float | None = None
    reasoning_s: float | None = None
    generation_s: float | None = None


class Provenance(_Strict):
    """Which engine, model, prompt and knowledge base made the draft, and when."""

    engine: Engine
    model: str | None = None
    server: str | None = None
    prompt_id: str
    prompt_version: str
    kb_version: str | None = None
    created_at: datetime
    timings: Timings = Field(default_factory=Timings)


class Draft(_Strict):
    """A complete draft as the doctor sees it: content plus what only code may add."""

    content: DraftContent
    provenance: Provenance
    citations: list[Citation] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    label: str = DECISION_SUPPORT_LABEL
    # The findings and scores behind the draft, as the rules engine reported them.
    findings: dict[str, Any] | None = None
    scores: dict[str, Any] | None = None


class ModelNarrative(_Strict):
    """What the language model writes: the narrative sections, never scores or reminders.

    Limits are tighter than the draft's: llama.cpp turns each maxLength into grammar rules, and
    a string limit near 1,000 characters makes its grammar parser fail (the server then dies).
    """

    chief_complaint: str = Field(max_length=40, description="主诉：主要症状+持续时间")
    present_illness: str = Field(max_length=400, description="现病史")
    past_history: str = Field(max_length=200, description="既往史，未提及写空字符串")
    personal_history: str = Field(max_length=100, description="个人史，未提及写空字符串")
    allergy_history: str = Field(max_length=60, description="过敏史，未提及写空字符串")
    physical_exam: str = Field(max_length=300, description="体格检查，未提及写空字符串")
    diagnosis_primary: str = Field(max_length=40, description="拟诊")
    differentials: list[str] = Field(max_length=4, description="鉴别诊断")
    plan: str = Field(max_length=300, description="处理意见")
    history_to_ask: list[str] = Field(max_length=6, description="补病史")


def narrative_schema() -> dict[str, Any]:
    """The JSON schema the model answers in, every field required so runs end predictably."""
    schema = ModelNarrative.model_json_schema()
    schema["required"] = list(schema["properties"])
    for prop in schema["properties"].values():
        if prop.get("type") == "array":
            prop["items"]["maxLength"] = 60
    return schema


def content_warnings(content: DraftContent) -> list[str]:
    """Conventions a draft breaks; a warning never changes the text."""
    warnings = []
    if len(content.chief_complaint) > CHIEF_COMPLAINT_CONVENTION:
        warnings.append(
            f"主诉 {len(content.chief_complaint)} 字，超过约定的 {CHIEF_COMPLAINT_CONVENTION} 字，"
            "请精简"
        )
    return warnings


def content_schema() -> dict[str, Any]:
    """The JSON schema of a whole draft's content (for clients of the JSON output)."""
    return DraftContent.model_json_schema()
