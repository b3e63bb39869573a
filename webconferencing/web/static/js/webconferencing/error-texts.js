/**
 * webConferencing: what a person reads when something fails, in the page's language (issue 11); public as
 * `webConferencing.errorText(err)` and `webConferencing.userError(text, code)`.
 *
 * The server's errors (REST bodies, websocket error frames) are `{code, message}` whose message is English on
 * purpose: it is for logs and API clients, and it may quote the request. A page shows the text of the error's code
 * from the core's bundle instead (`webconferencing.error.*`); the transport's own failures have codes of their own
 * (CONNECTION_ERROR: the connection dropped before the answer, or the request never reached the server). Anything
 * else (a browser exception, a code no bundle knows, a bare string) reads as the generic text, never as its raw
 * message: that one stays in the log, which records the error itself (log.js).
 *
 * One exception, for the language the server writes in: an English page shows a validation error's own message
 * (BAD_REQUEST_ERROR: it names the field and what is wrong with it, e.g. "'ftp://x' is not a stun: URL", which an
 * admin fixing a setting needs); a page in any other language shows the translated text.
 *
 * A script that already has the words for a failure (a connector's "this call runs with another provider") makes it
 * with `userError(text, code)`: that text, already in the page's language, is shown as it is.
 */
(function(window) {
  "use strict";

  var parts = window.__webConferencingParts;
  var message = parts.i18n.message;
  var language = parts.i18n.language;
  var SERVER_LANGUAGE = "en"; // the language of the server's messages (webconferencing/web/i18n.py)
  var hasOwn = Object.prototype.hasOwnProperty;

  /** Wire codes (docs/protocol.md, docs/rest.md) and the transport's, to the key of their text. */
  var KEYS = {
    NOT_FOUND_ERROR: "webconferencing.error.notFound",
    ACCESS_ERROR: "webconferencing.error.forbidden",
    FORBIDDEN_ERROR: "webconferencing.error.forbidden",
    UNAUTHORIZED_ERROR: "webconferencing.error.unauthorized",
    BAD_REQUEST_ERROR: "webconferencing.error.invalid",
    CLIENT_ERROR: "webconferencing.error.client",
    FRAME_TOO_LARGE: "webconferencing.error.tooLarge",
    CALL_CONFLICT_ERROR: "webconferencing.error.conflict",
    CALL_STATE_ERROR: "webconferencing.error.callState",
    CALL_FULL_ERROR: "webconferencing.error.callFull",
    TOO_MANY_REQUESTS: "webconferencing.error.tooManyRequests",
    SERVER_UNAVAILABLE: "webconferencing.error.unavailable",
    SERVER_ERROR: "webconferencing.error.server",
    CONNECTION_ERROR: "webconferencing.error.connection"
  };
  var GENERIC = "webconferencing.error.generic";
  var WAIT = "webconferencing.error.tooManyRequestsWait"; // with the server's retryAfter, in seconds

  /** The text to show for `err` (any shape: an Error, a server error, a string); plain text, for textContent. */
  function userText(err) {
    if (err && typeof err.userText === "string") {
      return err.userText;
    }
    var code = err && typeof err === "object" && typeof err.code === "string" ? err.code : null;
    if (code === "BAD_REQUEST_ERROR" && String(language()).split(/[-_]/)[0] === SERVER_LANGUAGE
      && typeof err.message === "string" && err.message) {
      return err.message;
    }
    if (code === "TOO_MANY_REQUESTS" && typeof err.retryAfter === "number" && err.retryAfter > 0) {
      return message(WAIT, [Math.ceil(err.retryAfter)]);
    }
    return message(code !== null && hasOwn.call(KEYS, code) ? KEYS[code] : GENERIC);
  }

  /** An error whose `text` (already in the page's language) is what userText shows; `code` as the server's. */
  function userError(text, code) {
    var err = new Error(String(text));
    err.userText = String(text);
    if (code) {
      err.code = code;
    }
    return err;
  }

  parts.errorTexts = { userText: userText, userError: userError };
})(window);
