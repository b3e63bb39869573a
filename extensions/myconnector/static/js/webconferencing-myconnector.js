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
  var RINGING_STATUSES = ["available", "away"]; // "donotdisturb" (and offline) users are not rung
  var log = webConferencing.getLog(TYPE);

  /** A ring tone made by the browser (no media file): two short beeps a second, while the dialog shows. */
  function Ringtone() {
    var audio = null;
    var timer = null;

    function beep() {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.frequency.value = 440;
      gain.gain.value = 0.08;
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + 0.25);
    }

    this.start = function() {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context || timer) {
        return;
      }
      try {
        audio = new Context();
        beep();
        timer = setInterval(beep, 1000);
      } catch (e) {
        log.debug("Ring tone unavailable", e);
      }
    };

    this.stop = function() {
      if (timer) {
        clearInterval(timer);
        timer = null;
      }
      if (audio) {
        audio.close().catch(function() {});
        audio = null;
      }
    };
  }

  function MyProvider() {
    var self = this;
    var settings = null;
    var placing = {}; // callId -> true: calls this tab placed or accepted (no incoming dialog for them)
    var ringing = {}; // callId -> {dialog, ringtone, notice}

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

    /** Users of the target that can take a My Connector call (current user first), as the template's `ims`. */
    function participantsOf(context, target) {
      var ids = [me()];
      if (context.isGroup) {
        var members = target.members || {};
        Object.keys(members).forEach(function(id) {
          if (id !== me() && webConferencing.imAccount(members[id], TYPE)) {
            ids.push(id);
          }
        });
      } else if (target.id !== me() && webConferencing.imAccount(target, TYPE)) {
        ids.push(target.id);
      }
      return ids;
    }

    function callIdOf(context, target, ids) {
      if (context.isGroup) {
        return "g/" + (context.isRoom ? context.roomName : target.id);
      }
      // Sorted, so both parties compute the same id whoever calls
      var sorted = ids.slice();
      sorted.sort();
      return "p/" + sorted.join("-");
    }

    /** getCall: a running call is joined (by its window); a missing one is added first. */
    function placeCall(context, target, ids) {
      var callId = callIdOf(context, target, ids);
      var popup = openCallWindow(callId);
      placing[callId] = true;
      return webConferencing.getCall(callId).then(function(call) {
        log.info("Joining call: " + callId);
        return call;
      }, function(err) {
        if (err && err.code === "NOT_FOUND_ERROR") {
          var callInfo = {
            owner: context.isGroup ? target.id : me(),
            ownerType: target.type,
            provider: self.getType(),
            title: target.title,
            participants: ids.join(";")
          };
          return webConferencing.addCall(callId, callInfo).then(function(call) {
            log.info("Call created: " + callId);
            return call;
          });
        }
        throw err;
      }).then(function() {
        showCall(popup, callId);
      }).catch(function(err) {
        delete placing[callId];
        if (popup && !popup.closed) {
          popup.close();
        }
        log.showError("Failed to start call: " + callId, err, "Call failed");
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
        var ids = participantsOf(context, target);
        if (ids.length < 2) {
          throw "No " + self.getTitle() + " users found for " + target.id;
        }
        var button = document.createElement("a");
        button.href = "javascript:void(0)";
        button.className = "myConnectorAction";
        button.title = target.title;
        button.innerHTML = "<i class='uiIconMyConnector'></i><span class='callTitle'></span>";
        button.querySelector(".callTitle").textContent = self.getTitle();
        button.addEventListener("click", function(event) {
          event.preventDefault();
          placeCall(context, target, ids);
        });
        return button;
      });
    };

    // ******** Incoming calls ********

    function stopRinging(callId) {
      var ring = ringing[callId];
      if (ring) {
        delete ringing[callId];
        ring.ringtone.stop();
        if (ring.notice) {
          ring.notice.remove();
        }
        ring.dialog.remove();
      }
    }

    function accept(callId) {
      stopRinging(callId);
      placing[callId] = true;
      // The window joins the call (updateUserCall "joined" from its own tab)
      webConferencing.showCallPopup(callUrl(callId), windowName(callId));
    }

    function decline(callId) {
      stopRinging(callId);
      var done;
      if (callId.indexOf("g/") === 0) {
        done = webConferencing.updateUserCall(callId, "leaved");
      } else {
        done = webConferencing.deleteCall(callId).then(function() {
          log.info("Deleted call: " + callId);
        });
      }
      done.catch(function(err) {
        if (err && err.code === "NOT_FOUND_ERROR") {
          log.debug("Call already gone: " + callId);
        } else {
          log.error("Failed to decline call: " + callId, err);
        }
      });
    }

    function showIncoming(call, ring) {
      var callId = call.id;
      var dialog = document.createElement("div");
      dialog.className = "myconnector-incoming";
      dialog.setAttribute("role", "dialog");
      dialog.setAttribute("aria-labelledby", "myconnector-incoming-" + windowName(callId));
      dialog.setAttribute("data-call-id", callId);
      dialog.setAttribute("data-ring", ring ? "true" : "false");
      dialog.innerHTML = "<div class='myconnector-incoming-title'></div>"
        + "<div class='myconnector-incoming-caller'></div>"
        + "<div class='myconnector-incoming-actions'>"
        + "<button type='button' class='btn btn-primary accept'>Accept</button>"
        + "<button type='button' class='btn decline'>Decline</button></div>";
      var title = dialog.querySelector(".myconnector-incoming-title");
      title.id = "myconnector-incoming-" + windowName(callId);
      title.textContent = "Incoming " + self.getTitle() + " call";
      var isGroup = callId.indexOf("g/") === 0;
      dialog.querySelector(".myconnector-incoming-caller").textContent = isGroup
        ? "Call in " + call.title : call.owner.title + " is calling you...";
      dialog.querySelector(".accept").addEventListener("click", function() {
        accept(callId);
      });
      dialog.querySelector(".decline").addEventListener("click", function() {
        decline(callId);
      });
      document.body.appendChild(dialog);
      var entry = { dialog: dialog, ringtone: new Ringtone(), notice: null };
      ringing[callId] = entry;
      if (ring) {
        entry.ringtone.start();
        entry.notice = webConferencing.noticeInfo("Incoming call", dialog.querySelector(".myconnector-incoming-caller")
          .textContent);
      }
    }

    function incoming(callId) {
      if (placing[callId] || ringing[callId]) {
        return; // this tab placed or already answered it, or it already rings
      }
      log.info("Incoming call: " + callId);
      webConferencing.getCall(callId).then(function(call) {
        if (call.state !== "started" || (call.ownerType === "user" && call.owner.id === me())) {
          return; // our own 1:1 call, placed from another tab
        }
        var mine = (call.participants || []).filter(function(part) {
          return part.id === me();
        })[0];
        if (mine && mine.state === "joined") {
          return; // already in it from another tab
        }
        return webConferencing.getUserStatus(me()).then(function(status) {
          if (!placing[callId] && !ringing[callId]) {
            showIncoming(call, RINGING_STATUSES.indexOf(status.status) >= 0);
          }
        });
      }).catch(function(err) {
        log.error("Failed to get incoming call: " + callId, err);
      });
    }

    function onUserUpdate(update) {
      if (update.providerType !== self.getType()) {
        return; // this connector cares only about its own calls
      }
      var callId = update.callId;
      if (update.eventType === "call_state") {
        if (update.callState === "started") {
          incoming(callId);
        } else if (update.callState === "stopped") {
          log.info("Call stopped: " + callId);
          stopRinging(callId);
          delete placing[callId];
        }
      } else if (update.eventType === "call_joined") {
        if (update.part && update.part.id === me()) {
          stopRinging(callId); // answered in another tab
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
          throw new Error("Settings form not available (HTTP " + response.status + ")");
        }
        return response.text();
      }).then(function(html) {
        popup.innerHTML = html;
        var form = popup.querySelector(".settingsForm");
        var error = popup.querySelector(".myconnector-settings-error");
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
            popup.hidden = true;
            webConferencing.noticeInfo(self.getTitle(), "Settings saved");
          }, function(err) {
            error.textContent = webConferencing.errorText(err);
            error.hidden = false;
          });
        });
        popup.querySelector(".myconnector-settings-cancel").addEventListener("click", function() {
          popup.hidden = true;
        });
        popup.hidden = false;
        form.elements.clientId.focus();
      }).catch(function(err) {
        log.showError("Failed to load settings", err, self.getTitle() + " settings");
      });
    };
  }

  webConferencing.addProvider(new MyProvider());
  webConferencing.update();
})(window.webConferencing);
