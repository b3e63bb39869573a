/**
 * The top bar's missed-calls badge (every portal page, issue 11): the server renders the count since the user last
 * opened their Calls page; each missed call on the user channel adds one, live, on every tab (the same calls the
 * server counts: see webconferencing/calls/history.py).
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
  webConferencing.onUserUpdate(user.id, function(update) {
    if (missed(update)) {
      show((parseInt(badge.getAttribute("data-count"), 10) || 0) + 1);
    }
  });
})(document, window.webConferencing);
