"""What a space's page needs of its video-conference settings (issue 12): whether its call button shows, its
providers and external links (for space-settings.js), and whether the viewer may change them (the panel)."""
from __future__ import annotations

from webconferencing.errors import CallNotFound
from webconferencing.info import SpaceInfo, UserInfo

from .context import web_context


def space_settings_view(user: UserInfo, space: SpaceInfo) -> dict | None:
    """None for a viewer who may not read them (not a member, not an administrator)."""
    if not space.is_member(user.id) and not user.is_admin:
        return None
    service = web_context().service
    try:
        has_call = space.is_member(user.id) and service.get_call(space.call_id) is not None
    except CallNotFound:
        has_call = False
    return {
        "callId": space.call_id,
        "hasCall": has_call,  # the call page (invite link) is worth a link once the space's call exists
        "spaceId": space.id,
        "videoConferenceEnabled": service.is_video_conference_enabled(space.id, user.id),
        "providers": [p.to_json() for p in service.get_active_providers_for_space(space.id, user.id)],
        "canManage": service.space_settings.can_manage(user.id, space.id),
    }
