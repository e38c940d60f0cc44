"""The case journal keeps every input and draft of a case, and brings open cases back."""

from __future__ import annotations

import threading

import pytest

from engine.storage import BadValue, CaseJournal, StorageError, UnknownCase
from engine.storage.journal import MAX_ATTACHMENT_BYTES, MAX_VALUE_BYTES
from tests.storage.helpers import PATIENT_TEXT, Clock

DRAFT = {"chief_complaint": "胸痛3小时", "present_illness": PATIENT_TEXT, "risk_level": "高危"}


def test_everything_recorded_comes_back_after_reopening(open_journal) -> None:
    journal = open_journal()
    case_id = journal.new_case("胸痛通用")
    for end in range(1, len(PATIENT_TEXT) + 1):
        journal.record(case_id, "typed_text", PATIENT_TEXT[:end])  # one call per keystroke
    journal.record(case_id, "dictation", "患者诉胸痛")
    journal.record(case_id, "fields", {"onset": "persistent", "duration": {"hours": 3}})
    picture = bytes(range(256)) * 40
    attachment_id = journal.attach(case_id, "心电图.jpg", picture)
    journal.append_audio(case_id, b"\x01\x02" * 800)
    journal.append_audio(case_id, b"\x03\x04" * 800)
    journal.save_draft(case_id, DRAFT)
    journal.close()

    again = open_journal()
    [case] = again.open_cases()
    assert case.case_id == case_id
    assert case.template == "胸痛通用"
    assert case.values["typed_text"] == PATIENT_TEXT
    assert case.values["dictation"] == "患者诉胸痛"
    assert case.values["fields"] == {"onset": "persistent", "duration": {"hours": 3}}
    assert case.draft == DRAFT
    assert [item.name for item in case.attachments] == ["心电图.jpg"]
    assert again.attachment(case_id, attachment_id) == picture
    assert again.audio(case_id) == b"\x01\x02" * 800 + b"\x03\x04" * 800
    assert case.audio_bytes == 3200


def test_a_draft_given_as_json_text_is_kept_as_an_object(open_journal) -> None:
    journal = open_journal()
    case_id = journal.new_case()
    journal.save_draft(case_id, '{"plan": "复查肌钙蛋白\n2小时后"}')
    assert journal.case(case_id).draft == {"plan": "复查肌钙蛋白\n2小时后"}


def test_closed_cases_do_not_come_back_but_stay_readable(open_journal) -> None:
    journal = open_journal()
    done, ongoing = journal.new_case(), journal.new_case()
    journal.record(done, "typed_text", "已复制到病历")
    journal.close_case(done)
    journal.close()

    again = open_journal()
    assert [case.case_id for case in again.open_cases()] == [ongoing]
    assert again.case(done).values["typed_text"] == "已复制到病历"
    assert again.case(done).status == "closed"


def test_discarded_audio_is_gone_from_memory_and_disk(open_journal) -> None:
    journal = open_journal()
    case_id = journal.new_case()
    journal.append_audio(case_id, b"\x05" * 1000)
    journal.flush()
    journal.discard_audio(case_id)
    journal.append_audio(case_id, b"\x06" * 10)
    assert journal.audio(case_id) == b"\x06" * 10
    journal.close()
    assert open_journal().audio(case_id) == b"\x06" * 10


def test_a_snapshot_does_not_change_with_later_edits(open_journal) -> None:
    journal = open_journal()
    case_id = journal.new_case()
    fields = {"hr": 88}
    journal.record(case_id, "fields", fields)
    fields["hr"] = 140  # the caller's own dict changes afterwards
    before = journal.case(case_id)
    journal.record(case_id, "fields", {"hr": 120})
    assert before.values["fields"] == {"hr": 88}
    assert journal.case(case_id).values["fields"] == {"hr": 120}


def test_last_change_time_follows_the_clock(open_journal, clock: Clock) -> None:
    journal = open_journal()
    case_id = journal.new_case()
    created = clock.now
    clock.advance(1)
    journal.record(case_id, "typed_text", "x")
    case = journal.case(case_id)
    assert case.created_at == created
    assert case.updated_at == created + 3600


def test_many_threads_recording_at_once_lose_nothing(open_journal) -> None:
    journal = open_journal()
    cases = [journal.new_case() for _ in range(6)]

    def type_into(case_id: str) -> None:
        for count in range(1, 151):
            journal.record(case_id, "typed_text", "字" * count)
            journal.record(case_id, f"fields.n{count % 3}", count)

    threads = [threading.Thread(target=type_into, args=(case_id,)) for case_id in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    journal.close()

    again = open_journal()
    for case_id in cases:
        values = again.case(case_id).values
        assert values["typed_text"] == "字" * 150
        assert values["fields.n0"] == 150
        assert values["fields.n1"] == 148
        assert values["fields.n2"] == 149


def test_the_writer_saves_without_being_asked(open_journal, clock: Clock) -> None:
    journal = open_journal()
    case_id = journal.new_case()
    journal.record(case_id, "typed_text", PATIENT_TEXT)
    saved = threading.Event()
    while not saved.is_set():  # no flush(): the writer thread does it by itself
        saved.wait(0.02)
        if journal.unsaved_changes() == 0:
            saved.set()
    # A second journal reading the file sees the text although the first never flushed.
    reader = CaseJournal.open(journal.folder.parent, retention_hours=24, clock=clock)
    try:
        assert reader.case(case_id).values["typed_text"] == PATIENT_TEXT
    finally:
        reader.close()


@pytest.mark.parametrize(("field", "why"), [
    ("", "not valid"),
    ("Typed", "not valid"),
    ("typed text", "not valid"),
    ("a" * 41, "not valid"),
    ("fields..x", "not valid"),
    ("draft", "save_draft"),
])
def test_bad_field_names_are_refused_with_the_rule(open_journal, field: str, why: str) -> None:
    journal = open_journal()
    case_id = journal.new_case()
    with pytest.raises(BadValue, match=why):
        journal.record(case_id, field, "x")


@pytest.mark.parametrize(("value", "why"), [
    ({1, 2}, "not JSON"),
    (b"bytes", "not JSON"),
    (float("nan"), "not JSON"),
    ("\ud800 lone surrogate", "valid Unicode"),
    ("字" * (MAX_VALUE_BYTES // 3 + 1), "more than"),
])
def test_bad_values_are_refused_and_nothing_changes(open_journal, value: object,
                                                    why: str) -> None:
    journal = open_journal()
    case_id = journal.new_case()
    journal.record(case_id, "typed_text", "before")
    with pytest.raises(BadValue, match=why):
        journal.record(case_id, "typed_text", value)  # type: ignore[arg-type]
    assert journal.case(case_id).values["typed_text"] == "before"


def test_empty_text_and_nul_are_kept_as_typed(open_journal) -> None:
    journal = open_journal()
    case_id = journal.new_case()
    journal.record(case_id, "typed_text", "")
    journal.record(case_id, "dictation", "a\x00b")
    journal.close()
    values = open_journal().case(case_id).values
    assert values["typed_text"] == ""
    assert values["dictation"] == "a\x00b"


@pytest.mark.parametrize(("name", "data", "kind", "why"), [
    ("", b"x", "picture", "empty"),
    ("a.jpg", b"", "picture", "empty"),
    ("a.jpg", "text", "picture", "must be bytes"),
    ("a.jpg", b"x", "video", "kind"),
    ("a\x00.jpg", b"x", "picture", "NUL"),
    ("a" * 201 + ".jpg", b"x", "picture", "under 200"),
    ("big.jpg", b"x" * (MAX_ATTACHMENT_BYTES + 1), "picture", "more than"),
])
def test_bad_attachments_are_refused(open_journal, name: str, data: object, kind: str,
                                     why: str) -> None:
    journal = open_journal()
    case_id = journal.new_case()
    with pytest.raises(BadValue, match=why):
        journal.attach(case_id, name, data, kind)  # type: ignore[arg-type]
    assert journal.case(case_id).attachments == ()


@pytest.mark.parametrize("draft", ["not json", "[1, 2]", 42])
def test_a_draft_must_be_a_json_object(open_journal, draft: object) -> None:
    journal = open_journal()
    case_id = journal.new_case()
    with pytest.raises(BadValue, match="draft"):
        journal.save_draft(case_id, draft)  # type: ignore[arg-type]


def test_unknown_cases_are_named(open_journal) -> None:
    journal = open_journal()
    with pytest.raises(UnknownCase, match="never created, or purged"):
        journal.record("0" * 32, "typed_text", "x")
    with pytest.raises(UnknownCase):
        journal.case("nope")


def test_a_closed_journal_refuses_changes(open_journal) -> None:
    journal = open_journal()
    case_id = journal.new_case()
    journal.close()
    with pytest.raises(StorageError, match="closed"):
        journal.record(case_id, "typed_text", "x")


def test_retention_must_be_positive(open_journal) -> None:
    with pytest.raises(BadValue, match="retention_hours"):
        open_journal(retention_hours=0)


def test_retention_comes_from_the_setting(sentinel_home, tmp_path) -> None:
    (tmp_path / "policy.json").write_text('{"retention_hours": 2}', "utf-8")
    journal = CaseJournal.open(sentinel_home)
    try:
        assert journal.retention_s == 2 * 3600
    finally:
        journal.close()
