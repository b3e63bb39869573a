/**
 * A WebRTC call in this tab, from the camera opening to the overlay going: it joins and leaves on the server, and
 * ties the parts together. Its state is the CallState alone (the overlay is drawn from it); the peers are the
 * connections to the other tabs, each with its tile.
 *
 *   start():  starting --media--> joining --server joined--> waiting --a peer connects--> connected
 *   hangup(): any --> ended (bye to the peers, `leaved` to the server if joined or its join is on the way, else
 *             a 1:1 call is called off; the overlay shows it ended, and why)
 *   stopped(): the same once the call is over on the server, without the bye (its channel is closed by then)
 * A 1:1 call ends when the other side's last tab leaves; a group call goes back to waiting. Whether this tab's
 * microphone and camera are on goes to every peer when it changes and to each new one (a `media` signal), so every
 * tile shows who is muted.
 *
 * Closing or leaving the page hangs up (pagehide), whichever page runs the call (a member's page, the call page, a
 * guest's page). A page closed while its join is on the way still leaves: the `leaved` goes out after the `joined`
 * on the same websocket, so the server applies both in order (else the user stayed in the call for the websocket's
 * grace period).
 */
(function(webConferencing, webrtc) {
  "use strict";

  class Call {
    /**
     * @param provider  the WebRTC provider (its settings; told when the call ended)
     * @param info      the call as the server sent it (id, title, participants with their display names)
     * @param log       the connector's log
     */
    constructor(provider, info, log) {
      var self = this;
      this.provider = provider;
      this.id = info.id;
      this.isGroup = info.id.indexOf("g/") === 0;
      this.log = log;
      this.names = {}; // user id -> display name, for the tiles
      this.isStopped = false; // the call is over on the server (see stopped())
      (info.participants || []).forEach(function(part) {
        self.names[part.id] = part.title || part.id;
      });
      this.peers = {}; // client id -> {peer, tile}
      this.remoteMedia = {}; // client id -> {audio, video} it said it sends (may come before its tile)
      this.state = new webrtc.CallState(this.id, log);
      this.media = new webrtc.LocalMedia(log);
      this.signalling = new webrtc.Signalling(this.id, {
        peer: function(peerId, userId) {
          return self.peer(peerId, userId);
        },
        existing: function(peerId) {
          return self.peers[peerId] ? self.peers[peerId].peer : null;
        },
        bye: function(peerId) {
          self.dropPeer(peerId);
        },
        media: function(peerId, media) {
          self.peerMedia(peerId, media);
        }
      }, log);
      this.view = new webrtc.CallView(this.id, info.title || "", this.isGroup, {
        hangup: function() {
          if (!self.isGroup && !self.wasConnected) {
            // called off before anyone answered: cancelled, as the other side hears it
            self.hangup(webConferencing.callEndedText("cancelled"), false, "cancelled");
          } else {
            self.hangup(webConferencing.message("webrtc.call.youHungUp"), false, "hung_up");
          }
        },
        toggle: function(kind) {
          var enabled = self.media.toggle(kind);
          if (enabled !== null) {
            self.view.showToggle(kind, enabled);
            self.sendMedia(null);
          }
        },
        switchDevice: function(kind, deviceId) {
          self.switchDevice(kind, deviceId);
        },
        dismiss: function() {
          self.view.remove();
        }
      });
      this.wasConnected = false; // a peer connection was up once (hanging up is then no cancel)
      this.joining = false; // the join request is out, its answer not in yet: hanging up now must still leave
      this.onPageHide = function() {
        self.hangup(webConferencing.message("webrtc.call.pageClosed"), true);
      };
      this.state.onChange(function(state) {
        self.wasConnected = self.wasConnected || state.is("connected");
        self.view.render(state);
      });
    }

    /** Media first (so offers carry tracks), then join, then listen on the call channel and say hello. */
    async start() {
      this.view.attach();
      this.view.render(this.state);
      window.addEventListener("pagehide", this.onPageHide);
      try {
        var stream = await this.media.open();
        if (this.state.isEnded()) {
          this.media.stop(); // hung up while the camera was opening
          return;
        }
        this.view.showLocal(stream);
        this.showDevices();
        this.state.apply("mediaReady");
        this.iceServers = await this.fetchIceServers();
        this.clientId = await webConferencing.whenConnected();
        if (this.state.isEnded()) {
          return; // hung up while the page was connecting: nothing to undo
        }
        this.joining = true;
        try {
          await webConferencing.updateUserCall(this.id, "joined");
        } finally {
          this.joining = false;
        }
        if (this.state.isEnded()) {
          return; // hung up while the server took the join: the hang-up sent the leave after it
        }
        this.state.apply("joined");
        await this.signalling.open(this.clientId);
      } catch (err) {
        if (this.state.isEnded()) {
          return;
        }
        if (err && err.code === "CALL_FULL_ERROR") {
          // a space with more WebRTC members than a call holds: the first ones in are the call (see callButton)
          this.log.info("Call " + this.id + " is full", err);
          this.hangup(webConferencing.message("webrtc.call.full", this.provider.maxParticipants()), false, "full");
        } else {
          this.log.showError("Failed to start call: " + this.id, err, webConferencing.message("webrtc.call.failed"));
          this.hangup(webConferencing.message("webrtc.call.failed"), false, "failed");
        }
      }
    }

    /**
     * Leave: a bye to the peers (they drop this tab at once), then the server (a 1:1 call ends for both). With
     * `closing`, the page is going away: everything is sent now, nothing is waited for nor cleaned up. `reason` is
     * the text the ended overlay shows, `code` why in one word (data-end-reason: hung_up, declined, no_answer, busy,
     * cancelled, ended, full, failed).
     */
    hangup(reason, closing, code) {
      if (this.state.isEnded()) {
        return;
      }
      var self = this;
      var wasInCall = this.state.isInCall();
      var wasJoining = this.joining;
      window.removeEventListener("pagehide", this.onPageHide);
      // A bye only to peers there are, while the call lasts on the server (after, its channel refuses messages)
      this.signalling.close(!this.isStopped && Object.keys(this.peers).length > 0);
      this.view.setEndReason(code || "ended");
      if (wasInCall || wasJoining) {
        // joining: the join is on the way; this leave goes out after it on the same socket, and the server applies
        // both in order (a join it refused leaves nothing to leave: then this one is refused too, and that is fine)
        webConferencing.updateUserCall(this.id, "leaved").catch(function(err) {
          if (closing) {
            return;
          }
          if (wasInCall) {
            self.log.error("Failed to leave call: " + self.id, err);
          } else {
            self.log.debug("Nothing to leave in call " + self.id + ": its join was refused", err);
          }
        });
      } else if (!this.isGroup) {
        // Not joined yet: a 1:1 call is called off (as a decline), so the other side stops ringing or waiting
        webConferencing.deleteCall(this.id).catch(function(err) {
          self.log.debug("Call not deleted: " + self.id, err);
        });
      }
      if (closing) {
        this.state.apply("end", reason);
        webConferencing.flushLog();
        return;
      }
      Object.keys(this.peers).forEach(function(peerId) {
        this.closePeer(peerId);
      }, this);
      this.media.stop();
      this.state.apply("end", reason);
      this.provider.callEnded(this);
      this.view.dismissLater();
    }

    /**
     * The call is over on the server: it stopped (`code` is the server's reason), or the other side of a 1:1 call
     * left, which stops it. It ends here without a bye: nobody is left to hear one.
     */
    stopped(code, reason) {
      this.isStopped = true;
      this.hangup(reason, false, code || "ended");
    }

    isEnded() {
      return this.state.isEnded();
    }

    /** A participant left the call (server event): the fallback when their bye was lost. */
    userLeft(userId) {
      Object.keys(this.peers).forEach(function(peerId) {
        if (this.peers[peerId].peer.userId === userId) {
          this.dropPeer(peerId);
        }
      }, this);
    }

    /** The RTCPeerConnection of every peer, for diagnostics (and the browser tests). */
    peerConnections() {
      return Object.keys(this.peers).map(function(peerId) {
        return this.peers[peerId].peer.pc;
      }, this);
    }

    localTracks() {
      return this.media.tracks();
    }

    displayName(userId) {
      return this.names[userId] || userId || "";
    }

    /** Someone who joined after this tab opened the call (a guest, or a user invited by link): their display name
     * comes with the call as the server has it now (as text, like every name). */
    learnName(userId, tile) {
      var self = this;
      webConferencing.getCall(this.id).then(function(info) {
        (info.participants || []).forEach(function(part) {
          self.names[part.id] = part.title || part.id;
        });
        tile.caption.textContent = self.displayName(userId);
      }).catch(function(err) {
        self.log.debug("No display name for " + userId, err);
      });
    }

    /**
     * The ICE servers of this call. With TURN credentials configured on the server (`iceServersUrl` in the
     * settings), they are asked for when the call starts: they expire (webconferencing.webrtc.turn.ttl), so they are
     * never kept in the page's settings. Without them, or when the request fails, the static servers.
     */
    async fetchIceServers() {
      var settings = this.provider.settings();
      var fallback = settings.iceServers || [];
      if (!settings.iceServersUrl) {
        return fallback;
      }
      try {
        var response = await fetch(settings.iceServersUrl, { credentials: "same-origin", cache: "no-store" });
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        var body = await response.json();
        return Array.isArray(body.iceServers) ? body.iceServers : fallback;
      } catch (err) {
        this.log.warn("No TURN credentials for call " + this.id + ": using the static ICE servers", err);
        return fallback;
      }
    }

    // -- peers --

    peer(peerId, userId) {
      var self = this;
      var entry = this.peers[peerId];
      if (!entry) {
        var tile = this.view.addPeer(peerId, userId, this.displayName(userId));
        if (userId && !this.names[userId]) {
          this.learnName(userId, tile);
        }
        var stream = this.media.stream;
        var peer = new webrtc.Peer(peerId, userId, {
          iceServers: this.iceServers || this.provider.settings().iceServers || [],
          tracks: this.media.tracks().map(function(track) {
            return [track, stream];
          }),
          send: function(message) {
            return self.signalling.send(message);
          },
          onTrack: function(kind, remote) {
            tile.showStream(kind, remote, self.log);
          },
          onStateChange: function(connectionState) {
            tile.setConnectionState(connectionState);
            if (connectionState === "failed") {
              self.log.error("Connection with " + peerId + " failed in call " + self.id);
            }
            self.peersChanged();
          },
          log: this.log
        });
        entry = { peer: peer, tile: tile };
        this.peers[peerId] = entry;
        if (this.remoteMedia[peerId]) {
          tile.showMedia(this.remoteMedia[peerId]);
        }
        this.sendMedia(peerId); // a new peer learns at once whether this tab is muted
      }
      return entry.peer;
    }

    /** Tell one peer (`to`), or all (null), whether this tab's microphone and camera are on. */
    sendMedia(to) {
      var message = { type: "media", audio: this.media.isOn("audio"), video: this.media.isOn("video") };
      if (to) {
        message.to = to;
      }
      this.signalling.send(message);
    }

    /** A peer said what it sends: its tile shows it (or will, once it exists). */
    peerMedia(peerId, media) {
      this.remoteMedia[peerId] = media;
      var entry = this.peers[peerId];
      if (entry) {
        entry.tile.showMedia(media);
      }
    }

    closePeer(peerId) {
      var entry = this.peers[peerId];
      delete this.remoteMedia[peerId];
      if (entry) {
        delete this.peers[peerId];
        entry.peer.close();
        entry.tile.remove();
      }
    }

    /** A tab left (its bye, or its user left on the server). Alone in a 1:1 call: the call is over. */
    dropPeer(peerId) {
      var entry = this.peers[peerId];
      var userId = entry ? entry.peer.userId : null;
      this.closePeer(peerId);
      if (this.state.isEnded()) {
        return;
      }
      if (!this.isGroup && Object.keys(this.peers).length === 0) {
        this.stopped("hung_up", webConferencing.callEndedText("hung_up", userId ? this.displayName(userId) : null));
      } else {
        this.peersChanged();
      }
    }

    /** The call's state follows its connections: one up is connected; none up and one failed is failed. */
    peersChanged() {
      var states = Object.keys(this.peers).map(function(peerId) {
        return this.peers[peerId].peer.connectionState;
      }, this);
      if (states.indexOf("connected") >= 0) {
        this.state.applyIfAllowed("peerConnected");
      } else if (states.indexOf("failed") >= 0) {
        this.state.applyIfAllowed("peerFailed");
      } else {
        this.state.applyIfAllowed("peersLost");
      }
    }

    // -- devices --

    showDevices() {
      var self = this;
      this.media.listDevices().then(function(devices) {
        Object.keys(devices).forEach(function(kind) {
          self.view.showDevices(kind, devices[kind], self.media.currentDeviceId(kind));
        });
      }).catch(function(err) {
        self.log.debug("Devices not listed", err);
      });
    }

    switchDevice(kind, deviceId) {
      var self = this;
      this.media.switchDevice(kind, deviceId).then(function(track) {
        return Promise.all(Object.keys(self.peers).map(function(peerId) {
          return self.peers[peerId].peer.replaceTrack(track);
        }));
      }).catch(function(err) {
        self.log.showError("Cannot switch " + kind + " device", err,
          webConferencing.message("webrtc.device.unavailable"));
      });
    }
  }

  webrtc.Call = Call;
})(window.webConferencing, window.webrtcConnector = window.webrtcConnector || {});
