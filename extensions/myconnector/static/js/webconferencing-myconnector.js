/**
 * My Connector provider module for Web Conferencing: the original template connector's flow on the webConferencing
 * API. It adds a call button where the current user and at least one other party have a My Connector IM
 * account, places calls with stable ids (p/<sorted ids> for 1:1, g/<space or room> for groups), rings the callee
 * through the user channel (accept / decline; no ring for users in Do Not Disturb), opens the call window of
 * /myconnector/call/<id> and offers its settings form on the admin page.
 *
 * The call window, not this page, joins the call: the tab that hosts the call is the one whose closing leaves it.
 */
(function(webConferencing) {
  "use strict";

  var TYPE = "myconnector";
  var log = webConferencing.getLog(TYPE);
  var message = webConferencing.message; // texts: WEB-INF/classes/locale/myconnector/MyConnector_<lang>.properties

  function MyProvider() {
    var self = this;
    var settings = null;
    var placing = {}; // callId -> true: calls this tab placed or accepted (no incoming dialog for them)

    /** Called by the core with the server's settings (MyConnectorProvider.get_settings()). */
    this.configure = function(theSettings) {
      settings = theSettings;
    };

    this.getType = function() {
      return TYPE;
    };

    this.getSupportedTypes = function() {
      return settings && settings.supportedTypes ? settings.supportedTypes : [TYPE];
    };

    this.getTitle = function() {
      return settings && settings.title ? settings.title : "My Connector";
    };

    function me() {
      return webConferencing.getUser().id;
    }

    function callUrl(callId) {
      return webConferencing.getBaseUrl() + (settings.callUrl || "/" + TYPE + "/call") + "/" + callId;
    }

    function windowName(callId) {
      return TYPE + "-" + callId.replace(/[^A-Za-z0-9_]/g, "_");
    }

    /**
     * Open the call window now, in the click (so no popup blocker stops it), and point it at the call page once the
     * call exists. A failed call closes it again.
     */
    function openCallWindow(callId) {
      return webConferencing.showCallPopup("", windowName(callId));
    }

    function showCall(popup, callId) {
      if (popup && !popup.closed) {
        popup.location.href = callUrl(callId);
      } else {
        popup = webConferencing.showCallPopup(callUrl(callId), windowName(callId));
      }
      return popup;
    }

    /**
     * findOrAddCall: a call of this provider is joined (by its window); none, or a stopped one of another provider,
     * is added first.
     */
    function placeCall(context, target, ids) {
      var callId = webConferencing.callId(context, target, ids);
      var popup = openCallWindow(callId);
      placing[callId] = true;
      return webConferencing.findOrAddCall(callId, {
        owner: context.isGroup ? target.id : me(),
        ownerType: target.type,
        provider: self.getType(),
        title: target.title,
        participants: ids.join(";")
      }).then(function(call) {
        log.info("Placing call: " + call.id + " (" + call.state + ")");
      }).then(function() {
        showCall(popup, callId);
      }).catch(function(err) {
        delete placing[callId];
        if (popup && !popup.closed) {
          popup.close();
        }
        log.showError("Failed to start call: " + callId, err, message("myconnector.call.failed"));
      });
    }

    this.callButton = function(context) {
      if (!settings || !context || !context.currentUser) {
        return Promise.reject("Not configured or empty context");
      }
      if (!webConferencing.imAccount(context.currentUser, TYPE)) {
        return Promise.reject("Not My Connector user " + context.currentUser.id);
      }
      return context.details().then(function(target) {
        var ids = webConferencing.callParticipants(context, target, TYPE); // the template's `ims`
        if (ids.length < 2) {
          throw "No " + self.getTitle() + " users found for " + target.id;
        }
        var button = document.createElement("a");
        button.href = "javascript:void(0)";
        button.className = "myConnectorAction";
        button.title = target.title;
        var icon = document.createElement("i");
        icon.className = "uiIconMyConnector";
        var label = document.createElement("span");
        label.className = "callTitle";
        // an action, not the product's name (issue 11)
        label.textContent = message("myconnector.button.callWith", [self.getTitle()]);
        button.appendChild(icon);
        button.appendChild(label);
        button.addEventListener("click", function(event) {
          event.preventDefault();
          placeCall(context, target, ids);
        });
        return button;
      });
    };

    // ******** Incoming calls ********

    // Back from a server restart, the calls this tab placed or accepted that ended meanwhile are forgotten (their
    // `stopped` events may be lost), before incomingCalls looks at what rings now.
    webConferencing.forgetEndedCalls(placing, log);

    /** The core's incoming-call dialog; accepting opens the call window, which joins the call. */
    var incomingCalls = webConferencing.incomingCalls({
      prefix: TYPE,
      title: function() {
        // the title comes with the settings, after this runs
        return message("myconnector.incoming.title", [self.getTitle()]);
      },
      callerText: function(call, isGroup, caller) {
        if (!isGroup) {
          return message("myconnector.incoming.caller", [call.owner.title]);
        }
        return caller ? message("myconnector.incoming.groupCaller", [caller.title, call.title])
          : message("myconnector.incoming.group", [call.title]);
      },
      noticeTitle: message("myconnector.incoming.notice"),
      ringFrequency: 440,
      busy: function(callId) {
        return placing[callId]; // this tab placed or accepted it
      },
      onAccept: function(call) {
        placing[call.id] = true;
        webConferencing.showCallPopup(callUrl(call.id), windowName(call.id));
      },
      log: log
    });

    function onUserUpdate(update) {
      if (update.providerType !== self.getType()) {
        return; // this connector cares only about its own calls
      }
      var callId = update.callId;
      if (update.eventType === "call_state") {
        if (update.callState === "started") {
          incomingCalls.incoming(callId, update);
        } else if (update.callState === "stopped") {
          log.info("Call stopped: " + callId);
          incomingCalls.stopRinging(callId);
          delete placing[callId];
        }
      } else if (update.eventType === "call_joined") {
        if (update.part && update.part.id === me()) {
          incomingCalls.stopRinging(callId); // answered in another tab
        }
      } else if (update.eventType === "call_leaved") {
        log.debug("User call leaved: " + callId);
      }
    }

    /** Incoming calls for portal pages only: a call window does not ring for other calls. */
    this.init = function() {
      if (document.body && document.body.classList.contains("call-page")) {
        return Promise.resolve();
      }
      return new Promise(function(resolve, reject) {
        webConferencing.onUserUpdate(me(), onUserUpdate, function(err) {
          log.error("Failed to listen on user updates", err);
          reject(err);
        }, resolve);
      });
    };

    // ******** Admin settings ********

    /** The settings form of /myconnector/settings in a popup; saved through the core's provider configuration REST. */
    this.showSettings = function() {
      var popup = document.getElementById("myconnector-settings-popup");
      if (!popup) {
        popup = document.createElement("div");
        popup.id = "myconnector-settings-popup";
        popup.className = "myconnector-settings-popup";
        document.body.appendChild(popup);
      }
      popup.hidden = true;
      var url = (settings && settings.settingsUrl) || "/" + TYPE + "/settings";
      return fetch(webConferencing.getBaseUrl() + url, { credentials: "same-origin" }).then(function(response) {
        if (!response.ok) {
          throw webConferencing.userError(message("myconnector.settings.unavailable", [response.status]));
        }
        return response.text();
      }).then(function(html) {
        // The form is this connector's own server template (values escaped by Jinja). It is parsed into an inert
        // document (nothing in it loads or runs) and only its form element is moved into the page.
        var parsed = new DOMParser().parseFromString(html, "text/html").querySelector(".myconnector-settings");
        if (!parsed) {
          throw webConferencing.userError(message("myconnector.settings.notFound", [url]));
        }
        popup.replaceChildren(document.adoptNode(parsed));
        var form = popup.querySelector(".settingsForm");
        var error = popup.querySelector(".myconnector-settings-error");
        var trap = null;
        function close() {
          popup.hidden = true;
          if (trap) {
            trap.release();
            trap = null;
          }
        }
        // the server's last answer goes once the admin edits the form, or the browser's own check refuses it: an old
        // error must not stay under a new message (issue 11)
        ["input", "invalid"].forEach(function(type) {
          form.addEventListener(type, function() {
            error.hidden = true;
          }, true);
        });
        form.addEventListener("submit", function(event) {
          event.preventDefault();
          error.hidden = true;
          var changes = {
            clientId: form.elements.clientId.value.trim(),
            apiKey: form.elements.apiKey.value.trim()
          };
          webConferencing.rest("POST", "/provider/" + TYPE + "/configuration", changes).then(function(saved) {
            if (settings) {
              settings.clientId = saved.clientId;
            }
            close();
            webConferencing.noticeInfo(self.getTitle(), message("myconnector.settings.saved"));
          }, function(err) {
            error.textContent = webConferencing.errorText(err);
            error.hidden = false;
          });
        });
        popup.querySelector(".myconnector-settings-cancel").addEventListener("click", close);
        popup.hidden = false;
        var heading = popup.querySelector("h2");
        if (heading) {
          heading.id = "myconnector-settings-title";
          popup.setAttribute("aria-labelledby", heading.id);
        }
        trap = webConferencing.modal(popup, { focus: form.elements.clientId, onEscape: close });
      }).catch(function(err) {
        log.showError("Failed to load settings", err, message("myconnector.settings.title", [self.getTitle()]));
      });
    };
  }

  webConferencing.addProvider(new MyProvider());
  webConferencing.update();
})(window.webConferencing);
