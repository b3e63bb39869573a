/**
 * The admin page: each provider row's switches (active, remote log) saved through REST, and a settings button for
 * the providers whose connector module offers showSettings() (connector modules load before this file).
 */
(function(document, webConferencing) {
  "use strict";

  var log = webConferencing.getLog("webconferencing").prefix("admin");

  function post(path, body, input) {
    input.disabled = true;
    return webConferencing.rest("POST", path, body).then(function(saved) {
      input.disabled = false;
      return saved;
    }, function(err) {
      input.disabled = false;
      input.checked = !input.checked;
      log.showError("Failed to save " + path, err, webConferencing.message("webconferencing.admin.notSaved"));
    });
  }

  document.querySelectorAll("tr[data-provider]").forEach(function(row) {
    var type = row.getAttribute("data-provider");
    var base = "/provider/" + encodeURIComponent(type);
    var active = row.querySelector(".provider-active");
    active.addEventListener("change", function() {
      post(base + "/configuration", { active: active.checked }, active).then(function(saved) {
        if (saved) {
          row.classList.toggle("inactive", !saved.active);
        }
      });
    });
    row.classList.toggle("inactive", !active.checked);
    var logSwitch = row.querySelector(".provider-log");
    logSwitch.addEventListener("change", function() {
      post(base + "/log", { enabled: logSwitch.checked }, logSwitch);
    });
    var provider = webConferencing.findProvider(type);
    var settings = row.querySelector(".provider-settings");
    if (provider && typeof provider.showSettings === "function") {
      settings.hidden = false;
      settings.addEventListener("click", function() {
        provider.showSettings();
      });
    }
  });
})(document, window.webConferencing);
