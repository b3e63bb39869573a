/**
 * The Calls page (issue 11): "Call back" presses the button of the call's own provider, which webConferencing.update()
 * built in the entry's hidden container (so the provider starts the call exactly as from a profile or a space).
 */
(function(document, webConferencing) {
  "use strict";

  document.querySelectorAll(".call-entry .call-back[data-provider-type]").forEach(function(button) {
    button.addEventListener("click", function() {
      var entry = button.closest(".call-entry");
      var type = button.getAttribute("data-provider-type");
      var target = entry && entry.querySelector(".call-back-target [data-provider=\"" + CSS.escape(type) + "\"]");
      if (target) {
        target.click();
      } else {
        webConferencing.noticeWarn("Call back", "This call cannot be placed again with " + type + " right now.");
      }
    });
  });
})(document, window.webConferencing);
