/**
 * webConferencing, part 6 of 10: REST calls to /portal/rest/webconferencing (identities, statuses, administration),
 * with the session's CSRF header. Errors reject with {code, message} as the websocket's do; a request that never got
 * an answer (network down, server unreachable) with CONNECTION_ERROR, as a websocket request lost with its connection.
 */
(function(window, document) {
  "use strict";

  var parts = window.__webConferencingParts;
  var util = parts.util;
  var session = parts.session;

  var REST_PATH = "/portal/rest/webconferencing";

  function statusCode(status) {
    if (status === 404) {
      return "NOT_FOUND_ERROR";
    }
    if (status === 403 || status === 401) {
      return "ACCESS_ERROR";
    }
    if (status === 429) {
      return "TOO_MANY_REQUESTS";
    }
    if (status === 502 || status === 503 || status === 504) {
      return "SERVER_UNAVAILABLE"; // a proxy in front of a stopped or restarting server: no JSON body
    }
    return status < 500 ? "CLIENT_ERROR" : "SERVER_ERROR";
  }

  function rest(method, path, body) {
    var headers = { "Accept": "application/json" };
    var token = session.csrfToken();
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
    var sent = fetch(util.getBaseUrl() + REST_PATH + path, options).catch(function(err) {
      // fetch rejects (a TypeError) only when no answer came: the request may or may not have reached the server
      throw util.clientError("CONNECTION_ERROR", "No answer from the server for " + method + " " + path + ": "
        + util.errorText(err));
    });
    return sent.then(function(response) {
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
        var code = data && data.code ? data.code : statusCode(response.status);
        throw util.clientError(code, (data && data.message) || response.statusText || ("HTTP " + response.status),
          parseInt(response.headers.get("Retry-After"), 10));
      });
    });
  }

  parts.rest = { rest: rest };
})(window, document);
