"""My Connector: the original add-on's template connector, ported.

A provider without media (it only opens a call window) that shows every piece a real connector needs: the provider
plugin read from XML (:mod:`.provider`), its IM type for user profiles, its own web pages (:mod:`.web`: the call
window and the admin settings form) and its browser module (``static/js/webconferencing-myconnector.js``).
Copy this folder with ``scripts/new_connector.py`` to start a connector of your own (see ``extensions/README.md``).
"""
