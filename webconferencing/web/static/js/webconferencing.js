/**
 * webConferencing: the browser side of eXo Web Conferencing.
 *
 * Connectors register their provider objects here and get an API for the call life cycle (calls stored on the
 * server, user and call channels, remote log, dialogs and notices) so they only write their provider logic.
 * Method names and argument orders follow the original module; its jQuery promises are native promises here.
 *
 * Transport: one websocket per tab (docs/protocol.md) for channels, calls and logs; REST (with the CSRF header)
 * for identities and administration. The socket reconnects with backoff, re-handshakes with the same clientId so
 * call membership survives, re-subscribes its channels and sends what was queued while it was down.
 */
(function(window, document) {
  "use strict";

  var REST_PATH = "/portal/rest/webconferencing";
  var WS_PATH = "/webconferencing/ws";
  var USER_CHANNEL = "/webconferencing/user/";
  var CALL_CHANNEL = "/webconferencing/call/";
  var RECONNECT_MIN_MS = 500;
  var RECONNECT_MAX_MS = 15000;
  var LOG_FLUSH_MS = 2000;
  var LOG_BATCH = 20;
  var LOG_BUFFER_MAX = 500;
  var LEVELS = ["trace", "debug", "info", "warn", "error"];

  // ******** Utilities ********

  /** Text of an error of any shape: an Error, an {code, message} from the server, a string. */
  function errorText(err) {
    if (err) {
      if (err.message) {
        return err.message;
      } else if (err.name) {
        return err.name;
      } else if (typeof err === "string") {
        return err;
      } else if (typeof err.toString === "function") {
        try {
          var text = err.toString();
          if (text !== "[object Object]") {
            return text;
          }
          return JSON.stringify(err);
        } catch (e) {
          // fall through to the raw value
        }
      }
    }
    return err;
  }

  /** An error object as the server sends them, so connectors can test err.code the same way for every source. */
  function clientError(code, message) {
    var err = new Error(message);
    err.code = code;
    return err;
  }

  function isFunction(value) {
    return typeof value === "function";
  }

  function deferred() {
    var d = {};
    d.promise = new Promise(function(resolve, reject) {
      d.resolve = resolve;
      d.reject = reject;
    });
    return d;
  }

  function onDocumentReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn, { once: true });
    } else {
      fn();
    }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  var HTML_LIKE = /<[a-z][\s\S]*>/i;

  /** Content for a dialog or notice: an element, an HTML snippet (as the original accepted) or plain text. */
  function setContent(target, content) {
    target.textContent = "";
    if (content === undefined || content === null || content === "") {
      return;
    }
    if (content instanceof Node) {
      target.appendChild(content);
    } else if (content && content.jquery && content.length) {
      for (var i = 0; i < content.length; i++) {
        target.appendChild(content[i]);
      }
    } else if (typeof content === "string" && HTML_LIKE.test(content)) {
      target.innerHTML = content;
    } else {
      target.textContent = String(content);
    }
  }

  /** A provider's button may come as an element, a jQuery-like object or an HTML string. */
  function toElement(button) {
    if (!button) {
      return null;
    }
    if (button instanceof Node) {
      return button;
    }
    if (button.jquery || (typeof button.length === "number" && button[0] instanceof Node)) {
      return button[0] || null;
    }
    if (typeof button === "string") {
      var holder = document.createElement("div");
      holder.innerHTML = button.trim();
      return holder.firstElementChild;
    }
    return null;
  }

  function csrfToken() {
    if (context && context.csrfToken) {
      return context.csrfToken;
    }
    var meta = document.querySelector("meta[name='csrf-token']");
    return meta ? meta.getAttribute("content") : null;
  }

  // ******** State ********

  var currentUser = null; // UserInfo JSON given to init()
  var context = null; // ContextInfo JSON given to init()
  var providers = []; // every provider object added, in order
  var providerInits = {}; // type -> promise of the provider after its init()
  var providerWaiters = {}; // type -> deferred for getProvider() before the provider is added
  var windowLoaded = document.readyState === "complete";

  window.addEventListener("load", function() {
    windowLoaded = true;
    // Modules are loaded by now: whoever still waits for an absent provider will not get it.
    Object.keys(providerWaiters).forEach(function(type) {
      if (!findProvider(type)) {
        providerWaiters[type].reject(clientError("NOT_FOUND_ERROR", "Provider not found: " + type));
        delete providerWaiters[type];
      }
    });
  });

  // ******** Remote log ********

  /**
   * Collects log records and sends them in batches over the websocket: a batch goes when it is full, every few
   * seconds, and when the page is hidden or closed. Records wait while the socket is down (bounded, oldest dropped).
   */
  function LogSpooler() {
    var buffer = [];
    var timer = null;
    var self = this;

    this.flush = function() {
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      if (buffer.length === 0 || !transport.isReady()) {
        return;
      }
      var records = buffer;
      buffer = [];
      for (var i = 0; i < records.length; i += LOG_BATCH) {
        transport.sendNow({ type: "log", records: records.slice(i, i + LOG_BATCH) });
      }
    };

    this.add = function(record) {
      buffer.push(record);
      if (buffer.length > LOG_BUFFER_MAX) {
        buffer.splice(0, buffer.length - LOG_BUFFER_MAX);
      }
      if (buffer.length >= LOG_BATCH) {
        self.flush();
      } else if (!timer) {
        timer = setTimeout(self.flush, LOG_FLUSH_MS);
      }
    };

    window.addEventListener("pagehide", function() {
      self.flush();
    });
    document.addEventListener("visibilitychange", function() {
      if (document.visibilityState === "hidden") {
        self.flush();
      }
    });
  }

  var logSpooler = new LogSpooler();

  /**
   * Whether records of this logger go to the server's CallLog: admins switch it per provider (admin page); the
   * core's own records go when any provider's log is on, as in the original.
   */
  function isRemoteLog(providerType) {
    if (!currentUser) {
      return false;
    }
    var config = providerType ? providerConfig(providerType) : null;
    if (config) {
      return !!config.logEnabled;
    }
    var list = (context && context.providersConfig) || [];
    return list.some(function(item) {
      return item.logEnabled;
    });
  }

  function errorRef(timestamp) {
    var user = currentUser ? currentUser.id : "???";
    return user + "-" + transport.getClientId() + "-" + timestamp;
  }

  /** The reference once the clientId is known (or "???" in it when no connection comes within 5 s). */
  function knownErrorRef(timestamp) {
    if (transport.isReady() || !currentUser) {
      return Promise.resolve(errorRef(timestamp));
    }
    return Promise.race([
      transport.whenReady(),
      new Promise(function(resolve) {
        setTimeout(resolve, 5000);
      })
    ]).then(function() {
      return errorRef(timestamp);
    });
  }

  /**
   * A logger for one provider type (and an optional prefix). Lines print to the console as
   * `| LEVEL | [type.prefix_clientId] message -- timestamp`, and all but trace go to the server when the remote log
   * is on. The error reference shown to users is `user-clientId-timestamp` of the logged record.
   */
  function Logger(providerType, prefixText) {
    var self = this;

    function line(message, err) {
      var text = message === undefined || message === null ? "" : String(message);
      if (err !== undefined && err !== null && !isFunction(err)) {
        text += ". Error: ";
        if (err.name || err.message) {
          if (err.name && err.name !== "Error") {
            text += "[" + err.name + "] ";
          }
          if (err.code) {
            text += "[" + err.code + "] ";
          }
          text += err.message || "";
        } else if (typeof err === "string") {
          text += err;
        } else {
          text += JSON.stringify(err);
        }
      }
      return text;
    }

    function toLog(level, message, err) {
      var text = line(message, err);
      var timestamp = new Date().toISOString();
      var name = providerType || "";
      if (prefixText) {
        name += (name ? "." : "") + prefixText;
      }
      var local = "[" + (name || "???") + "_" + transport.getClientId() + "]";
      var levelPad = (level.toUpperCase() + "     ").slice(0, 5);
      var out = level === "error" ? console.error : level === "warn" ? console.warn : console.log;
      out.call(console, "| " + levelPad + " | " + local + " " + text + " -- " + timestamp);
      if (err && err.stack) {
        console.log(err.stack);
      }
      if (level !== "trace" && isRemoteLog(providerType)) {
        logSpooler.add({
          level: level,
          provider: providerType || null,
          prefix: prefixText || null,
          message: text,
          timestamp: timestamp
        });
      }
      return timestamp;
    }

    /** A logger for the same type with this prefix (e.g. "call" in a call window). */
    this.prefix = function(thePrefix) {
      return new Logger(providerType, thePrefix || null);
    };

    this.trace = function(message, err) {
      toLog("trace", message, err);
    };
    this.debug = function(message, err) {
      toLog("debug", message, err);
    };
    this.info = function(message, err) {
      toLog("info", message, err);
    };
    this.warn = function(message, err) {
      toLog("warn", message, err);
    };

    /**
     * Log an error; the optional callback gets the error reference to show in the connector's own UI. The
     * reference names the server-given clientId, so before the first handshake it waits for it (a few seconds).
     */
    this.error = function(message, err, afterLogged) {
      if (isFunction(err)) {
        afterLogged = err;
        err = undefined;
      }
      var timestamp = toLog("error", message, err);
      var ref = knownErrorRef(timestamp);
      if (isFunction(afterLogged)) {
        ref.then(afterLogged);
      }
      return ref;
    };

    /** Log an error and show it to the user with its reference (log message and user message may differ). */
    this.showError = function(logMessage, err, showTitle, showMessage) {
      if (!showMessage && err) {
        showMessage = errorText(err);
      }
      return self.error(logMessage, err).then(function(ref) {
        return showError(showTitle, showMessage, ref);
      });
    };

    this.level = function() {
      return LEVELS.slice();
    };
  }

  var loggers = {};

  function getLog(type) {
    var key = type || "";
    if (!loggers[key]) {
      loggers[key] = new Logger(type || null, null);
    }
    return loggers[key];
  }

  var log = getLog("webconferencing");

  // ******** Websocket transport ********

  /**
   * The tab's connection to /webconferencing/ws. Requests (subscribe, publish, call) carry an id and are settled by
   * the server's ack/result/error with that id. While the socket is down, publishes and calls wait in a queue;
   * subscriptions are remembered and renewed after every handshake.
   *
   * A request is "sent" once it went out on a handshaken socket: only those can be lost with the connection. One
   * that is still queued waits through any number of failed reconnection attempts and goes out after the next
   * handshake, so its promise settles with the server's answer.
   */
  function Transport() {
    var socket = null;
    var ready = false;
    var clientId = null;
    var started = false;
    var attempts = 0;
    var reconnectTimer = null;
    var pingTimer = null;
    var seq = 0;
    var pending = {}; // id -> {frame, resolve, reject, sent}
    var queue = []; // frames waiting for the connection
    var channels = {}; // channel -> {listeners: [...], subscribed: bool}
    var readyWaiters = [];
    var self = this;

    function nextId() {
      seq += 1;
      return "r" + seq;
    }

    function url() {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      return scheme + window.location.host + WS_PATH;
    }

    this.getClientId = function() {
      return clientId || "???";
    };

    this.isReady = function() {
      return ready;
    };

    /** Resolves with the clientId once the first handshake is done. */
    this.whenReady = function() {
      if (ready) {
        return Promise.resolve(clientId);
      }
      return new Promise(function(resolve) {
        readyWaiters.push(resolve);
      });
    };

    this.sendNow = function(frame) {
      if (socket && ready) {
        socket.send(JSON.stringify(frame));
        return true;
      }
      return false;
    };

    function connect() {
      reconnectTimer = null;
      try {
        socket = new WebSocket(url());
      } catch (e) {
        log.trace("Cannot open websocket", e);
        scheduleReconnect();
        return;
      }
      socket.onopen = function() {
        var hello = { type: "handshake" };
        if (clientId) {
          hello.clientId = clientId;
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
      socket.onclose = function() {
        var wasReady = ready;
        ready = false;
        socket = null;
        stopPing();
        failInFlight();
        Object.keys(channels).forEach(function(name) {
          channels[name].subscribed = false;
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
      if (reconnectTimer) {
        return;
      }
      var delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * Math.pow(2, attempts));
      delay = delay / 2 + Math.random() * delay / 2;
      attempts += 1;
      reconnectTimer = setTimeout(connect, delay);
    }

    function startPing(seconds) {
      stopPing();
      if (seconds && seconds > 0) {
        pingTimer = setInterval(function() {
          self.sendNow({ type: "ping" });
        }, seconds * 1000);
      }
    }

    function stopPing() {
      if (pingTimer) {
        clearInterval(pingTimer);
        pingTimer = null;
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
      Object.keys(pending).forEach(function(id) {
        var req = pending[id];
        var frame = req.frame;
        if (!req.sent) {
          return;
        }
        req.sent = false;
        if (frame.type === "subscribe") {
          delete pending[id];
          return;
        }
        if (frame.type === "unsubscribe") {
          delete pending[id];
          req.resolve({});
          return;
        }
        var repeatable = frame.type === "call" && (frame.command === "get" || frame.command === "update"
          || frame.command === "get_calls_state");
        if (repeatable) {
          again.push(frame);
        } else {
          delete pending[id];
          req.reject(clientError("CONNECTION_ERROR", "Connection lost before the server answered"));
        }
      });
      queue = again.concat(queue);
    }

    /** Put a request on the wire (the socket is handshaken). */
    function send(frame) {
      var req = pending[frame.id];
      if (req) {
        req.sent = true;
      }
      socket.send(JSON.stringify(frame));
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
          if (frame.id && pending[frame.id]) {
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
      var previous = clientId;
      clientId = frame.clientId;
      ready = true;
      attempts = 0;
      startPing(frame.pingInterval);
      if (previous && previous !== clientId) {
        log.warn("Server gave a new client id " + clientId + " instead of " + previous);
      }
      Object.keys(channels).forEach(subscribeChannel);
      var waiting = queue;
      queue = [];
      waiting.forEach(send);
      logSpooler.flush();
      var waiters = readyWaiters;
      readyWaiters = [];
      waiters.forEach(function(resolve) {
        resolve(clientId);
      });
    }

    function settle(id, error, data) {
      var req = pending[id];
      if (!req) {
        return;
      }
      delete pending[id];
      if (error) {
        req.reject(clientError(error.code || "SERVER_ERROR", error.message || "Server error"));
      } else {
        req.resolve(data === undefined ? {} : data);
      }
    }

    function deliver(frame) {
      var entry = channels[frame.channel];
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
      var req = deferred();
      pending[frame.id] = { frame: frame, resolve: req.resolve, reject: req.reject, sent: false };
      if (ready) {
        send(frame);
      } else {
        queue.push(frame);
      }
      return req.promise;
    };

    function subscribeChannel(name) {
      var entry = channels[name];
      if (!entry || !ready) {
        return;
      }
      var frame = { type: "subscribe", id: nextId(), channel: name };
      pending[frame.id] = {
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
          delete channels[name];
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
      var entry = channels[name];
      if (entry) {
        entry.listeners.push(listener);
        if (entry.subscribed) {
          listener.ready = true;
          if (onReady) {
            setTimeout(onReady, 0);
          }
        }
      } else {
        channels[name] = { listeners: [listener], subscribed: false };
        subscribeChannel(name);
      }
      self.start();
      return function unsubscribe() {
        var current = channels[name];
        if (!current) {
          return;
        }
        current.listeners = current.listeners.filter(function(l) {
          return l !== listener;
        });
        if (current.listeners.length === 0) {
          delete channels[name];
          if (ready) {
            self.request({ type: "unsubscribe", channel: name }).catch(function(err) {
              log.debug("Unsubscribe failed: " + name, err);
            });
          }
        }
      };
    };

    this.start = function() {
      if (!started) {
        started = true;
        connect();
      }
    };

    /** Back on the network (e.g. a laptop waking up): try now instead of at the end of a long backoff wait. */
    window.addEventListener("online", function() {
      if (started && !socket && reconnectTimer) {
        clearTimeout(reconnectTimer);
        connect();
      }
    });
  }

  var transport = new Transport();

  // ******** REST ********

  function rest(method, path, body) {
    var headers = { "Accept": "application/json" };
    var token = csrfToken();
    if (token) {
      headers["X-CSRF-Token"] = token;
    }
    var options = { method: method, credentials: "same-origin", headers: headers };
    if (body !== undefined) {
      if (body instanceof URLSearchParams) {
        options.body = body;
      } else {
        headers["Content-Type"] = "application/json";
        options.body = JSON.stringify(body);
      }
    }
    return fetch(getBaseUrl() + REST_PATH + path, options).then(function(response) {
      return response.text().then(function(text) {
        var data = null;
        if (text) {
          try {
            data = JSON.parse(text);
          } catch (e) {
            data = { message: text };
          }
        }
        if (response.ok) {
          return data;
        }
        var code = data && data.code ? data.code
          : response.status === 404 ? "NOT_FOUND_ERROR"
          : response.status === 403 || response.status === 401 ? "ACCESS_ERROR"
          : response.status < 500 ? "CLIENT_ERROR" : "SERVER_ERROR";
        throw clientError(code, (data && data.message) || response.statusText || ("HTTP " + response.status));
      });
    });
  }

  // ******** Providers ********

  function providerConfig(type) {
    var list = context && context.providersConfig;
    if (!list) {
      return null;
    }
    for (var i = 0; i < list.length; i++) {
      var config = list[i];
      if (config.type === type) {
        return config;
      }
      var supported = config.supportedTypes || [];
      if (supported.indexOf(type) >= 0) {
        return config;
      }
    }
    return null;
  }

  /** Active unless the server says otherwise: an admin switched it off, or the server does not know it. */
  function isActive(provider) {
    if (!context || !context.providersConfig) {
      return true;
    }
    var config = providerConfig(provider.getType());
    return !!(config && config.active !== false);
  }

  function findProvider(type) {
    for (var i = 0; i < providers.length; i++) {
      var provider = providers[i];
      if (provider.getType() === type) {
        return provider;
      }
      var supported = isFunction(provider.getSupportedTypes) ? provider.getSupportedTypes() || [] : [];
      if (supported.indexOf(type) >= 0) {
        return provider;
      }
    }
    return null;
  }

  /**
   * Configure with the server's settings, then run the provider's optional init(); the promise resolves with the
   * provider, or rejects when an admin switched it off or its init() failed (it then gets no call buttons).
   */
  function initProvider(provider) {
    var type = provider.getType();
    if (providerInits[type]) {
      return providerInits[type];
    }
    var process;
    if (!isActive(provider)) {
      process = Promise.reject(clientError("ACCESS_ERROR", "Provider " + type + " is not active"));
    } else {
      process = new Promise(function(resolve, reject) {
        var config = providerConfig(type);
        if (config && isFunction(provider.configure)) {
          provider.configure(config);
        }
        if (isFunction(provider.init)) {
          Promise.resolve(provider.init(context)).then(function() {
            log.debug("Provider initialized: " + type);
            resolve(provider);
          }, function(err) {
            log.error("Provider initialization failed: " + type, err);
            reject(err || clientError("SERVER_ERROR", "Provider " + type + " failed to initialize"));
          });
        } else {
          resolve(provider);
        }
      });
    }
    process.catch(function() {
      // a failed provider only loses its buttons; getProvider() callers see the rejection
    });
    providerInits[type] = process;
    var waiter = providerWaiters[type];
    if (waiter) {
      delete providerWaiters[type];
      process.then(waiter.resolve, waiter.reject);
    }
    return process;
  }

  function addProvider(provider) {
    if (!provider || !isFunction(provider.getType) || !isFunction(provider.getTitle)
      || !isFunction(provider.callButton)) {
      log.warn("Not a call provider (needs getType, getSupportedTypes, getTitle and callButton)", provider);
      return false;
    }
    var type = provider.getType();
    if (findProvider(type)) {
      log.debug("Provider already added: " + type);
      return false;
    }
    providers.push(provider);
    log.debug("Provider added: " + type);
    if (currentUser) {
      initProvider(provider);
    }
    (provider.getSupportedTypes ? provider.getSupportedTypes() || [] : []).forEach(function(supported) {
      var waiter = providerWaiters[supported];
      if (waiter && supported !== type) {
        delete providerWaiters[supported];
        (currentUser ? initProvider(provider) : Promise.resolve(provider)).then(waiter.resolve, waiter.reject);
      }
    });
    return true;
  }

  function getProvider(type) {
    var provider = findProvider(type);
    if (provider && currentUser) {
      return initProvider(provider);
    }
    if (!providerWaiters[type]) {
      providerWaiters[type] = deferred();
      if (windowLoaded && !provider) {
        var waiter = providerWaiters[type];
        delete providerWaiters[type];
        waiter.reject(clientError("NOT_FOUND_ERROR", "Provider not found: " + type));
        return waiter.promise;
      }
    }
    return providerWaiters[type].promise;
  }

  // ******** Call buttons ********

  var BUTTON_SELECTOR = ".webconferencing-call";

  /** The call context of one button container, from its data attributes (see templates/portal/_call_button.html). */
  function buttonContext(container) {
    var data = container.dataset;
    var target = {
      currentUser: currentUser,
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

  function closeMenus(except) {
    document.querySelectorAll(".webconferencing-call.open").forEach(function(node) {
      if (node !== except) {
        node.classList.remove("open");
      }
    });
  }

  document.addEventListener("click", function(event) {
    if (!event.target.closest || !event.target.closest(".webconferencing-call .dropdown-toggle")) {
      closeMenus(null);
    }
  });

  /** One button, or the first as the default action and the others in a dropdown (as the original did). */
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
    toggle.setAttribute("aria-label", "More call options");
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
      container.classList.toggle("open");
    });
    menu.addEventListener("click", function() {
      container.classList.remove("open");
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
    var candidates = providers.filter(function(provider) {
      return isActive(provider);
    });
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
      return initProvider(provider).then(function() {
        return Promise.resolve(provider.callButton(target));
      }).then(function(button) {
        var element = toElement(button);
        return element ? { type: provider.getType(), element: element } : null;
      }, function(err) {
        log.trace("No " + provider.getType() + " button: " + errorText(err));
        return null;
      });
    });
    return Promise.all(answers).then(function(results) {
      if (container.getAttribute("data-generation") !== generation) {
        return;
      }
      renderButtons(container, results.filter(Boolean));
      container.setAttribute("data-built", "true");
    });
  }

  /** Put call buttons on the page: every `.webconferencing-call` container gets the active providers' buttons. */
  function update() {
    if (!currentUser) {
      return Promise.resolve();
    }
    return new Promise(function(resolve) {
      onDocumentReady(function() {
        var containers = Array.prototype.slice.call(document.querySelectorAll(BUTTON_SELECTOR));
        Promise.all(containers.map(buildButton)).then(resolve, resolve);
      });
    });
  }

  // ******** Dialogs and notices ********

  var dialogQueue = Promise.resolve();

  /**
   * A modal dialog; one shows at a time, later ones wait. Resolves true on OK, false on Cancel (confirm only).
   */
  function dialog(kind, title, text, ref, withCancel) {
    var shown = dialogQueue.then(function() {
      return new Promise(function(resolve) {
        onDocumentReady(function() {
          var overlay = el("div", "webconferencing-overlay");
          var box = el("div", "webconferencing-dialog " + kind);
          box.setAttribute("role", kind === "error" || kind === "warn" ? "alertdialog" : "dialog");
          box.setAttribute("aria-modal", "true");
          var head = el("div", "webconferencing-dialog-title");
          head.appendChild(el("span", "webconferencing-dialog-icon"));
          var titleText = el("span", "title");
          setContent(titleText, title);
          head.appendChild(titleText);
          var body = el("div", "webconferencing-dialog-message");
          setContent(body, text);
          box.appendChild(head);
          box.appendChild(body);
          if (ref) {
            var refLine = el("div", "webconferencing-dialog-reference");
            refLine.appendChild(el("span", "label", "Error reference: "));
            refLine.appendChild(el("code", "value", ref));
            box.appendChild(refLine);
          }
          var actions = el("div", "webconferencing-dialog-actions");
          var ok = el("button", "btn btn-primary ok", "OK");
          ok.type = "button";
          actions.appendChild(ok);
          var cancel = null;
          if (withCancel) {
            cancel = el("button", "btn cancel", "Cancel");
            cancel.type = "button";
            actions.appendChild(cancel);
          }
          box.appendChild(actions);
          overlay.appendChild(box);
          document.body.appendChild(overlay);
          ok.focus();
          function close(result) {
            overlay.remove();
            document.removeEventListener("keydown", onKey);
            resolve(result);
          }
          function onKey(event) {
            if (event.key === "Escape") {
              close(false);
            }
          }
          document.addEventListener("keydown", onKey);
          ok.addEventListener("click", function() {
            close(true);
          });
          if (cancel) {
            cancel.addEventListener("click", function() {
              close(false);
            });
          }
        });
      });
    });
    dialogQueue = shown.then(function() {}, function() {});
    return shown;
  }

  function showInfo(title, text) {
    return dialog("info", title, text, null, false);
  }

  function showWarn(title, text) {
    return dialog("warn", title, text, null, false);
  }

  function showError(title, text, ref) {
    return dialog("error", title, text, ref, false);
  }

  /** Resolves when the user confirms, rejects when they cancel. */
  function showConfirm(title, text) {
    return dialog("confirm", title, text, null, true).then(function(confirmed) {
      if (!confirmed) {
        throw clientError("CANCELLED", "Cancelled by user");
      }
      return true;
    });
  }

  var noticeStack = null;

  /**
   * A notice in the top right corner. Info hides after 8 s, warnings after 30 s, errors stay until closed.
   * onInit gets the notice element so a connector can add its own buttons (e.g. accept/decline a call).
   */
  function notice(kind, title, text, hideAfterMs, onInit) {
    var item = el("div", "webconferencing-notice " + kind);
    item.setAttribute("role", kind === "error" ? "alert" : "status");
    var closer = el("button", "close", "\u00d7");
    closer.type = "button";
    closer.setAttribute("aria-label", "Close");
    var head = el("div", "notice-title");
    setContent(head, title);
    var body = el("div", "notice-text");
    setContent(body, text);
    item.appendChild(closer);
    item.appendChild(head);
    item.appendChild(body);
    var timer = null;
    var handle = {
      element: item,
      remove: function() {
        if (timer) {
          clearTimeout(timer);
        }
        item.remove();
      }
    };
    closer.addEventListener("click", handle.remove);
    onDocumentReady(function() {
      if (!noticeStack || !noticeStack.isConnected) {
        noticeStack = el("div", "webconferencing-notices");
        document.body.appendChild(noticeStack);
      }
      noticeStack.appendChild(item);
      if (hideAfterMs) {
        timer = setTimeout(handle.remove, hideAfterMs);
      }
      if (isFunction(onInit)) {
        onInit(item, handle);
      }
    });
    return handle;
  }

  function noticeInfo(title, text, onInit) {
    return notice("info", title, text, 8000, onInit);
  }

  function noticeWarn(title, text, onInit) {
    return notice("warn", title, text, 30000, onInit);
  }

  function noticeError(title, text, onInit) {
    return notice("error", title, text, 0, onInit);
  }

  // ******** Connector helpers ********

  /** The user's first IM account of a type (the original's imAccount), or null. */
  function imAccount(user, type) {
    var accounts = user && user.imAccounts ? user.imAccounts[type] : null;
    if (Array.isArray(accounts)) {
      return accounts.length > 0 ? accounts[0] : null;
    }
    return accounts || null;
  }

  var RINGING_STATUSES = ["available", "away"]; // "donotdisturb" (and offline) users get the dialog without a ring

  /**
   * A ring tone made by the browser, so a connector ships no media file: a short beep a second until stop(). The
   * pitch (Hz, 440 by default) tells connectors apart when two ring at once.
   */
  function ringTone(frequency) {
    var audio = null;
    var timer = null;

    function beep() {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.frequency.value = frequency || 440;
      gain.gain.value = 0.08;
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + 0.25);
    }

    return {
      start: function() {
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
      },
      stop: function() {
        if (timer) {
          clearInterval(timer);
          timer = null;
        }
        if (audio) {
          audio.close().catch(function() {});
          audio = null;
        }
      }
    };
  }

  /**
   * Who can take a call of `imType` on this target, as the template's `ims`: the current user first, then the other
   * party (1:1) or the space/room members with an IM account of that type. Fewer than two: no call button.
   */
  function callParticipants(theContext, target, imType) {
    var me = currentUser.id;
    var ids = [me];
    if (theContext.isGroup) {
      var members = target.members || {};
      Object.keys(members).forEach(function(id) {
        if (id !== me && imAccount(members[id], imType)) {
          ids.push(id);
        }
      });
    } else if (target.id !== me && imAccount(target, imType)) {
      ids.push(target.id);
    }
    return ids;
  }

  /**
   * The template's stable call id: `g/<space pretty name or room name>` for groups, `p/<ids sorted, joined by ->`
   * for 1:1. Sorted, so both parties compute the same id whoever calls, and a second click finds the running call.
   */
  function callId(theContext, target, ids) {
    if (theContext.isGroup) {
      return "g/" + (theContext.isRoom ? theContext.roomName : target.id);
    }
    var sorted = ids.slice();
    sorted.sort();
    return "p/" + sorted.join("-");
  }

  /**
   * The template's incoming-call flow, for connectors that keep it: on `call_state: started` call incoming(id); a
   * dialog `<prefix>-incoming` (data-call-id, data-ring) offers Accept / Decline, and rings with a notice only for
   * users who are available or away. Decline is deleteCall for 1:1 and updateUserCall(id, "leaved") for groups;
   * what Accept does is the connector's. Options:
   *   prefix            CSS class prefix of the dialog and its parts (the provider type)
   *   title             the dialog's title text, or a function giving it when the dialog shows
   *   callerText(call, isGroup)  the line under the title (also the notice's text)
   *   noticeTitle       title of the notice shown while it rings
   *   ringFrequency     pitch of the ring tone (see ringTone)
   *   busy(callId)      true when this tab placed or already takes part in the call: no dialog then
   *   onAccept(call, isGroup)  after the dialog is gone
   *   log               the connector's log (getLog(type))
   * Returns {incoming(callId), stopRinging(callId)}: stop it when the call stops or is answered in another tab.
   */
  function incomingCalls(options) {
    var providerLog = options.log || log;
    var ringing = {}; // callId -> {dialog, ringtone, notice}

    function isGroupCall(id) {
      return id.indexOf("g/") === 0;
    }

    function stopRinging(id) {
      var ring = ringing[id];
      if (ring) {
        delete ringing[id];
        ring.ringtone.stop();
        if (ring.notice) {
          ring.notice.remove();
        }
        ring.dialog.remove();
      }
    }

    function decline(id) {
      stopRinging(id);
      var done;
      if (isGroupCall(id)) {
        done = webConferencing.updateUserCall(id, "leaved");
      } else {
        done = webConferencing.deleteCall(id).then(function() {
          providerLog.info("Deleted call: " + id);
        });
      }
      done.catch(function(err) {
        if (err && err.code === "NOT_FOUND_ERROR") {
          providerLog.debug("Call already gone: " + id);
        } else {
          providerLog.error("Failed to decline call: " + id, err);
        }
      });
    }

    function show(call, ring) {
      var id = call.id;
      var isGroup = isGroupCall(id);
      var prefix = options.prefix;
      // The title's id holds the call window's name (<prefix>-<id>), as the template connector's did
      var titleId = prefix + "-incoming-" + prefix + "-" + id.replace(/[^A-Za-z0-9_]/g, "_");
      var dialog = el("div", prefix + "-incoming");
      dialog.setAttribute("role", "dialog");
      dialog.setAttribute("aria-labelledby", titleId);
      dialog.setAttribute("data-call-id", id);
      dialog.setAttribute("data-ring", ring ? "true" : "false");
      var title = el("div", prefix + "-incoming-title", isFunction(options.title) ? options.title() : options.title);
      title.id = titleId;
      var caller = options.callerText(call, isGroup);
      var actions = el("div", prefix + "-incoming-actions");
      var accept = el("button", "btn btn-primary accept", "Accept");
      var decliner = el("button", "btn decline", "Decline");
      accept.type = decliner.type = "button";
      actions.appendChild(accept);
      actions.appendChild(decliner);
      dialog.appendChild(title);
      dialog.appendChild(el("div", prefix + "-incoming-caller", caller));
      dialog.appendChild(actions);
      accept.addEventListener("click", function() {
        stopRinging(id);
        options.onAccept(call, isGroup);
      });
      decliner.addEventListener("click", function() {
        decline(id);
      });
      document.body.appendChild(dialog);
      var entry = { dialog: dialog, ringtone: ringTone(options.ringFrequency), notice: null };
      ringing[id] = entry;
      if (ring) {
        entry.ringtone.start();
        entry.notice = noticeInfo(options.noticeTitle, caller);
      }
    }

    function incoming(id) {
      if (options.busy(id) || ringing[id]) {
        return; // this tab placed or already answered it, or it already rings
      }
      providerLog.info("Incoming call: " + id);
      var me = currentUser.id;
      webConferencing.getCall(id).then(function(call) {
        if (call.state !== "started" || (call.ownerType === "user" && call.owner.id === me)) {
          return; // our own 1:1 call, placed from another tab
        }
        var mine = (call.participants || []).filter(function(part) {
          return part.id === me;
        })[0];
        if (mine && mine.state === "joined") {
          return; // already in it from another tab
        }
        return webConferencing.getUserStatus(me).then(function(status) {
          if (!options.busy(id) && !ringing[id]) {
            show(call, RINGING_STATUSES.indexOf(status.status) >= 0);
          }
        });
      }).catch(function(err) {
        providerLog.error("Failed to get incoming call: " + id, err);
      });
    }

    return { incoming: incoming, stopRinging: stopRinging };
  }

  // ******** Public API ********

  function getBaseUrl() {
    return window.location.protocol + "//" + window.location.host;
  }

  /**
   * Start the module for this user and page: remember them, connect, configure and init the providers already
   * added, and put call buttons on the page. Pages call it once with the server's UserInfo and ContextInfo.
   */
  function init(user, theContext) {
    if (!user || !user.id) {
      log.warn("init() without a user: nothing to do for anonymous pages");
      return;
    }
    currentUser = user;
    context = theContext || {};
    transport.start();
    providers.forEach(initProvider);
    update();
  }

  var webConferencing = {
    init: init,
    update: update,
    getUser: function() {
      return currentUser;
    },
    getContext: function() {
      return context;
    },
    getCurrentSpaceId: function() {
      return context ? context.spaceId || null : null;
    },
    getCurrentRoomTitle: function() {
      return context ? context.roomTitle || null : null;
    },
    getBaseUrl: getBaseUrl,
    getClientId: function() {
      return transport.getClientId();
    },
    addProvider: addProvider,
    findProvider: findProvider,
    getProvider: getProvider,

    getCall: function(id) {
      return transport.request({ type: "call", command: "get", callId: id });
    },
    addCall: function(id, info) {
      var frame = { type: "call", command: "create", callId: id };
      Object.keys(info || {}).forEach(function(key) {
        frame[key] = info[key];
      });
      return transport.request(frame);
    },
    updateUserCall: function(id, state) {
      return transport.request({ type: "call", command: "update", callId: id, state: state });
    },
    deleteCall: function(id) {
      return transport.request({ type: "call", command: "delete", callId: id });
    },
    getUserGroupCalls: function() {
      return transport.request({ type: "call", command: "get_calls_state" });
    },
    getUserStatus: function(id) {
      return rest("GET", "/userstatus/" + encodeURIComponent(id));
    },
    getUserInfo: function(id) {
      return rest("GET", "/user/" + encodeURIComponent(id));
    },
    getSpaceInfo: function(id) {
      return rest("GET", "/space/" + encodeURIComponent(id));
    },
    getRoomInfo: function(id, title, members) {
      var query = "?title=" + encodeURIComponent(title || id);
      if (members) {
        query += "&members=" + encodeURIComponent([].concat(members).join(","));
      }
      return rest("GET", "/room/" + encodeURIComponent(id) + query);
    },
    rest: rest,

    onUserUpdate: function(userId, onUpdate, onError, onReady) {
      return transport.subscribe(USER_CHANNEL + userId, onUpdate, onError, onReady);
    },
    onCallUpdate: function(callId, onUpdate, onError, onReady) {
      return transport.subscribe(CALL_CHANNEL + callId, onUpdate, onError, onReady);
    },
    toCallUpdate: function(callId, data) {
      return transport.request({ type: "publish", channel: CALL_CHANNEL + callId, data: data });
    },

    /** A popup window (not a tab) of 80% of the screen, centered; the name lets a later call focus it. */
    showCallPopup: function(url, name) {
      var width = Math.round(window.screen.availWidth * 0.8);
      var height = Math.round(window.screen.availHeight * 0.8);
      var left = Math.round((window.screen.availWidth - width) / 2);
      var top = Math.round((window.screen.availHeight - height) / 2);
      var features = "menubar=no,toolbar=no,location=no,status=no,resizable=yes,scrollbars=yes"
        + ",width=" + width + ",height=" + height + ",left=" + left + ",top=" + top;
      var popup = window.open(url, name, features);
      if (popup) {
        popup.focus();
      } else {
        log.warn("Call window blocked by the browser: " + url);
      }
      return popup;
    },
    imAccount: imAccount,
    getLog: getLog,
    errorText: errorText,
    showInfo: showInfo,
    showWarn: showWarn,
    showConfirm: showConfirm,
    showError: showError,
    noticeInfo: noticeInfo,
    noticeWarn: noticeWarn,
    noticeError: noticeError,
    // Connector helpers: the template connector's flow, shared by the connectors that follow it
    ringTone: ringTone,
    callParticipants: callParticipants,
    callId: callId,
    incomingCalls: incomingCalls,
    /** Whether the websocket is up and handshaken now (requests made while it is not wait for the reconnection). */
    isConnected: function() {
      return transport.isReady();
    },
    /** Resolves with the clientId once the websocket handshake is done (tests and call pages wait on it). */
    whenConnected: function() {
      transport.start();
      return transport.whenReady();
    },
    /** Send the buffered log records now (e.g. before a call page closes). */
    flushLog: function() {
      logSpooler.flush();
    }
  };

  window.webConferencing = webConferencing;
})(window, document);
