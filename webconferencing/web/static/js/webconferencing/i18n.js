/**
 * webConferencing: translated texts (issue 11), public as `webConferencing.message(key, params)`.
 *
 * The catalogue is what the server rendered into `<script type="application/json" id="webconferencing-messages">`
 * ({language, messages}): every resource bundle the core and the connectors declare (their `.properties` files,
 * webconferencing/bundles.py), merged, in the page's language, a missing text already replaced by its English one.
 * A key no bundle has is shown as itself, with one console warning.
 *
 * Placeholders: `{0}`, `{1}` ... from an array (as Java's MessageFormat; one value may be passed bare), or `{name}`
 * from an object. A placeholder without a value stays as written; values are put in once, never read as
 * placeholders again; apostrophes are plain text (no MessageFormat quoting). The result is text: put it in the page
 * with `textContent`, like any string.
 */
(function(window, document) {
  "use strict";

  var parts = window.__webConferencingParts;
  var BLOCK_ID = "webconferencing-messages";
  var PLACEHOLDER = /\{(\w+)\}/g;
  var hasOwn = Object.prototype.hasOwnProperty;
  var catalogue = null;
  var warned = {};

  /** Read once, on the first text asked for (the block precedes every script that asks). */
  function load() {
    if (catalogue === null) {
      var data = null;
      var block = document.getElementById(BLOCK_ID);
      if (block) {
        try {
          data = JSON.parse(block.textContent);
        } catch (e) {
          data = null;
        }
      }
      catalogue = {
        language: (data && data.language) || document.documentElement.lang || "en",
        messages: (data && data.messages) || {}
      };
    }
    return catalogue;
  }

  function format(text, params) {
    if (params === undefined || params === null) {
      return text;
    }
    var values = typeof params === "object" ? params : [params];
    return text.replace(PLACEHOLDER, function(whole, name) {
      if (hasOwn.call(values, name) && values[name] !== undefined && values[name] !== null) {
        return String(values[name]);
      }
      return whole;
    });
  }

  function message(key, params) {
    var messages = load().messages;
    var text = hasOwn.call(messages, key) ? messages[key] : null;
    if (typeof text !== "string") {
      if (!warned[key] && window.console) {
        window.console.warn("webConferencing: no text for the message key " + key + " (shown as the key)");
      }
      warned[key] = true;
      text = String(key);
    }
    return format(text, params);
  }

  /** Whether the catalogue has `key` (a connector may offer its own wording only when it has one). */
  function hasMessage(key) {
    return hasOwn.call(load().messages, key);
  }

  function language() {
    return load().language;
  }

  parts.i18n = { message: message, hasMessage: hasMessage, language: language };
})(window, document);
