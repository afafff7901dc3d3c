"""What the validator says: one `Message` per finding, and the catalogue of codes.

Codes are the W3C Feed Validation Service's class names wherever one exists,
so a user can search for them; each code has one fixed severity and one text
template that says what to change. Keeping the wording here, apart from the
rules, keeps the rules short and the messages consistent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

ERROR: Final = "error"
WARNING: Final = "warning"


@dataclass(frozen=True, slots=True)
class Message:
    """One finding about one place in one document."""

    path: str
    line: int
    column: int
    severity: str  # "error" | "warning"
    code: str  # stable id, W3C class name where one exists
    text: str  # says what to change

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity} {self.code}: {self.text}"


# code -> (severity, template). Templates are str.format()ed with the keyword
# details a rule supplies (element, parent, attr, value, ...); a missing key
# renders as "?" rather than failing, so a rule can never crash the report.
CATALOGUE: Final[dict[str, tuple[str, str]]] = {
    # --- document level ------------------------------------------------
    "SAXError": (ERROR, "the document is not well-formed XML ({detail}); fix the markup here"),
    "UnicodeError": (ERROR, "the bytes are not valid {encoding} ({detail}); save the file in the declared encoding, or declare the one used"),
    "UnknownEncoding": (ERROR, "the declared encoding '{value}' is not known; use UTF-8"),
    "EncodingMismatch": (WARNING, "the byte order mark says {bom} but the XML declaration says {value}; make them agree"),
    "ObscureEncoding": (WARNING, "the encoding '{value}' is not widely supported by feed readers; use UTF-8"),
    "BadXmlVersion": (ERROR, "XML version '{value}' is not supported by feed readers; declare version=\"1.0\""),
    "InternalError": (ERROR, "the validator failed on this document ({detail}); please report it"),
    "ValidatorLimit": (ERROR, "the document is larger than {limit} bytes; publish fewer or shorter entries"),
    "InvalidDoctype": (ERROR, "a DOCTYPE is only allowed with RSS 0.91; remove it"),
    "InvalidNamespace": (ERROR, "<{element}> is in namespace '{value}'; {expected}"),
    "ObsoleteNamespace": (ERROR, "'{value}' is the namespace of a pre-1.0 Atom draft; use http://www.w3.org/2005/Atom"),
    "MissingNamespace": (ERROR, "<{element}> uses a prefix that is not declared, or no namespace where one is needed; declare its namespace"),
    "NotInANamespace": (ERROR, "<{element}> inside the extension element <{parent}> has no namespace; put it in the extension's namespace"),
    "InvalidRSSVersion": (ERROR, "RSS version '{value}' is not known; use version=\"2.0\""),
    # --- structure -------------------------------------------------------
    "UndefinedElement": (ERROR, "<{element}> is not allowed inside <{parent}>; remove it, or move it to where it is defined"),
    "MissingElement": (ERROR, "<{parent}> must contain <{element}>; add it"),
    "MissingTitle": (ERROR, "<{parent}> must contain <title>; add it"),
    "MissingLink": (ERROR, "<{parent}> must contain <link>; add it"),
    "MissingDescription": (ERROR, "<{parent}> must contain <description>; add it"),
    "ItemMustContainTitleOrDescription": (ERROR, "<item> must contain a <title> or a <description>; add one"),
    "MissingContentOrAlternate": (ERROR, "an <entry> without <content> must have a <link rel=\"alternate\">; add one of them"),
    "MissingSummary": (ERROR, "this entry's <content> is not readable text (src= or base64 media); add a <summary>"),
    "MissingXhtmlDiv": (ERROR, "type=\"xhtml\" text must be wrapped in one <div xmlns=\"http://www.w3.org/1999/xhtml\">; add the div"),
    "DuplicateElement": (ERROR, "<{parent}> may contain only one <{element}>; remove the extra one"),
    "MisplacedMetadata": (ERROR, "feed-level <{element}> must come before the first <entry>; move it up"),
    "UnexpectedText": (ERROR, "text is not allowed directly inside <{element}>; put it inside a child element or remove it"),
    "UnexpectedWhitespace": (ERROR, "<{element}> must not start or end with whitespace; trim it"),
    "MissingAttribute": (ERROR, "<{element}> needs a {attr} attribute; add it"),
    "UnexpectedAttribute": (ERROR, "<{element}> does not take a {attr} attribute; remove it"),
    "MissingHref": (ERROR, "<{element}> needs an href attribute; add it"),
    "DuplicateAtomLink": (ERROR, "<{parent}> has more than one <link rel=\"alternate\"> with type '{value}'; keep one per type and hreflang"),
    "NoBlink": (ERROR, "<blink> is not an RSS element; remove it"),
    "NotEscaped": (ERROR, "<{element}> says its markup is escaped but it contains elements; escape the markup or use type=\"xhtml\""),
    "NotBase64": (ERROR, "<{element}> has a non-text media type, so it must be base64-encoded; encode it or fix the type"),
    "DuplicateValue": (ERROR, "the value '{value}' of <{element}> appears twice; make each one unique"),
    "DuplicateIds": (ERROR, "nearly every entry has the same id, so readers will show only one; give each entry its own id"),
    "MediaGroupWithoutAlternatives": (ERROR, "<media:group> must contain at least two <media:content> alternatives"),
    "UnsupportedFormat": (WARNING, "<{element}> documents (RSS 1.0/RDF) are not checked; only Atom 1.0 and RSS 2.0 are"),
    "NotEnoughHoursInTheDay": (ERROR, "<skipHours> has more than 24 <hour> elements; remove the extras"),
    "EightDaysAWeek": (ERROR, "<skipDays> has more than 7 <day> elements; remove the extras"),
    # --- values ------------------------------------------------------------
    "InvalidRFC3339Date": (ERROR, "<{element}> must be an RFC 3339 date-time such as 2003-12-13T18:30:02Z, not '{value}'"),
    "InvalidRFC2822Date": (ERROR, "<{element}> must be an RFC 822 date such as 'Sat, 07 Sep 2002 09:42:31 +0000', not '{value}'"),
    "IncorrectDOW": (ERROR, "the weekday '{value}' does not match the date in <{element}>; correct the weekday"),
    "InvalidW3CDTFDate": (ERROR, "<{element}> must be a W3C-DTF date such as 2003-12-13T18:30:02Z, not '{value}'"),
    "InvalidISO8601DateTime": (ERROR, "<{element}> must be an ISO 8601 date such as 2003-12-13T18:30:02Z, not '{value}'"),
    "InvalidFullLink": (ERROR, "<{element}> must be an absolute URI (scheme and all), not '{value}'"),
    "InvalidLink": (ERROR, "<{element}> is not a valid URI: '{value}'; fix or percent-encode it"),
    "InvalidIRI": (ERROR, "<{element}> is not a valid IRI: '{value}'; fix or percent-encode it"),
    "InvalidURIAttribute": (ERROR, "the {attr} attribute of <{element}> is not a valid URI: '{value}'"),
    "InvalidURLAttribute": (ERROR, "the {attr} attribute of <{element}> must be an absolute http(s) URL, not '{value}'"),
    "InvalidUriChar": (ERROR, "<{element}> contains the character {char}, which is not allowed in a URI; percent-encode it"),
    "InvalidTAG": (ERROR, "<{element}> is not a valid tag: URI (RFC 4151, e.g. tag:example.com,2005:post-1): '{value}'"),
    "InvalidURN": (ERROR, "<{element}> is not a valid URN (RFC 2141): '{value}'"),
    "InvalidUUID": (ERROR, "<{element}> is not a valid urn:uuid: URI (8-4-4-4-12 hex digits): '{value}'"),
    "InvalidHttpGUID": (ERROR, "a permalink <guid> must be an absolute URL; fix it or add isPermaLink=\"false\""),
    "InvalidPermalink": (ERROR, "a tag: or urn:uuid: <guid> is not a link; add isPermaLink=\"false\""),
    "InvalidMIMEType": (ERROR, "the type of <{element}> is not a valid media type: '{value}'"),
    "InvalidMIMEAttribute": (ERROR, "the {attr} attribute of <{element}> is not a valid media type: '{value}'"),
    "InvalidTextType": (ERROR, "the type of <{element}> must be text, html or xhtml, not '{value}'"),
    "InvalidLanguage": (ERROR, "'{value}' in {element} is not an ISO 639 language code (e.g. en or en-US)"),
    "InvalidAddrSpec": (ERROR, "<{element}> must be a bare e-mail address such as jane@example.com, not '{value}'"),
    "InvalidContact": (ERROR, "<{element}> must be an e-mail address such as 'jane@example.com (Jane Doe)', not '{value}'"),
    "InvalidNonNegativeInteger": (ERROR, "{element} must be a whole number, 0 or more, not '{value}'"),
    "InvalidPositiveInteger": (ERROR, "<{element}> must be a whole number greater than 0, not '{value}'"),
    "InvalidInteger": (ERROR, "<{element}> must be a whole number, not '{value}'"),
    "InvalidIntegerAttribute": (ERROR, "the {attr} attribute of <{element}> must be a whole number, not '{value}'"),
    "InvalidBooleanAttribute": (ERROR, "the {attr} attribute of <{element}> must be true or false, not '{value}'"),
    "UseZeroForUnknown": (ERROR, "use 0, not -1, for an unknown enclosure length"),
    "InvalidWidth": (ERROR, "<{element}> must be a whole number from 1 to 144, not '{value}'"),
    "InvalidHeight": (ERROR, "<{element}> must be a whole number from 1 to 400, not '{value}'"),
    "InvalidHour": (ERROR, "<hour> must be a whole number from 0 to 23, not '{value}'"),
    "InvalidDay": (ERROR, "<day> must be a weekday name such as Monday, not '{value}'"),
    "InvalidFormComponentName": (ERROR, "<name> must start with a letter and be a form-field name, not '{value}'"),
    "InvalidCommaSeparatedIntegers": (ERROR, "<{element}> must be comma-separated whole numbers, not '{value}'"),
    "InvalidLatitude": (ERROR, "<{element}> must be a latitude between -90 and 90, not '{value}'"),
    "InvalidLongitude": (ERROR, "<{element}> must be a longitude between -180 and 180, not '{value}'"),
    "InvalidUpdatePeriod": (ERROR, "<{element}> must be hourly, daily, weekly, monthly or yearly, not '{value}'"),
    "InvalidYesNo": (ERROR, "{element} must be yes or no, not '{value}'"),
    "InvalidMediaTextType": (ERROR, "the type attribute of <{element}> must be plain or html, not '{value}'"),
    "InvalidNPTTime": (ERROR, "the {attr} attribute of <{element}> must be a time such as 12.5 or 00:01:30, not '{value}'"),
    "InvalidMediaRestrictionRel": (ERROR, "the relationship of <{element}> must be allow or deny, not '{value}'"),
    "MediaRssNamespace": (ERROR, "the Media RSS namespace is http://search.yahoo.com/mrss/ (with the final slash)"),
    # --- warnings ------------------------------------------------------------
    "MissingSelf": (WARNING, "add <link rel=\"self\" href=\"...\"/> with the URL this feed is served from"),
    "MissingAtomSelfLink": (WARNING, "add <atom:link rel=\"self\" type=\"application/rss+xml\" href=\"...\"/> with the URL this feed is served from"),
    "SelfDoesntMatchLocation": (WARNING, "the self link '{value}' is not where this document is served from ({location}); correct it"),
    "RelativeSelf": (WARNING, "the self link '{value}' is relative; make it absolute"),
    "SelfNotAtom": (WARNING, "the self link's type '{value}' is not a feed type; use application/atom+xml or application/rss+xml"),
    "MissingTextualContent": (WARNING, "this entry has neither <content> nor <summary>; add a <summary>"),
    "MissingGuid": (WARNING, "add a <guid> so readers do not show this item twice"),
    "NotBlank": (WARNING, "<{element}> is empty; give it a value or remove it"),
    "AttrNotBlank": (WARNING, "the {attr} attribute of <{element}> is empty; give it a value or remove it"),
    "ContainsHTML": (WARNING, "<{element}> is plain text but contains markup ('{value}'); readers may show it literally"),
    "ContainsUndeclaredHTML": (WARNING, "<{element}> contains HTML ('{value}') but is not type=\"html\"; declare the type or remove the markup"),
    "CharacterData": (WARNING, "<{element}> contains '<' or '&#' text that readers may treat as markup; avoid it or escape it twice"),
    "NotHtml": (WARNING, "<{element}> should be HTML but contains '{value}', which is not HTML; fix the markup"),
    "HtmlFragment": (WARNING, "<{element}> is declared as a whole HTML document ({value}) but is a fragment; use type=\"html\""),
    "NotInline": (WARNING, "<{element}> is type=\"xhtml\" but its text looks like escaped HTML; use type=\"html\" for escaped markup"),
    "SecurityRisk": (WARNING, "<{element}> contains <{value}>, which feed readers strip for safety; remove it"),
    "SecurityRiskAttr": (WARNING, "<{element}> contains the attribute {value}, which feed readers strip for safety; remove it"),
    "DangerousStyleAttr": (WARNING, "<{element}> contains style '{value}', which feed readers strip for safety; remove it"),
    "ContainsRelRef": (WARNING, "<{element}> links to the relative URL '{value}', which readers cannot resolve; make it absolute"),
    "UnregisteredAtomLinkRel": (WARNING, "rel=\"{value}\" is not a registered link relation; use a registered one or an absolute URI"),
    "FeedHistoryRelInEntry": (WARNING, "rel=\"{value}\" is for feed paging; it has no meaning on an entry link"),
    "AtomLinkNotEmpty": (WARNING, "<link> must be empty; move its text into the title attribute"),
    "DuplicateEntries": (WARNING, "two entries have the id '{value}'; give each entry a unique id"),
    "DuplicateUpdated": (WARNING, "two entries have the same <updated> '{value}'; readers may order them arbitrarily"),
    "MissingSourceElement": (WARNING, "<source> should contain a <{element}>; add it"),
    "MissingTypeAttr": (WARNING, "<{element}> with src= should say the type of what it points to; add type=\"...\""),
    "NonCanonicalURI": (WARNING, "the id '{value}' is not in canonical form ('{canonical}'); use the canonical form so readers match it"),
    "SchemeNotIANARegistered": (WARNING, "the URI scheme '{value}' is not registered; use a registered scheme"),
    "ImplausibleDate": (WARNING, "the date '{value}' in <{element}> is before 1990 or in the future; check it"),
    "ProblematicalRFC822Date": (WARNING, "the date '{value}' in <{element}> is not in the strict RFC 822 form readers expect (e.g. 'Sat, 07 Sep 2002 09:42:31 +0000')"),
    "UnknownNamespace": (WARNING, "the namespace '{value}' is not known to this validator; its elements are not checked"),
    "ReservedPrefix": (WARNING, "the prefix '{value}' is normally used for {expected}; bind another prefix to this namespace"),
    "AvoidNamespacePrefix": (WARNING, "avoid the '{value}' prefix: some readers only understand the default namespace"),
    "UndeterminableVocabulary": (WARNING, "<{element}> has no namespace inside an Atom document; put it in a namespace"),
    "DuplicateSemantics": (WARNING, "<{value}> duplicates <{core}>; use only one of them"),
    "DuplicateItemSemantics": (WARNING, "<{value}> duplicates <{core}> in this item; use only one of them"),
    "DuplicateDescriptionSemantics": (WARNING, "<{element}> duplicates <description>; use only one of them"),
    "ImageTitleDoesntMatch": (WARNING, "the image title should be the channel title"),
    "ImageLinkDoesntMatch": (WARNING, "the image link should be the channel link"),
    "ImageUrlFormat": (WARNING, "the image should be a JPEG, GIF or PNG file"),
    "AvoidTextInput": (WARNING, "<textInput> is ignored by almost every reader; remove it"),
    "MisplacedItem": (WARNING, "<item> elements should come after all channel metadata; move them down"),
    "NeedDescriptionBeforeContent": (WARNING, "put a <description> before <content:encoded> in this item"),
    "SlashDate": (WARNING, "with <slash:comments>, the channel should have a <lastBuildDate>"),
    "UseZeroForMidnight": (WARNING, "use 0, not 24, for midnight in <hour>"),
    "EmailFormat": (WARNING, "<{element}> should be written 'jane@example.com (Jane Doe)'"),
    "MissingRealName": (WARNING, "<{element}> should include the person's name: 'jane@example.com (Jane Doe)'"),
    "ContainsEmail": (WARNING, "<{element}> contains an e-mail address; put it in <email> instead"),
    "BadCharacters": (WARNING, "the text here has control characters or UTF-8 read as Latin-1; fix the encoding of the source"),
    "NotSufficientlyUnique": (WARNING, "the guid '{value}' is too short to be unique across feeds; use a longer one"),
    "DuplicateEnclosure": (WARNING, "more than one <enclosure> in an item; most readers use only the first"),
    "CommentRSS": (WARNING, "the element is wfw:commentRss (lower-case 'ss'); rename it"),
    "MisplacedXHTMLContent": (WARNING, "<{element}> is XHTML outside of a content element; remove it"),
    "UseOfExtensionAttr": (WARNING, "extension attribute {value} on <{element}> is ignored by most readers"),
    "InvalidKeywords": (WARNING, "<{element}> should be comma-separated keywords"),
}


def render(code: str, details: dict[str, object]) -> tuple[str, str]:
    """Severity and text for `code`, filled with `details` (unknown keys show '?')."""
    severity, template = CATALOGUE[code]
    return severity, template.format_map(_Lenient(details))


class _Lenient(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "?"
