/**
 * Starts webConferencing on a page with what the server rendered into `<script type="application/json"
 * id="webconferencing-init">` ({user, context}). A data block, not inline script: the pages' Content-Security-Policy
 * runs only script files of this origin, so injected markup cannot run either.
 */
(function(window, document) {
  "use strict";

  var block = document.getElementById("webconferencing-init");
  if (!block) {
    return;
  }
  var setup = JSON.parse(block.textContent);
  window.webConferencing.init(setup.user, setup.context);
})(window, document);
