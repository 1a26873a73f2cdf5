"""Country, region and time zone choosers for clients abroad and holiday arrangements."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from desktop_helpdesk.domain.abroad import country_choices, region_choices, time_zone_choices

WHOLE_COUNTRY = "Whole country"


def _searchable(combo: QComboBox) -> None:
    # Typing "ger" finds Germany: 250 countries and 500 zones are too many to scroll.
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = combo.completer()
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)


class PlaceFields:
    """A country combo whose choice fills the region combo, and (optionally) a zone combo.

    Args:
        parent: the widgets' parent.
        prefix: object-name prefix (e.g. "client" gives "clientCountryField").
        with_time_zone: also build the time zone combo.
    """

    def __init__(self, parent: QWidget, prefix: str, *, with_time_zone: bool = True) -> None:
        self.country = QComboBox(parent)
        self.region = QComboBox(parent)
        self.time_zone = QComboBox(parent) if with_time_zone else None
        for name, combo in (("Country", self.country), ("Region", self.region), ("TimeZone", self.time_zone)):
            if combo is not None:
                combo.setObjectName(f"{prefix}{name}Field")
                combo.setAccessibleName(f"{prefix}{name}Field")
        self.country.addItem("Not set", "")
        for code, name in country_choices():
            self.country.addItem(f"{name} ({code})", code)
        _searchable(self.country)
        if self.time_zone is not None:
            self.time_zone.addItem("", "")
            for zone in time_zone_choices():
                self.time_zone.addItem(zone, zone)
            _searchable(self.time_zone)
        self.country.currentIndexChanged.connect(self._on_country_changed)
        self._on_country_changed()

    def _on_country_changed(self, *_args) -> None:
        self.region.clear()
        self.region.addItem(WHOLE_COUNTRY, "")
        for code in region_choices(self.country_code()):
            self.region.addItem(code, code)

    def country_code(self) -> str:
        index = self.country.findText(self.country.currentText())
        return self.country.itemData(index) if index >= 0 else self.country.currentText().strip()

    def region_code(self) -> str:
        return self.region.currentData() or ""

    def zone_name(self) -> str:
        return self.time_zone.currentText().strip() if self.time_zone is not None else ""

    def show_place(self, country: str, region: str = "", time_zone: str = "") -> None:
        self.country.setCurrentIndex(max(0, self.country.findData(country)))
        self.region.setCurrentIndex(max(0, self.region.findData(region)))
        if self.time_zone is not None:
            index = self.time_zone.findData(time_zone)
            self.time_zone.setCurrentIndex(max(0, index))
