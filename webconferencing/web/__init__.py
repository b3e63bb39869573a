"""The web front end: REST resources, the websocket channels hub, authentication and the ``exo-server`` runner.

Import :func:`create_app` from :mod:`webconferencing.web.app`; this package stays import-light so that
``exo-server`` can monkey-patch for gevent before anything that touches threads or sockets is imported.
"""
