/**
 * One peer connection of a call: offer/answer and ICE with one other tab. It knows nothing of the page: what it
 * receives and how its connection goes are reported to the lifecycle (onTrack, onStateChange), and what it has to say
 * goes out through `send` (the call's signalling).
 */
(function(webrtc) {
  "use strict";

  class Peer {
    /**
     * @param peerId  the other tab's client id
     * @param userId  the other tab's user
     * @param options {iceServers, tracks: [[track, stream]], send(message), onTrack(kind, stream),
     *                 onStateChange(state), log}
     */
    constructor(peerId, userId, options) {
      var self = this;
      this.id = peerId;
      this.userId = userId;
      this.options = options;
      this.log = options.log;
      this.pending = []; // ICE candidates that came before the remote description
      this.offered = false;
      this.pc = new RTCPeerConnection({ iceServers: options.iceServers });
      options.tracks.forEach(function(pair) {
        self.pc.addTrack(pair[0], pair[1]);
      });
      this.pc.ontrack = function(event) {
        var stream = event.streams && event.streams[0] ? event.streams[0] : new MediaStream([event.track]);
        options.onTrack(event.track.kind, stream);
      };
      this.pc.onicecandidate = function(event) {
        if (event.candidate) {
          options.send({ type: "candidate", to: peerId, candidate: event.candidate.toJSON() });
        }
      };
      this.pc.onconnectionstatechange = function() {
        self.log.debug("Peer " + peerId + " " + self.pc.connectionState);
        options.onStateChange(self.pc.connectionState);
      };
    }

    get connectionState() {
      return this.pc.connectionState;
    }

    flushCandidates() {
      var self = this;
      var waiting = this.pending;
      this.pending = [];
      waiting.forEach(function(candidate) {
        self.addCandidate(candidate);
      });
    }

    addCandidate(candidate) {
      var self = this;
      this.pc.addIceCandidate(candidate).catch(function(err) {
        self.log.warn("ICE candidate refused", err);
      });
    }

    /** Called on the side that offers (see Signalling); a second call does nothing. */
    offer() {
      var self = this;
      if (this.offered) {
        return;
      }
      this.offered = true;
      // Without a local track of a kind, still ask to receive it
      ["audio", "video"].forEach(function(kind) {
        var has = self.pc.getTransceivers().some(function(t) {
          return t.receiver && t.receiver.track && t.receiver.track.kind === kind;
        });
        if (!has) {
          self.pc.addTransceiver(kind, { direction: "recvonly" });
        }
      });
      this.pc.createOffer().then(function(offer) {
        return self.pc.setLocalDescription(offer);
      }).then(function() {
        self.options.send({ type: "offer", to: self.id, sdp: self.pc.localDescription.toJSON() });
      }).catch(function(err) {
        self.log.error("Offer to " + self.id + " failed", err);
      });
    }

    onOffer(sdp) {
      var self = this;
      this.pc.setRemoteDescription(sdp).then(function() {
        self.flushCandidates();
        return self.pc.createAnswer();
      }).then(function(answer) {
        return self.pc.setLocalDescription(answer);
      }).then(function() {
        self.options.send({ type: "answer", to: self.id, sdp: self.pc.localDescription.toJSON() });
      }).catch(function(err) {
        self.log.error("Answer to " + self.id + " failed", err);
      });
    }

    onAnswer(sdp) {
      var self = this;
      this.pc.setRemoteDescription(sdp).then(function() {
        self.flushCandidates();
      }).catch(function(err) {
        self.log.error("Answer of " + self.id + " refused", err);
      });
    }

    onCandidate(candidate) {
      if (this.pc.remoteDescription) {
        this.addCandidate(candidate);
      } else {
        this.pending.push(candidate);
      }
    }

    /** Use another local track (camera or microphone switch): no renegotiation needed. */
    replaceTrack(track) {
      var sender = this.pc.getSenders().filter(function(s) {
        return s.track && s.track.kind === track.kind;
      })[0];
      return sender ? sender.replaceTrack(track) : Promise.resolve();
    }

    close() {
      this.pc.onconnectionstatechange = null;
      this.pc.close();
    }
  }

  webrtc.Peer = Peer;
})(window.webrtcConnector = window.webrtcConnector || {});
