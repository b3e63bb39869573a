/**
 * webConferencing, the space and room pages' banner: "WebRTC call in progress" with a Join button, whatever
 * provider's button a member would press. A group call of a space or room is one call whichever connector placed it
 * (`g/<space or room>`), so a member must see which one runs and join it with that provider, instead of pressing
 * another provider's button and being told it conflicts. Kept up to date from the user channel (call_state), and
 * read again after a reconnection that missed events (onStateRefresh).
 * Text only through textContent.
 */
(function(window, document) {
  "use strict";

  var BANNER_CLASS = "call-in-progress";

  function groupCallId(context) {
    if (!context) {
      return null;
    }
    if (context.spaceId) {
      return "g/" + context.spaceId;
    }
    return context.roomId ? "g/" + context.roomId : null;
  }

  function providerTitle(api, type) {
    var provider = api.findProvider(type);
    return provider && provider.getTitle ? provider.getTitle() : type;
  }

  /** The page's own call action of that provider (in the space's or room's call button), or null. */
  function joinAction(type) {
    return document.querySelector(".webconferencing-call-action[data-provider=\"" + CSS.escape(type) + "\"]");
  }

  function banner(anchor) {
    var existing = document.querySelector("." + BANNER_CLASS);
    if (existing) {
      return existing;
    }
    var element = document.createElement("p");
    element.className = BANNER_CLASS;
    element.setAttribute("role", "status");
    element.hidden = true;
    var text = document.createElement("span");
    text.className = BANNER_CLASS + "-text";
    var join = document.createElement("button");
    join.type = "button";
    join.className = "btn " + BANNER_CLASS + "-join";
    join.textContent = window.webConferencing.message("webconferencing.inProgress.join");
    element.appendChild(text);
    element.appendChild(join);
    anchor.parentNode.insertBefore(element, anchor.nextSibling);
    return element;
  }

  function start(api) {
    var callId = groupCallId(api.getContext());
    var anchor = document.querySelector(".group .profile-head");
    if (!callId || !anchor) {
      return;
    }
    var element = banner(anchor);
    var text = element.querySelector("." + BANNER_CLASS + "-text");
    var join = element.querySelector("." + BANNER_CLASS + "-join");
    var running = null;

    function show(call) {
      running = call && call.state === "started" ? call : null;
      element.hidden = !running;
      if (!running) {
        return;
      }
      text.textContent = api.message("webconferencing.inProgress.text", [providerTitle(api, running.providerType)]) + " ";
      element.setAttribute("data-provider", running.providerType);
    }

    function refresh() {
      // null: no call (or none this user may see), an answer and not an error (a newcomer's devtools stay quiet)
      api.findCall(callId).then(show, function() {
        show(null);
      });
    }

    join.addEventListener("click", function() {
      if (!running) {
        return;
      }
      var action = joinAction(running.providerType); // asked now: the call buttons are built after the providers
      if (action) {
        action.click(); // that provider's own flow, in this click: it finds the running call and joins it
      } else {
        var title = providerTitle(api, running.providerType);
        api.noticeInfo(title, api.message("webconferencing.inProgress.noButton", [title]));
      }
    });
    api.onUserUpdate(api.getUser().id, function(update) {
      if (update.callId === callId && update.eventType === "call_state") {
        refresh();
      }
    });
    api.onStateRefresh(refresh); // back from a server restart: the call may have started or stopped meanwhile
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function() {
    var api = window.webConferencing;
    if (!api || !api.getUser()) {
      return;
    }
    api.whenConnected().then(function() {
      start(api);
    });
  });
})(window, document);
