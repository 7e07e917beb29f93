"""The addresses of Flask-Admin's static files (its stylesheets and scripts), each built once per process.

Every page's head and tail name some twenty of them (``admin_static.url`` in Flask-Admin's base
template, which asks the view's ``get_url``, Flask-Admin's documented place to customise the URLs a
view builds). They are the same for every request of a deployment, so they are kept; every other
address is built per request as before.
"""
from __future__ import annotations

#: (endpoint, file, version) -> address; only Flask-Admin's static files, named by its templates
_kept: dict[tuple, str] = {}
#: the arguments a static file's address is built from
_STATIC_ARGUMENTS = frozenset({"filename", "v"})


class StaticUrlsKept:
    """A view whose addresses of Flask-Admin's static files are built once per process."""

    def get_url(self, endpoint, **kwargs):
        if endpoint == f"{self.admin.endpoint}.static" and kwargs.keys() <= _STATIC_ARGUMENTS:
            key = (endpoint, kwargs.get("filename"), kwargs.get("v"))
            url = _kept.get(key)
            if url is None:
                url = _kept[key] = super().get_url(endpoint, **kwargs)
            return url
        return super().get_url(endpoint, **kwargs)
