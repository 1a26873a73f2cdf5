"""Administration page "Clients": client organisations, their account managers and contacts."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

from desktop_helpdesk.services.contacts import NewClient
from desktop_helpdesk.services.dto import ClientSummary, ContactMatch
from desktop_helpdesk.ui.admin import forms, pages
from desktop_helpdesk.ui.admin.models import client_model, contact_model
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.widgets.place_fields import PlaceFields


class ClientsPage(pages.TablePage):
    """A filterable client table, the selected client's contacts, and forms to add either.

    Signals:
        client_selected(int): a client became current; the dialog loads its contacts.

    Args:
        ui, commands, parent: as ``AdminPage``.
    """

    client_selected = Signal(int)

    def __init__(self, ui: UiContext, commands: pages.PageCommands, parent: QWidget | None = None) -> None:
        super().__init__(ui, commands, parent, page_name="clientsPage", model_factory=client_model,
                         table_name="clientsTable")
        self.contacts_model = contact_model(self)
        self.filter_field = forms.line_edit(self, "clientFilter", "Filter clients by name, manager, phone…")
        self.filter_field.textChanged.connect(self.proxy.setFilterFixedString)
        # The filter is typed before the table it narrows is browsed.
        QWidget.setTabOrder(self.filter_field, self.table)
        self.table.activated.connect(self._on_table_activated)
        self.contacts_table, self.contacts_proxy = forms.sortable_table(self.contacts_model, self, "contactsTable")
        self.contacts_title = QLabel("Contacts", self)
        self.contacts_title.setProperty("role", "sectionHeading")

        client_box = forms.group("Add a client organisation", self, "newClientForm")
        self.client_name_field = forms.line_edit(client_box, "clientNameField", "e.g. Acme Learning")
        self.manager_field = forms.line_edit(client_box, "accountManagerField", "Who follows them in the CRM")
        self.manager_email_field = forms.line_edit(client_box, "accountManagerEmailField", "name@company.example")
        self.client_phone_field = forms.line_edit(client_box, "clientPhoneField", "Switchboard, any format")
        self.add_client_button = forms.push_button("Add client", client_box, "addClientButton", accent=True)
        forms.submit_form(client_box, [
            ("&Name", self.client_name_field),
            ("Account &manager", self.manager_field),
            ("Manager &email", self.manager_email_field),
            ("&Phone", self.client_phone_field),
        ], self.add_client_button, self.add_client)
        self._new_client_fields = (self.client_name_field, self.manager_field, self.manager_email_field,
                                   self.client_phone_field)

        self.contact_box = forms.group("Add a contact to the selected client", self, "newContactForm")
        self.contact_name_field = forms.line_edit(self.contact_box, "contactNameField", "e.g. Carol Client")
        self.contact_email_field = forms.line_edit(self.contact_box, "contactEmailField", "name@client.example")
        self.contact_phone_field = forms.line_edit(self.contact_box, "contactPhoneField", "Any format")
        self.add_contact_button = forms.push_button("Add contact", self.contact_box, "addContactButton", accent=True)
        forms.submit_form(self.contact_box, [
            ("&Contact name", self.contact_name_field),
            ("Contact emai&l", self.contact_email_field),
            ("Contact p&hone", self.contact_phone_field),
        ], self.add_contact_button, self.add_contact)
        self._new_contact_fields = (self.contact_name_field, self.contact_email_field, self.contact_phone_field)

        self.place_box = forms.group("Selected client", self, "clientPlaceForm")
        self.edit_name_field = forms.line_edit(self.place_box, "editClientNameField")
        self.edit_manager_field = forms.line_edit(self.place_box, "editAccountManagerField")
        self.edit_manager_email_field = forms.line_edit(self.place_box, "editManagerEmailField")
        self.edit_phone_field = forms.line_edit(self.place_box, "editClientPhoneField")
        self.edit_notes_field = forms.line_edit(self.place_box, "editClientNotesField", "Notes for the desk")
        self.edit_domains_field = forms.line_edit(self.place_box, "editClientDomainsField",
                                            "acme.example, acme-learning.example (mail from these finds them)")
        self.place = PlaceFields(self.place_box, "client")
        self.save_place_button = forms.push_button("Save client", self.place_box, "saveClientPlaceButton")
        forms.submit_form(self.place_box, [
            ("Na&me", self.edit_name_field),
            ("Acco&unt manager", self.edit_manager_field),
            ("Manager e&mail", self.edit_manager_email_field),
            ("Ph&one", self.edit_phone_field),
            ("Not&es", self.edit_notes_field),
            ("Email &domains", self.edit_domains_field),
            ("C&ountry", self.place.country),
            ("Re&gion", self.place.region),
            ("&Time zone", self.place.time_zone),
        ], self.save_place_button, self.save_place)

        forms.side_by_side(self, [self.filter_field, (self.table, 3), self.contacts_title, (self.contacts_table, 2)],
                     [client_box, self.contact_box, self.place_box])
        self._show_selected(None)

    # -- data ------------------------------------------------------------------------------
    def set_clients(self, clients: list[ClientSummary]) -> None:
        """Show ``clients``; a client added a moment ago becomes current, ready for its first contact."""
        adding = self._key_to_select is not None
        self.set_rows(clients)
        if adding and self.contact_box.isEnabled():
            self.contact_name_field.setFocus(Qt.FocusReason.OtherFocusReason)

    selected_client = pages.TablePage.selected_row
    select_client = pages.TablePage.select_row

    def set_contacts(self, client_id: int, contacts: list[ContactMatch]) -> None:
        """Show ``contacts`` if ``client_id`` is still the selected client (loaded in a worker)."""
        client = self.selected_client()
        if client is None or client.id != client_id:
            return
        self.contacts_model.set_rows(contacts)
        count = len(contacts)
        self.contacts_title.setText(f"Contacts at {client.name} — {count} {'contact' if count == 1 else 'contacts'}")

    def _on_table_activated(self, _index: QModelIndex) -> None:
        # Enter on a client: straight to typing its new contact.
        self.contact_name_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_selected(self, client: ClientSummary | None) -> None:
        self.contact_box.setEnabled(client is not None)
        self.place_box.setEnabled(client is not None)
        if client is not None:
            self.place.show_place(client.country, client.region, client.time_zone)
            for field, value in ((self.edit_name_field, client.name), (self.edit_manager_field, client.account_manager),
                                 (self.edit_manager_email_field, client.account_manager_email),
                                 (self.edit_phone_field, client.phone), (self.edit_notes_field, client.notes),
                                 (self.edit_domains_field, ", ".join(client.email_domains))):
                field.setText(value)
        self.contacts_model.set_rows([])
        if client is None:
            self.contact_box.setTitle("Add a contact (select a client first)")
            self.contacts_title.setText("Contacts — select a client")
            return
        self.contact_box.setTitle(f"Add a contact at {client.name}")
        self.contacts_title.setText(f"Contacts at {client.name} — loading…")
        self.client_selected.emit(client.id)

    # -- commands --------------------------------------------------------------------------
    def add_client(self) -> None:
        ui = self._ui
        client = NewClient(*(field.text() for field in self._new_client_fields))

        def clear_form(added: ClientSummary) -> None:
            for field in self._new_client_fields:
                field.clear()
            self.select_when_listed(added)

        self._command(
            lambda c: f"{c.name} added as a client.",
            lambda: ui.services.contacts.create_client(ui.member_id, client),
            {"client": self.client_name_field, "name": self.client_name_field,
             "account_manager_email": self.manager_email_field, "phone": self.client_phone_field},
            then=clear_form,
        )

    def save_place(self) -> None:
        """Store the selected client's details and its country, region and time zone."""
        client = self.selected_client()
        if client is None:
            return
        ui, place = self._ui, self.place
        values = {"name": self.edit_name_field.text(), "account_manager": self.edit_manager_field.text(),
                  "account_manager_email": self.edit_manager_email_field.text(),
                  "phone": self.edit_phone_field.text(), "notes": self.edit_notes_field.text(),
                  "email_domains": self.edit_domains_field.text().replace(";", ",").split(","),
                  "country": place.country_code(), "region": place.region_code(),
                  "time_zone": place.zone_name()}
        self._command(
            f"{values['name'].strip() or client.name} saved; the case header shows their local time and holidays.",
            lambda: ui.services.contact_editing.save_client(ui.member_id, client.id, **values),
            {"country": place.country, "region": place.region, "time_zone": place.time_zone,
             "client": self.edit_name_field, "account_manager_email": self.edit_manager_email_field,
             "phone": self.edit_phone_field, "notes": self.edit_notes_field,
             "email_domains": self.edit_domains_field},
        )

    def add_contact(self) -> None:
        client = self.selected_client()
        if client is None:
            return
        ui = self._ui
        name, email, phone = (field.text() for field in self._new_contact_fields)

        def clear_form(_added: ContactMatch) -> None:
            for field in self._new_contact_fields:
                field.clear()

        self._command(
            lambda c: f"{c.name} added as a contact at {c.client_name}.",
            lambda: ui.services.contacts.create_contact(ui.member_id, client.id, name, email=email, phone=phone),
            {"contact_name": self.contact_name_field, "name": self.contact_name_field,
             "email": self.contact_email_field, "phone": self.contact_phone_field},
            then=clear_form,
        )
