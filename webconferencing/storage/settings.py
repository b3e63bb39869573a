"""Admin-edited provider settings (activation, log switch, provider-specific values) as name/value text."""
from __future__ import annotations

from .models import ProviderSettingRecord


class ProviderSettingsDAO:
    def load(self, provider_type: str) -> dict[str, str]:
        rows = (ProviderSettingRecord.select(ProviderSettingRecord.name, ProviderSettingRecord.value)
                .where(ProviderSettingRecord.provider_type == provider_type).tuples())
        return dict(rows)

    def save(self, provider_type: str, settings: dict[str, str]) -> None:
        if not settings:
            return
        (ProviderSettingRecord.insert_many([(provider_type, k, v) for k, v in settings.items()],
                                           fields=[ProviderSettingRecord.provider_type, ProviderSettingRecord.name,
                                                   ProviderSettingRecord.value])
         .on_conflict(conflict_target=[ProviderSettingRecord.provider_type, ProviderSettingRecord.name],
                      preserve=[ProviderSettingRecord.value]).execute())
