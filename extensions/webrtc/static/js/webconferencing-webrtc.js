/**
 * WebRTC provider module for Web Conferencing: peer-to-peer video calls between browsers, 1:1 and small groups (a
 * mesh: every participant connects to every other one, up to the provider's maxParticipants).
 *
 * The call itself follows the template connector's flow (stable ids, getCall -> join or addCall, incoming calls on
 * the user channel with accept / decline, no ring in Do Not Disturb). The call runs in an overlay of the page that
 * joined it, so closing that page is leaving the call.
 *
 * Signalling goes over the call channel (webConferencing.toCallUpdate / onCallUpdate); the server relays each message
 * to the other tabs subscribed to the call and stamps it with the sender's client id, which is the peer id here:
 *   {type: "hello"}                      a tab entered the call (everyone already in answers)
 *   {type: "welcome", to}               "I am here too", to a tab that said hello
 *   {type: "offer" | "answer", to, sdp}
 *   {type: "candidate", to, candidate}
 *   {type: "bye"}                       a tab hangs up or closes
 * Who offers is deterministic: of two peers, the one with the smaller client id. So both sides never offer at once
 * (no glare), whatever the order in which hello and welcome cross.
 */
(function(webConferencing) {
  "use strict";

  var TYPE = "webrtc";
  var log = webConferencing.getLog(TYPE);

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  // ******** Local media ********

  /** Camera and microphone, with fallbacks: both, then video only, then audio only, then nothing (receive only). */
  function openMedia(constraints) {
    var attempts = constraints ? [constraints] : [
      { audio: true, video: true }, { video: true }, { audio: true }
    ];
    var tryNext = function(index) {
      if (index >= attempts.length) {
        return Promise.resolve(new MediaStream());
      }
      return navigator.mediaDevices.getUserMedia(attempts[index]).catch(function(err) {
        log.warn("Media not available: " + JSON.stringify(attempts[index]), err);
        return tryNext(index + 1);
      });
    };
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return Promise.resolve(new MediaStream());
    }
    return tryNext(0);
  }

  // ******** One peer connection ********

  function Peer(call, peerId, userId) {
    var self = this;
    var pending = []; // ICE candidates that came before the remote description
    var offered = false;
    this.id = peerId;
    this.userId = userId;
    this.pc = new RTCPeerConnection({ iceServers: call.iceServers() });

    var tile = el("figure", "webrtc-peer");
    tile.setAttribute("data-peer-id", peerId);
    tile.setAttribute("data-user-id", userId || "");
    tile.setAttribute("data-connection-state", "new");
    var video = el("video", "webrtc-remote-video");
    video.autoplay = true;
    video.playsInline = true;
    video.muted = true; // sound plays in the audio element: muted video always autoplays
    var audio = el("audio", "webrtc-remote-audio");
    audio.autoplay = true;
    var caption = el("figcaption", "webrtc-peer-name", userId || "");
    tile.appendChild(video);
    tile.appendChild(audio);
    tile.appendChild(caption);
    this.tile = tile;
    this.video = video;

    call.localTracks().forEach(function(track) {
      self.pc.addTrack(track, call.localStream());
    });

    this.pc.ontrack = function(event) {
      var stream = event.streams && event.streams[0] ? event.streams[0] : new MediaStream([event.track]);
      if (event.track.kind === "video") {
        video.srcObject = stream;
        video.play().catch(function() {});
      } else {
        audio.srcObject = stream;
        audio.play().catch(function(err) {
          log.debug("Remote audio does not autoplay here", err);
        });
      }
    };
    this.pc.onicecandidate = function(event) {
      if (event.candidate) {
        call.send({ type: "candidate", to: peerId, candidate: event.candidate.toJSON() });
      }
    };
    this.pc.onconnectionstatechange = function() {
      var state = self.pc.connectionState;
      tile.setAttribute("data-connection-state", state);
      log.debug("Peer " + peerId + " " + state);
      call.peerStateChanged(self, state);
    };

    function flush() {
      var waiting = pending;
      pending = [];
      waiting.forEach(function(candidate) {
        self.pc.addIceCandidate(candidate).catch(function(err) {
          log.warn("ICE candidate refused", err);
        });
      });
    }

    /** Only the peer with the smaller client id offers; the other one waits for it. */
    this.offer = function() {
      if (offered) {
        return;
      }
      offered = true;
      // Without a local track of a kind, still ask to receive it
      ["audio", "video"].forEach(function(kind) {
        var has = self.pc.getTransceivers().some(function(t) {
          return t.receiver && t.receiver.track && t.receiver.track.kind === kind;
        });
        if (!has) {
          self.pc.addTransceiver(kind, { direction: "recvonly" });
        }
      });
      self.pc.createOffer().then(function(offer) {
        return self.pc.setLocalDescription(offer);
      }).then(function() {
        call.send({ type: "offer", to: peerId, sdp: self.pc.localDescription.toJSON() });
      }).catch(function(err) {
        log.error("Offer to " + peerId + " failed", err);
      });
    };

    this.onOffer = function(sdp) {
      self.pc.setRemoteDescription(sdp).then(function() {
        flush();
        return self.pc.createAnswer();
      }).then(function(answer) {
        return self.pc.setLocalDescription(answer);
      }).then(function() {
        call.send({ type: "answer", to: peerId, sdp: self.pc.localDescription.toJSON() });
      }).catch(function(err) {
        log.error("Answer to " + peerId + " failed", err);
      });
    };

    this.onAnswer = function(sdp) {
      self.pc.setRemoteDescription(sdp).then(flush).catch(function(err) {
        log.error("Answer of " + peerId + " refused", err);
      });
    };

    this.onCandidate = function(candidate) {
      if (self.pc.remoteDescription) {
        self.pc.addIceCandidate(candidate).catch(function(err) {
          log.warn("ICE candidate refused", err);
        });
      } else {
        pending.push(candidate);
      }
    };

    /** Use another local track (camera or microphone switch): no renegotiation needed. */
    this.replaceTrack = function(track) {
      var sender = self.pc.getSenders().filter(function(s) {
        return s.track && s.track.kind === track.kind;
      })[0];
      if (sender) {
        return sender.replaceTrack(track);
      }
      return Promise.resolve();
    };

    this.close = function() {
      self.pc.onconnectionstatechange = null;
      self.pc.close();
      tile.setAttribute("data-connection-state", "closed");
      tile.remove();
    };
  }

  // ******** One call, in an overlay ********

  function Call(provider, callId, title, isGroup) {
    var self = this;
    var me = webConferencing.getUser().id;
    var clientId = null;
    var stream = null;
    var peers = {}; // clientId -> Peer
    var joined = false;
    var ended = false;
    var unsubscribe = null;
    this.id = callId;
    this.isGroup = isGroup;

    var overlay = el("section", "webrtc-call");
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-label", "Video call: " + title);
    overlay.setAttribute("data-call-id", callId);
    overlay.setAttribute("data-state", "starting");
    overlay.innerHTML = "<header class='webrtc-call-header'><h2 class='webrtc-call-title'></h2>"
      + "<p class='webrtc-call-status' role='status'></p></header>"
      + "<div class='webrtc-peers'></div>"
      + "<video class='webrtc-local-video' autoplay playsinline muted></video>"
      + "<div class='webrtc-controls'>"
      + "<button type='button' class='btn webrtc-mute' aria-pressed='false'>Mute</button>"
      + "<button type='button' class='btn webrtc-camera' aria-pressed='false'>Camera off</button>"
      + "<label>Camera <select class='webrtc-camera-select'></select></label>"
      + "<label>Microphone <select class='webrtc-mic-select'></select></label>"
      + "<button type='button' class='btn btn-danger webrtc-hangup'>Hang up</button></div>";
    overlay.querySelector(".webrtc-call-title").textContent = title;
    var status = overlay.querySelector(".webrtc-call-status");
    var peersBox = overlay.querySelector(".webrtc-peers");
    var localVideo = overlay.querySelector(".webrtc-local-video");
    var muteButton = overlay.querySelector(".webrtc-mute");
    var cameraButton = overlay.querySelector(".webrtc-camera");
    var cameraSelect = overlay.querySelector(".webrtc-camera-select");
    var micSelect = overlay.querySelector(".webrtc-mic-select");

    function setState(state, text) {
      overlay.setAttribute("data-state", state);
      status.textContent = text;
    }

    this.iceServers = function() {
      return provider.settings().iceServers || [];
    };

    this.localStream = function() {
      return stream;
    };

    this.localTracks = function() {
      return stream ? stream.getTracks() : [];
    };

    this.send = function(message) {
      if (ended && message.type !== "bye") {
        return Promise.resolve();
      }
      return webConferencing.toCallUpdate(callId, message).catch(function(err) {
        log.warn("Signal " + message.type + " not sent on " + callId, err);
      });
    };

    this.peerStateChanged = function(peer, state) {
      if (state === "connected") {
        setState("connected", "Connected");
      } else if (state === "failed") {
        setState("failed", "Connection failed");
        log.error("Connection with " + peer.id + " failed in call " + callId);
      }
    };

    function peer(peerId, userId) {
      var found = peers[peerId];
      if (!found) {
        found = new Peer(self, peerId, userId);
        peers[peerId] = found;
        peersBox.appendChild(found.tile);
      }
      return found;
    }

    function dropPeer(peerId) {
      var found = peers[peerId];
      if (found) {
        delete peers[peerId];
        found.close();
      }
      if (Object.keys(peers).length === 0 && !ended) {
        if (isGroup) {
          setState("waiting", "Waiting for others...");
        } else {
          self.hangup("The other side hung up");
        }
      }
    }

    function onSignal(data, sender) {
      if (!data || ended) {
        return;
      }
      var from = sender && sender.clientId ? sender.clientId : data.from;
      var userId = sender && sender.userId ? sender.userId : data.user;
      if (!from || from === clientId || (data.to && data.to !== clientId)) {
        return;
      }
      switch (data.type) {
        case "hello":
          if (clientId < from) {
            peer(from, userId).offer();
          } else {
            peer(from, userId);
            self.send({ type: "welcome", to: from });
          }
          break;
        case "welcome":
          if (clientId < from) {
            peer(from, userId).offer();
          }
          break;
        case "offer":
          peer(from, userId).onOffer(data.sdp);
          break;
        case "answer":
          if (peers[from]) {
            peers[from].onAnswer(data.sdp);
          }
          break;
        case "candidate":
          if (peers[from]) {
            peers[from].onCandidate(data.candidate);
          }
          break;
        case "bye":
          log.info("Peer left: " + from);
          dropPeer(from);
          break;
        default:
          log.debug("Unknown signal: " + data.type);
      }
    }

    /** A participant left the call (server event): the fallback when their bye was lost. */
    this.userLeft = function(userId) {
      Object.keys(peers).forEach(function(peerId) {
        if (peers[peerId].userId === userId) {
          dropPeer(peerId);
        }
      });
    };

    // -- devices --

    function fillDevices() {
      if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) {
        return;
      }
      navigator.mediaDevices.enumerateDevices().then(function(devices) {
        [["videoinput", cameraSelect, "video"], ["audioinput", micSelect, "audio"]].forEach(function(spec) {
          var select = spec[1];
          var current = stream ? stream.getTracks().filter(function(t) {
            return t.kind === spec[2];
          })[0] : null;
          var currentId = current && current.getSettings ? current.getSettings().deviceId : null;
          select.textContent = "";
          devices.filter(function(d) {
            return d.kind === spec[0];
          }).forEach(function(device, index) {
            var option = el("option", null, device.label || (spec[2] + " " + (index + 1)));
            option.value = device.deviceId;
            option.selected = device.deviceId === currentId;
            select.appendChild(option);
          });
          select.disabled = select.options.length < 2;
        });
      }).catch(function(err) {
        log.debug("Devices not listed", err);
      });
    }

    function switchDevice(kind, deviceId) {
      var constraints = {};
      constraints[kind] = { deviceId: { exact: deviceId } };
      navigator.mediaDevices.getUserMedia(constraints).then(function(newStream) {
        var track = newStream.getTracks()[0];
        var old = stream.getTracks().filter(function(t) {
          return t.kind === kind;
        })[0];
        if (old) {
          track.enabled = old.enabled;
          stream.removeTrack(old);
          old.stop();
        }
        stream.addTrack(track);
        return Promise.all(Object.keys(peers).map(function(id) {
          return peers[id].replaceTrack(track);
        }));
      }).catch(function(err) {
        log.showError("Cannot switch " + kind + " device", err, "Device not available");
      });
    }

    cameraSelect.addEventListener("change", function() {
      switchDevice("video", cameraSelect.value);
    });
    micSelect.addEventListener("change", function() {
      switchDevice("audio", micSelect.value);
    });

    function toggle(kind, button, offText, onText) {
      var tracks = stream ? stream.getTracks().filter(function(t) {
        return t.kind === kind;
      }) : [];
      if (tracks.length === 0) {
        return;
      }
      var enabled = !tracks[0].enabled;
      tracks.forEach(function(t) {
        t.enabled = enabled;
      });
      button.setAttribute("aria-pressed", enabled ? "false" : "true");
      button.textContent = enabled ? offText : onText;
    }

    muteButton.addEventListener("click", function() {
      toggle("audio", muteButton, "Mute", "Unmute");
    });
    cameraButton.addEventListener("click", function() {
      toggle("video", cameraButton, "Camera off", "Camera on");
    });
    overlay.querySelector(".webrtc-hangup").addEventListener("click", function() {
      self.hangup("Call ended");
    });

    // -- life cycle --

    /** Media first (so offers carry tracks), then join, then listen on the call channel and say hello. */
    this.start = function() {
      document.body.appendChild(overlay);
      setState("starting", "Starting camera...");
      return openMedia().then(function(media) {
        stream = media;
        localVideo.srcObject = stream;
        fillDevices();
        if (ended) {
          throw new Error("Call ended before it started");
        }
        return webConferencing.whenConnected();
      }).then(function(id) {
        clientId = id;
        return webConferencing.updateUserCall(callId, "joined");
      }).then(function() {
        if (ended) {
          webConferencing.updateUserCall(callId, "leaved");
          throw new Error("Call ended while joining");
        }
        joined = true;
        setState("waiting", isGroup ? "Waiting for others..." : "Calling...");
        return new Promise(function(resolve, reject) {
          unsubscribe = webConferencing.onCallUpdate(callId, onSignal, reject, resolve);
        });
      }).then(function() {
        return self.send({ type: "hello" });
      }).catch(function(err) {
        if (!ended) {
          log.showError("Failed to start call: " + callId, err, "Call failed");
          self.hangup("Call failed");
        }
      });
    };

    /**
     * Leave: a bye to the peers (they drop this tab at once), then the server (a 1:1 call ends for both). With
     * `closing`, the page is going away: everything is sent now, nothing is waited for.
     */
    this.hangup = function(text, closing) {
      if (ended) {
        return;
      }
      ended = true;
      self.send({ type: "bye" });
      if (joined) {
        joined = false;
        webConferencing.updateUserCall(callId, "leaved").catch(function(err) {
          if (!closing) {
            log.error("Failed to leave call: " + callId, err);
          }
        });
      }
      if (closing) {
        webConferencing.flushLog();
        return;
      }
      Object.keys(peers).forEach(function(id) {
        peers[id].close();
      });
      peers = {};
      if (stream) {
        stream.getTracks().forEach(function(t) {
          t.stop();
        });
      }
      if (unsubscribe) {
        unsubscribe();
      }
      setState("ended", text || "Call ended");
      overlay.querySelectorAll(".webrtc-controls button, .webrtc-controls select").forEach(function(control) {
        control.disabled = true;
      });
      provider.callEnded(self);
      setTimeout(function() {
        overlay.remove();
      }, 1500);
    };

    this.isEnded = function() {
      return ended;
    };

    /** The RTCPeerConnection of every peer, for diagnostics (and the browser tests). */
    this.peerConnections = function() {
      return Object.keys(peers).map(function(id) {
        return peers[id].pc;
      });
    };
  }

  // ******** The provider ********

  function WebRTCProvider() {
    var self = this;
    var settings = null;
    var calls = {}; // callId -> Call running in this tab

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

    /** The call running in this tab, for its id (tests and other scripts may look). */
    this.getCall = function(callId) {
      return calls[callId] || null;
    };

    this.callEnded = function(call) {
      if (calls[call.id] === call) {
        delete calls[call.id];
      }
    };

    function openCall(callId, title) {
      var call = calls[callId];
      if (call && !call.isEnded()) {
        return call;
      }
      call = new Call(self, callId, title, callId.indexOf("g/") === 0);
      calls[callId] = call;
      call.start();
      return call;
    }

    function placeCall(context, target, ids) {
      var callId = webConferencing.callId(context, target, ids);
      if (calls[callId] && !calls[callId].isEnded()) {
        return; // already in it here
      }
      calls[callId] = { id: callId, isEnded: function() { return false; } }; // placing: no incoming dialog
      webConferencing.getCall(callId).then(function(call) {
        return call;
      }, function(err) {
        if (err && err.code === "NOT_FOUND_ERROR") {
          return webConferencing.addCall(callId, {
            owner: context.isGroup ? target.id : me(),
            ownerType: target.type,
            provider: self.getType(),
            title: target.title,
            participants: ids.join(";")
          });
        }
        throw err;
      }).then(function(call) {
        delete calls[callId];
        openCall(callId, context.isGroup ? call.title : target.title);
      }).catch(function(err) {
        delete calls[callId];
        log.showError("Failed to start call: " + callId, err, "Call failed");
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
        if (ids.length > maxParticipants()) {
          throw "Too many participants for a WebRTC call: " + ids.length + " > " + maxParticipants();
        }
        var button = el("button", "webrtc-call-button");
        button.type = "button";
        button.title = target.title;
        button.innerHTML = "<span class='webrtc-icon' aria-hidden='true'></span>"
          + "<span class='callTitle'>Video call</span>";
        button.addEventListener("click", function(event) {
          event.preventDefault();
          placeCall(context, target, ids);
        });
        return button;
      });
    };

    // ******** Incoming calls ********

    /** The core's incoming-call dialog; accepting opens the call in this page. */
    var incomingCalls = webConferencing.incomingCalls({
      prefix: TYPE,
      title: "Incoming video call",
      callerText: function(call, isGroup) {
        return isGroup ? "Video call in " + call.title : call.owner.title + " is calling you...";
      },
      noticeTitle: "Incoming video call",
      ringFrequency: 520,
      busy: function(callId) {
        return calls[callId]; // placing it, or in it here
      },
      onAccept: function(call, isGroup) {
        openCall(call.id, isGroup ? call.title : call.owner.title);
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
          incomingCalls.incoming(callId);
        } else if (update.callState === "stopped") {
          incomingCalls.stopRinging(callId);
          if (call && call.hangup) {
            call.hangup("Call ended");
          }
        }
      } else if (update.eventType === "call_joined") {
        if (update.part && update.part.id === me() && !call) {
          incomingCalls.stopRinging(callId); // answered in another tab
        }
      } else if (update.eventType === "call_leaved") {
        if (call && call.userLeft && update.part && update.part.id !== me()) {
          call.userLeft(update.part.id);
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

    // Closing or leaving the page hangs up its calls: the others see a bye at once.
    window.addEventListener("pagehide", function() {
      Object.keys(calls).forEach(function(callId) {
        if (calls[callId].hangup) {
          calls[callId].hangup("Page closed", true);
        }
      });
    });

    // ******** Admin settings ********

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
        popup.innerHTML = "<form class='settingsForm'><h2>WebRTC settings</h2>"
          + "<label>ICE servers (JSON, or stun: URLs separated by commas; empty: none)"
          + "<textarea name='iceServers' rows='4'></textarea></label>"
          + "<label>Largest group call<input type='number' name='maxParticipants' min='2' max='8'></label>"
          + "<p class='webrtc-settings-error' role='alert' hidden></p>"
          + "<div class='webrtc-settings-actions'><button type='submit' class='btn btn-primary'>Save</button>"
          + "<button type='button' class='btn cancel'>Cancel</button></div></form>";
        var form = popup.querySelector("form");
        var servers = config.iceServers || [];
        form.elements.iceServers.value = servers.length ? JSON.stringify(servers) : "";
        form.elements.maxParticipants.value = config.maxParticipants || 4;
        form.addEventListener("submit", function(event) {
          event.preventDefault();
          var error = popup.querySelector(".webrtc-settings-error");
          error.hidden = true;
          webConferencing.rest("POST", path, {
            iceServers: form.elements.iceServers.value,
            maxParticipants: form.elements.maxParticipants.value
          }).then(function(saved) {
            if (settings) {
              settings.iceServers = saved.iceServers;
              settings.maxParticipants = saved.maxParticipants;
            }
            popup.remove();
            webConferencing.noticeInfo(self.getTitle(), "Settings saved");
          }, function(err) {
            error.textContent = webConferencing.errorText(err);
            error.hidden = false;
          });
        });
        popup.querySelector(".cancel").addEventListener("click", function() {
          popup.remove();
        });
        document.body.appendChild(popup);
      }).catch(function(err) {
        log.showError("Failed to read settings", err, "WebRTC settings");
      });
    };
  }

  webConferencing.addProvider(new WebRTCProvider());
  webConferencing.update();
})(window.webConferencing);
