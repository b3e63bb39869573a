/**
 * The Calls page (issue 11): "Call back" presses the button of the call's own provider, which webConferencing.update()
 * built in the entry's hidden container (so the provider starts the call exactly as from a profile or a space). A
 * click that comes before the buttons are built waits for them.
 */
(function(document, webConferencing) {
  "use strict";

  function providerButton(entry, type) {
    return entry.querySelector(".call-back-target [data-provider=\"" + CSS.escape(type) + "\"]");
  }

  document.querySelectorAll(".call-entry .call-back[data-provider-type]").forEach(function(button) {
    button.addEventListener("click", function() {
      var entry = button.closest(".call-entry");
      var type = button.getAttribute("data-provider-type");
      var target = providerButton(entry, type);
      var ready = target ? Promise.resolve(target) : webConferencing.update().then(function() {
        return providerButton(entry, type);
      });
      ready.then(function(found) {
        if (found) {
          found.click();
        } else {
          webConferencing.noticeWarn(webConferencing.message("webconferencing.history.callBack"),
            webConferencing.message("webconferencing.history.cannotCallBack", [type]));
        }
      });
    });
  });
})(document, window.webConferencing);
