"""The /chat surface's request rules, beyond each request's JSON Schema: what POST /chat/templates
accepts (``validate``, ``duplicate``, ``normalise``) and what POST /chat/messages accepts
(``shape_errors``, ``media_errors``). Pure functions over JSON documents: no Starlette, no store.

Both run after the request's schema has checked the shape, so they may rely on types and required
keys; they return DRF-style ``{field: [message]}`` with dotted paths (``components.1.buttons.0.text``,
``data.context.body``). The rules the API shares with the scenarios (sender, window, price, filling a
template) are ``domain.whatsapp_rules``; Meta's review of a template is ``services.templates``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from mock_server.domain.media_types import media_kind
from mock_server.domain.whatsapp_events import ById
from mock_server.domain.whatsapp_rules import CATEGORIES, PLACEHOLDER, VARIABLE, add_error, placeholders as variables
from mock_server.errors import quoted

# The "Language Support" table at the top of MyOperator's API documentation, in its order.
LANGUAGES = (
    "en", "en_US", "en_GB", "af", "sq", "ar", "az", "bn", "bg", "ca", "zh_CN", "zh_HK", "zh_TW", "hr", "cs", "da",
    "nl", "et", "fil", "fi", "fr", "ka", "de", "el", "gu", "ha", "he", "hi", "hu", "id", "ga", "it", "ja", "kn",
    "kk", "rw_RW", "ko", "ky_KG", "lo", "lv", "lt", "mk", "ms", "ml", "mr", "nb", "fa", "pl", "pt_BR", "pt_PT",
    "pa", "ro", "ru", "sr", "sk", "sl", "es", "es_AR", "es_ES", "es_MX", "sw", "sv", "ta", "te", "th", "tr", "uk",
    "ur", "uz", "vi", "zu",
)

NAME = re.compile(r"[a-z0-9_]+")
NAME_MAX = 512
HEADER_TEXT_MAX = 60
BODY_MAX = 1024
CARD_BODY_MAX = 160
FOOTER_MAX = 60
BUTTON_TEXT_MAX = 25
URL_MAX = 2000
MAX_BUTTONS, MAX_URL_BUTTONS, MAX_PHONE_BUTTONS, MAX_CARD_BUTTONS = 10, 2, 1, 2
MIN_CARDS, MAX_CARDS = 2, 10
CODE_EXPIRATION = (1, 90)

PHONE = re.compile(r"\+?[0-9]{8,15}")
URL = re.compile(r"https?://[^\s/?#]+\.[^\s/?#]+[^\s]*", re.IGNORECASE)


class Errors(dict):
    def add(self, path: str, message: str) -> None:
        messages = self.setdefault(path, [])
        if message not in messages:
            messages.append(message)


# --- variables -------------------------------------------------------------------------------
def malformed(text: str) -> bool:
    """Braces that are not a well-formed {{name}} / {{1}} variable."""
    if any(not VARIABLE.fullmatch(m.group(1)) for m in PLACEHOLDER.finditer(text)):
        return True
    rest = PLACEHOLDER.sub("", text)
    return "{{" in rest or "}}" in rest


def _check_text(errors: Errors, path: str, text: str, limit: int, component: Mapping[str, Any],
                max_variables: int | None = None, example_path: str | None = None) -> list[str]:
    """Length, variable syntax and example coverage of one text; returns its variables."""
    if not text.strip():
        errors.add(f"{path}.text", "This field may not be blank.")
    elif len(text) > limit:
        errors.add(f"{path}.text", f"Ensure this field has no more than {limit} characters.")
    if malformed(text):
        errors.add(f"{path}.text", "Variables must be written {{name}} (lowercase letters, digits, underscores) "
                                   "or {{1}}.")
    names = variables(text)
    if max_variables is not None and len(names) > max_variables:
        errors.add(f"{path}.text", "Header text can contain at most one variable." if max_variables == 1
                   else f"This text can contain at most {max_variables} variables.")
    _check_examples(errors, example_path or f"{path}.example", names, component.get("example"))
    return names


def _check_examples(errors: Errors, path: str, names: list[str], example: Any) -> None:
    example = example if isinstance(example, dict) else {}
    missing = [n for n in dict.fromkeys(names) if not str(example.get(n, "")).strip()]
    if missing:
        errors.add(path, f"Example value missing for variable(s): {', '.join(missing)}.")


# --- validation ------------------------------------------------------------------------------
class _Check:
    """One validation pass over a create-template body."""

    def __init__(self, body: Mapping[str, Any], waba_ids: Iterable[str], media: Mapping[str, str]):
        self.body, self.waba_ids, self.media = body, {str(w) for w in waba_ids}, media
        self.category = body.get("category")
        self.errors = Errors()
        self.all_variables: list[str] = []

    def run(self) -> Errors:
        self.fields()
        components = self.body["components"]
        self.structure(components)
        for i, component in enumerate(components):
            self.component(component, f"components.{i}")
        named = [v for v in self.all_variables if not v.isdigit()]
        if named and len(named) < len(self.all_variables):
            self.errors.add("components", "Use either named ({{name}}) or positional ({{1}}) variables in one "
                                          "template, not both.")
        return self.errors

    def fields(self) -> None:
        body, errors = self.body, self.errors
        name = body["name"]
        if not name:
            errors.add("name", "This field may not be blank.")
        elif len(name) > NAME_MAX:
            errors.add("name", f"Ensure this field has no more than {NAME_MAX} characters.")
        elif not NAME.fullmatch(name):
            errors.add("name", "Template name can only contain lowercase letters, digits and underscores "
                               "(no spaces or special characters).")
        if body["language"] not in LANGUAGES:
            errors.add("language", f"\"{quoted(body['language'])}\" is not a valid choice.")
        if self.category not in CATEGORIES:
            errors.add("category", f"\"{quoted(self.category)}\" is not a valid choice.")
        if str(body["waba_id"]) not in self.waba_ids:
            errors.add("waba_id", f"Object with waba_id={quoted(body['waba_id'])} does not exist.")

    def structure(self, components: list[dict]) -> None:
        errors = self.errors
        kinds = [c["type"] for c in components]
        if kinds.count("BODY") != 1:
            errors.add("components", "A template must have exactly one BODY component.")
        for kind in ("HEADER", "FOOTER", "BUTTONS", "CAROUSEL"):
            if kinds.count(kind) > 1:
                errors.add("components", f"A template can have at most one {kind} component.")
        if "CAROUSEL" in kinds:
            if self.category != "marketing":
                errors.add("components", "CAROUSEL templates are only allowed in the marketing category.")
            if set(kinds) - {"BODY", "CAROUSEL"}:
                errors.add("components", "A carousel template can only have a BODY and a CAROUSEL component.")
        if self.category == "authentication":
            if "HEADER" in kinds:
                errors.add("components", "Authentication templates can't have a HEADER component.")
            otp = [b for c in components if c["type"] == "BUTTONS" for b in c["buttons"]]
            if len(otp) != 1 or otp[0]["type"] != "OTP":
                errors.add("components", "Authentication templates need exactly one button, of type OTP.")

    def component(self, component: dict, path: str, card: bool = False) -> None:
        kind = component["type"]
        if kind == "HEADER":
            self.header(component, path, card)
        elif kind == "BODY":
            self.all_variables += _check_text(self.errors, path, component["text"],
                                              CARD_BODY_MAX if card else BODY_MAX, component)
        elif kind == "FOOTER":
            self.footer(component, path)
        elif kind == "BUTTONS":
            self.buttons(component["buttons"], f"{path}.buttons", card)
        elif kind == "CAROUSEL":
            self.carousel(component["cards"], f"{path}.cards")

    def header(self, component: dict, path: str, card: bool) -> None:
        if component["format"] == "TEXT":
            self.all_variables += _check_text(self.errors, path, component["text"], HEADER_TEXT_MAX, component,
                                              max_variables=1)
            return
        mime = self.media.get(component["media_id"])
        if mime is None:
            self.errors.add(f"{path}.media_id",
                            f"Object with media_id={quoted(component['media_id'])} does not exist.")
        elif card and media_kind(mime) not in ("image", "video"):
            self.errors.add(f"{path}.media_id", "A carousel card's header must be an image or a video.")
        elif media_kind(mime) == "audio":
            self.errors.add(f"{path}.media_id", "Audio can't be a template header; use an image, a video or a "
                                                "document.")

    def footer(self, component: dict, path: str) -> None:
        text = component["text"]
        if not text.strip():
            self.errors.add(f"{path}.text", "This field may not be blank.")
        elif len(text) > FOOTER_MAX:
            self.errors.add(f"{path}.text", f"Ensure this field has no more than {FOOTER_MAX} characters.")
        if "{{" in text or "}}" in text:
            self.errors.add(f"{path}.text", "Footer text can't contain variables.")
        minutes = component.get("code_expiration_minutes")
        if minutes is None:
            return
        if self.category != "authentication":
            self.errors.add(f"{path}.code_expiration_minutes",
                            "code_expiration_minutes is only allowed in authentication templates.")
        elif minutes < CODE_EXPIRATION[0]:
            self.errors.add(f"{path}.code_expiration_minutes",
                            f"Ensure this value is greater than or equal to {CODE_EXPIRATION[0]}.")
        elif minutes > CODE_EXPIRATION[1]:
            self.errors.add(f"{path}.code_expiration_minutes",
                            f"Ensure this value is less than or equal to {CODE_EXPIRATION[1]}.")

    def buttons(self, buttons: list[dict], path: str, card: bool) -> None:
        errors = self.errors
        kinds = [b["type"] for b in buttons]
        limit = MAX_CARD_BUTTONS if card else MAX_BUTTONS
        if len(buttons) > limit:
            errors.add(path, f"A card can have at most {limit} buttons." if card
                       else f"A template can have at most {limit} buttons.")
        if kinds.count("URL") > MAX_URL_BUTTONS:
            errors.add(path, f"A template can have at most {MAX_URL_BUTTONS} URL buttons.")
        if kinds.count("PHONE_NUMBER") > MAX_PHONE_BUTTONS:
            errors.add(path, f"A template can have at most {MAX_PHONE_BUTTONS} PHONE_NUMBER button.")
        groups = [k == "QUICK_REPLY" for k in kinds]
        if sum(1 for a, b in itertools.pairwise(groups) if a != b) > 1:
            errors.add(path, "QUICK_REPLY buttons must be grouped together, before or after the URL and "
                             "PHONE_NUMBER buttons.")
        for j, button in enumerate(buttons):
            self.button(button, f"{path}.{j}")

    def button(self, button: dict, path: str) -> None:
        errors, kind = self.errors, button["type"]
        text = button.get("text")
        if text is not None:
            if not text.strip():
                errors.add(f"{path}.text", "This field may not be blank.")
            elif len(text) > BUTTON_TEXT_MAX:
                errors.add(f"{path}.text", f"Ensure this field has no more than {BUTTON_TEXT_MAX} characters.")
            if "{{" in text or "}}" in text:
                errors.add(f"{path}.text", "Button text can't contain variables.")
        if kind == "OTP" and self.category != "authentication":
            errors.add(f"{path}.type", "OTP buttons are only allowed in authentication templates.")
        elif kind == "PHONE_NUMBER" and not PHONE.fullmatch(button["phone_number"]):
            errors.add(f"{path}.phone_number", "Enter the phone number with its country code, digits only "
                                               "(e.g. 911234567890).")
        elif kind == "URL":
            self.url(button, path)

    def url(self, button: dict, path: str) -> None:
        errors, url = self.errors, button["url"]
        if len(url) > URL_MAX:
            errors.add(f"{path}.url", f"Ensure this field has no more than {URL_MAX} characters.")
        elif not URL.fullmatch(url):
            errors.add(f"{path}.url", "Enter a valid URL.")
        if malformed(url):
            errors.add(f"{path}.url", "Variables must be written {{name}} (lowercase letters, digits, underscores) "
                                      "or {{1}}.")
        names = variables(url)
        dynamic = button.get("format", "DYNAMIC" if names else "STATIC") == "DYNAMIC"
        if not dynamic and names:
            errors.add(f"{path}.url", "A STATIC URL can't contain variables; use format DYNAMIC.")
        elif dynamic and len(names) != 1:
            errors.add(f"{path}.url", "A DYNAMIC URL must contain exactly one variable.")
        elif dynamic and not url.endswith("}}"):
            errors.add(f"{path}.url", "The variable of a DYNAMIC URL must be at its end.")
        if dynamic:
            _check_examples(errors, f"{path}.example", names, button.get("example"))
        self.all_variables += names

    def carousel(self, cards: list[dict], path: str) -> None:
        errors = self.errors
        if not MIN_CARDS <= len(cards) <= MAX_CARDS:
            errors.add(path, f"A carousel must have between {MIN_CARDS} and {MAX_CARDS} cards.")
        header_kinds, button_kinds = set(), set()
        for k, card in enumerate(cards):
            card_path = f"{path}.{k}.components"
            components = card["components"]
            kinds = [c["type"] for c in components]
            if set(kinds) - {"HEADER", "BODY", "BUTTONS"}:
                errors.add(card_path, "A card can only have HEADER, BODY and BUTTONS components.")
            headers = [c for c in components if c["type"] == "HEADER"]
            if len(headers) != 1 or headers[0]["format"] != "MEDIA":
                errors.add(card_path, "Each card needs exactly one HEADER, with format MEDIA.")
            elif media_kind(self.media.get(headers[0]["media_id"], "")) in ("image", "video"):
                header_kinds.add(media_kind(self.media[headers[0]["media_id"]]))
            if kinds.count("BODY") != 1:
                errors.add(card_path, "Each card needs exactly one BODY.")
            if kinds.count("BUTTONS") > 1:
                errors.add(card_path, "A card can have at most one BUTTONS component.")
            button_kinds.add(tuple(b["type"] for c in components if c["type"] == "BUTTONS" for b in c["buttons"]))
            for m, component in enumerate(components):
                if component["type"] in ("HEADER", "BODY", "BUTTONS"):
                    self.component(component, f"{card_path}.{m}", card=True)
        if len(header_kinds) > 1:
            errors.add(path, "All cards must have the same header format (all images or all videos).")
        if len(button_kinds) > 1:
            errors.add(path, "All cards must have the same number and types of buttons.")


def validate(body: Mapping[str, Any], waba_ids: Iterable[str], media: Mapping[str, str]) -> dict[str, list[str]]:
    """Field errors of a schema-valid create body; ``media`` maps this company's media ids to MIME types."""
    return dict(_Check(body, waba_ids, media).run())


def duplicate(templates: Iterable[Mapping[str, Any]], waba_id: str, name: str, language: str) -> dict[str, list[str]]:
    """(name, language) is unique within a WABA."""
    if any(t.get("waba_id") == waba_id and t["name"] == name and t["language"] == language for t in templates):
        return {"name": [f"A template named \"{name}\" already exists in language \"{language}\" in this WABA."]}
    return {}


# --- what gets stored ------------------------------------------------------------------------
COMPONENT_KEYS = ("type", "format", "text", "media_id", "add_security_recommendation", "code_expiration_minutes",
                  "example", "buttons", "cards")
BUTTON_KEYS = ("type", "format", "text", "index", "url", "phone_number", "otp_type", "example")


def normalise(components: list[dict]) -> list[dict]:
    """The components as stored and rendered: known keys only (unknown ones are ignored, as DRF does)."""
    out = []
    for component in components:
        doc = {k: component[k] for k in COMPONENT_KEYS if k in component}
        if "buttons" in doc:
            doc["buttons"] = [_button(b, position) for position, b in enumerate(doc["buttons"])]
        if "cards" in doc:
            doc["cards"] = [{**({"index": c["index"]} if "index" in c else {}),
                             "components": normalise(c["components"])} for c in doc["cards"]]
        out.append(doc)
    return out


def _button(button: dict, position: int) -> dict:
    # Senders address a button's parameters by its index: a button sent without one gets its
    # position, as Meta numbers buttons in order.
    doc = {"index": position, **{k: button[k] for k in BUTTON_KEYS if k in button}}
    if doc["type"] == "URL" and "format" not in doc:
        doc["format"] = "DYNAMIC" if variables(doc["url"]) else "STATIC"
    return doc


# --- messages --------------------------------------------------------------------------------
MEDIA_TYPES = ("image", "audio", "video", "document")
Doc = dict[str, Any]
FieldErrors = dict[str, list[str]]


# --- request shape beyond the JSON Schema ----------------------------------------------------
def shape_errors(data: Doc) -> FieldErrors:
    """Checks the schema cannot express: either-or media sources, list totals, unique ids.

    Runs only on a body that passed the schema, so every type here is known.
    """
    errors: FieldErrors = {}
    kind, context = data["type"], data["context"]
    if kind in MEDIA_TYPES:
        _one_source(errors, "data.context", context, ("link", "media_id"))
    if kind == "interactive":
        header = context.get("header")
        if isinstance(header, dict) and header["type"] != "text":
            _one_source(errors, "data.context.header", header, ("media_id", "link", "media_url"))
        action = context["action"]
        if context["interactive_type"] == "button":
            buttons = action["buttons"]
            _unique(errors, "data.context.action.buttons", [b["reply"]["id"] for b in buttons], "reply id")
            _unique(errors, "data.context.action.buttons", [b["reply"]["title"] for b in buttons], "button title")
        elif context["interactive_type"] == "list":
            sections = action["sections"]
            rows = [row for section in sections for row in section["rows"]]
            if len(rows) > 10:
                add_error(errors, "data.context.action.sections",
                     f"A list may have at most 10 rows in all sections together (got {len(rows)}).")
            if len(sections) > 1 and not all(s.get("title") for s in sections):
                add_error(errors, "data.context.action.sections", "Every section needs a title when there are several.")
            _unique(errors, "data.context.action.sections", [row["id"] for row in rows], "row id")
    return errors


def _one_source(errors: FieldErrors, field: str, context: Doc, keys: tuple[str, ...]) -> None:
    given = [k for k in keys if context.get(k) not in (None, "")]
    if len(given) != 1:
        names = " or ".join(keys)
        add_error(errors, field, f"Give exactly one of {names}" + (f" (got {', '.join(given)})." if given else "."))


def _unique(errors: FieldErrors, field: str, values: list[str], what: str) -> None:
    dupes = sorted({v for v in values if values.count(v) > 1})
    if dupes:
        add_error(errors, field, f"Each {what} must be unique (repeated: {', '.join(dupes)}).")


# --- media -----------------------------------------------------------------------------------
def media_errors(data: Doc, media: ById) -> FieldErrors:
    """Every media_id the message names must be one of this company's uploads, of the right kind."""
    errors: FieldErrors = {}
    kind, context = data["type"], data["context"]
    if kind in MEDIA_TYPES:
        _check_media(errors, "data.context.media_id", context.get("media_id"), kind, media)
    elif kind == "interactive" and isinstance(context.get("header"), dict):
        header = context["header"]
        if header["type"] != "text":
            _check_media(errors, "data.context.header.media_id", header.get("media_id"), header["type"], media)
    elif kind == "template" and isinstance(context.get("header"), dict):
        _check_media(errors, "data.context.header.media_id", context["header"].get("media_id"), None, media)
    return errors


def _check_media(errors: FieldErrors, field: str, media_id: Any, kind: str | None, media: ById) -> None:
    if media_id in (None, ""):
        return
    doc = media.get(str(media_id))
    if doc is None:
        add_error(errors, field, f"Media {media_id} not found. Upload it with /chat/media/upload first.")
    elif kind is not None and media_kind(doc.get("mime_type")) != kind:
        article = "an" if kind[0] in "aeiou" else "a"
        add_error(errors, field, f"Media {media_id} is {doc.get('mime_type')}, not {article} {kind}.")


# --- template messages -------------------------------------------------------------------------------
def template_language(data: Doc) -> str:
    return data["context"].get("language") or data.get("language") or "en"
