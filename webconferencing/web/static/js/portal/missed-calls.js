/**
 * The top bar's missed-calls badge (every portal page, issue 11): the server renders the count since the user last
 * opened their Calls page; each missed call on the user channel adds one, live, on every tab (the same calls the
 * server counts: see webconferencing/calls/history.py). After a reconnection that missed events it is read again.
 */
(function(document, webConferencing) {
  "use strict";

  var badge = document.querySelector(".topbar .missed-badge");
  var user = webConferencing && webConferencing.getUser && webConferencing.getUser();
  if (!badge || !user) {
    return;
  }
  function show(count) {
    badge.setAttribute("data-count", String(count));
    badge.textContent = String(count);
    badge.setAttribute("aria-label", webConferencing.message(
      count === 1 ? "webconferencing.missed.one" : "webconferencing.missed.many", [count]));
    badge.hidden = count === 0;
  }
  /** A missed call: rung until the timeout (`call_missed`), or a 1:1 call its caller (the owner) gave up. */
  function missed(update) {
    if (!update) {
      return false;
    }
    if (update.eventType === "call_missed") {
      return true;
    }
    return update.eventType === "call_state" && update.callState === "stopped" && update.reason === "cancelled"
      && !!update.owner && update.owner.type === "user" && update.owner.id !== user.id;
  }
  /**
   * After a reconnection that missed events (a restarted server) the server's count replaces ours. A missed call
   * arriving while it is asked may or may not be in the answer: then it is asked again rather than added.
   */
  var reloading = false;
  var missedWhileReloading = false;
  function reload() {
    reloading = true;
    missedWhileReloading = false;
    webConferencing.rest("GET", "/history/missed").then(function(answer) {
      reloading = false;
      show(answer.count);
      if (missedWhileReloading) {
        reload();
      }
    }, function(err) {
      reloading = false;
      webConferencing.getLog("webconferencing").warn("Cannot reload the missed calls' count", err);
    });
  }
  webConferencing.onUserUpdate(user.id, function(update) {
    if (!missed(update)) {
      return;
    }
    if (reloading) {
      missedWhileReloading = true;
    } else {
      show((parseInt(badge.getAttribute("data-count"), 10) || 0) + 1);
    }
  });
  webConferencing.onStateRefresh(reload);
})(document, window.webConferencing);
