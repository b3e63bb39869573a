/**
 * This tab's camera and microphone for a call: opening them with fallbacks, muting, switching devices, listing them.
 * A call still works without them (it then only receives), so a refused or missing device is never an error here.
 */
(function(webrtc) {
  "use strict";

  /** Both, then video only, then audio only; after that an empty stream (receive only). */
  var ATTEMPTS = [{ audio: true, video: true }, { video: true }, { audio: true }];
  var DEVICE_KINDS = { video: "videoinput", audio: "audioinput" };

  function hasMediaDevices(method) {
    return Boolean(navigator.mediaDevices && navigator.mediaDevices[method]);
  }

  class LocalMedia {
    constructor(log) {
      this.log = log;
      this.stream = null;
    }

    open() {
      var self = this;
      if (!hasMediaDevices("getUserMedia")) {
        this.stream = new MediaStream();
        return Promise.resolve(this.stream);
      }
      var tryFrom = function(index) {
        if (index >= ATTEMPTS.length) {
          return Promise.resolve(new MediaStream());
        }
        return navigator.mediaDevices.getUserMedia(ATTEMPTS[index]).catch(function(err) {
          self.log.warn("Media not available: " + JSON.stringify(ATTEMPTS[index]), err);
          return tryFrom(index + 1);
        });
      };
      return tryFrom(0).then(function(stream) {
        self.stream = stream;
        return stream;
      });
    }

    tracks(kind) {
      var all = this.stream ? this.stream.getTracks() : [];
      return kind ? all.filter(function(track) {
        return track.kind === kind;
      }) : all;
    }

    /** Switch the tracks of a kind on or off (mute, camera off); returns whether they are now on, or null without. */
    toggle(kind) {
      var tracks = this.tracks(kind);
      if (tracks.length === 0) {
        return null;
      }
      var enabled = !tracks[0].enabled;
      tracks.forEach(function(track) {
        track.enabled = enabled;
      });
      return enabled;
    }

    /** Whether this tab sends a kind: it has a track of it, switched on (no camera is as good as camera off). */
    isOn(kind) {
      var tracks = this.tracks(kind);
      return tracks.length > 0 && tracks[0].enabled;
    }

    /** Replace the track of a kind by one from another device (keeping mute); resolves to the new track. */
    switchDevice(kind, deviceId) {
      var self = this;
      var constraints = {};
      constraints[kind] = { deviceId: { exact: deviceId } };
      return navigator.mediaDevices.getUserMedia(constraints).then(function(newStream) {
        var track = newStream.getTracks()[0];
        var old = self.tracks(kind)[0];
        if (old) {
          track.enabled = old.enabled;
          self.stream.removeTrack(old);
          old.stop();
        }
        self.stream.addTrack(track);
        return track;
      });
    }

    /** The device of the track in use for a kind, or null. */
    currentDeviceId(kind) {
      var track = this.tracks(kind)[0];
      return track && track.getSettings ? track.getSettings().deviceId || null : null;
    }

    /** {video: [{id, label}], audio: [...]}; unnamed devices (no permission yet) get "video 1", "audio 2"... */
    listDevices() {
      if (!hasMediaDevices("enumerateDevices")) {
        return Promise.resolve({ video: [], audio: [] });
      }
      return navigator.mediaDevices.enumerateDevices().then(function(devices) {
        var listed = {};
        Object.keys(DEVICE_KINDS).forEach(function(kind) {
          listed[kind] = devices.filter(function(device) {
            return device.kind === DEVICE_KINDS[kind];
          }).map(function(device, index) {
            // a device the browser does not name yet (no permission): "Camera 1", "Microphone 2"...
            return { id: device.deviceId, label: device.label
              || window.webConferencing.message("webrtc.device." + kind + ".unnamed", [index + 1]) };
          });
        });
        return listed;
      });
    }

    stop() {
      this.tracks().forEach(function(track) {
        track.stop();
      });
    }
  }

  webrtc.LocalMedia = LocalMedia;
})(window.webrtcConnector = window.webrtcConnector || {});
