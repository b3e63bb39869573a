/**
 * webConferencing, part 7 of 10: the call providers connector modules register (addProvider), their configuration
 * from the server, their init() and getProvider() for whoever waits for one.
 */
(function(window, document) {
  "use strict";

  var parts = window.__webConferencingParts;
  var util = parts.util;
  var session = parts.session;
  var log = parts.log.getLog("webconferencing");

  var providers = []; // every provider object added, in order
  var providerInits = {}; // type -> promise of the provider after its init()
  var providerWaiters = {}; // type -> deferred for getProvider() before the provider is added
  var windowLoaded = document.readyState === "complete";

  window.addEventListener("load", function() {
    windowLoaded = true;
    // Modules are loaded by now: whoever still waits for an absent provider will not get it.
    Object.keys(providerWaiters).forEach(function(type) {
      if (!findProvider(type)) {
        providerWaiters[type].reject(util.clientError("NOT_FOUND_ERROR", "Provider not found: " + type));
        delete providerWaiters[type];
      }
    });
  });

  /** Active unless the server says otherwise: an admin switched it off, or the server does not know it. */
  function isActive(provider) {
    if (!session.providersConfig()) {
      return true;
    }
    var config = session.providerConfig(provider.getType());
    return !!(config && config.active !== false);
  }

  function findProvider(type) {
    for (var i = 0; i < providers.length; i++) {
      var provider = providers[i];
      if (provider.getType() === type) {
        return provider;
      }
      var supported = util.isFunction(provider.getSupportedTypes) ? provider.getSupportedTypes() || [] : [];
      if (supported.indexOf(type) >= 0) {
        return provider;
      }
    }
    return null;
  }

  /**
   * Configure with the server's settings, then run the provider's optional init(); the promise resolves with the
   * provider, or rejects when an admin switched it off or its init() failed (it then gets no call buttons).
   */
  function initProvider(provider) {
    var type = provider.getType();
    if (providerInits[type]) {
      return providerInits[type];
    }
    var process;
    if (!isActive(provider)) {
      process = Promise.reject(util.clientError("ACCESS_ERROR", "Provider " + type + " is not active"));
    } else {
      process = new Promise(function(resolve, reject) {
        var config = session.providerConfig(type);
        if (config && util.isFunction(provider.configure)) {
          provider.configure(config);
        }
        if (util.isFunction(provider.init)) {
          Promise.resolve(provider.init(session.context())).then(function() {
            log.debug("Provider initialized: " + type);
            resolve(provider);
          }, function(err) {
            log.error("Provider initialization failed: " + type, err);
            reject(err || util.clientError("SERVER_ERROR", "Provider " + type + " failed to initialize"));
          });
        } else {
          resolve(provider);
        }
      });
    }
    process.catch(function() {
      // a failed provider only loses its buttons; getProvider() callers see the rejection
    });
    providerInits[type] = process;
    var waiter = providerWaiters[type];
    if (waiter) {
      delete providerWaiters[type];
      process.then(waiter.resolve, waiter.reject);
    }
    return process;
  }

  function addProvider(provider) {
    if (!provider || !util.isFunction(provider.getType) || !util.isFunction(provider.getTitle)
      || !util.isFunction(provider.callButton)) {
      log.warn("Not a call provider (needs getType, getSupportedTypes, getTitle and callButton)", provider);
      return false;
    }
    var type = provider.getType();
    if (findProvider(type)) {
      log.debug("Provider already added: " + type);
      return false;
    }
    providers.push(provider);
    log.debug("Provider added: " + type);
    if (session.user()) {
      initProvider(provider);
    }
    (provider.getSupportedTypes ? provider.getSupportedTypes() || [] : []).forEach(function(supported) {
      var waiter = providerWaiters[supported];
      if (waiter && supported !== type) {
        delete providerWaiters[supported];
        (session.user() ? initProvider(provider) : Promise.resolve(provider)).then(waiter.resolve, waiter.reject);
      }
    });
    return true;
  }

  function getProvider(type) {
    var provider = findProvider(type);
    if (provider && session.user()) {
      return initProvider(provider);
    }
    if (!providerWaiters[type]) {
      providerWaiters[type] = util.deferred();
      if (windowLoaded && !provider) {
        var waiter = providerWaiters[type];
        delete providerWaiters[type];
        waiter.reject(util.clientError("NOT_FOUND_ERROR", "Provider not found: " + type));
        return waiter.promise;
      }
    }
    return providerWaiters[type].promise;
  }

  /** The providers added so far (a copy). */
  function all() {
    return providers.slice();
  }

  parts.providers = {
    all: all,
    isActive: isActive,
    findProvider: findProvider,
    initProvider: initProvider,
    addProvider: addProvider,
    getProvider: getProvider
  };
})(window, document);
