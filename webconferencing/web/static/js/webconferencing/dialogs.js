/**
 * webConferencing, part 3 of 10: modal dialogs (info, warning, error with its reference, confirm) and the notices
 * in the top right corner. Titles and texts are shown as text; a caller that wants structure passes a DOM node it
 * built (see util.setContent).
 */
(function(window, document) {
  "use strict";

  var parts = window.__webConferencingParts;
  var util = parts.util;
  var el = util.el;
  var setContent = util.setContent;

  var dialogQueue = Promise.resolve();

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
    showInfo: showInfo,
    showWarn: showWarn,
    showError: showError,
    showConfirm: showConfirm,
    noticeInfo: noticeInfo,
    noticeWarn: noticeWarn,
    noticeError: noticeError
  };
})(window, document);
