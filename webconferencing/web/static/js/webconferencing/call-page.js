/**
 * Joining a call from its page (issue 12): a guest's call page joins at once (templates/portal/guest_call.html,
 * `#guest-call`); a party's call page (templates/portal/call_invites.html, `#call-join`) offers a "Join the call"
 * button, e.g. to a user who just accepted an invite link and was rung nowhere else.
 *
 * The call runs through its connector, which must expose its call object (WebRTC: window.webrtcConnector.Call, the
 * same call a member's page runs). When the viewer is taken out of the call (the invite link was revoked) or the call
 * stops, it ends here and the page says why, as text.
 */
(function(window, document, webConferencing) {
  "use strict";

  if (!webConferencing) {
    return;
  }
  var log = webConferencing.getLog("callpage");
  var message = webConferencing.message;

  /** The connectors whose call this page can run. */
  function callClass(providerType) {
    var connector = window.webrtcConnector;
    return providerType === "webrtc" && connector && connector.Call ? connector.Call : null;
  }

  function follow(callId, call, say) {
    var me = webConferencing.getUser().id;
    webConferencing.onUserUpdate(me, function(update) {
      if (update.callId !== callId) {
        return;
      }
      if (update.eventType === "call_leaved" && update.part && update.part.id === me) {
        if (!call.isEnded()) {
          call.hangup(message("webconferencing.callPage.removed"));
          say(message("webconferencing.callPage.revoked"), "revoked");
        }
      } else if (update.eventType === "call_state" && update.callState === "stopped") {
        call.hangup(message("webconferencing.ended"));
        say(message("webconferencing.callPage.ended"), "ended");
      } else if (update.eventType === "call_leaved" && update.part) {
        call.userLeft(update.part.id);
      }
    }, function(err) {
      log.error("Cannot follow the call", err);
    });
  }

  /** Open the call here; resolves with it once started (the section keeps it as `callPageCall` for tests). */
  function join(section, say) {
    var callId = section.getAttribute("data-call-id");
    var providerType = section.getAttribute("data-provider");
    var Call = callClass(providerType);
    if (!Call) {
      return Promise.reject(webConferencing.userError(message("webconferencing.callPage.unsupported", [providerType])));
    }
    return webConferencing.getProvider(providerType).then(function(provider) {
      return webConferencing.getCall(callId).then(function(info) {
        var call = new Call(provider, info, log);
        section.callPageCall = call;
        call.start();
        say(message("webconferencing.callPage.joined"), "joined");
        follow(callId, call, say);
        return call;
      });
    });
  }

  function sayer(section) {
    var status = section.querySelector(".call-page-status");
    return function(text, state) {
      status.textContent = text;
      section.setAttribute("data-state", state);
    };
  }

  var guest = document.getElementById("guest-call");
  if (guest) {
    var sayGuest = sayer(guest);
    join(guest, sayGuest).catch(function(err) {
      sayGuest(message("webconferencing.callPage.failed", [webConferencing.errorText(err)]), "failed");
    });
  }

  var party = document.getElementById("call-join");
  if (party && callClass(party.getAttribute("data-provider"))) {
    var sayParty = sayer(party);
    var button = party.querySelector(".call-join-button");
    party.hidden = false;
    button.addEventListener("click", function() {
      button.disabled = true;
      join(party, sayParty).catch(function(err) {
        button.disabled = false;
        sayParty(message("webconferencing.callPage.failed", [webConferencing.errorText(err)]), "failed");
      });
    });
  }
})(window, document, window.webConferencing);
