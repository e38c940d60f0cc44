"""The dictation widget (desktop.dictation) embedded in the panel.

The widget writes each cleaned final result into the panel's text box, where it is the
doctor's text like any typed word (and so drafts, and is journalled, at once); each final is
also kept in the journal as dictation. The live partial words and the level meter stay in the
widget, under the text box. Recognition runs on the controller's own thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.dictation import DictationController, DictationWidget

if TYPE_CHECKING:
    from desktop.app import Panel

HOTKEY = "F9"


def dictation_for(panel: Panel, *, load: bool = True) -> DictationWidget:
    """A dictation widget for the panel's text box, loading the model from the settings."""
    text = panel.window.input_panel.text
    controller = DictationController(settings=panel.settings)
    widget = DictationWidget(panel.window.input_panel, controller=controller, target=text,
                             hotkey=HOTKEY, load=load)
    widget.text_final.connect(panel.session.add_dictation)
    return widget
