"""Per-space video-conference settings: whether a space allows calls at all, and its external meeting links.

Two tables (schema migration 5, :func:`create_space_settings_tables`): ``wc_space_setting`` holds the switch (no row
means the default, enabled), ``wc_space_link`` a space's external meeting links (a permanent Zoom, Teams or Jitsi
room) in the order they were added. The rules (who may change them, what a valid URL is) are
:mod:`webconferencing.spaces`'; this module only keeps rows. Every method runs inside the caller's transaction.
"""
from __future__ import annotations

from dataclasses import dataclass

from peewee import BooleanField, CharField, CompositeKey, IntegerField, fn

from .models import BaseModel


class SpaceSettingRecord(BaseModel):
    space_id = CharField(max_length=255, primary_key=True)
    video_conference_enabled = BooleanField(default=True)

    class Meta:
        table_name = "wc_space_setting"


class SpaceLinkRecord(BaseModel):
    space_id = CharField(max_length=255)
    connector_id = CharField(max_length=64)
    name = CharField(max_length=100)
    url = CharField(max_length=2048)
    position = IntegerField()

    class Meta:
        table_name = "wc_space_link"
        primary_key = CompositeKey("space_id", "connector_id")


SPACE_SETTINGS_MODELS = [SpaceSettingRecord, SpaceLinkRecord]


def create_space_settings_tables(db) -> None:
    db.create_tables(SPACE_SETTINGS_MODELS, safe=True)


@dataclass(frozen=True)
class StoredLink:
    connector_id: str
    name: str
    url: str


class SpaceSettingsDAO:
    def is_enabled(self, space_id: str) -> bool:
        row = SpaceSettingRecord.get_or_none(SpaceSettingRecord.space_id == space_id)
        return True if row is None else bool(row.video_conference_enabled)

    def set_enabled(self, space_id: str, enabled: bool) -> None:
        (SpaceSettingRecord.insert(space_id=space_id, video_conference_enabled=enabled)
         .on_conflict(conflict_target=[SpaceSettingRecord.space_id],
                      preserve=[SpaceSettingRecord.video_conference_enabled]).execute())

    def links(self, space_id: str) -> list[StoredLink]:
        rows = (SpaceLinkRecord.select().where(SpaceLinkRecord.space_id == space_id)
                .order_by(SpaceLinkRecord.position, SpaceLinkRecord.connector_id))
        return [StoredLink(r.connector_id, r.name, r.url) for r in rows]

    def save_link(self, space_id: str, link: StoredLink) -> None:
        """Add the link at the end, or change the name and URL of the one with this connector id in place."""
        updated = (SpaceLinkRecord.update(name=link.name, url=link.url)
                   .where((SpaceLinkRecord.space_id == space_id)
                          & (SpaceLinkRecord.connector_id == link.connector_id)).execute())
        if updated:
            return
        last = (SpaceLinkRecord.select(fn.MAX(SpaceLinkRecord.position))
                .where(SpaceLinkRecord.space_id == space_id).scalar())
        SpaceLinkRecord.insert(space_id=space_id, connector_id=link.connector_id, name=link.name, url=link.url,
                               position=(last or 0) + 1).execute()

    def remove_link(self, space_id: str, connector_id: str) -> bool:
        return bool(SpaceLinkRecord.delete().where((SpaceLinkRecord.space_id == space_id)
                                                   & (SpaceLinkRecord.connector_id == connector_id)).execute())
