/**
 * webConferencing, part 5 of 10: the tab's websocket to /webconferencing/ws (docs/protocol.md).
 *
 * Requests (subscribe, publish, call) carry an id and are settled by the server's ack/result/error with that id.
 * While the socket is down, publishes and calls wait in a queue; subscriptions are remembered and renewed after every
 * handshake. The socket reconnects with backoff and re-handshakes with the same clientId, so call membership survives.
 *
 * A request is "sent" once it went out on a handshaken socket: only those can be lost with the connection. One that
 * is still queued waits through any number of failed reconnection attempts and goes out after the next handshake, so
 * its promise settles with the server's answer.
 */
(function(window, document) {
  "use strict";

  var parts = window.__webConferencingParts;
  var util = parts.util;

  var WS_PATH = "/webconferencing/ws";
  var RECONNECT_MIN_MS = 500;
  var SESSION_ENDED = 1008; // close code of a socket whose login session ended (docs/protocol.md)
  var RECONNECT_MAX_MS = 15000;
  var REPEATABLE_COMMANDS = ["get", "update", "get_calls_state", "get_ringing_calls"];
  var SEEN_SEQS = 200; // more than the server replays (webconferencing.ws.resume.events, 100 by default)

  /**
   * The phases of the connection. `stopped` until start(); `connecting` from opening the socket to the server's
   * handshake; `ready` while handshaken; `waiting` between a failed or lost socket and the next attempt.
   */
  var PHASES = { STOPPED: "stopped", CONNECTING: "connecting", READY: "ready", WAITING: "waiting" };

  /** Everything the transport knows, in one place (the original kept it in a dozen closure variables). */
  function TransportState() {
    this.phase = PHASES.STOPPED;
    this.socket = null; // the WebSocket while connecting or ready
    this.clientId = null; // given by the server's first handshake, asked for again on every reconnection
    this.attempts = 0; // failed attempts since the last handshake (the backoff's exponent)
    this.reconnectTimer = null; // the pending attempt while waiting
    this.pingTimer = null; // heartbeat while ready, at the server's pingInterval
    this.lastRequestId = 0; // requests are r1, r2, ...
    this.pending = {}; // request id -> {frame, resolve, reject, sent}
    this.queue = []; // frames waiting for the next handshake
    this.channels = {}; // channel name -> {listeners: [{onUpdate, onError, onReady, ready}], subscribed}
    this.readyListeners = []; // called after every handshake (onReady)
    this.refreshListeners = []; // called after a reconnection whose missed events the server no longer knows
    this.lastSeq = null; // seq of the last user-channel message processed, sent as lastSeq on reconnection
    this.seenSeqs = []; // recent seqs of the server process this tab talks to: a replayed one is applied once
  }

  function Transport(log) {
    var state = new TransportState();
    var self = this;

    function setPhase(phase) {
      if (state.phase !== phase) {
        log.trace("Connection " + state.phase + " -> " + phase);
        state.phase = phase;
      }
    }

    function isReady() {
      return state.phase === PHASES.READY;
    }

    function nextId() {
      state.lastRequestId += 1;
      return "r" + state.lastRequestId;
    }

    function url() {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      return scheme + window.location.host + WS_PATH;
    }

    this.getClientId = function() {
      return state.clientId;
    };

    this.isReady = isReady;

    /** Call `listener(clientId)` after every handshake (the log spooler sends what it holds). */
    this.onReady = function(listener) {
      state.readyListeners.push(listener);
    };

    /**
     * Call `listener()` after every reconnection whose missed user-channel events the server could not replay
     * (docs/protocol.md, Resume): the page reloads what it shows. Returns a function that stops listening.
     */
    this.onRefresh = function(listener) {
      state.refreshListeners.push(listener);
      return function() {
        state.refreshListeners = state.refreshListeners.filter(function(l) {
          return l !== listener;
        });
      };
    };

    /** Resolves with the clientId once a handshake is done. */
    this.whenReady = function() {
      if (isReady()) {
        return Promise.resolve(state.clientId);
      }
      return new Promise(function(resolve) {
        var listener = function(clientId) {
          state.readyListeners = state.readyListeners.filter(function(l) {
            return l !== listener;
          });
          resolve(clientId);
        };
        state.readyListeners.push(listener);
      });
    };

    /** Send a frame that needs no answer, only if the socket is handshaken now. */
    this.sendNow = function(frame) {
      if (state.socket && isReady()) {
        state.socket.send(JSON.stringify(frame));
        return true;
      }
      return false;
    };

    function connect() {
      state.reconnectTimer = null;
      setPhase(PHASES.CONNECTING);
      var socket;
      try {
        socket = new WebSocket(url());
      } catch (e) {
        log.trace("Cannot open websocket", e);
        scheduleReconnect();
        return;
      }
      state.socket = socket;
      socket.onopen = function() {
        var hello = { type: "handshake" };
        if (state.clientId) {
          hello.clientId = state.clientId;
          if (state.lastSeq !== null) {
            hello.lastSeq = state.lastSeq; // the replay starts after it, even if a later frame died on the way
          }
        }
        socket.send(JSON.stringify(hello));
      };
      socket.onmessage = function(event) {
        var frame;
        try {
          frame = JSON.parse(event.data);
        } catch (e) {
          log.warn("Unreadable frame from server", e);
          return;
        }
        receive(frame);
      };
      socket.onclose = function(event) {
        if (event && event.code === SESSION_ENDED) {
          // signed out (here or in another tab) or the session expired: reconnecting would only get 401s
          state.socket = null;
          stopPing();
          failInFlight();
          var context = parts.session.context();
          if (context && context.isGuest) {
            // issue 12: a guest has no account to sign in with; their page (call-page.js) says why they are out
            log.info("Guest session ended: the invite link was revoked or the call ended");
            setPhase(PHASES.STOPPED);
            return;
          }
          log.info("Session ended: back to the sign-in page");
          window.location.assign("/portal/login?next=" +
            encodeURIComponent(window.location.pathname + window.location.search));
          return;
        }
        var wasReady = isReady();
        state.socket = null;
        setPhase(PHASES.WAITING);
        stopPing();
        failInFlight();
        Object.keys(state.channels).forEach(function(name) {
          state.channels[name].subscribed = false;
        });
        if (wasReady) {
          log.debug("Connection lost, reconnecting");
        }
        scheduleReconnect();
      };
      socket.onerror = function() {
        // onclose follows and reconnects
      };
    }

    function scheduleReconnect() {
      setPhase(PHASES.WAITING);
      if (state.reconnectTimer) {
        return;
      }
      var delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * Math.pow(2, state.attempts));
      delay = delay / 2 + Math.random() * delay / 2;
      state.attempts += 1;
      state.reconnectTimer = setTimeout(connect, delay);
    }

    function startPing(seconds) {
      stopPing();
      if (seconds && seconds > 0) {
        state.pingTimer = setInterval(function() {
          self.sendNow({ type: "ping" });
        }, seconds * 1000);
      }
    }

    function stopPing() {
      if (state.pingTimer) {
        clearInterval(state.pingTimer);
        state.pingTimer = null;
      }
    }

    /**
     * Requests sent but not answered when the socket dropped: reads and state updates are sent again after the
     * reconnect (they are safe to repeat); creations, deletions and publishes may have happened, so they fail with
     * a CONNECTION_ERROR and the caller decides. Subscriptions are renewed from the channel table, and a dropped
     * connection has none left to unsubscribe from. Requests still in the queue were never sent: they stay.
     */
    function failInFlight() {
      var again = [];
      Object.keys(state.pending).forEach(function(id) {
        var req = state.pending[id];
        var frame = req.frame;
        if (!req.sent) {
          return;
        }
        req.sent = false;
        if (frame.type === "subscribe") {
          delete state.pending[id];
          return;
        }
        if (frame.type === "unsubscribe") {
          delete state.pending[id];
          req.resolve({});
          return;
        }
        if (frame.type === "call" && REPEATABLE_COMMANDS.indexOf(frame.command) >= 0) {
          again.push(frame);
        } else {
          delete state.pending[id];
          req.reject(util.clientError("CONNECTION_ERROR", "Connection lost before the server answered"));
        }
      });
      state.queue = again.concat(state.queue);
    }

    /** Put a request on the wire (the socket is handshaken). */
    function send(frame) {
      var req = state.pending[frame.id];
      if (req) {
        req.sent = true;
      }
      state.socket.send(JSON.stringify(frame));
    }

    function receive(frame) {
      switch (frame.type) {
        case "handshake":
          onHandshake(frame);
          break;
        case "ack":
        case "result":
          settle(frame.id, null, frame.data);
          break;
        case "error":
          if (frame.id && state.pending[frame.id]) {
            settle(frame.id, frame);
          } else {
            log.warn("Server error: " + frame.code + " " + frame.message);
          }
          break;
        case "message":
          deliver(frame);
          break;
        case "ping":
          self.sendNow({ type: "pong" });
          break;
        case "pong":
          break;
        default:
          log.debug("Unknown frame type: " + frame.type);
      }
    }

    function onHandshake(frame) {
      var previous = state.clientId;
      state.clientId = frame.clientId;
      state.attempts = 0;
      setPhase(PHASES.READY);
      startPing(frame.pingInterval);
      if (previous && previous !== state.clientId) {
        log.warn("Server gave a new client id " + state.clientId + " instead of " + previous);
      }
      // A reconnection the server could not replay (resume "refresh": a restarted or another process, or too much
      // missed; "new": the tab's id was not kept): what the page shows may be stale. The seqs start over with this
      // process; the listeners reload the state once the channels are subscribed again (sent just below, so the
      // server answers their reads after it, and no event falls between the two).
      var stale = previous !== null && frame.resume !== "replayed";
      if (frame.resume !== "replayed") {
        state.lastSeq = typeof frame.lastSeq === "number" ? frame.lastSeq : null;
        state.seenSeqs = [];
      }
      Object.keys(state.channels).forEach(subscribeChannel);
      var waiting = state.queue;
      state.queue = [];
      waiting.forEach(send);
      state.readyListeners.slice().forEach(function(listener) {
        listener(state.clientId);
      });
      if (stale) {
        log.info("Reconnected without the missed events (resume " + frame.resume + "): reloading the state");
        state.refreshListeners.slice().forEach(function(listener) {
          try {
            listener();
          } catch (e) {
            log.error("State refresh listener failed", e);
          }
        });
      }
    }

    /** A user-channel message seen before (a replay overlapping what arrived) is not applied again. */
    function alreadySeen(seq) {
      if (state.seenSeqs.indexOf(seq) >= 0) {
        return true;
      }
      state.seenSeqs.push(seq);
      if (state.seenSeqs.length > SEEN_SEQS) {
        state.seenSeqs.shift();
      }
      state.lastSeq = seq;
      return false;
    }

    function settle(id, error, data) {
      var req = state.pending[id];
      if (!req) {
        return;
      }
      delete state.pending[id];
      if (error) {
        // TOO_MANY_REQUESTS carries the seconds to wait, which the user is told
        req.reject(util.clientError(error.code || "SERVER_ERROR", error.message || "Server error", error.retryAfter));
      } else {
        req.resolve(data === undefined ? {} : data);
      }
    }

    function deliver(frame) {
      if (typeof frame.seq === "number" && alreadySeen(frame.seq)) {
        log.debug("Replayed message " + frame.seq + " already processed");
        return;
      }
      var entry = state.channels[frame.channel];
      if (!entry) {
        return;
      }
      entry.listeners.slice().forEach(function(listener) {
        try {
          listener.onUpdate(frame.data, frame.sender);
        } catch (e) {
          log.error("Channel listener failed on " + frame.channel, e);
        }
      });
    }

    /** Send a request, now or when connected; the promise settles with the server's answer. */
    this.request = function(frame) {
      frame.id = nextId();
      var req = util.deferred();
      state.pending[frame.id] = { frame: frame, resolve: req.resolve, reject: req.reject, sent: false };
      if (isReady()) {
        send(frame);
      } else {
        state.queue.push(frame);
      }
      return req.promise;
    };

    function subscribeChannel(name) {
      var entry = state.channels[name];
      if (!entry || !isReady()) {
        return;
      }
      var frame = { type: "subscribe", id: nextId(), channel: name };
      state.pending[frame.id] = {
        frame: frame,
        resolve: function() {
          entry.subscribed = true;
          entry.listeners.forEach(function(listener) {
            if (!listener.ready) {
              listener.ready = true;
              if (listener.onReady) {
                listener.onReady();
              }
            }
          });
        },
        reject: function(err) {
          var listeners = entry.listeners;
          delete state.channels[name];
          listeners.forEach(function(listener) {
            if (listener.onError) {
              listener.onError(err);
            } else {
              log.error("Subscription failed: " + name, err);
            }
          });
        }
      };
      send(frame);
    }

    /** Listen on a channel; returns a function that stops listening (the last one unsubscribes). */
    this.subscribe = function(name, onUpdate, onError, onReady) {
      var listener = { onUpdate: onUpdate, onError: onError, onReady: onReady, ready: false };
      var entry = state.channels[name];
      if (entry) {
        entry.listeners.push(listener);
        if (entry.subscribed) {
          listener.ready = true;
          if (onReady) {
            setTimeout(onReady, 0);
          }
        }
      } else {
        state.channels[name] = { listeners: [listener], subscribed: false };
        subscribeChannel(name);
      }
      self.start();
      return function unsubscribe() {
        var current = state.channels[name];
        if (!current) {
          return;
        }
        current.listeners = current.listeners.filter(function(l) {
          return l !== listener;
        });
        if (current.listeners.length === 0) {
          delete state.channels[name];
          if (isReady()) {
            self.request({ type: "unsubscribe", channel: name }).catch(function(err) {
              log.debug("Unsubscribe failed: " + name, err);
            });
          }
        }
      };
    };

    this.start = function() {
      if (state.phase === PHASES.STOPPED) {
        connect();
      }
    };

    /** Back on the network (e.g. a laptop waking up): try now instead of at the end of a long backoff wait. */
    window.addEventListener("online", function() {
      if (state.phase === PHASES.WAITING && state.reconnectTimer) {
        clearTimeout(state.reconnectTimer);
        connect();
      }
    });
  }

  parts.transport = {
    Transport: Transport,
    PHASES: PHASES
  };
})(window, document);
