/**
 * The call overlay: everything the user sees of a call, drawn from the call's state and nothing else. It is built
 * with createElement only and every name, title, status and device label goes in as text (textContent), never as
 * HTML: titles and display names are user-controlled and must not run in anyone's page.
 *
 * The view does not act: its buttons call the handlers the lifecycle gives it (hangup, toggle, switchDevice,
 * dismiss).
 */
(function(webrtc) {
  "use strict";

  var ENDED_SHOWN_MS = 5000; // the ended overlay stays this long (or until Close), so hanging up is seen to work

  /** A text of the WebRTC bundle (WEB-INF/classes/locale/webrtc/), in the page's language. */
  function message(key, params) {
    return window.webConferencing.message(key, params);
  }

  /**
   * Status line of each state (message keys); `ended` shows the reason given with the transition when there is one.
   */
  var STATUS_TEXT = {
    starting: "webrtc.status.starting",
    joining: "webrtc.status.joining",
    waiting: null, // depends on the kind of call, see waitingText()
    connected: "webrtc.status.connected",
    failed: "webrtc.status.failed",
    ended: "webrtc.call.ended"
  };

  /** The labels (message keys) of the mute and camera buttons while the kind is sent (on) or not (off). */
  var TOGGLES = {
    audio: { className: "webrtc-mute", on: "webrtc.control.mute", off: "webrtc.control.unmute" },
    video: { className: "webrtc-camera", on: "webrtc.control.cameraOff", off: "webrtc.control.cameraOn" }
  };

  /** An element with a class and a text: the only way text gets into the overlay. */
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

  /** What a peer's tile shows when it does not send a kind: an icon named for screen readers and on hover. */
  var REMOTE_OFF = {
    audio: { className: "webrtc-peer-muted", key: "webrtc.peer.muted" },
    video: { className: "webrtc-peer-camera-off", key: "webrtc.peer.cameraOff" }
  };

  function button(className, text) {
    var node = el("button", className, text);
    node.type = "button";
    return node;
  }

  /** One remote participant: their video, their sound and their name. */
  class PeerTile {
    constructor(peerId, userId, displayName) {
      this.element = el("figure", "webrtc-peer");
      this.element.setAttribute("data-peer-id", peerId);
      this.element.setAttribute("data-user-id", userId || "");
      this.element.setAttribute("data-connection-state", "new");
      this.video = el("video", "webrtc-remote-video");
      this.video.autoplay = true;
      this.video.playsInline = true;
      this.video.muted = true; // sound plays in the audio element: a muted video always autoplays
      this.audio = el("audio", "webrtc-remote-audio");
      this.audio.autoplay = true;
      this.caption = el("figcaption", "webrtc-peer-name", displayName || userId || "");
      this.element.appendChild(this.video);
      this.element.appendChild(this.audio);
      this.element.appendChild(this.caption);
      var indicators = el("span", "webrtc-peer-indicators");
      this.element.appendChild(indicators);
      this.offIndicators = {};
      Object.keys(REMOTE_OFF).forEach(function(kind) {
        var indicator = el("span", "webrtc-peer-off " + REMOTE_OFF[kind].className);
        var label = window.webConferencing.message(REMOTE_OFF[kind].key);
        indicator.setAttribute("role", "img");
        indicator.setAttribute("aria-label", label);
        indicator.title = label;
        indicator.hidden = true;
        this.offIndicators[kind] = indicator;
        indicators.appendChild(indicator);
      }, this);
    }

    /** What the peer sends ({audio, video}: on or not): an indicator for each kind it does not. */
    showMedia(media) {
      Object.keys(REMOTE_OFF).forEach(function(kind) {
        this.element.setAttribute("data-" + kind, media[kind] ? "on" : "off");
        this.offIndicators[kind].hidden = Boolean(media[kind]);
      }, this);
    }

    showStream(kind, stream, log) {
      var media = kind === "video" ? this.video : this.audio;
      media.srcObject = stream;
      media.play().catch(function(err) {
        log.debug("Remote " + kind + " does not autoplay here", err);
      });
    }

    setConnectionState(state) {
      this.element.setAttribute("data-connection-state", state);
    }

    remove() {
      this.setConnectionState("closed");
      this.element.remove();
    }
  }

  class CallView {
    /**
     * @param callId  the call's id (data-call-id)
     * @param title   the call's title as the server has it: user text
     * @param isGroup group calls wait for others, 1:1 calls are "calling"
     * @param handlers {hangup(), toggle(kind), switchDevice(kind, deviceId), dismiss()}
     */
    constructor(callId, title, isGroup, handlers) {
      this.isGroup = isGroup;
      this.handlers = handlers;
      this.dismissTimer = null;

      var overlay = el("section", "webrtc-call");
      overlay.setAttribute("role", "dialog");
      overlay.setAttribute("aria-label", message("webrtc.call.label", [title]));
      overlay.setAttribute("data-call-id", callId);
      var header = el("header", "webrtc-call-header");
      this.title = el("h2", "webrtc-call-title", title);
      this.status = el("p", "webrtc-call-status");
      this.status.setAttribute("role", "status");
      // over the reason, once ended
      this.endedLabel = el("p", "webrtc-call-ended", message("webrtc.call.ended"));
      this.endedLabel.hidden = true;
      header.appendChild(this.title);
      header.appendChild(this.endedLabel);
      header.appendChild(this.status);
      this.peers = el("div", "webrtc-peers");
      this.localVideo = el("video", "webrtc-local-video");
      this.localVideo.autoplay = true;
      this.localVideo.playsInline = true;
      this.localVideo.muted = true;
      overlay.appendChild(header);
      overlay.appendChild(this.peers);
      overlay.appendChild(this.localVideo);
      overlay.appendChild(this.buildControls());
      this.overlay = overlay;
    }

    buildControls() {
      var self = this;
      var controls = el("div", "webrtc-controls");
      this.toggles = {};
      this.selects = {};
      Object.keys(TOGGLES).forEach(function(kind) {
        var toggle = button("btn " + TOGGLES[kind].className, message(TOGGLES[kind].on));
        toggle.setAttribute("aria-pressed", "false");
        toggle.addEventListener("click", function() {
          self.handlers.toggle(kind);
        });
        self.toggles[kind] = toggle;
        controls.appendChild(toggle);
      });
      [["video", "webrtc.control.camera", "webrtc-camera-select"], ["audio", "webrtc.control.microphone",
        "webrtc-mic-select"]].forEach(
        function(spec) {
          var label = el("label", null, message(spec[1]) + " ");
          var select = el("select", spec[2]);
          select.addEventListener("change", function() {
            self.handlers.switchDevice(spec[0], select.value);
          });
          label.appendChild(select);
          self.selects[spec[0]] = select;
          controls.appendChild(label);
        });
      this.hangUpButton = button("btn btn-danger webrtc-hangup", message("webrtc.control.hangUp"));
      this.hangUpButton.addEventListener("click", function() {
        self.handlers.hangup();
      });
      controls.appendChild(this.hangUpButton);
      this.closeButton = button("btn webrtc-close", message("webrtc.control.close"));
      this.closeButton.hidden = true;
      this.closeButton.addEventListener("click", function() {
        self.handlers.dismiss();
      });
      controls.appendChild(this.closeButton);
      return controls;
    }

    /** Show the overlay; an ended overlay of an earlier call in this page goes at once. */
    attach() {
      document.querySelectorAll(".webrtc-call[data-state='ended']").forEach(function(old) {
        old.remove();
      });
      document.body.appendChild(this.overlay);
    }

    waitingText() {
      return message(this.isGroup ? "webrtc.status.waitingGroup" : "webrtc.status.calling");
    }

    /** Draw the state: data-state, the status line, and in `ended` the controls that still make sense. */
    render(state) {
      this.overlay.setAttribute("data-state", state.name);
      var text = state.is("waiting") ? this.waitingText() : message(STATUS_TEXT[state.name]);
      if (state.isEnded() && state.reason) {
        text = state.reason;
      }
      this.status.textContent = text;
      if (state.isEnded()) {
        this.endedLabel.hidden = text === this.endedLabel.textContent; // not said twice
        this.peers.textContent = "";
        this.localVideo.srcObject = null;
        this.overlay.querySelectorAll(".webrtc-controls button, .webrtc-controls select").forEach(
          function(control) {
            control.disabled = true;
          });
        this.closeButton.disabled = false;
        this.closeButton.hidden = false;
        this.closeButton.focus();
      }
    }

    /** Why the call ended, in one word (data-end-reason), set before the state becomes `ended`. */
    setEndReason(code) {
      this.overlay.setAttribute("data-end-reason", code);
    }

    /** After the ended state has been seen for a moment, the overlay goes (Close makes it go at once). */
    dismissLater() {
      var self = this;
      this.dismissTimer = setTimeout(function() {
        self.handlers.dismiss();
      }, ENDED_SHOWN_MS);
    }

    remove() {
      clearTimeout(this.dismissTimer);
      this.overlay.remove();
    }

    showLocal(stream) {
      this.localVideo.srcObject = stream;
    }

    addPeer(peerId, userId, displayName) {
      var tile = new PeerTile(peerId, userId, displayName);
      this.peers.appendChild(tile.element);
      return tile;
    }

    /** The toggle of a kind shows what pressing it does next. */
    showToggle(kind, enabled) {
      var toggle = this.toggles[kind];
      toggle.setAttribute("aria-pressed", enabled ? "false" : "true");
      toggle.textContent = message(enabled ? TOGGLES[kind].on : TOGGLES[kind].off);
    }

    /** Devices of a kind as options (labels are the browser's, still text); one device only: nothing to choose. */
    showDevices(kind, devices, currentId) {
      var select = this.selects[kind];
      select.textContent = "";
      devices.forEach(function(device) {
        var option = el("option", null, device.label);
        option.value = device.id;
        option.selected = device.id === currentId;
        select.appendChild(option);
      });
      select.disabled = select.options.length < 2;
    }
  }

  webrtc.CallView = CallView;
  webrtc.PeerTile = PeerTile;
})(window.webrtcConnector = window.webrtcConnector || {});
