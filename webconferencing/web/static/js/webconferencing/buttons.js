/**
 * webConferencing, part 8 of 10: call buttons. Every `.webconferencing-call` container on the page (see
 * templates/portal/_call_button.html) gets the active providers' buttons: one, or the first as the default action
 * and the others in a dropdown, as the original did.
 */
(function(window, document) {
  "use strict";

  var parts = window.__webConferencingParts;
  var util = parts.util;
  var session = parts.session;
  var rest = parts.rest.rest;
  var providers = parts.providers;
  var log = parts.log.getLog("webconferencing");
  var el = util.el;
  var message = parts.i18n.message;

  var BUTTON_SELECTOR = ".webconferencing-call";
  // Buttons that are no provider's, after the providers' ones (issue 12: a space's external meeting links, from
  // space-settings.js): each source(target) gives [{type, element}].
  var extraSources = [];

  function extraButtons(target) {
    return extraSources.reduce(function(all, source) {
      try {
        return all.concat(source(target) || []);
      } catch (err) {
        log.warn("A button source failed: " + util.errorText(err));
        return all;
      }
    }, []);
  }

  /** The call context of one button container, from its data attributes. */
  function buttonContext(container) {
    var data = container.dataset;
    var target = {
      currentUser: session.user(),
      isGroup: false,
      isUser: false,
      isSpace: false,
      isRoom: false
    };
    var detailsPromise = null;
    var loadDetails;
    if (data.userId) {
      target.userId = data.userId;
      target.isUser = true;
      loadDetails = function() {
        return rest("GET", "/user/" + encodeURIComponent(data.userId));
      };
    } else if (data.spaceId) {
      target.spaceId = data.spaceId;
      target.isSpace = true;
      target.isGroup = true;
      loadDetails = function() {
        return rest("GET", "/space/" + encodeURIComponent(data.spaceId));
      };
    } else if (data.roomId) {
      target.roomId = data.roomId;
      target.roomTitle = data.roomTitle || data.roomId;
      target.roomName = data.roomName || data.roomId;
      target.isRoom = true;
      target.isGroup = true;
      loadDetails = function() {
        var query = "?title=" + encodeURIComponent(target.roomTitle);
        if (data.roomMembers) {
          query += "&members=" + encodeURIComponent(data.roomMembers);
        }
        return rest("GET", "/room/" + encodeURIComponent(data.roomId) + query);
      };
    } else {
      return null;
    }
    // Every provider asks for the same target: fetch it once per container.
    target.details = function() {
      if (!detailsPromise) {
        detailsPromise = loadDetails();
        detailsPromise.catch(function() {
          detailsPromise = null; // let a later update() try again
        });
      }
      return detailsPromise;
    };
    return target;
  }

  function setOpen(container, open) {
    container.classList.toggle("open", open);
    container.classList.remove("menu-start");
    var menu = container.querySelector(".dropdown-menu");
    // the menu hangs from its button's right edge; under a button near the screen's left edge (a phone's profile)
    // that would cut its entries off: it hangs from the left edge then
    if (open && menu && menu.getBoundingClientRect().left < 0) {
      container.classList.add("menu-start");
    }
    var toggle = container.querySelector(".dropdown-toggle");
    if (toggle) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
  }

  function closeMenus(except) {
    document.querySelectorAll(".webconferencing-call.open").forEach(function(node) {
      if (node !== except) {
        setOpen(node, false);
      }
    });
  }

  // Escape closes an open call-options menu and gives the focus back to its toggle
  document.addEventListener("keydown", function(event) {
    if (event.key !== "Escape") {
      return;
    }
    document.querySelectorAll(".webconferencing-call.open").forEach(function(node) {
      setOpen(node, false);
      var toggle = node.querySelector(".dropdown-toggle");
      if (toggle && node.contains(document.activeElement)) {
        toggle.focus();
      }
    });
  });

  document.addEventListener("click", function(event) {
    if (!event.target.closest || !event.target.closest(".webconferencing-call .dropdown-toggle")) {
      closeMenus(null);
    }
  });

  function renderButtons(container, buttons) {
    container.textContent = "";
    container.classList.remove("single", "multiple", "open");
    if (buttons.length === 0) {
      container.classList.add("empty");
      return;
    }
    container.classList.remove("empty");
    var first = buttons[0];
    first.element.classList.add("btn", "webconferencing-call-action");
    first.element.setAttribute("data-provider", first.type);
    container.appendChild(first.element);
    if (buttons.length === 1) {
      container.classList.add("single");
      return;
    }
    container.classList.add("multiple");
    var toggle = el("button", "btn dropdown-toggle");
    toggle.type = "button";
    toggle.setAttribute("aria-haspopup", "true");
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-label", message("webconferencing.button.moreOptions"));
    toggle.appendChild(el("span", "caret"));
    var menu = el("ul", "dropdown-menu");
    buttons.slice(1).forEach(function(button) {
      var item = el("li");
      button.element.setAttribute("data-provider", button.type);
      button.element.classList.add("webconferencing-call-action");
      item.appendChild(button.element);
      menu.appendChild(item);
    });
    toggle.addEventListener("click", function(event) {
      event.preventDefault();
      closeMenus(container);
      setOpen(container, !container.classList.contains("open"));
    });
    menu.addEventListener("click", function() {
      setOpen(container, false);
    });
    container.appendChild(toggle);
    container.appendChild(menu);
  }

  /**
   * Ask every initialized provider for its button in this container. A container is rebuilt only when the set of
   * providers changed since its last build; a generation counter drops answers of builds that were overtaken.
   */
  function buildButton(container) {
    var target = buttonContext(container);
    if (!target) {
      return Promise.resolve();
    }
    var candidates = providers.all().filter(providers.isActive);
    var key = candidates.map(function(p) {
      return p.getType();
    }).join(",");
    if (container.getAttribute("data-providers") === key && container.hasAttribute("data-built")) {
      return Promise.resolve();
    }
    container.setAttribute("data-providers", key);
    var generation = (parseInt(container.getAttribute("data-generation") || "0", 10) + 1).toString();
    container.setAttribute("data-generation", generation);
    container.removeAttribute("data-built");
    var answers = candidates.map(function(provider) {
      return providers.initProvider(provider).then(function() {
        return Promise.resolve(provider.callButton(target));
      }).then(function(button) {
        var element = util.toElement(button);
        if (!element && button) {
          log.warn("Button of " + provider.getType() + " ignored: callButton() must give an element, not markup");
        }
        return element ? { type: provider.getType(), element: element } : null;
      }, function(err) {
        log.trace("No " + provider.getType() + " button: " + util.errorText(err));
        return null;
      });
    });
    return Promise.all(answers).then(function(results) {
      if (container.getAttribute("data-generation") !== generation) {
        return;
      }
      renderButtons(container, results.filter(Boolean).concat(extraButtons(target)));
      container.setAttribute("data-built", "true");
    });
  }

  /** Put call buttons on the page: every `.webconferencing-call` container gets the active providers' buttons. */
  function update() {
    if (!session.user()) {
      return Promise.resolve();
    }
    return new Promise(function(resolve) {
      util.onDocumentReady(function() {
        var containers = Array.prototype.slice.call(document.querySelectorAll(BUTTON_SELECTOR));
        Promise.all(containers.map(buildButton)).then(resolve, resolve);
      });
    });
  }

  /** Add a source of extra buttons (see extraSources); `refresh()` rebuilds every container with them. */
  function addButtonSource(source) {
    extraSources.push(source);
  }

  function refresh() {
    document.querySelectorAll(BUTTON_SELECTOR).forEach(function(container) {
      container.removeAttribute("data-built");
    });
    return update();
  }

  parts.buttons = { update: update, addButtonSource: addButtonSource, refresh: refresh };
})(window, document);
