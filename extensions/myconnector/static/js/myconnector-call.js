/**
 * My Connector call window (/myconnector/call/<id>): joins the call from this tab, shows who is in it, and leaves on
 * hang-up or when the window closes. The call ends for everyone by the core's rules (a 1:1 call when one side
 * leaves, a group call when the last one does); the window shows it ended and closes. It starts with the call the
 * page rendered into `<script type="application/json" id="myconnector-call-data">`.
 */
(function(window, document, webConferencing) {
  "use strict";

  var TYPE = "myconnector";
  var CLOSE_AFTER_MS = 3000;
  var log = webConferencing.getLog(TYPE).prefix("call");

  var message = webConferencing.message;
  var STATE_TEXT = { joined: "myconnector.part.joined", leaved: "myconnector.part.leaved",
    invited: "myconnector.part.invited" }; // message keys

  function start(call) {
    var callId = call.id;
    var root = document.querySelector(".myconnector-call");
    var status = root.querySelector(".myconnector-call-status");
    var hangupButton = root.querySelector(".myconnector-hangup");
    var joined = false;
    var joining = false; // the join request is out, its answer not in yet: closing the window now must still leave
    var ended = false;
    var me = webConferencing.getUser().id;

    /** The other party of a 1:1 call (for "Mary declined"); null in a group call. */
    function otherName() {
      var others = (call.participants || []).filter(function(part) {
        return part.id !== me;
      });
      return call.ownerType === "user" && others.length === 1 ? others[0].title || others[0].id : null;
    }

    function setState(state, text) {
      root.setAttribute("data-call-state", state);
      status.textContent = text;
    }

    function setPart(id, state) {
      var item = root.querySelector("li[data-user-id='" + CSS.escape(id) + "']");
      if (item) {
        item.setAttribute("data-state", state);
        item.querySelector(".myconnector-part-state").textContent = STATE_TEXT[state] ? message(STATE_TEXT[state]) : "";
      }
    }

    /**
     * "In call" once someone else is in it too; until then the window says whom it is calling (the callee of a 1:1
     * call, or the group's members): a callee who is only invited is not in the call yet (issue 11).
     */
    function sayWhoIsIn() {
      if (!joined || ended) {
        return;
      }
      var others = root.querySelectorAll(".myconnector-participants li[data-state='joined']:not([data-user-id='"
        + CSS.escape(me) + "'])");
      var name = otherName();
      setState("joined", others.length > 0 ? message("myconnector.call.joined")
        : name ? message("myconnector.call.calling", [name]) : message("myconnector.call.waiting"));
    }

    function showParticipants(info) {
      (info.participants || []).forEach(function(part) {
        setPart(part.id, part.state || "invited");
      });
    }

    function end(text) {
      if (ended) {
        return;
      }
      ended = true;
      hangupButton.disabled = true;
      setState("stopped", text);
      webConferencing.flushLog();
      setTimeout(function() {
        window.close();
      }, CLOSE_AFTER_MS);
    }

    function leave() {
      if (!joined) {
        return Promise.resolve();
      }
      joined = false;
      return webConferencing.updateUserCall(callId, "leaved").catch(function(err) {
        log.error("Failed to leave call: " + callId, err);
      });
    }

    hangupButton.addEventListener("click", function() {
      log.info("Hang up: " + callId);
      leave().then(function() {
        end(message("webconferencing.ended"));
      });
    });

    // Closing the window is leaving: the frame goes out on the open websocket before the page is gone (and if it
    // does not, the server leaves for this tab when its connection's grace period ends).
    window.addEventListener("pagehide", function() {
      if (joined || joining) { // the leave goes out after the join on the same socket: the server applies both
        joined = joining = false;
        webConferencing.updateUserCall(callId, "leaved");
        webConferencing.flushLog();
      }
    });

    webConferencing.onUserUpdate(me, function(update) {
      if (update.callId !== callId) {
        return;
      }
      if (update.eventType === "call_joined" || update.eventType === "call_leaved") {
        setPart(update.part.id, update.eventType === "call_joined" ? "joined" : "leaved");
        sayWhoIsIn();
      } else if (update.eventType === "call_state" && update.callState === "stopped") {
        joined = false;
        end(webConferencing.callEndedText(update.reason, otherName()));
      }
    }, function(err) {
      log.error("Failed to listen on call updates: " + callId, err);
    }, function() {
      webConferencing.getProvider(TYPE).then(function() {
        joining = true;
        return webConferencing.updateUserCall(callId, "joined");
      }).then(function(info) {
        joining = false;
        joined = true;
        log.info("Joined call: " + callId);
        showParticipants(info);
        sayWhoIsIn();
      }).catch(function(err) {
        joining = false;
        if (ended) { // its stop event came first and said why (e.g. "Mary Williams declined"): nothing failed here
          log.info("Call stopped before this window joined it: " + callId);
          return;
        }
        if (err && err.code === "NOT_FOUND_ERROR") {
          // gone between the page and the join: a callee who declined (or a caller who hung up) at once; the
          // call's end, not an error to acknowledge
          log.info("Call gone before this window joined it: " + callId);
          end(message("webconferencing.callPage.ended"));
          return;
        }
        log.showError("Failed to join call: " + callId, err, message("myconnector.call.joinFailed"));
        end(message("myconnector.call.notJoined"));
      });
    });
  }

  window.myConnectorCall = { start: start };

  // The call page renders its call (CallInfo JSON) into a data block: pages run no inline script (CSP).
  var data = document.getElementById("myconnector-call-data");
  if (data) {
    start(JSON.parse(data.textContent));
  }
})(window, document, window.webConferencing);
