/**
 * The call's signalling over the call channel (webConferencing.toCallUpdate / onCallUpdate). The server relays each
 * message to the other tabs subscribed to the call and stamps it with the sender's user and client id; the client id
 * is the peer id here:
 *   {type: "hello"}                      a tab entered the call (everyone already in answers)
 *   {type: "welcome", to}                "I am here too", to a tab that said hello
 *   {type: "offer" | "answer", to, sdp}
 *   {type: "candidate", to, candidate}
 *   {type: "bye"}                        a tab hangs up or closes
 *   {type: "media", to?, audio, video}   whether the sender's microphone and camera are on: to everyone when it
 *                                        changes, and to each new peer (so a late joiner sees who is muted)
 * Who offers is deterministic: of two peers, the one with the smaller client id. So both sides never offer at once
 * (no glare), whatever the order in which hello and welcome cross.
 *
 * The peers themselves are the lifecycle's: it passes {peer(peerId, userId) -> the Peer, made if new;
 * existing(peerId) -> the Peer or null; bye(peerId); media(peerId, {audio, video})}.
 */
(function(webConferencing, webrtc) {
  "use strict";

  class Signalling {
    constructor(callId, peers, log) {
      this.callId = callId;
      this.peers = peers;
      this.log = log;
      this.clientId = null;
      this.closed = false;
      this.unsubscribe = null;
    }

    /** Listen on the call channel as `clientId`, then say hello to the tabs already in the call. */
    open(clientId) {
      var self = this;
      this.clientId = clientId;
      return new Promise(function(resolve, reject) {
        self.unsubscribe = webConferencing.onCallUpdate(self.callId, function(data, sender) {
          self.receive(data, sender);
        }, reject, resolve);
      }).then(function() {
        return self.send({ type: "hello" });
      });
    }

    /** Once closed, only the bye still goes out. A message that cannot be sent is logged, never thrown. */
    send(message) {
      var self = this;
      if (this.closed && message.type !== "bye") {
        return Promise.resolve();
      }
      return webConferencing.toCallUpdate(this.callId, message).catch(function(err) {
        self.log.warn("Signal " + message.type + " not sent on " + self.callId, err);
      });
    }

    /**
     * Stop listening; with `sayBye`, first a bye (the peers drop this tab at once). No bye when nobody is left to
     * hear it: once the call is over on the server its channel refuses every message (ACCESS_ERROR).
     */
    close(sayBye) {
      if (this.closed) {
        return;
      }
      if (sayBye) {
        this.send({ type: "bye" });
      }
      this.closed = true;
      if (this.unsubscribe) {
        this.unsubscribe();
        this.unsubscribe = null;
      }
    }

    offersTo(peerId) {
      return this.clientId < peerId;
    }

    receive(data, sender) {
      if (!data || this.closed || !sender || !sender.clientId) {
        return;
      }
      var from = sender.clientId;
      if (from === this.clientId || (data.to && data.to !== this.clientId)) {
        return;
      }
      var known = this.peers.existing(from);
      switch (data.type) {
        case "hello":
          if (this.offersTo(from)) {
            this.peers.peer(from, sender.userId).offer();
          } else {
            this.peers.peer(from, sender.userId);
            this.send({ type: "welcome", to: from });
          }
          break;
        case "welcome":
          if (this.offersTo(from)) {
            this.peers.peer(from, sender.userId).offer();
          }
          break;
        case "offer":
          this.peers.peer(from, sender.userId).onOffer(data.sdp);
          break;
        case "answer":
          if (known) {
            known.onAnswer(data.sdp);
          }
          break;
        case "candidate":
          if (known) {
            known.onCandidate(data.candidate);
          }
          break;
        case "bye":
          this.log.info("Peer left: " + from);
          this.peers.bye(from);
          break;
        case "media":
          this.peers.media(from, { audio: data.audio !== false, video: data.video !== false });
          break;
        default:
          this.log.debug("Unknown signal: " + data.type);
      }
    }
  }

  webrtc.Signalling = Signalling;
})(window.webConferencing, window.webrtcConnector = window.webrtcConnector || {});
