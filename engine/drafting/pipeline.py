"""The drafting pipeline: rules first, the language model on top when the box answers.

    words + vitals -> findings (rules) -> scores, questions, red flags -> rules draft
                                     \\-> model extraction (quoted) -> merged findings
                                                                   -> model narrative
                                                                   -> checked against input

The rules draft is always made first and is what the doctor sees when the box is down or its
answer is unusable. The model writes only narrative sections; scores, questions, workup,
reminders and the risk level always come from code. A narrative section that states a finding
no input supports is replaced by the rules' wording, with a warning.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from engine import __version__
from engine.client import (
    BadStructuredOutput,
    BoxError,
    InferenceClient,
    StreamEvent,
)
from engine.drafting.composer import compose
from engine.drafting.knowledge import KnowledgeContext, retrieve_for_draft
from engine.drafting.model import (
    Draft,
    DraftContent,
    ModelNarrative,
    Provenance,
    Timings,
    content_warnings,
    narrative_schema,
)
from engine.errors import BadInput
from engine.findings import Assessment, assess, extract, rescore
from engine.findings.merge import ID_FIELDS, extraction_schema, merge
from engine.findings.vocabulary import vocabulary
from prompts import load_card

log = logging.getLogger(__name__)

EngineChoice = Literal["auto", "rules", "model"]
DEFAULT_TEMPLATE = "chest_pain_general"
RULES_PROMPT_ID = "rules"

EXTRACTION_TASK = (
    "【本次输出】只列出医生口述中明确提到的临床要素"
    "（症状有无、疼痛特点、病史、生命体征），"
    "每项附口述原文中的连续原话作为引用；原文没有的不要列出。"
)
NARRATIVE_TASK = (
    "【本次输出】根据口述和已识别的要素，写病历的叙述部分"
    "（主诉、现病史、既往史、个人史、过敏史、体格检查、拟诊与鉴别诊断、处理意见、补病史）。"
    "未提及的部分写空字符串。"
)

# Narrative fields the model may write, and where they land in the draft.
_NARRATIVE_FIELDS = ("chief_complaint", "present_illness", "past_history", "personal_history",
                     "allergy_history", "physical_exam", "plan")
# Findings lists a narrative is checked against: stating one the input lacks is unsupported.
_CHECKED_LISTS = ("present", "absent", "history", "character", "radiation", "location")


@dataclass(frozen=True)
class Case:
    """What the doctor gave: words, the template, triage vitals, the visit time."""

    text: str
    template: str = DEFAULT_TEMPLATE
    vitals: Mapping[str, Any] | None = None
    visit_time: datetime | None = None


@dataclass
class ModelSettings:
    reasoning_mode: Literal["skip", "two_phase"] = "skip"
    reasoning_budget: int = 512
    max_tokens: int = 1536
    # The extraction only adds to the rules' findings: a short budget keeps it from holding up
    # the narrative, and an extraction cut at the budget is skipped, not fatal.
    extraction_max_tokens: int = 384
    stream: bool = True
    temperature: float = 0.2


@dataclass
class Drafter:
    """Makes drafts. Without a client it is the rules engine alone."""

    client: InferenceClient | None = None
    model: ModelSettings = field(default_factory=ModelSettings)
    knowledge: Callable[[str, dict[str, Any]], KnowledgeContext] | None = retrieve_for_draft
    clock: Callable[[], datetime] = datetime.now
    troponin_protocol: str | None = None

    def draft(
        self,
        case: Case,
        *,
        engine: EngineChoice = "auto",
        on_event: Callable[[StreamEvent], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Draft:
        """A draft of the case. `engine="model"` raises BoxError when the box can't help;
        "auto" falls back to the rules draft with a warning."""
        started = time.perf_counter()
        now = case.visit_time or self.clock()
        card = load_card(case.template)  # an unknown template fails here, before any work

        assessment = assess(case.text, template=case.template,
                            vitals=dict(case.vitals) if case.vitals else None, now=now)
        findings = assessment.to_dict()
        rules_content = compose(assessment, case.template, now,
                                troponin_protocol=self.troponin_protocol)
        rules_s = time.perf_counter() - started

        retrieval_started = time.perf_counter()
        knowledge = self._knowledge_for(case.template, findings["findings"])
        retrieval_s = time.perf_counter() - retrieval_started

        timings = Timings(rules_s=rules_s, retrieval_s=retrieval_s)
        if engine == "rules" or self.client is None:
            if engine == "model":
                raise BadInput("engine 'model' needs an inference box; set inference_urls "
                               "or pass --server")
            return self._finish(rules_content, findings, knowledge, started, timings,
                                engine_used="rules", prompt_id=RULES_PROMPT_ID,
                                prompt_version=_rules_version(assessment))

        try:
            return self._model_draft(case, card, assessment, knowledge, started, timings,
                                     on_event, cancelled)
        except (BoxError, BadStructuredOutput) as exc:
            if engine == "model":
                raise
            log.warning("model draft failed (%s); showing the rules draft", type(exc).__name__)
            draft = self._finish(rules_content, findings, knowledge, started, timings,
                                 engine_used="rules", prompt_id=RULES_PROMPT_ID,
                                 prompt_version=_rules_version(assessment))
            draft.warnings.insert(0, _fallback_warning(exc))
            return draft

    # -- the model's part ------------------------------------------------------------------

    def _model_draft(
        self,
        case: Case,
        card: Any,
        assessment: Assessment,
        knowledge: KnowledgeContext,
        started: float,
        timings: Timings,
        on_event: Callable[[StreamEvent], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> Draft:
        assert self.client is not None
        settings = self.model

        warnings: list[str] = []
        try:
            # Streamed so the read timeout bounds the wait between pieces, not the whole answer.
            extraction = self.client.structured(
                _messages(card, assessment.to_dict(), knowledge, case.text, EXTRACTION_TASK),
                extraction_schema(), _items_of, max_tokens=settings.extraction_max_tokens,
                temperature=settings.temperature, stream=True, cancelled=cancelled)
            model_items = extraction.value
        except BadStructuredOutput as exc:
            log.info("model extraction unusable (%s); narrative from the rules' findings",
                     type(exc).__name__)
            model_items = []
            warnings.append("模型要素提取不可用，叙述依据规则引擎识别的要素")
        merged = rescore(assessment, merge(assessment.findings, model_items, case.text))
        # Findings the model quoted can complete scores and settle questions: recompose.
        base_content = compose(merged, case.template, merged.now,
                               troponin_protocol=self.troponin_protocol)

        generation_started = time.perf_counter()
        narrative = self.client.structured(
            _messages(card, merged.to_dict(), knowledge, case.text, NARRATIVE_TASK),
            narrative_schema(), ModelNarrative.model_validate,
            mode=settings.reasoning_mode, reasoning_budget=settings.reasoning_budget,
            max_tokens=settings.max_tokens, temperature=settings.temperature,
            stream=settings.stream, on_event=on_event, cancelled=cancelled)
        timings.generation_s = time.perf_counter() - generation_started
        timings.reasoning_s = narrative.reasoning_s

        content, unsupported = apply_narrative(base_content, narrative.value, merged.to_dict())
        warnings += unsupported
        draft = self._finish(content, merged.to_dict(), knowledge, started, timings,
                             engine_used="rules+model", prompt_id=card.id,
                             prompt_version=card.version, model=narrative.completion.model,
                             server=narrative.completion.endpoint)
        draft.warnings[:0] = warnings
        return draft

    def _knowledge_for(self, template: str, findings: dict[str, Any]) -> KnowledgeContext:
        if self.knowledge is None:
            return KnowledgeContext.empty()
        return self.knowledge(template, findings)

    def _finish(
        self,
        content: DraftContent,
        findings: dict[str, Any],
        knowledge: KnowledgeContext,
        started: float,
        timings: Timings,
        *,
        engine_used: Literal["rules", "rules+model"],
        prompt_id: str,
        prompt_version: str,
        model: str | None = None,
        server: str | None = None,
    ) -> Draft:
        timings.total_s = time.perf_counter() - started
        provenance = Provenance(
            engine=engine_used, model=model, server=server, prompt_id=prompt_id,
            prompt_version=prompt_version, kb_version=knowledge.kb_version,
            created_at=self.clock(), timings=timings,
        )
        return Draft(content=content, provenance=provenance, citations=knowledge.citations,
                     warnings=content_warnings(content), findings=findings.get("findings"),
                     scores=findings.get("scores"))


def _rules_version(assessment: Assessment) -> str:
    """The rules engine's version for a case: the engine's, and a hash of the template's data
    (a doctor's personal template changes it too)."""
    canonical = json.dumps(assessment.template.to_data(), ensure_ascii=False, sort_keys=True,
                           default=str)
    return f"{__version__}+{hashlib.sha256(canonical.encode()).hexdigest()[:12]}"


def _items_of(data: Any) -> list[dict[str, Any]]:
    items = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ValueError("the extraction has no 'findings' list")
    return [item for item in items if isinstance(item, dict)]


def _messages(card: Any, findings: dict[str, Any], knowledge: KnowledgeContext, text: str,
              task: str) -> list[dict[str, str]]:
    rendered = card.render({
        "findings": _findings_for_prompt(findings),
        "knowledge": knowledge.prompt_text or "（无）",
        "patient_text": text,
    })
    messages = rendered.messages()
    messages[-1]["content"] += f"\n\n{task}"
    return messages


def _findings_for_prompt(findings: dict[str, Any]) -> str:
    """The rules' findings and scores in short Chinese: few tokens after the cached prefix,
    and the words a Chinese model reads best. Evidence spans are left out."""
    vocab = vocabulary()
    found = findings.get("findings", {})
    lines = []
    for field_name, section in ID_FIELDS.items():
        values = found.get(field_name)
        values = [values] if isinstance(values, str) else values or []
        if values:
            labels = "、".join(_vocab_label(vocab, section, v) for v in values)
            lines.append(f"{vocab.field_labels.get(field_name, field_name)}：{labels}")
    if found.get("duration_minutes"):
        lines.append(f"持续时间：{found['duration_minutes']}分钟")
    if found.get("age") is not None:
        lines.append(f"年龄：{found['age']}岁")
    if found.get("sex"):
        lines.append(f"性别：{'男' if found['sex'] == 'male' else '女'}")
    vitals = {k: v for k, v in (found.get("vitals") or {}).items() if v is not None}
    if vitals:
        lines.append("生命体征：" + "，".join(f"{k} {v}" for k, v in vitals.items()))
    for name, result in (findings.get("scores") or {}).items():
        low, high = result.get("range") or (result.get("total"), result.get("total"))
        known = "" if result.get("complete") else f"（未完整，可能{low}–{high}分）"
        band = f"，{result['band']}" if result.get("band") else ""
        lines.append(f"评分 {name}：{result.get('total')}分{band}{known}")
    return "\n".join(lines) or "（无）"


def _vocab_label(vocab: Any, section: str, value: str) -> str:
    try:
        return str(vocab.label(section, value))
    except KeyError:
        return value


def apply_narrative(rules: DraftContent, narrative: ModelNarrative, merged: dict[str, Any]
                    ) -> tuple[DraftContent, list[str]]:
    """The rules draft with the model's narrative where the input supports it."""
    supported = _finding_set(merged.get("findings", {}))
    updates: dict[str, Any] = {}
    replaced: list[str] = []
    unsupported_all: set[str] = set()

    for name in _NARRATIVE_FIELDS:
        written = getattr(narrative, name)
        unsupported = _finding_set(_findings_in(written)) - supported
        if unsupported:
            replaced.append(_SECTION_NAMES[name])
            unsupported_all |= unsupported
            continue
        if written:
            updates[name] = written

    diagnosis = rules.diagnosis.model_copy(update={
        "primary": narrative.diagnosis_primary or rules.diagnosis.primary,
        "differentials": narrative.differentials or rules.diagnosis.differentials,
    })
    questions = list(dict.fromkeys([*rules.history_to_ask, *narrative.history_to_ask]))
    updates.update(diagnosis=diagnosis, history_to_ask=questions[:12])

    warnings = []
    if replaced:
        labels = "、".join(_label(item) for item in sorted(unsupported_all))
        warnings.append(f"模型所写{'、'.join(replaced)}含输入中没有依据的内容（{labels}），"
                        "这些部分已改用规则引擎文本")
    return rules.model_copy(update=updates), warnings


def _label(finding: str) -> str:
    """`present:fever` as the vocabulary's Chinese label, for the doctor's eyes."""
    field_name, _, value = finding.partition(":")
    label = _vocab_label(vocabulary(), ID_FIELDS.get(field_name, ""), value)
    return f"无{label}" if field_name == "absent" else label


_SECTION_NAMES = {"chief_complaint": "主诉", "present_illness": "现病史",
                  "past_history": "既往史", "personal_history": "个人史",
                  "allergy_history": "过敏史", "physical_exam": "体格检查",
                  "plan": "处理意见"}


def _findings_in(text: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    return extract(text).to_dict()


def _finding_set(findings: Mapping[str, Any]) -> set[str]:
    return {f"{key}:{value}" for key in _CHECKED_LISTS for value in findings.get(key) or []}


def _fallback_warning(exc: Exception) -> str:
    if isinstance(exc, BadStructuredOutput):
        return f"模型回答不可用（{exc}），已显示规则引擎草稿"
    return f"推理服务器不可用（{exc}），已显示规则引擎草稿；输入内容未丢失"
