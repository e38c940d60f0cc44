"""The desktop panel beside the HIS (PySide6): the only package of ours that imports Qt.

Parts, from the outside in:
- app: `Panel` builds and stops everything; `run_panel` is `sentinel panel` / `python -m desktop`.
- commands: the `sentinel panel` and `sentinel open` commands (entry points; no Qt at import).
- channel, handover: the per-user local channel and the HIS hand-over JSON (validated).
- window: the docked window, its actions and shortcuts; docking, help, settings_dialog.
- input_panel, inputs, templates, highlight: what the doctor gives, and its evidence marks.
- assessment_view, draft_view, labels, widgets, style: what the doctor sees and copies.
- session: the current case, the journal and the audit; drafting, stream_parse: drafts on
  workers (rules at once, the model streamed); connection: the box's status; reminders.
- dictation (by its own author) and dictation_bridge: speech into the text box.
- workers: the thread pools every slow call runs on; i18n: the English catalogue.

Errors are drawn in desktop/errors.py (base `DesktopError`). Failures of the environment (box
down, full disk, no microphone) reach the window as signals and are shown as sentences.
"""
