/**
 * webConferencing, part 9 of 10: helpers for the template connector's flow, shared by the connectors that follow it
 * (call participants, stable call ids, a ring tone, the incoming-call dialog). They use the public call API, which
 * api.js passes in (`connectorHelpers(api)`), so this part does not depend on the transport.
 */
(function(window, document) {
  "use strict";

  var parts = window.__webConferencingParts;
  var util = parts.util;
  var session = parts.session;
  var dialogs = parts.dialogs;
  var el = util.el;
  var message = parts.i18n.message;

  var RINGING_STATUSES = ["available", "away"]; // "donotdisturb" (and offline) users get the dialog without a ring

  /** The user's first IM account of a type (the original's imAccount), or null. */
  function imAccount(user, type) {
    var accounts = user && user.imAccounts ? user.imAccounts[type] : null;
    if (Array.isArray(accounts)) {
      return accounts.length > 0 ? accounts[0] : null;
    }
    return accounts || null;
  }

  /**
   * One AudioContext for every ring tone of the page. Chromium's autoplay policy keeps a context made without a user
   * gesture suspended, so the first click, tap or key press on the page resumes it (and makes it, if no ring did
   * yet); until then a ring is silent and `isBlocked()` says so. Listeners hear when audio gets unblocked.
   */
  var audio = null;
  var audioListeners = [];

  function audioContext() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) {
      audio = new Context();
      audio.addEventListener("statechange", function() {
        audioListeners.slice().forEach(function(listener) {
          listener(audio.state);
        });
      });
    }
    return audio;
  }

  function unlockAudio() {
    try {
      var context = audioContext();
      if (context && context.state === "suspended") {
        context.resume().catch(function() {});
      }
    } catch (e) {
      // no audio on this page: the incoming-call indicator and tab title still tell
    }
  }

  ["pointerdown", "keydown", "touchstart"].forEach(function(type) {
    document.addEventListener(type, unlockAudio, true);
  });

  /**
   * A ring tone made by the browser, so a connector ships no media file: a short beep a second until stop(). The
   * pitch (Hz, 440 by default) tells connectors apart when two ring at once. `isBlocked()`: the browser holds the
   * sound back until the user interacts with the page; `onUnblocked(fn)` is told once it plays.
   */
  function ringTone(frequency, log) {
    var timer = null;
    var listener = null;

    function beep() {
      if (!audio || audio.state !== "running") {
        return; // suspended: silent until a gesture resumes it, the next beep then sounds
      }
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.frequency.value = frequency || 440;
      gain.gain.value = 0.08;
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + 0.25);
    }

    function forget() {
      var index = audioListeners.indexOf(listener);
      if (index >= 0) {
        audioListeners.splice(index, 1);
      }
      listener = null;
    }

    return {
      start: function() {
        if (timer) {
          return;
        }
        try {
          if (!audioContext()) {
            return;
          }
          if (audio.state === "suspended") {
            audio.resume().catch(function() {});
          }
          beep();
          timer = setInterval(beep, 1000);
        } catch (e) {
          (log || parts.log.getLog("webconferencing")).debug("Ring tone unavailable", e);
        }
      },
      stop: function() {
        if (timer) {
          clearInterval(timer);
          timer = null;
        }
        forget();
      },
      isBlocked: function() {
        return !audio || audio.state !== "running";
      },
      onUnblocked: function(fn) {
        forget();
        listener = function(state) {
          if (state === "running") {
            forget();
            fn();
          }
        };
        audioListeners.push(listener);
      }
    };
  }

  /**
   * While a call rings: the tab's title says so (a ring in a background tab, or a silent one, is still seen), and
   * when the browser blocks the sound the dialog shows a hint until a gesture lets it play. Returns stop().
   */
  var titleBefore = null;
  var attentionCount = 0;

  function ringAttention(dialog, ringtone, before) {
    if (attentionCount++ === 0) {
      titleBefore = document.title;
      document.title = message("webconferencing.incoming.tabTitle", [titleBefore]);
    }
    var hint = null;
    if (ringtone.isBlocked()) {
      hint = el("div", "webconferencing-ring-blocked", message("webconferencing.incoming.ringBlocked"));
      hint.setAttribute("role", "status");
      dialog.insertBefore(hint, before);
      dialog.classList.add("ring-blocked");
      ringtone.onUnblocked(function() {
        hint.remove();
        dialog.classList.remove("ring-blocked");
      });
    }
    var stopped = false;
    return function stop() {
      if (stopped) {
        return;
      }
      stopped = true;
      if (--attentionCount === 0 && titleBefore !== null) {
        document.title = titleBefore;
        titleBefore = null;
      }
    };
  }

  /**
   * Who can take a call of `imType` on this target, as the template's `ims`: the current user first, then the other
   * party (1:1) or the space/room members with an IM account of that type. Fewer than two: no call button. A
   * connector whose calls need no account passes no `imType` (null): then every member is a participant.
   */
  function callParticipants(theContext, target, imType) {
    var me = session.user().id;
    var ids = [me];
    if (theContext.isGroup) {
      var members = target.members || {};
      Object.keys(members).forEach(function(id) {
        if (id !== me && (!imType || imAccount(members[id], imType))) {
          ids.push(id);
        }
      });
    } else if (target.id !== me && (!imType || imAccount(target, imType))) {
      ids.push(target.id);
    }
    return ids;
  }

  /**
   * The template's stable call id: `g/<space pretty name or room id>` for groups (the server accepts a group call
   * only under its owner's id), `p/<ids sorted, joined by ->` for 1:1. Sorted, so both parties compute the same id
   * whoever calls, and a second click finds the running call.
   */
  function callId(theContext, target, ids) {
    if (theContext.isGroup) {
      return "g/" + (theContext.isRoom ? theContext.roomId : target.id);
    }
    var sorted = ids.slice();
    sorted.sort();
    return "p/" + sorted.join("-");
  }

  /** The helpers that need the call API (getCall, findCall, updateUserCall, deleteCall, getUserStatus...). */
  function connectorHelpers(api) {
    /**
     * After each reconnection that missed events (onStateRefresh), forget the calls of `calls` (callId -> anything:
     * those a connector placed or accepted in this tab) that ended meanwhile: gone, or no longer started. Their
     * `stopped` events may have been lost with the connection (a server restart), and an id still kept would make a
     * new ring of the same call look like this tab's own (no dialog). Call it before incomingCalls: these reads are
     * then answered before the core's look at the calls that ring now. Returns a function that stops it.
     */
    function forgetEndedCalls(calls, log) {
      var providerLog = log || parts.log.getLog("webconferencing");
      return api.onStateRefresh(function() {
        Object.keys(calls).forEach(function(callId) {
          api.findCall(callId).then(function(call) { // null: gone, or no longer one this user may see
            if (!call || call.state !== "started") {
              delete calls[callId];
            }
          }, function(err) {
            providerLog.warn("Call not read after a reconnection: " + callId, err);
          });
        });
      });
    }

    /**
     * The template's incoming-call flow, for connectors that keep it: on `call_state: started` call incoming(id); a
     * dialog `<prefix>-incoming` (data-call-id, data-ring) offers Accept / Decline, and rings with a notice only for
     * users who are available or away. Decline is deleteCall for 1:1 and updateUserCall(id, "leaved") for groups;
     * what Accept does is the connector's. Options:
     *   prefix            CSS class prefix of the dialog and its parts (the provider type)
     *   title             the dialog's title text, or a function giving it when the dialog shows
     *   callerText(call, isGroup, caller)  the line under the title (also the notice's text); plain text, shown as
     *                     text. `caller` is the participant ringing this user ({id, title, ...}) when the
     *                     `call_state: started` event named one (docs/protocol.md), else null
     *                     (a group call's dialog then cannot say who calls)
     *   noticeTitle       title of the notice shown while it rings
     *   ringFrequency     pitch of the ring tone (see ringTone)
     *   busy(callId)      true when this tab placed or already takes part in the call: no dialog then
     *   onAccept(call, isGroup)  after the dialog is gone
     *   log               the connector's log (getLog(type))
     *   provider          the provider type whose calls these are (default: prefix)
     *   capacity(call)    optional: the most participants joined in one call at once (the server refuses more:
     *                     CALL_FULL_ERROR), or null for no limit
     *   fullText(joined, max)  with capacity: the dialog's line for a full call ("The call is full (4 of 4)")
     * A call that is full (as many joined as its capacity, this user not among them) shows its dialog without ring
     * nor notice, the full line in place of a usable Accept: the server would refuse the join. It turns back into a
     * normal dialog (Accept usable, still silent) when a place frees, and silent and full when the last place is
     * taken while it rings: pass every `call_joined` / `call_leaved` of someone else to participantsChanged(id).
     * Returns {incoming(callId, update), stopRinging(callId), participantsChanged(callId)}: pass the
     * `call_state: started` event as `update` (for its caller); stop it when the call stops or is answered in
     * another tab.
     * After a reconnection that missed events (onStateRefresh) it reloads the calls ringing for the user by itself:
     * the dialogs of calls that no longer ring close (and their ring stops), a call that rings now gets its dialog.
     */
    function incomingCalls(options) {
      var providerLog = options.log || parts.log.getLog("webconferencing");
      var ringing = {}; // callId -> {dialog, ringtone, notice}
      var stoppedWhileAsking = {}; // callId -> true: stopped (answered, declined, ended) while incoming() was asking
      var asking = {}; // callId -> true while incoming() reads the call and the user's status, before its dialog
      var changedWhileAsking = {}; // callId -> true: someone joined or left meanwhile (its read may be stale)

      function isGroupCall(id) {
        return id.indexOf("g/") === 0;
      }

      function stopRinging(id) {
        var ring = ringing[id];
        if (!ring) {
          stoppedWhileAsking[id] = true; // incoming() may be between its questions: it must not show it then
        }
        if (ring) {
          delete ringing[id];
          silence(ring);
          ring.modal.release();
          ring.dialog.remove();
        }
      }

      function decline(id) {
        stopRinging(id);
        var done;
        // the server ends a 1:1 call (the caller hears "declined"); in a group call it stops the ringing on all
        // of this user's tabs and devices, and a declined call never rings again unless someone restarts it
        done = api.updateUserCall(id, "declined").then(function() {
          providerLog.info("Declined call: " + id);
        });
        done.catch(function(err) {
          if (err && err.code === "NOT_FOUND_ERROR") {
            providerLog.debug("Call already gone: " + id);
          } else {
            providerLog.error("Failed to decline call: " + id, err);
          }
        });
      }

      /** The participant the event names as the caller, or null (not named, or no longer a participant). */
      function callerOf(call, callerId) {
        return (call.participants || []).filter(function(part) {
          return callerId && part.id === callerId;
        })[0] || null;
      }

      /** {joined, max} when the call has no place left for this user (see `capacity`), else null. */
      function fullness(call) {
        var max = util.isFunction(options.capacity) ? options.capacity(call) : null;
        if (!max) {
          return null;
        }
        var me = session.user().id;
        var joined = (call.participants || []).filter(function(part) {
          return part.state === "joined";
        });
        var meIn = joined.some(function(part) {
          return part.id === me;
        });
        return !meIn && joined.length >= max ? { joined: joined.length, max: max } : null;
      }

      /** Ring, with the tab title and the notice (a dialog that may ring and is not full). */
      function startRinging(entry) {
        entry.dialog.setAttribute("data-ring", "true");
        entry.ringtone.start();
        entry.attention = ringAttention(entry.dialog, entry.ringtone, entry.actions);
        entry.notice = dialogs.noticeInfo(options.noticeTitle, entry.caller);
      }

      function silence(entry) {
        entry.dialog.setAttribute("data-ring", "false");
        entry.ringtone.stop();
        entry.attention();
        entry.attention = function() {};
        var hint = entry.dialog.querySelector(".webconferencing-ring-blocked");
        if (hint) {
          hint.remove();
          entry.dialog.classList.remove("ring-blocked");
        }
        if (entry.notice) {
          entry.notice.remove();
          entry.notice = null;
        }
      }

      /** Show the dialog full (silent, Accept unusable, the full line) or not (Accept usable). */
      function showFullness(entry, full) {
        entry.dialog.setAttribute("data-full", full ? "true" : "false");
        entry.full.hidden = !full;
        entry.full.textContent = full ? String(options.fullText(full.joined, full.max)) : "";
        entry.accept.disabled = Boolean(full);
        entry.accept.hidden = Boolean(full);
        if (full) {
          silence(entry);
          if (entry.dialog.contains(document.activeElement) || document.activeElement === document.body) {
            entry.decline.focus();
          }
        }
      }

      /** Someone else joined or left a call that rings here: it may have become full, or got a place again. */
      function participantsChanged(id) {
        if (!util.isFunction(options.capacity)) {
          return;
        }
        if (!ringing[id]) {
          if (asking[id]) {
            changedWhileAsking[id] = true; // read again once its dialog shows
          }
          return;
        }
        api.getCall(id).then(function(call) {
          var entry = ringing[id];
          if (entry && call.state === "started") {
            showFullness(entry, fullness(call));
          }
        }).catch(function(err) {
          providerLog.debug("Incoming call not read again: " + id, err);
        });
      }

      function show(call, ring, callerId) {
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
        var title = el("div", prefix + "-incoming-title",
          util.isFunction(options.title) ? options.title() : options.title);
        title.id = titleId;
        // text from call, room and user titles: never markup
        var caller = String(options.callerText(call, isGroup, callerOf(call, callerId)));
        var actions = el("div", prefix + "-incoming-actions");
        var accept = el("button", "btn btn-primary accept", message("webconferencing.incoming.accept"));
        var decliner = el("button", "btn decline", message("webconferencing.incoming.decline"));
        accept.type = decliner.type = "button";
        actions.appendChild(accept);
        actions.appendChild(decliner);
        // the call has no place left: said at once, and no Accept bound to fail (see `capacity`)
        var fullLine = el("div", prefix + "-incoming-full");
        fullLine.setAttribute("role", "status");
        fullLine.hidden = true;
        dialog.appendChild(title);
        dialog.appendChild(el("div", prefix + "-incoming-caller", caller));
        dialog.appendChild(fullLine);
        dialog.appendChild(actions);
        accept.addEventListener("click", function() {
          stopRinging(id);
          options.onAccept(call, isGroup);
        });
        decliner.addEventListener("click", function() {
          decline(id);
        });
        document.body.appendChild(dialog);
        var full = fullness(call);
        var entry = { dialog: dialog, ringtone: ringTone(options.ringFrequency, providerLog), notice: null,
          attention: function() {}, caller: caller, actions: actions, accept: accept, decline: decliner,
          full: fullLine, modal: null };
        showFullness(entry, full);
        // a modal: backdrop, focus on Accept (Decline when full) and kept in the dialog; Escape declines, as the
        // Decline button does
        entry.modal = dialogs.modal(dialog, { focus: full ? decliner : accept, onEscape: function() {
          decline(id);
        } });
        ringing[id] = entry;
        if (ring && !full) {
          startRinging(entry);
        }
      }

      function incoming(id, update) {
        var callerId = update && update.caller ? update.caller.id : null;
        if (options.busy(id) || ringing[id]) {
          return; // this tab placed or already answered it, or it already rings
        }
        providerLog.info("Incoming call: " + id);
        var me = session.user().id;
        delete stoppedWhileAsking[id];
        delete changedWhileAsking[id];
        asking[id] = true;
        api.getCall(id).then(function(call) {
          if (call.state !== "started" || (call.ownerType === "user" && call.owner.id === me)) {
            return; // our own 1:1 call, placed from another tab
          }
          var mine = (call.participants || []).filter(function(part) {
            return part.id === me;
          })[0];
          if (mine && mine.state === "joined") {
            return; // already in it from another tab
          }
          return api.getUserStatus(me).then(function(status) {
            if (!options.busy(id) && !ringing[id] && !stoppedWhileAsking[id]) {
              show(call, RINGING_STATUSES.indexOf(status.status) >= 0, callerId);
            }
            delete stoppedWhileAsking[id];
          });
        }).catch(function(err) {
          providerLog.error("Failed to get incoming call: " + id, err);
        }).then(function() {
          delete asking[id];
          if (changedWhileAsking[id]) {
            delete changedWhileAsking[id];
            participantsChanged(id);
          }
        });
      }

      /**
       * The server says which calls ring for the user now (getRingingCalls): close the others' dialogs, show theirs.
       * The caller of a group call is not in the call's JSON: the participant already in it stands for them.
       */
      function reconcile(calls) {
        var type = options.provider || options.prefix;
        var now = {};
        calls.forEach(function(call) {
          if (call.providerType === type) {
            now[call.id] = call;
          }
        });
        Object.keys(ringing).forEach(function(id) {
          if (!now[id]) {
            providerLog.info("No longer ringing after a reconnection: " + id);
            stopRinging(id);
          }
        });
        Object.keys(now).forEach(function(id) {
          var inCall = (now[id].participants || []).filter(function(part) {
            return part.state === "joined" && part.id !== session.user().id;
          })[0];
          incoming(id, inCall ? { caller: { id: inCall.id } } : null);
        });
      }

      api.onStateRefresh(function() {
        if (document.body && document.body.classList.contains("call-page")) {
          return; // a call window (a guest's too) rings for no call
        }
        api.getRingingCalls().then(reconcile, function(err) {
          providerLog.error("Failed to reload the ringing calls", err);
        });
      });

      return { incoming: incoming, stopRinging: stopRinging, participantsChanged: participantsChanged };
    }

    return { incomingCalls: incomingCalls, forgetEndedCalls: forgetEndedCalls };
  }

  /**
   * What a call window says when the call ends, from the `reason` of the `call_state: stopped` event (see
   * docs/protocol.md): "Mary declined" rather than "Call ended". `otherName` is the other party of a 1:1 call, when
   * known. Plain text in the page's language: callers put it in the page with textContent.
   */
  function callEndedText(reason, otherName) {
    switch (reason) {
      case "declined":
        return otherName ? message("webconferencing.ended.declinedBy", [otherName])
          : message("webconferencing.ended.declined");
      case "no_answer":
        return message("webconferencing.ended.noAnswer");
      case "hung_up":
        return otherName ? message("webconferencing.ended.hungUpBy", [otherName]) : message("webconferencing.ended");
      case "busy":
        return otherName ? message("webconferencing.ended.busyWith", [otherName])
          : message("webconferencing.ended.busy");
      case "cancelled":
        return message("webconferencing.ended.cancelled");
      default:
        return message("webconferencing.ended");
    }
  }

  parts.connectorHelpers = {
    callEndedText: callEndedText,
    imAccount: imAccount,
    ringTone: ringTone,
    callParticipants: callParticipants,
    callId: callId,
    connectorHelpers: connectorHelpers
  };
})(window, document);
