/**
 * webConferencing, part 6 of 10: REST calls to /portal/rest/webconferencing (identities, statuses, administration),
 * with the session's CSRF header. Errors reject with {code, message} as the websocket's do.
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
    return fetch(util.getBaseUrl() + REST_PATH + path, options).then(function(response) {
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
        throw util.clientError(code, (data && data.message) || response.statusText || ("HTTP " + response.status));
      });
    });
  }

  parts.rest = { rest: rest };
})(window, document);
