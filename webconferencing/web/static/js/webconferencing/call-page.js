/**
 * A guest's call page (issue 12, templates/portal/guest_call.html): opens the call through its connector, for the
 * guest. The connector must support guests and expose its call (WebRTC: window.webrtcConnector.Call, the same call a
 * member's page runs). When the guest is taken out of the call (the link was revoked, or the call stopped) the call
 * ends here and the page says why.
 */
(function(window, document, webConferencing) {
  "use strict";

  var section = document.getElementById("guest-call");
  if (!section || !webConferencing) {
    return;
  }
  var callId = section.getAttribute("data-call-id");
  var providerType = section.getAttribute("data-provider");
  var status = section.querySelector(".guest-status");
  var log = webConferencing.getLog("guest");

  function say(text, state) {
    status.textContent = text;
    section.setAttribute("data-state", state);
  }

  function open(provider, info) {
    var connector = window.webrtcConnector;
    if (providerType !== "webrtc" || !connector || !connector.Call) {
      throw new Error("The " + providerType + " connector does not take guests");
    }
    var call = new connector.Call(provider, info, log);
    section.guestCall = call; // tests and the page's own handlers look
    call.start();
    say("In the call", "joined");
    return call;
  }

  function follow(call) {
    var me = webConferencing.getUser().id;
    webConferencing.onUserUpdate(me, function(update) {
      if (update.callId !== callId) {
        return;
      }
      if (update.eventType === "call_leaved" && update.part && update.part.id === me) {
        call.hangup("You are no longer in the call");
        say("You are no longer in this call: the invite link was revoked.", "revoked");
      } else if (update.eventType === "call_state" && update.callState === "stopped") {
        call.hangup("Call ended");
        say("The call has ended.", "ended");
      } else if (update.eventType === "call_leaved" && update.part) {
        call.userLeft(update.part.id);
      }
    }, function(err) {
      log.error("Cannot follow the call", err);
    });
  }

  webConferencing.getProvider(providerType).then(function(provider) {
    return webConferencing.getCall(callId).then(function(info) {
      follow(open(provider, info));
    });
  }).catch(function(err) {
    say("Cannot join the call: " + webConferencing.errorText(err), "failed");
  });
})(window, document, window.webConferencing);
