/**
 * The state of a WebRTC call in this tab: the one place that says where the call is. The overlay's data-state and
 * status line are drawn from it (CallView.render), and the lifecycle asks it instead of keeping flags of its own, so
 * the page and the code cannot disagree. Every change is logged as `<call id>: old -> new (action)`, as aiortc logs
 * its connectionState.
 *
 *   starting   opening the camera and microphone
 *   joining    media ready; telling the server this user joins
 *   waiting    joined, no peer connected (yet, or any more in a group call)
 *   connected  at least one peer connection is up
 *   failed     no peer connected, and one connection failed
 *   ended      hung up, left, closed or failed to start: final
 */
(function(webrtc) {
  "use strict";

  /** state -> action -> next state. An action missing from a state's row is refused in that state. */
  var TRANSITIONS = Object.freeze({
    starting: Object.freeze({ mediaReady: "joining", end: "ended" }),
    joining: Object.freeze({ joined: "waiting", end: "ended" }),
    waiting: Object.freeze({ peerConnected: "connected", peerFailed: "failed", end: "ended" }),
    connected: Object.freeze({ peersLost: "waiting", peerFailed: "failed", end: "ended" }),
    failed: Object.freeze({ peerConnected: "connected", peersLost: "waiting", end: "ended" }),
    ended: Object.freeze({})
  });

  /** States in which the server counts this user as joined: leaving must tell it. */
  var IN_CALL = ["waiting", "connected", "failed"];

  /** An action that the current state does not allow; the message names both. */
  class CallStateError extends Error {
    constructor(callId, state, action) {
      super("Call " + callId + ": cannot " + action + " when " + state);
      this.name = "CallStateError";
      this.state = state;
      this.action = action;
    }
  }

  class CallState {
    constructor(callId, log) {
      this.callId = callId;
      this.log = log;
      this.name = "starting";
      this.reason = null; // why the last transition happened, in words for the user (e.g. why the call ended)
      this.listeners = [];
    }

    /** Whether `action` is allowed now (and changes the state: no row leads a state to itself). */
    can(action) {
      return Object.prototype.hasOwnProperty.call(TRANSITIONS[this.name], action);
    }

    /** Take the transition, or throw CallStateError naming the current state. Listeners see the new state. */
    apply(action, reason) {
      if (!this.can(action)) {
        throw new CallStateError(this.callId, this.name, action);
      }
      var old = this.name;
      this.name = TRANSITIONS[old][action];
      this.reason = reason || null;
      this.log.info(this.callId + ": " + old + " -> " + this.name + " (" + action + (reason ? ": " + reason : "")
        + ")");
      this.listeners.forEach(function(listener) {
        listener(this);
      }, this);
      return this.name;
    }

    /** For events that may race with others (a peer connecting as the call ends): taken only when allowed. */
    applyIfAllowed(action, reason) {
      return this.can(action) ? this.apply(action, reason) : null;
    }

    is(name) {
      return this.name === name;
    }

    isEnded() {
      return this.name === "ended";
    }

    /** Joined on the server: hanging up must send `leaved`. */
    isInCall() {
      return IN_CALL.indexOf(this.name) >= 0;
    }

    onChange(listener) {
      this.listeners.push(listener);
    }
  }

  CallState.TRANSITIONS = TRANSITIONS;
  webrtc.CallState = CallState;
  webrtc.CallStateError = CallStateError;
})(window.webrtcConnector = window.webrtcConnector || {});
