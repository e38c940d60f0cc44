"""A negation of a moment (否认胸痛时咯血) denies what comes with it, not the moment."""

from __future__ import annotations

import pytest

from engine.findings import extract


@pytest.mark.parametrize(("text", "present", "absent"), [
    ("否认胸痛时咯血及发热", set(), {"hemoptysis", "fever"}),
    ("无胸痛时出汗", set(), {"diaphoresis"}),
    ("否认 胸痛 的时候 咯血", set(), {"hemoptysis"}),
    ("胸痛时无出汗、恶心", {"chest_pain"}, {"diaphoresis", "nausea"}),
    ("活动时胸痛，无咯血", {"chest_pain"}, {"hemoptysis"}),
    ("不伴发热及咳嗽", set(), {"fever", "cough"}),
])
def test_the_moment_is_neither_denied_nor_affirmed(text: str, present: set[str],
                                                   absent: set[str]) -> None:
    findings = extract(text)
    assert set(findings.present) == present
    assert set(findings.absent) == absent
