/**
 * A space's video-conference settings on its page (issue 12, templates/portal/space.html):
 *
 * - the space's external meeting links join its call button as "Join the <name> meeting" (a button source of the
 *   core module); a link whose URL is not an absolute http(s) URL is left out, so a bad one never breaks the page;
 * - with video conferencing off, the space's call button is hidden;
 * - every change made anywhere reaches this page on the user's channel (eventType "space_settings"), without reload;
 * - for the space's managers (and administrators), the settings panel: the on/off switch, the links, a form to add
 *   one. Everything shown is set as text (textContent), never as HTML.
 */
(function(window, document, webConferencing) {
  "use strict";

  var block = document.getElementById("space-settings-data");
  if (!block || !webConferencing) {
    return;
  }
  var settings = JSON.parse(block.textContent);
  var message = webConferencing.message;
  var spaceId = settings.spaceId;
  var panel = document.getElementById("space-settings");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  /** The URL if it is an absolute http(s) one, else null (the server checks too; this page trusts nothing). */
  function safeUrl(text) {
    try {
      var url = new URL(text);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (err) {
      return null;
    }
  }

  function externalLinks() {
    return (settings.providers || []).filter(function(provider) {
      return !provider.integratedConnector && safeUrl(provider.url);
    });
  }

  function linkButton(provider) {
    var link = el("a", "space-meeting-link", message("webconferencing.space.joinMeeting", [provider.name]));
    link.href = safeUrl(provider.url);
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.setAttribute("data-connector-id", provider.connectorId);
    return { type: "link:" + provider.connectorId, element: link };
  }

  webConferencing.addButtonSource(function(target) {
    if (!target.isSpace || target.spaceId !== spaceId) {
      return [];
    }
    return externalLinks().map(linkButton);
  });

  function showButtons() {
    document.querySelectorAll(".webconferencing-call[data-space-id]").forEach(function(container) {
      if (container.getAttribute("data-space-id") === spaceId) {
        container.hidden = !settings.videoConferenceEnabled;
      }
    });
    document.querySelectorAll(".space-vc-off").forEach(function(note) {
      note.hidden = !!settings.videoConferenceEnabled;
    });
  }

  // ---- the managers' panel ----

  function showError(err) {
    var error = panel.querySelector(".space-settings-error");
    error.textContent = webConferencing.errorText(err);
    error.hidden = false;
  }

  function renderPanel() {
    if (!panel) {
      return;
    }
    panel.querySelector(".space-settings-error").hidden = true;
    panel.querySelector(".space-vc-enabled").checked = !!settings.videoConferenceEnabled;
    var list = panel.querySelector(".space-links");
    list.textContent = "";
    (settings.providers || []).filter(function(provider) {
      return !provider.integratedConnector;
    }).forEach(function(provider) {
      var item = el("li", "space-link");
      item.setAttribute("data-connector-id", provider.connectorId);
      item.appendChild(el("span", "space-link-name", provider.name));
      item.appendChild(el("span", "space-link-url muted small", provider.url));
      var remove = el("button", "btn link space-link-remove", message("webconferencing.space.remove"));
      remove.type = "button";
      remove.addEventListener("click", function() {
        var query = "?spaceId=" + encodeURIComponent(spaceId) + "&connectorId=" + encodeURIComponent(provider.connectorId);
        webConferencing.rest("DELETE", "/provider" + query).catch(showError);
      });
      item.appendChild(remove);
      list.appendChild(item);
    });
    if (!list.children.length) {
      list.appendChild(el("li", "muted", message("webconferencing.space.noLinks")));
    }
  }

  function connectorId(name) {
    var slug = name.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);
    return slug || "link";
  }

  if (panel) {
    panel.querySelector(".space-vc-enabled").addEventListener("change", function(event) {
      var query = "?spaceId=" + encodeURIComponent(spaceId) + "&enabled=" + (event.target.checked ? "true" : "false");
      webConferencing.rest("POST", "/updateVideoConferenceEnabled" + query).catch(function(err) {
        event.target.checked = !event.target.checked;
        showError(err);
      });
    });
    panel.querySelector(".space-link-add").addEventListener("submit", function(event) {
      event.preventDefault();
      var form = event.target;
      var name = form.elements.name.value.trim();
      var body = { connectorId: connectorId(name), name: name, url: form.elements.url.value.trim(),
        integratedConnector: false };
      webConferencing.rest("POST", "/provider?spaceId=" + encodeURIComponent(spaceId), body).then(function() {
        form.reset();
      }, showError);
    });
  }

  function apply(update) {
    settings.videoConferenceEnabled = update.videoConferenceEnabled;
    settings.providers = update.providers;
    showButtons();
    renderPanel();
    webConferencing.refreshButtons();
  }

  showButtons();
  renderPanel();
  var me = webConferencing.getUser();
  if (me) {
    webConferencing.onUserUpdate(me.id, function(update) {
      if (update && update.eventType === "space_settings" && update.spaceId === spaceId) {
        apply(update);
      } else if (update && update.eventType === "call_state" && update.callId === settings.callId) {
        document.querySelectorAll(".space-call-page").forEach(function(link) {
          link.hidden = false; // the space's call exists now: its page has the invite link
        });
      }
    }, function(err) {
      webConferencing.getLog("webconferencing").warn("Space settings will not update live", err);
    });
  }
})(window, document, window.webConferencing);
