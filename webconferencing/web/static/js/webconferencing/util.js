/**
 * webConferencing, part 1 of 10: the shared helpers, and the private namespace the parts share while they load.
 *
 * The module is plain script files, no bundler: pages load them in the order of webconferencing.web.pages
 * CORE_SCRIPTS. Each part is a closure that takes what it needs from `window.__webConferencingParts` and adds its own
 * export; the last part (api.js) builds the public `window.webConferencing` and removes the namespace.
 *
 * DOM rule for every part: text from the server or a user (titles, names, ids, messages, errors) reaches the page
 * only as text (`textContent`, `createTextNode`). APIs that take markup take a DOM node built by code, never a string.
 */
(function(window, document) {
  "use strict";

  var parts = window.__webConferencingParts = {};

  /**
   * Text of an error of any shape (an Error, an {code, message} from the server, a string) for the log: the raw,
   * English message. What a person reads is error-texts.js's (public `webConferencing.errorText`).
   */
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
  /** An Error with the server's (or the transport's) code; `retryAfter`: the seconds a quota asks to wait. */
  function clientError(code, message, retryAfter) {
    var err = new Error(message);
    err.code = code;
    if (typeof retryAfter === "number" && retryAfter > 0) {
      err.retryAfter = retryAfter;
    }
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

  /** An element with a class and, optionally, text (set as text: it may come from the server). */
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

  function isNodeList(value) {
    return !!value && typeof value === "object" && typeof value.length === "number" && value.length > 0
      && value[0] instanceof Node;
  }

  /**
   * Content for a dialog or notice: a DOM node (or a jQuery-like list of nodes) built by the caller's code, or
   * anything else shown as text. A string is always text, even when it looks like markup: titles and messages come
   * from users and the server, and the original's "HTML when it looks like HTML" let them run script.
   */
  function setContent(target, content) {
    target.textContent = "";
    if (content === undefined || content === null || content === "") {
      return;
    }
    if (content instanceof Node) {
      target.appendChild(content);
    } else if (isNodeList(content)) {
      for (var i = 0; i < content.length; i++) {
        target.appendChild(content[i]);
      }
    } else {
      target.textContent = String(content);
    }
  }

  /** A provider's button: an element or a jQuery-like list of one. Markup strings are refused (null: no button). */
  function toElement(button) {
    if (button instanceof Element) {
      return button;
    }
    if (isNodeList(button) && button[0] instanceof Element) {
      return button[0];
    }
    return null;
  }

  function getBaseUrl() {
    return window.location.protocol + "//" + window.location.host;
  }

  parts.util = {
    errorText: errorText,
    clientError: clientError,
    isFunction: isFunction,
    deferred: deferred,
    onDocumentReady: onDocumentReady,
    el: el,
    setContent: setContent,
    toElement: toElement,
    getBaseUrl: getBaseUrl
  };
})(window, document);
