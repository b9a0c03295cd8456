""" "Ask the advisor": an optional conversational layer over the rule-based plan.

Off unless the organisation sets ``CASELOAD_ADVISOR_LLM_URL`` to an OpenAI-compatible endpoint
(``…/v1``; a model server it runs itself, say), with ``CASELOAD_ADVISOR_LLM_MODEL`` and, when the
server needs one, ``CASELOAD_ADVISOR_LLM_API_KEY``. What is sent: the staff member's profile
facts in the documented profile shape and the rule results (eligibility, renewals, CE plan,
ladder checks, the names of suggested specialisations) — never client data, not even the
number of clients. The answer is shown labelled as generated, beside the rule-based plan,
and is not stored. The standard library's HTTP client is enough: no new dependency.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from caseload.workforce import engine
from caseload.workforce.advisor import StaffAdvice

SYSTEM_PROMPT = (
    "You are a career advisor for care managers. Answer the question using only the facts and "
    "the rule results given. The rule results are authoritative: never contradict an "
    "eligibility date, route or missing item; explain them and suggest practical next steps. "
    "If the facts do not answer the question, say so. Be brief."
)


class AdvisorUnavailable(Exception):
    """The endpoint could not be reached or answered something unreadable."""


@dataclass(frozen=True)
class Generated:
    text: str
    model: str
    endpoint_host: str


def enabled() -> bool:
    return bool(getattr(settings, "CASELOAD_ADVISOR_LLM_URL", ""))


def facts_for(plan: StaffAdvice) -> dict[str, Any]:
    """Exactly what leaves Caseload: profile facts and rule results, nothing about clients."""
    result = plan.as_json()
    return {
        "profile": engine.profile_to_json(plan.profile),
        "rule_results": {
            "CCM": result["CCM"],
            "CMC": result["CMC"],
            "renewals": result["renewals"],
            "ce_plan": result["ce_plan"],
            "ladder": {
                key: result["ladder"][key] for key in ("current", "next", "ready", "checks")
            },
            "specialisations": [s["name"] for s in result["specialisations"]],
        },
    }


def ask(plan: StaffAdvice, question: str) -> Generated:
    base = settings.CASELOAD_ADVISOR_LLM_URL.rstrip("/")
    model = settings.CASELOAD_ADVISOR_LLM_MODEL
    body = {
        "model": model,
        "temperature": 0.2,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {
                "role": "user",
                "content": "Facts and rule results (JSON):\n"
                + json.dumps(facts_for(plan), ensure_ascii=False)
                + "\n\nQuestion: "
                + question,
            },
        ],
    }
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    key = getattr(settings, "CASELOAD_ADVISOR_LLM_API_KEY", "")
    if key:
        headers["Authorization"] = f"Bearer {key}"
    url = f"{base}/chat/completions"
    if urlsplit(url).scheme not in ("http", "https"):
        raise AdvisorUnavailable("The advisor endpoint is not an http(s) address.")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, data=json.dumps(body).encode("utf-8"), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 - the scheme is checked above
            request, timeout=settings.CASELOAD_ADVISOR_LLM_TIMEOUT
        ) as response:
            payload = json.loads(response.read().decode("utf-8"))
        text = payload["choices"][0]["message"]["content"]
    except (urllib.error.URLError, TimeoutError, OSError, ValueError, KeyError, IndexError) as exc:
        raise AdvisorUnavailable(
            "The advisor's language model did not answer; the rule-based plan is complete "
            "without it."
        ) from exc
    if not isinstance(text, str) or not text.strip():
        raise AdvisorUnavailable("The advisor's language model gave an empty answer.")
    return Generated(
        text=text.strip()[:8000],
        model=str(payload.get("model") or model),
        endpoint_host=urlsplit(base).netloc,
    )
