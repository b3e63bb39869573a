/**
 * The invites panel of a call page (issue 12, templates/portal/call_invites.html): the invite link with copy and
 * revoke buttons, "everyone with the link", the invited users and spaces (each with a remove button) and the guests.
 * Everything shown comes from the server as data and reaches the page as text (textContent), never as HTML.
 */
(function(window, document, webConferencing) {
  "use strict";

  var panel = document.getElementById("call-invites");
  if (!panel || !webConferencing) {
    return;
  }
  var callId = panel.getAttribute("data-call-id");
  var path = encodeURI(callId);
  var linkInput = panel.querySelector(".invite-link");
  var notice = panel.querySelector(".invite-notice");
  var error = panel.querySelector(".invite-error");
  var everyoneBox = panel.querySelector(".invite-everyone-box");
  var list = panel.querySelector(".invite-list");
  var guests = panel.querySelector(".guest-list");
  var who = panel.querySelector(".invite-who");
  var suggestions = panel.querySelector("#invite-suggestions");
  var current = null; // the last invitation the server sent
  var message = webConferencing.message;

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

  function showError(err) {
    error.textContent = webConferencing.errorText(err);
    error.hidden = false;
  }

  function say(text) {
    error.hidden = true;
    notice.textContent = text;
  }

  function others(invites, except) {
    return invites.filter(function(invite) {
      return !(invite.id === except.id && invite.type === except.type);
    });
  }

  function render(invitation) {
    current = invitation;
    panel.setAttribute("data-invitation-id", invitation.invitationId);
    linkInput.value = window.location.origin + invitation.link;
    everyoneBox.checked = invitation.invites.some(function(invite) {
      return invite.id === "*";
    });
    list.textContent = "";
    invitation.invites.filter(function(invite) {
      return invite.id !== "*";
    }).forEach(function(invite) {
      var item = el("li", "invite-item");
      item.setAttribute("data-invite", invite.type + ":" + invite.id);
      item.appendChild(el("span", "invite-name", invite.id));
      item.appendChild(el("span", "tag",
        message(invite.type === "group" ? "webconferencing.invites.space" : "webconferencing.invites.user")));
      var remove = el("button", "btn link invite-remove", message("webconferencing.invites.remove"));
      remove.type = "button";
      remove.addEventListener("click", function() {
        save(others(current.invites, invite), message("webconferencing.invites.removed"));
      });
      item.appendChild(remove);
      list.appendChild(item);
    });
    if (!list.children.length) {
      list.appendChild(el("li", "muted", message("webconferencing.invites.nobody")));
    }
    guests.textContent = "";
    invitation.guests.forEach(function(guest) {
      var item = el("li", "guest-item", guest.title);
      item.setAttribute("data-guest-id", guest.id);
      guests.appendChild(item);
    });
    if (!guests.children.length) {
      guests.appendChild(el("li", "muted", message("webconferencing.invites.noGuests")));
    }
  }

  function save(invites, done) {
    return webConferencing.rest("PUT", "/invites/" + path, { invites: invites }).then(function(answer) {
      render(answer.invitation);
      say(done);
    }, showError);
  }

  function load() {
    return webConferencing.rest("GET", "/invites/" + path).then(render, showError);
  }

  panel.querySelector(".invite-copy").addEventListener("click", function() {
    var text = linkInput.value;
    var copied = navigator.clipboard && window.isSecureContext ? navigator.clipboard.writeText(text)
      : Promise.reject(new Error("no clipboard"));
    copied.catch(function() {
      linkInput.select();
      return document.execCommand("copy") ? null : Promise.reject(new Error("copy refused"));
    }).then(function() {
      say(message("webconferencing.invites.copied"));
    }, function() {
      say(message("webconferencing.invites.copyByHand"));
    });
  });

  panel.querySelector(".invite-revoke").addEventListener("click", function() {
    webConferencing.rest("POST", "/revokeinvite/" + path).then(function(invitation) {
      render(invitation);
      say(message("webconferencing.invites.revoked"));
    }, showError);
  });

  everyoneBox.addEventListener("change", function() {
    var rest = others(current.invites, { id: "*", type: "group" });
    save(everyoneBox.checked ? rest.concat([{ id: "*", type: "group" }]) : rest,
      message(everyoneBox.checked ? "webconferencing.invites.everyone" : "webconferencing.invites.onlyInvited"));
  });

  var lookup = null;
  who.addEventListener("input", function() {
    var text = who.value.trim();
    window.clearTimeout(lookup);
    if (text.length < 2) {
      return;
    }
    lookup = window.setTimeout(function() {
      webConferencing.rest("GET", "/orgidentities?name=" + encodeURIComponent(text)).then(function(found) {
        suggestions.textContent = "";
        found.forEach(function(identity) {
          var option = el("option");
          option.value = identity.id;
          option.label = identity.type === "group" ? message("webconferencing.invites.spaceOption", [identity.title])
            : identity.title;
          option.setAttribute("data-type", identity.type);
          suggestions.appendChild(option);
        });
      }, function() {
        suggestions.textContent = "";
      });
    }, 200);
  });

  panel.querySelector(".invite-add").addEventListener("submit", function(event) {
    event.preventDefault();
    var id = who.value.trim();
    if (!id || !current) {
      return;
    }
    var option = Array.prototype.find.call(suggestions.children, function(node) {
      return node.value === id;
    });
    var type = option ? option.getAttribute("data-type") : "user";
    save(others(current.invites, { id: id, type: type }).concat([{ id: id, type: type }]), message("webconferencing.invites.invited")).then(function() {
      who.value = "";
    });
  });

  load();
})(window, document, window.webConferencing);
