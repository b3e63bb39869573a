/** The top bar's status select (every portal page): the user's status saved through REST, the dot follows it. */
(function(document, webConferencing) {
  "use strict";

  var select = document.getElementById("user-status");
  var dot = document.querySelector(".topbar .status-dot");
  if (!select || !dot) {
    return;
  }
  select.addEventListener("change", function() {
    var status = select.value;
    webConferencing.rest("PUT", "/userstatus", { status: status }).then(function() {
      dot.className = "status-dot status-" + status;
    }, function(err) {
      webConferencing.getLog("webconferencing").prefix("portal").showError("Failed to set status " + status, err,
        webConferencing.message("webconferencing.status.notChanged"));
    });
  });
})(document, window.webConferencing);
