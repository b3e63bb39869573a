/**
 * webConferencing, part 10 of 10: the public module, `window.webConferencing`.
 *
 * Connectors register their provider objects here and get an API for the call life cycle (calls stored on the
 * server, user and call channels, remote log, dialogs and notices) so they only write their provider logic. Method
 * names and argument orders follow the original module; its jQuery promises are native promises here.
 *
 * This part makes the one transport of the tab, attaches the log spooler to it (the only link between the two) and
 * removes the parts' private namespace: from here on the parts are reachable only through this API.
 */
(function(window, document) {
  "use strict";

  var parts = window.__webConferencingParts;
  var util = parts.util;
  var session = parts.session;
  var dialogs = parts.dialogs;
  var providers = parts.providers;
  var helpers = parts.connectorHelpers;
  var rest = parts.rest.rest;
  var getLog = parts.log.getLog;
  var spooler = parts.log.spooler;
  var message = parts.i18n.message;
  var errorTexts = parts.errorTexts;
  var log = getLog("webconferencing");

  var USER_CHANNEL = "/webconferencing/user/";
  var CALL_CHANNEL = "/webconferencing/call/";

  /**
   * A 1:1 call placed to someone already in another call rings them as a waiting call (no ringtone): the caller is
   * told, and may keep ringing or hang up.
   */
  function tellBusyCallee(call) {
    var me = session.user() ? session.user().id : null;
    if (call && call.ownerType === "user") {
      (call.participants || []).forEach(function(part) {
        if (part.id !== me && part.status === "incall") {
          dialogs.noticeInfo(message("webconferencing.busy.title"),
            message("webconferencing.busy.waiting", [part.title || part.id]));
        }
      });
    }
    return call;
  }

  var transport = new parts.transport.Transport(log);
  spooler.attach(transport);

  /**
   * Start the module for this user and page: remember them, connect, configure and init the providers already
   * added, and put call buttons on the page. Pages call it once with the server's UserInfo and ContextInfo.
   */
  function init(user, theContext) {
    if (!user || !user.id) {
      log.warn("init() without a user: nothing to do for anonymous pages");
      return;
    }
    session.start(user, theContext);
    transport.start();
    providers.all().forEach(providers.initProvider);
    parts.buttons.update();
  }

  var webConferencing = {
    init: init,
    update: parts.buttons.update,
    addButtonSource: parts.buttons.addButtonSource, // issue 12: a space's external meeting links
    refreshButtons: parts.buttons.refresh,
    getUser: session.user,
    getContext: session.context,
    getCurrentSpaceId: function() {
      var context = session.context();
      return context ? context.spaceId || null : null;
    },
    getCurrentRoomTitle: function() {
      var context = session.context();
      return context ? context.roomTitle || null : null;
    },
    getBaseUrl: util.getBaseUrl,
    /** The text of `key` in the page's language, `{0}`/`{name}` replaced by `params` (i18n.js; issue 11). */
    message: parts.i18n.message,
    hasMessage: parts.i18n.hasMessage,
    getLanguage: parts.i18n.language,
    /** The server-given id of this tab's connection, or null before the first handshake. */
    getClientId: function() {
      return transport.getClientId();
    },
    addProvider: providers.addProvider,
    findProvider: providers.findProvider,
    getProvider: providers.getProvider,

    getCall: function(id) {
      return transport.request({ type: "call", command: "get", callId: id });
    },
    /**
     * The call, or null when there is none this user may see (docs/protocol.md, `find`): for asking whether a call
     * runs (a space's page on load) without a NOT_FOUND error on the socket when none does.
     */
    findCall: function(id) {
      return transport.request({ type: "call", command: "find", callId: id });
    },
    addCall: function(id, info) {
      var frame = { type: "call", command: "create", callId: id };
      Object.keys(info || {}).forEach(function(key) {
        frame[key] = info[key];
      });
      return transport.request(frame);
    },
    /**
     * The call a connector's button places under `id`: a call of this provider (`info.provider`) is returned to be
     * joined; none, or a stopped call of another provider, is created from `info` (the server replaces the stopped
     * one); a running call of another provider is refused with CALL_CONFLICT_ERROR naming it, so a button never
     * silently rejoins another provider's call.
     */
    findOrAddCall: function(id, info) {
      // Created first, read only when it exists: a new call (the usual click) meets no "not found" on its way
      // (issue 11). The server replaces a stopped group call of another provider and refuses any other existing one.
      return webConferencing.addCall(id, info).then(tellBusyCallee, function(err) {
        if (!err || err.code !== "CALL_CONFLICT_ERROR") {
          throw err;
        }
        return webConferencing.getCall(id).then(refuseAnotherProviders);
      });

      function refuseAnotherProviders(call) {
        if (call.providerType === info.provider) {
          return call;
        }
        var running = providers.findProvider(call.providerType);
        var title = running && running.getTitle ? running.getTitle() : call.providerType;
        return Promise.reject(errorTexts.userError(message("webconferencing.call.conflict", [title]),
          "CALL_CONFLICT_ERROR"));
      }
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
    /** The calls (1:1 and group) ringing for the current user now (docs/protocol.md, get_ringing_calls). */
    getRingingCalls: function() {
      return transport.request({ type: "call", command: "get_ringing_calls" });
    },
    /**
     * Call `listener()` each time the tab reconnects without the user-channel events it missed (the server was
     * restarted, or the tab reached another process: `resume: "refresh"` in docs/protocol.md), once its channels
     * are subscribed again. What the page shows from those events may be stale: a connector re-reads the calls it
     * keeps (getCall) there. The core already does it for the incoming-call dialogs of incomingCalls, the space
     * banner and the missed-calls badge. Returns a function that stops listening.
     */
    onStateRefresh: function(listener) {
      return transport.onRefresh(listener);
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
    imAccount: helpers.imAccount,
    getLog: getLog,
    /**
     * What a person reads about an error, in the page's language (error-texts.js): the text of its code (the
     * server's, or the transport's CONNECTION_ERROR), or the generic one; never the server's English message, which
     * is for the log. Plain text: put it in the page with textContent.
     */
    errorText: errorTexts.userText,
    /** An Error whose `text`, already in the page's language, errorText and showError show as it is. */
    userError: errorTexts.userError,
    showInfo: dialogs.showInfo,
    showWarn: dialogs.showWarn,
    showConfirm: dialogs.showConfirm,
    showError: dialogs.showError,
    noticeInfo: dialogs.noticeInfo,
    noticeWarn: dialogs.noticeWarn,
    noticeError: dialogs.noticeError,
    /** Make an element of the page a modal dialog (backdrop, Escape, focus trap); returns {release()}. */
    modal: dialogs.modal,
    // Connector helpers: the template connector's flow, shared by the connectors that follow it
    ringTone: function(frequency) {
      return helpers.ringTone(frequency, log);
    },
    callParticipants: helpers.callParticipants,
    callId: helpers.callId,
    callEndedText: helpers.callEndedText,
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
      spooler.flush();
    }
  };
  var connectorFlow = helpers.connectorHelpers(webConferencing);
  webConferencing.incomingCalls = connectorFlow.incomingCalls;
  webConferencing.forgetEndedCalls = connectorFlow.forgetEndedCalls;

  delete window.__webConferencingParts;
  window.webConferencing = webConferencing;
})(window, document);
