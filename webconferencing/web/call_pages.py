"""The call page and the invite link ``/portal/call/<callId>?invite=<id>`` (issue 12).

Who sees what at that address:

* a party of the call (participant, member of its space or room): the call with its invites panel (the link with copy
  and revoke buttons, the invited users and spaces, the guests in);
* a signed-in user the link invites: made a participant (:meth:`accept_invite`: their pages ring), then as a party;
* a visitor without an account, with the link: a form asking their name (``POST /portal/guest/<callId>``), which
  admits them as a guest and opens their guest session; then the guest call page, where the call's connector runs
  for them (it must support guests);
* anyone else: the sign-in page (anonymous) or "not found" (signed in; a call's existence is not revealed).
"""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from webconferencing.errors import (AccessDenied, CallFull, CallNotFound, CallStateError, InvalidCallArgument,
                                    WebConferencingError)
from webconferencing.invites import MAX_GUEST_NAME_LENGTH, GuestInfo, check_display_name, check_invitation_id
from webconferencing.limits import MAX_ID_LENGTH, check_text

from .auth import check_login_origin
from .context import web_context
from .guest_sessions import current_guest, start_guest_session
from .pages import CORE_SCRIPTS, current_user, page_resources, providers_config, render_portal

bp = Blueprint("call_pages", __name__)

CALL_PAGE_SCRIPT = "js/webconferencing/call-page.js"


def _call_id(call_id: str) -> str:
    try:
        return check_text(call_id, "callId", MAX_ID_LENGTH)
    except WebConferencingError:
        abort(404)


@bp.get("/portal/call/<path:call_id>")
def call_page(call_id: str):
    call_id = _call_id(call_id)
    invite_id = request.args.get("invite") or None
    guest = current_guest()
    if guest is not None and guest.call_id == call_id:
        return _guest_call_page(guest)
    user = current_user()
    if user is None:
        if invite_id is not None:
            return render_template("portal/guest_join.html", call_id=call_id, invite_id=invite_id, error=None,
                                   display_name="")
        return redirect(url_for("auth.login_page", next=request.full_path.rstrip("?")), code=303)
    service = web_context().service
    if not service.can_access_call(user.id, call_id):
        if invite_id is None:
            raise CallNotFound(f"call '{call_id}' not found")
        service.accept_invite(call_id, user.id, check_invitation_id(invite_id))
    call = service.get_call(call_id)
    me = call.get_participant(user.id)
    return render_portal("portal/call_invites.html", user, call=call, section="spaces" if call.is_group else "people",
                         guests_supported=_guests_supported(call.provider_type),
                         provider_title=_provider_title(call.provider_type),
                         may_join=call.state == "started" and not (me is not None and me.state == "joined"))


@bp.post("/portal/guest/<path:call_id>")
def join_as_guest(call_id: str):
    """The guest form: a name and the link's id; admitted, the visitor gets a guest session for this call only."""
    call_id = _call_id(call_id)
    invite_id = request.form.get("inviteId", "")
    display_name = request.form.get("displayName", "")
    try:
        check_login_origin(browser_form=True)
    except AccessDenied as exc:
        message = _("Refused: the form was sent from another site. Open the invite link again.")
        return _guest_form(call_id, invite_id, display_name, message), exc.status
    try:
        guest, _call = web_context().service.add_guest(call_id, check_invitation_id(invite_id),
                                                       check_display_name(display_name))
    except WebConferencingError as exc:
        return _guest_form(call_id, invite_id, display_name, guest_join_error(exc)), exc.status
    start_guest_session(guest)
    return redirect(url_for("call_pages.call_page", call_id=call_id), code=303)


def _guest_form(call_id: str, invite_id: str, display_name: str, error: str) -> str:
    return render_template("portal/guest_join.html", call_id=call_id, invite_id=invite_id, error=error,
                           display_name=display_name[:MAX_GUEST_NAME_LENGTH])


def guest_join_error(exc: WebConferencingError) -> str:
    """What the guest form says about a refusal, in the page's language (JSON answers keep the English message)."""
    if isinstance(exc, CallNotFound):
        return _("This invite link is not valid any more.")
    if isinstance(exc, CallStateError):
        return _("This call is not running: guests join running calls only.")
    if isinstance(exc, CallFull):
        return _("This call admits no more guests.")
    if isinstance(exc, InvalidCallArgument) and exc.field == "displayName":
        return _("Say who you are: the name the others will see, on one line, of at most %(max)d characters.",
                 max=MAX_GUEST_NAME_LENGTH)
    if isinstance(exc, AccessDenied):
        return _("This link does not let guests in. Sign in, or ask for another link.")
    return _("This invite link cannot be used.")


def _provider_title(provider_type: str) -> str:
    """The provider's name a person reads ("WebRTC"), its type id when it is no longer installed."""
    try:
        return web_context().service.get_provider(provider_type).get_title()
    except WebConferencingError:
        return provider_type


def _guests_supported(provider_type: str) -> bool:
    try:
        return web_context().service.get_provider(provider_type).supports_guests()
    except WebConferencingError:
        return False


def _guest_call_page(guest: GuestInfo):
    """The call's connector, initialised for the guest: only that provider's modules, no portal chrome."""
    service = web_context().service
    call = service.get_call(guest.call_id)
    user = guest.as_user().to_json()
    providers = [p for p in providers_config() if p["type"] == call.provider_type]
    context = {"currentUserId": guest.id, "currentUser": user, "spaceId": None, "roomId": None, "roomTitle": None,
               "isAdmin": False, "providersConfig": providers, "csrfToken": session.get("csrf"), "isGuest": True,
               "callId": call.id, "callTitle": call.title, "providerType": call.provider_type}
    active = {p.get_type(): p.get_type() == call.provider_type for p in service.get_providers()}
    resources = page_resources()
    return render_template("portal/guest_call.html", guest=guest, call=call, wc_core_scripts=CORE_SCRIPTS,
                           wc_user=user, wc_context=context,
                           wc_scripts=[m.url for m in resources.scripts(active)] + [url_for("static",
                                                                                            filename=CALL_PAGE_SCRIPT)],
                           wc_styles=[s.url for s in resources.skins()])
