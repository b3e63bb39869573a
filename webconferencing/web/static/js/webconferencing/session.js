/**
 * webConferencing, part 2 of 10: what the server told this page at init(): the signed-in user (UserInfo), the page's
 * ContextInfo with every provider's configuration, and the CSRF token for REST.
 */
(function(window, document) {
  "use strict";

  var parts = window.__webConferencingParts;

  var state = {
    user: null, // UserInfo JSON given to init()
    context: null // ContextInfo JSON given to init()
  };

  function start(user, context) {
    state.user = user;
    state.context = context || {};
  }

  function user() {
    return state.user;
  }

  function context() {
    return state.context;
  }

  function providersConfig() {
    return (state.context && state.context.providersConfig) || null;
  }

  /** The server's configuration of the provider of this type (or of a type it supports), or null. */
  function providerConfig(type) {
    var list = providersConfig();
    if (!list) {
      return null;
    }
    for (var i = 0; i < list.length; i++) {
      var config = list[i];
      if (config.type === type || (config.supportedTypes || []).indexOf(type) >= 0) {
        return config;
      }
    }
    return null;
  }

  function csrfToken() {
    if (state.context && state.context.csrfToken) {
      return state.context.csrfToken;
    }
    var meta = document.querySelector("meta[name='csrf-token']");
    return meta ? meta.getAttribute("content") : null;
  }

  parts.session = {
    start: start,
    user: user,
    context: context,
    providersConfig: providersConfig,
    providerConfig: providerConfig,
    csrfToken: csrfToken
  };
})(window, document);
