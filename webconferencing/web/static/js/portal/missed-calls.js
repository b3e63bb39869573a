/**
 * The top bar's missed-calls badge (every portal page, issue 11): the server renders the count since the user last
 * opened their Calls page; each `call_missed` on the user channel adds one, live, on every tab.
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
    badge.setAttribute("aria-label", count + (count === 1 ? " missed call" : " missed calls"));
    badge.hidden = count === 0;
  }
  webConferencing.onUserUpdate(user.id, function(update) {
    if (update && update.eventType === "call_missed") {
      show((parseInt(badge.getAttribute("data-count"), 10) || 0) + 1);
    }
  });
})(document, window.webConferencing);
