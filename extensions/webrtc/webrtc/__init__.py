"""WebRTC connector: real peer-to-peer video calls between browsers.

The server only stores the call and relays signalling: SDP offers/answers and ICE candidates travel on the core's
call channel (``/webconferencing/call/<callId>``), media goes browser to browser. This package is the provider plugin
(:mod:`.provider`); the browser side is ``static/js/webconferencing-webrtc.js``.
"""
