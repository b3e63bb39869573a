/**
 * webConferencing, part 3 of 10: modal dialogs (info, warning, error with its reference, confirm) and the notices
 * in the top right corner; `modal()` gives any dialog a backdrop, Escape and a focus trap (incoming calls, settings). Titles and texts are shown as text; a caller that wants structure passes a DOM node it
 * built (see util.setContent).
 */
(function(window, document) {
  "use strict";

  var parts = window.__webConferencingParts;
  var util = parts.util;
  var el = util.el;
  var message = parts.i18n.message;
  var setContent = util.setContent;

  var dialogQueue = Promise.resolve();

  var FOCUSABLE = "button:not([disabled]), [href], input:not([disabled]):not([type=hidden]), select:not([disabled]), "
    + "textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
  var dialogCount = 0;
  var modals = []; // open modals, the topmost last: only it takes the keyboard

  function focusables(box) {
    return Array.prototype.filter.call(box.querySelectorAll(FOCUSABLE), function(node) {
      return !node.hidden && node.getClientRects().length > 0;
    });
  }

  document.addEventListener("keydown", function(event) {
    var top = modals[modals.length - 1];
    if (!top) {
      return;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      top.escape();
    } else if (event.key === "Tab") {
      var items = focusables(top.box);
      if (items.length === 0) {
        event.preventDefault();
        return;
      }
      var first = items[0];
      var last = items[items.length - 1];
      var inside = top.box.contains(document.activeElement);
      if (event.shiftKey && (document.activeElement === first || !inside)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
        event.preventDefault();
        first.focus();
      }
    }
  }, true);

  /**
   * Make `box` (already in the page) a modal dialog: a backdrop behind it (unless `backdrop: false`, for a box that
   * sits in its own overlay), the dialog role, focus on `focus` (or its first control) and kept inside it by Tab and
   * Shift+Tab, Escape calls `onEscape`. `release()` undoes it all and gives the focus back to where it was.
   */
  function modal(box, options) {
    options = options || {};
    var previous = document.activeElement;
    var backdrop = null;
    if (options.backdrop !== false) {
      backdrop = el("div", "webconferencing-backdrop");
      backdrop.setAttribute("aria-hidden", "true");
      box.parentNode.insertBefore(backdrop, box);
    }
    if (!box.hasAttribute("role")) {
      box.setAttribute("role", "dialog");
    }
    box.setAttribute("aria-modal", "true");
    var entry = {
      box: box,
      escape: function() {
        if (util.isFunction(options.onEscape)) {
          options.onEscape();
        }
      }
    };
    modals.push(entry);
    var target = options.focus || focusables(box)[0];
    if (target) {
      target.focus();
    }
    return {
      release: function() {
        var index = modals.indexOf(entry);
        if (index < 0) {
          return;
        }
        modals.splice(index, 1);
        if (backdrop) {
          backdrop.remove();
        }
        if (box.contains(document.activeElement) && previous && previous.isConnected && previous.focus) {
          previous.focus();
        }
      }
    };
  }

  /**
   * A modal dialog; one shows at a time, later ones wait. Resolves true on OK, false on Cancel (confirm only).
   */
  function dialog(kind, title, text, ref, withCancel) {
    var shown = dialogQueue.then(function() {
      return new Promise(function(resolve) {
        util.onDocumentReady(function() {
          var overlay = el("div", "webconferencing-overlay");
          var box = el("div", "webconferencing-dialog " + kind);
          box.setAttribute("role", kind === "error" || kind === "warn" ? "alertdialog" : "dialog");
          box.setAttribute("aria-modal", "true");
          var head = el("div", "webconferencing-dialog-title");
          head.appendChild(el("span", "webconferencing-dialog-icon"));
          var titleText = el("span", "title");
          setContent(titleText, title);
          titleText.id = "webconferencing-dialog-title-" + (++dialogCount);
          box.setAttribute("aria-labelledby", titleText.id);
          head.appendChild(titleText);
          var body = el("div", "webconferencing-dialog-message");
          setContent(body, text);
          box.appendChild(head);
          box.appendChild(body);
          if (ref) {
            var refLine = el("div", "webconferencing-dialog-reference");
            refLine.appendChild(el("span", "label", message("webconferencing.dialog.errorReference") + " "));
            refLine.appendChild(el("code", "value", ref));
            box.appendChild(refLine);
          }
          var actions = el("div", "webconferencing-dialog-actions");
          var ok = el("button", "btn btn-primary ok", message("webconferencing.dialog.ok"));
          ok.type = "button";
          actions.appendChild(ok);
          var cancel = null;
          if (withCancel) {
            cancel = el("button", "btn cancel", message("webconferencing.dialog.cancel"));
            cancel.type = "button";
            actions.appendChild(cancel);
          }
          box.appendChild(actions);
          overlay.appendChild(box);
          document.body.appendChild(overlay);
          var trap = modal(box, { backdrop: false, focus: ok, onEscape: function() {
            close(false);
          } });
          function close(result) {
            trap.release();
            overlay.remove();
            resolve(result);
          }
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
        throw util.clientError("CANCELLED", "Cancelled by user");
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
    closer.setAttribute("aria-label", message("webconferencing.dialog.close"));
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
    util.onDocumentReady(function() {
      if (!noticeStack || !noticeStack.isConnected) {
        noticeStack = el("div", "webconferencing-notices");
        document.body.appendChild(noticeStack);
      }
      noticeStack.appendChild(item);
      if (hideAfterMs) {
        timer = setTimeout(handle.remove, hideAfterMs);
      }
      if (util.isFunction(onInit)) {
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

  parts.dialogs = {
    modal: modal,
    showInfo: showInfo,
    showWarn: showWarn,
    showError: showError,
    showConfirm: showConfirm,
    noticeInfo: noticeInfo,
    noticeWarn: noticeWarn,
    noticeError: noticeError
  };
})(window, document);
