/**
 * WebRTC provider module for Web Conferencing: peer-to-peer video calls between browsers, 1:1 and small groups (a
 * mesh: every participant connects to every other one, up to the provider's maxParticipants).
 *
 * The call itself follows the template connector's flow (stable ids, getCall -> join or addCall, incoming calls on
 * the user channel with accept / decline, no ring in Do Not Disturb). The call runs in an overlay of the page that
 * joined it, so closing that page is leaving the call.
 *
 * This file is the provider (buttons, incoming calls, admin settings). The call is in js/webrtc/, loaded before it
 * (gatein-resources.xml) into window.webrtcConnector: call-state.js (the one state of a call), call-view.js (the
 * overlay), local-media.js (camera and microphone), peer.js and signalling.js (the connections and their messages)
 * and call.js (the lifecycle that ties them).
 *
 * Everything user-controlled (names, titles, ids, error texts) reaches the page as text, never as HTML.
 */
(function(webConferencing, webrtc) {
  "use strict";

  var TYPE = "webrtc";
  var log = webConferencing.getLog(TYPE);
  var message = webConferencing.message; // texts: WEB-INF/classes/locale/webrtc/WebRTC_<lang>.properties

  /** An element with a class and a text (never HTML: names and titles are user-controlled). */
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

  // ******** The provider ********

  function WebRTCProvider() {
    var self = this;
    var settings = null;
    var calls = {}; // callId -> Call running in this tab
    var placing = {}; // callId -> true while this tab places it (finding or adding it): no incoming dialog then

    this.configure = function(theSettings) {
      settings = theSettings;
    };

    this.settings = function() {
      return settings || {};
    };

    this.getType = function() {
      return TYPE;
    };

    this.getSupportedTypes = function() {
      return settings && settings.supportedTypes ? settings.supportedTypes : [TYPE];
    };

    this.getTitle = function() {
      return settings && settings.title ? settings.title : "WebRTC";
    };

    function me() {
      return webConferencing.getUser().id;
    }

    function maxParticipants() {
      return settings && settings.maxParticipants ? settings.maxParticipants : 4;
    }

    /** The most people in one call (every one sends its video to every other one): the server refuses more. */
    this.maxParticipants = maxParticipants;

    /** The call running in this tab, for its id (tests and other scripts may look). */
    this.getCall = function(callId) {
      return calls[callId] || null;
    };

    this.callEnded = function(call) {
      if (calls[call.id] === call) {
        delete calls[call.id];
      }
    };

    /** Open the call in this page (or give the one already running): `info` is the server's call, `title` what the
     * overlay shows (the other party for 1:1 calls, the space or room for groups). */
    function openCall(info, title) {
      var call = calls[info.id];
      if (call && !call.isEnded()) {
        return call;
      }
      call = new webrtc.Call(self, Object.assign({}, info, { title: title }), log);
      calls[info.id] = call;
      call.start();
      return call;
    }

    function placeCall(context, target, ids) {
      var callId = webConferencing.callId(context, target, ids);
      if (placing[callId] || (calls[callId] && !calls[callId].isEnded())) {
        return; // already placing it, or in it here
      }
      placing[callId] = true;
      webConferencing.findOrAddCall(callId, {
        owner: context.isGroup ? target.id : me(),
        ownerType: target.type,
        provider: self.getType(),
        title: target.title,
        participants: ids.join(";")
      }).then(function(call) {
        delete placing[callId];
        openCall(call, context.isGroup ? call.title : target.title);
      }).catch(function(err) {
        delete placing[callId];
        log.showError("Failed to start call: " + callId, err, message("webrtc.call.failed"));
      });
    }

    this.callButton = function(context) {
      if (!settings || !context || !context.currentUser) {
        return Promise.reject("Not configured or empty context");
      }
      if (!webConferencing.imAccount(context.currentUser, TYPE)) {
        return Promise.reject("Not a WebRTC user: " + context.currentUser.id);
      }
      return context.details().then(function(target) {
        var ids = webConferencing.callParticipants(context, target, TYPE);
        if (ids.length < 2) {
          throw "No WebRTC users found for " + target.id;
        }
        var button = el("button", "webrtc-call-button");
        button.type = "button";
        button.title = target.title;
        var icon = el("span", "webrtc-icon");
        icon.setAttribute("aria-hidden", "true");
        button.appendChild(icon);
        button.appendChild(el("span", "callTitle", message("webrtc.button.call")));
        if (ids.length > maxParticipants()) {
          // More WebRTC members than a call holds: the call still starts (as in Nextcloud Talk, where a team
          // rarely all joins), everyone is invited and the server lets the first ones in. The button says so.
          button.title = webConferencing.message("webrtc.button.limit", [maxParticipants(), ids.length]);
          button.setAttribute("data-limit", String(maxParticipants()));
          button.appendChild(el("span", "webrtc-call-limit",
            webConferencing.message("webrtc.button.limitNote", maxParticipants())));
        }
        button.addEventListener("click", function(event) {
          event.preventDefault();
          placeCall(context, target, ids);
        });
        return button;
      });
    };

    // ******** Incoming calls ********

    /** The other party's display name in a 1:1 call (null in a group call): the ended overlay names them. */
    function otherName(call) {
      var others = Object.keys(call.names).filter(function(id) {
        return id !== me();
      });
      return call.isGroup || others.length !== 1 ? null : call.names[others[0]];
    }

    /**
     * Whether the server's call (null: gone) is over for this user while this tab still runs it: stopped, removed
     * (a 1:1 call the other side left), or, once this tab had joined, no longer joined.
     */
    function overOnServer(call, info) {
      if (!info || info.state !== "started") {
        return true;
      }
      var part = (info.participants || []).filter(function(p) {
        return p.id === me();
      })[0];
      return call.state.isInCall() && (!part || part.state !== "joined");
    }

    /**
     * Back from a server restart, the `stopped` event of a call running here may be lost (the other side hung up
     * through the new process while this tab was away): a call over on the server ends here as on that event (the
     * overlay says so), and the calls being placed that ended meanwhile are forgotten (forgetEndedCalls), or a new
     * ring of the same call id would be taken for this tab's own (no dialog). Registered before incomingCalls, so
     * these reads are answered before the core's look at the calls that ring now.
     */
    webConferencing.forgetEndedCalls(placing, log);
    webConferencing.onStateRefresh(function() {
      Object.keys(calls).forEach(function(callId) {
        var call = calls[callId];
        if (call.isEnded()) {
          delete calls[callId];
          return;
        }
        webConferencing.findCall(callId).then(function(info) { // null: the call is gone
          if (calls[callId] !== call || call.isEnded() || !overOnServer(call, info)) {
            return;
          }
          // a 1:1 call this tab was in is gone because the other side left; otherwise it just ended
          var reason = !call.isGroup && call.wasConnected ? "hung_up" : "ended";
          call.stopped(reason, webConferencing.callEndedText(reason, otherName(call)));
        }, function(err) {
          log.warn("Call not read after a reconnection: " + callId, err);
        });
      });
    });

    /** The core's incoming-call dialog; accepting opens the call in this page. */
    var incomingCalls = webConferencing.incomingCalls({
      prefix: TYPE,
      title: message("webrtc.incoming.title"),
      callerText: function(call, isGroup, caller) {
        if (!isGroup) {
          return message("webrtc.incoming.caller", [call.owner.title]);
        }
        return caller ? message("webrtc.incoming.groupCaller", [caller.title, call.title])
          : message("webrtc.incoming.group", [call.title]);
      },
      noticeTitle: message("webrtc.incoming.title"),
      ringFrequency: 520,
      busy: function(callId) {
        return Boolean(placing[callId] || (calls[callId] && !calls[callId].isEnded())); // placing it, or in it here
      },
      onAccept: function(call, isGroup) {
        openCall(call, isGroup ? call.title : call.owner.title);
      },
      // a group call with maxParticipants in it rings nobody else: its dialog says it is full, until a place frees
      capacity: function() {
        return maxParticipants();
      },
      fullText: function(joined, max) {
        return message("webrtc.incoming.full", [joined, max]);
      },
      log: log
    });

    function onUserUpdate(update) {
      if (update.providerType !== self.getType()) {
        return;
      }
      var callId = update.callId;
      var call = calls[callId];
      if (update.eventType === "call_state") {
        if (update.callState === "started") {
          incomingCalls.incoming(callId, update); // the event names the caller
        } else if (update.callState === "stopped") {
          incomingCalls.stopRinging(callId);
          if (call && call.names) {
            call.stopped(update.reason, webConferencing.callEndedText(update.reason, otherName(call)));
          }
        }
      } else if (update.eventType === "call_joined") {
        if (update.part && update.part.id === me() && !call) {
          incomingCalls.stopRinging(callId); // answered in another tab
        } else if (update.part && update.part.id !== me()) {
          incomingCalls.participantsChanged(callId); // its last place may be taken now
        }
      } else if (update.eventType === "call_leaved") {
        if (call && update.part && update.part.id !== me()) {
          call.userLeft(update.part.id);
        }
        if (update.part && update.part.id !== me()) {
          incomingCalls.participantsChanged(callId); // a place may be free again
        }
      }
    }

    this.init = function() {
      return new Promise(function(resolve, reject) {
        webConferencing.onUserUpdate(me(), onUserUpdate, function(err) {
          log.error("Failed to listen on user updates", err);
          reject(err);
        }, resolve);
      });
    };

    // Closing or leaving the page hangs up its calls (each Call listens to pagehide): the others see a bye at once.

    // ******** Admin settings ********

    /** The settings form, built element by element (its error line shows server text). */
    function settingsForm() {
      var form = el("form", "settingsForm");
      var title = el("h2", null, message("webrtc.settings.title"));
      title.id = "webrtc-settings-title";
      form.appendChild(title);
      var servers = el("label", null, message("webrtc.settings.iceServers"));
      var textarea = el("textarea");
      textarea.name = "iceServers";
      textarea.rows = 4;
      servers.appendChild(textarea);
      var size = el("label", null, message("webrtc.settings.maxParticipants"));
      var number = el("input");
      number.type = "number";
      number.name = "maxParticipants";
      number.min = "2";
      number.max = "8";
      size.appendChild(number);
      var error = el("p", "webrtc-settings-error");
      error.setAttribute("role", "alert");
      error.hidden = true;
      var actions = el("div", "webrtc-settings-actions");
      var save = el("button", "btn btn-primary", message("webrtc.settings.save"));
      save.type = "submit";
      var cancel = el("button", "btn cancel", message("webrtc.settings.cancel"));
      cancel.type = "button";
      actions.appendChild(save);
      actions.appendChild(cancel);
      [servers, size, error, actions].forEach(function(part) {
        form.appendChild(part);
      });
      return form;
    }

    /** STUN/TURN servers and the group size, saved through the core's provider configuration REST. */
    this.showSettings = function() {
      var path = "/provider/" + TYPE + "/configuration";
      return webConferencing.rest("GET", path).then(function(config) {
        var popup = document.getElementById("webrtc-settings-popup");
        if (popup) {
          popup.remove();
        }
        popup = el("div", "webrtc-settings-popup");
        popup.id = "webrtc-settings-popup";
        popup.setAttribute("role", "dialog");
        popup.setAttribute("aria-modal", "true");
        popup.setAttribute("aria-labelledby", "webrtc-settings-title");
        var form = settingsForm();
        popup.appendChild(form);
        var servers = config.iceServers || [];
        form.elements.iceServers.value = servers.length ? JSON.stringify(servers) : "";
        form.elements.maxParticipants.value = config.maxParticipants || 4;
        // the server's last answer goes once the admin edits the form, or the browser's own check refuses it: an old
        // error must not stay under a new message (issue 11)
        ["input", "invalid"].forEach(function(type) {
          form.addEventListener(type, function() {
            form.querySelector(".webrtc-settings-error").hidden = true;
          }, true);
        });
        form.addEventListener("submit", function(event) {
          event.preventDefault();
          var error = form.querySelector(".webrtc-settings-error");
          error.hidden = true;
          webConferencing.rest("POST", path, {
            iceServers: form.elements.iceServers.value,
            maxParticipants: form.elements.maxParticipants.value
          }).then(function(saved) {
            if (settings) {
              settings.iceServers = saved.iceServers;
              settings.maxParticipants = saved.maxParticipants;
            }
            close();
            webConferencing.noticeInfo(self.getTitle(), message("webrtc.settings.saved"));
          }, function(err) {
            error.textContent = webConferencing.errorText(err);
            error.hidden = false;
          });
        });
        form.querySelector(".cancel").addEventListener("click", close);
        document.body.appendChild(popup);
        var trap = webConferencing.modal(popup, { focus: form.elements.iceServers, onEscape: close });
        function close() {
          trap.release();
          popup.remove();
        }
      }).catch(function(err) {
        log.showError("Failed to read settings", err, message("webrtc.settings.title"));
      });
    };
  }

  webConferencing.addProvider(new WebRTCProvider());
  webConferencing.update();
})(window.webConferencing, window.webrtcConnector);
