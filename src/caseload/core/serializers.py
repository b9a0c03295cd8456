"""Django's JSON serialization format, with times to the microsecond.

Django's own JSON encoder cuts datetimes and times to milliseconds, so a ``caseload backup``
(dumpdata) and ``caseload restore`` (loaddata) would move every timestamp by up to a
millisecond. Registered for the ``json`` format in settings (SERIALIZATION_MODULES); loading is
Django's own, which reads microseconds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.serializers.json import Deserializer, DjangoJSONEncoder
from django.core.serializers.json import Serializer as DjangoJSONSerializer

__all__ = ["Deserializer", "ExactJSONEncoder", "Serializer"]


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        if isinstance(o, dt.time):
            return o.isoformat()
        return super().default(o)


class Serializer(DjangoJSONSerializer):
    def _init_options(self) -> None:
        super()._init_options()  # type: ignore[misc]
        self.json_kwargs["cls"] = ExactJSONEncoder
