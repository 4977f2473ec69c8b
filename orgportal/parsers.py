"""The API's JSON parser (settings DEFAULT_PARSER_CLASSES; a module of its own because DRF reads that
setting while rest_framework.views is imported, before orgportal.api is)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's, with a body nested deeper than Python's parser can follow answered 400 instead of a
    RecursionError's 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON 格式错误：嵌套层数过多")) from None
