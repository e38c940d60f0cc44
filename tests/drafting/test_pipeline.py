"""The drafting pipeline: rules at once, the model on top, never a statement without support."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import httpx
import pytest

from engine.client import BoxError, ClientConfig, Endpoint, InferenceClient, RetryPolicy
from engine.drafting.model import Draft, ModelNarrative
from engine.drafting.pipeline import Case, Drafter, ModelSettings, apply_narrative
from engine.findings import assess, extract

NOW = datetime(2026, 12, 3, 14, 35)
TEXT = "男，62岁，持续左胸痛3小时，压榨样，向左上肢放射，伴冷汗、气促，无发热。既往高血压10年。"


def narrative(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "chief_complaint": "左胸痛3小时", "present_illness": "患者3小时前出现左胸压榨样疼痛。",
        "past_history": "高血压10年", "personal_history": "", "allergy_history": "",
        "physical_exam": "", "diagnosis_primary": "急性冠脉综合征？",
        "differentials": ["主动脉夹层"], "plan": "心电图、肌钙蛋白", "history_to_ask": ["吸烟史"],
    }
    base.update(changes)
    return base


def chat(content: str) -> dict[str, object]:
    return {"model": "box-model", "choices": [{"message": {"content": content},
                                               "finish_reason": "stop"}]}


def as_stream(response: httpx.Response) -> httpx.Response:
    """A whole chat answer re-sent as server-sent events, for requests that asked to stream."""
    if response.status_code != 200:
        return response
    content = response.json()["choices"][0]["message"]["content"]
    events = [{"model": "box-model", "choices": [{"delta": {"content": content},
                                                  "finish_reason": None}]},
              {"model": "box-model", "choices": [{"delta": {}, "finish_reason": "stop"}]}]
    body = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
    return httpx.Response(200, content=body.encode())


def fake_box(answer: Callable[[dict[str, object]], httpx.Response]) -> InferenceClient:
    """A client whose server answers extraction and narrative calls as `answer` says."""
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        response = answer(body)
        return as_stream(response) if body.get("stream") else response

    config = ClientConfig(endpoints=(Endpoint("http://box.test:8080"),), dialect="llama_cpp",
                          retry=RetryPolicy(attempts=1))
    return InferenceClient(config, transport=httpx.MockTransport(handler))


def answering(extraction: list[dict[str, str]], story: dict[str, object]
              ) -> Callable[[dict[str, object]], httpx.Response]:
    def answer(body: dict[str, object]) -> httpx.Response:
        schema = body["response_format"]["schema"]  # type: ignore[index]
        if "findings" in schema["properties"]:
            return httpx.Response(200, json=chat(json.dumps({"findings": extraction})))
        return httpx.Response(200, json=chat(json.dumps(story, ensure_ascii=False)))
    return answer


def drafter(client: InferenceClient | None = None) -> Drafter:
    return Drafter(client=client, model=ModelSettings(stream=False), knowledge=None,
                   clock=lambda: NOW)


def test_without_a_box_the_rules_engine_drafts() -> None:
    draft = drafter().draft(Case(TEXT, "acs"))
    assert draft.provenance.engine == "rules"
    assert draft.provenance.prompt_id == "rules"
    assert "3小时" in draft.content.chief_complaint
    assert draft.content.risk_assessment, "scores come with the rules draft"
    assert draft.scores and "heart" in draft.scores


def test_the_model_writes_the_narrative_and_code_keeps_the_scores() -> None:
    client = fake_box(answering([], narrative()))
    rules = drafter().draft(Case(TEXT, "acs"))
    with client:
        draft = drafter(client).draft(Case(TEXT, "acs"), engine="model")

    assert draft.provenance.engine == "rules+model"
    assert draft.provenance.model == "box-model"
    assert draft.provenance.prompt_id == "acs" and len(draft.provenance.prompt_version) == 12
    assert draft.content.present_illness == "患者3小时前出现左胸压榨样疼痛。"
    assert draft.content.diagnosis.primary == "急性冠脉综合征？"
    assert draft.content.risk_assessment == rules.content.risk_assessment
    assert draft.content.reminders == rules.content.reminders
    assert draft.content.risk_level == rules.content.risk_level
    assert "吸烟史" in draft.content.history_to_ask


def test_a_model_finding_without_a_quote_from_the_input_is_dropped() -> None:
    invented = [{"field": "history", "value": "diabetes", "quote": "糖尿病20年"},
                {"field": "present", "value": "nausea", "quote": "恶心"}]
    with fake_box(answering(invented, narrative())) as client:
        draft = drafter(client).draft(Case(TEXT, "acs"), engine="model")
    assert draft.findings is not None
    assert "diabetes" not in draft.findings["history"]
    assert "nausea" not in draft.findings["present"]


def test_a_narrative_that_states_an_unsupported_finding_is_replaced() -> None:
    story = narrative(present_illness="患者3小时前出现左胸痛，伴恶心、呕吐，有糖尿病史。")
    with fake_box(answering([], story)) as client:
        draft = drafter(client).draft(Case(TEXT, "acs"), engine="model")

    rules = drafter().draft(Case(TEXT, "acs"))
    assert draft.content.present_illness == rules.content.present_illness
    assert any("现病史" in w and "没有依据" in w and "恶心" in w for w in draft.warnings)


def test_every_finding_a_model_draft_states_is_in_the_input() -> None:
    with fake_box(answering([], narrative())) as client:
        draft = drafter(client).draft(Case(TEXT, "acs"), engine="model")
    stated = extract(draft.content.present_illness + draft.content.chief_complaint).to_dict()
    supported = extract(TEXT).to_dict()
    for key in ("present", "absent", "history", "character", "radiation"):
        assert set(stated[key]) <= set(supported[key]), key


def test_reasoning_never_reaches_the_draft() -> None:
    secret = "患者可能在装病我觉得"
    story = json.dumps(narrative(), ensure_ascii=False)

    def answer(body: dict[str, object]) -> httpx.Response:
        schema = body["response_format"]["schema"]  # type: ignore[index]
        if "findings" in schema["properties"]:
            return httpx.Response(200, json=chat(f"<think>{secret}</think>{{\"findings\": []}}"))
        return httpx.Response(200, json=chat(f"{secret}</think>{story}"))

    with fake_box(answer) as client:
        draft = drafter(client).draft(Case(TEXT, "acs"), engine="model")
    assert secret not in draft.model_dump_json()


@pytest.mark.parametrize("failure", [
    lambda body: httpx.Response(503),
    lambda body: httpx.Response(200, json=chat("{\"chief_complaint\": ")),
    lambda body: httpx.Response(200, json=chat(json.dumps({"unexpected": 1}))),
], ids=["box-503", "cut-json", "schema-broken"])
def test_auto_falls_back_to_the_rules_draft_with_a_sentence(
    failure: Callable[[dict[str, object]], httpx.Response]
) -> None:
    with fake_box(failure) as client:
        draft = drafter(client).draft(Case(TEXT, "acs"), engine="auto")
    assert draft.provenance.engine == "rules"
    assert draft.warnings[0].endswith("已显示规则引擎草稿") or "规则引擎草稿" in draft.warnings[0]


def test_engine_model_raises_when_the_box_is_down() -> None:
    with fake_box(lambda body: httpx.Response(503)) as client, pytest.raises(BoxError):
        drafter(client).draft(Case(TEXT, "acs"), engine="model")


def test_apply_narrative_keeps_rules_sections_the_model_left_empty() -> None:
    assessment = assess(TEXT, template="acs", now=NOW)
    rules = drafter().draft(Case(TEXT, "acs")).content
    story = ModelNarrative.model_validate(narrative(past_history=""))
    content, warnings = apply_narrative(rules, story, assessment.to_dict())
    assert content.past_history == rules.past_history
    assert warnings == []


def test_a_long_chief_complaint_is_a_warning_not_a_cut() -> None:
    long_complaint = "持续左胸压榨样疼痛向左上肢放射伴冷汗气促3小时"  # 23 characters
    with fake_box(answering([], narrative(chief_complaint=long_complaint))) as client:
        draft = drafter(client).draft(Case(TEXT, "acs"), engine="model")
    assert draft.content.chief_complaint == long_complaint
    assert any("主诉" in w and "20" in w for w in draft.warnings)


def test_the_draft_round_trips_as_json() -> None:
    draft = drafter().draft(Case(TEXT, "acs"))
    assert Draft.model_validate_json(draft.model_dump_json()) == draft


def test_an_unusable_extraction_is_skipped_and_the_narrative_still_comes() -> None:
    story = json.dumps(narrative(), ensure_ascii=False)

    def answer(body: dict[str, object]) -> httpx.Response:
        schema = body["response_format"]["schema"]  # type: ignore[index]
        if "findings" in schema["properties"]:
            return httpx.Response(200, json=chat('{"findings": [{"field": "pres'))
        return httpx.Response(200, json=chat(story))

    with fake_box(answer) as client:
        draft = drafter(client).draft(Case(TEXT, "acs"), engine="model")
    assert draft.provenance.engine == "rules+model"
    assert any("要素提取不可用" in w for w in draft.warnings)
