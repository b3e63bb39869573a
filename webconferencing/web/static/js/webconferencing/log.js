/**
 * webConferencing, part 4 of 10: loggers and the remote log.
 *
 * Records print to the console and, when an admin switched the remote log on, are spooled to the server's CallLog
 * over the websocket. The log does not know the transport: api.js attaches it as the spooler's `connection`
 * (anything with isReady(), sendNow(frame), getClientId(), whenReady() and onReady(listener)), so the transport can
 * log through this part without either depending on the other at load time.
 */
(function(window, document) {
  "use strict";

  var parts = window.__webConferencingParts;
  var util = parts.util;
  var session = parts.session;
  var dialogs = parts.dialogs;
  var userText = parts.errorTexts.userText;

  var LOG_FLUSH_MS = 2000;
  var LOG_BATCH = 20;
  var LOG_BUFFER_MAX = 500;
  var ERROR_REF_WAIT_MS = 5000;

  /** Before a connection is attached (or while it never handshakes): no client id, nothing sent. */
  var NO_CONNECTION = {
    isReady: function() {
      return false;
    },
    sendNow: function() {
      return false;
    },
    getClientId: function() {
      return null;
    },
    whenReady: function() {
      return new Promise(function() {});
    }
  };

  /**
   * Collects log records and sends them in batches: a batch goes when it is full, every few seconds, when the
   * connection becomes ready and when the page is hidden or closed. Records wait while the socket is down (bounded,
   * oldest dropped).
   */
  function LogSpooler() {
    var buffer = [];
    var timer = null;
    var self = this;

    this.connection = NO_CONNECTION;

    /** Send through `connection` from now on, and flush whenever it (re)connects. */
    this.attach = function(connection) {
      self.connection = connection;
      connection.onReady(self.flush);
    };

    this.flush = function() {
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      if (buffer.length === 0 || !self.connection.isReady()) {
        return;
      }
      var records = buffer;
      buffer = [];
      for (var i = 0; i < records.length; i += LOG_BATCH) {
        self.connection.sendNow({ type: "log", records: records.slice(i, i + LOG_BATCH) });
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

  var spooler = new LogSpooler();

  /**
   * Whether records of this logger go to the server's CallLog: admins switch it per provider (admin page); the
   * core's own records go when any provider's log is on, as in the original.
   */
  function isRemoteLog(providerType) {
    if (!session.user()) {
      return false;
    }
    var config = providerType ? session.providerConfig(providerType) : null;
    if (config) {
      return !!config.logEnabled;
    }
    return (session.providersConfig() || []).some(function(item) {
      return item.logEnabled;
    });
  }

  /** `user-clientId-timestamp`, the reference a user reads out to support; parts not known yet are left out. */
  function errorRef(timestamp) {
    var user = session.user();
    return [user ? user.id : null, spooler.connection.getClientId(), timestamp].filter(Boolean).join("-");
  }

  /** The reference once the clientId is known (without it when no connection comes within a few seconds). */
  function knownErrorRef(timestamp) {
    if (spooler.connection.isReady() || !session.user()) {
      return Promise.resolve(errorRef(timestamp));
    }
    return Promise.race([
      spooler.connection.whenReady(),
      new Promise(function(resolve) {
        setTimeout(resolve, ERROR_REF_WAIT_MS);
      })
    ]).then(function() {
      return errorRef(timestamp);
    });
  }

  /** The record's text: the message, then the error's name, code and message. */
  function line(message, err) {
    var text = message === undefined || message === null ? "" : String(message);
    if (err !== undefined && err !== null && !util.isFunction(err)) {
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

  /**
   * A logger for one provider type (and an optional prefix). Lines print to the console as
   * `| LEVEL | [type.prefix_clientId] message -- timestamp`, and all but trace go to the server when the remote log
   * is on. The error reference shown to users is `user-clientId-timestamp` of the logged record.
   */
  function Logger(providerType, prefixText) {
    var self = this;
    var name = [providerType, prefixText].filter(Boolean).join(".");

    function toLog(level, message, err) {
      var text = line(message, err);
      var timestamp = new Date().toISOString();
      var local = "[" + [name, spooler.connection.getClientId()].filter(Boolean).join("_") + "]";
      var levelPad = (level.toUpperCase() + "     ").slice(0, 5);
      var out = level === "error" ? console.error : level === "warn" ? console.warn : console.log;
      out.call(console, "| " + levelPad + " | " + local + " " + text + " -- " + timestamp);
      if (err && err.stack) {
        console.log(err.stack);
      }
      if (level !== "trace" && isRemoteLog(providerType)) {
        spooler.add({
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
      if (util.isFunction(err)) {
        afterLogged = err;
        err = undefined;
      }
      var timestamp = toLog("error", message, err);
      var ref = knownErrorRef(timestamp);
      if (util.isFunction(afterLogged)) {
        ref.then(afterLogged);
      }
      return ref;
    };

    /**
     * Log an error and show it to the user with its reference. The log gets the error as it is (its English
     * message); the user reads `showMessage`, or else the error's text in the page's language (error-texts.js).
     */
    this.showError = function(logMessage, err, showTitle, showMessage) {
      if (!showMessage && err) {
        showMessage = userText(err);
      }
      return self.error(logMessage, err).then(function(ref) {
        return dialogs.showError(showTitle, showMessage, ref);
      });
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

  parts.log = {
    getLog: getLog,
    spooler: spooler
  };
})(window, document);
