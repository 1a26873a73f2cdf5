"""Administration page "Email templates": the acknowledgement, resolution and new-reply texts, previewed on a real case."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.domain.templates import PLACEHOLDERS
from desktop_helpdesk.services.email_templates import EmailTemplate, TemplatePreview
from desktop_helpdesk.services.errors import ServiceError
from desktop_helpdesk.ui.admin import forms, pages
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.form_fields import named
from desktop_helpdesk.ui.messages import friendly_message
from desktop_helpdesk.ui.workers import WorkerPool


class EmailTemplatesPage(pages.AdminPage):
    """Pick an email, edit its text, preview it rendered for a real case (on the worker pool),
    save it (admins) or put the built-in text back. An unknown placeholder is refused by the
    service with a message naming it.

    Signals:
        previewed(object): a preview arrived (``TemplatePreview``).
        preview_failed(str): the preview was refused (the message shown).

    Args:
        ui, commands: as ``AdminPage``.
        pool: the window's worker pool (previews read a case).
        parent: the dialog.
    """

    previewed = Signal(object)
    preview_failed = Signal(str)

    def __init__(self, ui: UiContext, commands: pages.PageCommands, pool: WorkerPool,
                 parent: QWidget | None = None) -> None:
        super().__init__(ui, commands, parent, page_name="emailTemplatesPage")
        self._pool = pool
        self._templates: dict[str, EmailTemplate] = {}
        self._may_edit = False
        self._preview_generation = 0

        edit_box = forms.group("Email text", self, "emailTemplateForm")
        self.kind_field = QComboBox(edit_box)
        self.kind_field.setObjectName("emailTemplateKindField")
        self.state_label = QLabel("", edit_box)
        self.state_label.setObjectName("emailTemplateState")
        self.state_label.setProperty("role", "hint")
        self.editor = QPlainTextEdit(edit_box)
        self.editor.setObjectName("emailTemplateEdit")
        self.save_button = forms.push_button("Save", edit_box, "saveEmailTemplateButton", accent=True)
        self.save_button.clicked.connect(self.save)
        self.restore_button = forms.push_button("Use the built-in text", edit_box, "restoreEmailTemplateButton")
        self.restore_button.clicked.connect(self.restore_default)
        # Save sits beside the choice, not under the editor: on a laptop the tall Administration
        # pages scroll, and the button must stay in view.
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.kind_field, 1)
        kind_row.addWidget(self.state_label)
        kind_row.addWidget(self.save_button)
        kind_row.addWidget(self.restore_button)
        edit_layout = QVBoxLayout(edit_box)
        edit_layout.addLayout(kind_row)
        self.read_only_note = forms.hint("Only an admin can change these texts; you can preview them.", edit_box)
        self.read_only_note.setObjectName("emailTemplateReadOnly")
        self.read_only_note.hide()
        edit_layout.addWidget(self.read_only_note)
        edit_layout.addWidget(self.editor, 1)

        preview_box = forms.group("Preview on a real case", self, "emailTemplatePreviewBox")
        self.case_field = forms.line_edit(preview_box, "emailTemplateCaseField", "Case number (empty: the newest case)")
        self.case_field.returnPressed.connect(self.preview)
        self.preview_button = forms.push_button("Preview", preview_box, "previewEmailTemplateButton")
        self.preview_button.clicked.connect(self.preview)
        self.preview_heading = named(QLabel("", preview_box), "emailTemplatePreviewHeading")
        self.preview_heading.setWordWrap(True)
        self.preview_heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview_text = named(QPlainTextEdit(preview_box), "emailTemplatePreview")
        self.preview_text.setReadOnly(True)
        case_row = QHBoxLayout()
        case_row.addWidget(self.case_field, 1)
        case_row.addWidget(self.preview_button)
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.addLayout(case_row)
        preview_layout.addWidget(forms.hint(
            "Placeholders: " + ", ".join("{" + name + "}" for name in PLACEHOLDERS)
            + ". Write {{ and }} for a literal brace. The subject always carries the case number "
            "so the client's answer threads back onto the case.", preview_box))
        preview_layout.addWidget(self.preview_heading)
        preview_layout.addWidget(self.preview_text, 1)

        layout = QHBoxLayout(self)
        layout.addWidget(edit_box, 1)
        layout.addWidget(preview_box, 1)
        self.kind_field.currentIndexChanged.connect(self._on_kind_field_current_index_changed)

    def set_templates(self, templates: list[EmailTemplate], may_edit: bool) -> None:
        """Show the current texts (keeping an unsaved edit of the email being edited)."""
        current = self.kind_field.currentData()
        edited = self.editor.document().isModified()
        self._templates = {t.kind.value: t for t in templates}
        self._may_edit = may_edit
        self.kind_field.blockSignals(True)
        self.kind_field.clear()
        for template in templates:
            self.kind_field.addItem(template.label, template.kind.value)
        self.kind_field.setCurrentIndex(max(0, self.kind_field.findData(current)))
        self.kind_field.blockSignals(False)
        self._show_template(keep_text=edited)
        self.editor.setReadOnly(not may_edit)
        self.save_button.setEnabled(may_edit)
        self.restore_button.setEnabled(may_edit)
        self.read_only_note.setVisible(not may_edit)

    def select_kind(self, kind: str) -> None:
        self.kind_field.setCurrentIndex(self.kind_field.findData(kind))

    def _on_kind_field_current_index_changed(self, _index: int) -> None:
        self._show_template(keep_text=False)

    def _show_template(self, *, keep_text: bool) -> None:
        template = self._templates.get(self.kind_field.currentData())
        if template is None:
            return
        if not keep_text:
            self.editor.setPlainText(template.body)
            self.editor.document().setModified(False)
            self.preview_text.clear()
            self.preview_heading.clear()
        self.state_label.setText("built-in text" if template.is_default else "edited by the team")

    def save(self) -> None:
        ui, kind, body = self._ui, self.kind_field.currentData(), self.editor.toPlainText()
        self._command(
            lambda t: f"{t.label}: saved. The next email of this kind uses it.",
            lambda: ui.services.email_templates.save_template(ui.member_id, kind, body),
            {"body": self.editor},
            then=lambda _saved: self.editor.document().setModified(False),
        )

    def restore_default(self) -> None:
        template = self._templates.get(self.kind_field.currentData())
        if template is not None:
            self.editor.setPlainText(template.default_body)
            self.save()

    def preview(self) -> None:
        """Render the text being edited for the case typed (in the background)."""
        ui, kind, body, number = self._ui, self.kind_field.currentData(), self.editor.toPlainText(), \
            self.case_field.text()
        self._preview_generation += 1
        generation = self._preview_generation
        self._pool.submit(
            ui.services.email_templates.preview, ui.member_id, kind, body, number,
            on_finished=lambda preview: self._on_preview_loaded(generation, preview),
            on_failed=lambda error: self._on_preview_failed(generation, error),
        )

    def _on_preview_loaded(self, generation: int, preview: TemplatePreview) -> None:
        if generation != self._preview_generation:
            return
        to = preview.to or "(the contact has no email address)"
        self.preview_heading.setText(f"<b>To:</b> {html.escape(to)}<br><b>Subject:</b> {html.escape(preview.subject)}")
        self.preview_text.setPlainText(preview.body)
        self.previewed.emit(preview)

    def _on_preview_failed(self, generation: int, error: Exception) -> None:
        if generation != self._preview_generation:
            return
        text = friendly_message(error) if isinstance(error, ServiceError) else "The preview failed; see the log file."
        if text.startswith("Body: "):
            text = "Template: " + text[len("Body: "):]
        self.preview_heading.setText(f"<span style='color:#b91c1c'>{html.escape(text)}</span>")
        self.preview_text.clear()
        self.preview_failed.emit(text)
