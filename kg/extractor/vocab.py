"""Word lists the extraction rules are written in."""

from ..records import ENTITY_TYPES as _KEPT_TYPES

#: Entity labels that become nodes (a language too, when it is an argument): the spaCy labels kg
#: keeps (:data:`kg.records.ENTITY_TYPES`; numbers, dates and the like are not kept).
ENTITY_TYPES = frozenset(_KEPT_TYPES) - {"CONCEPT"}
#: Entity labels of things with a name the graph keeps as an entity.
NAMED_TYPES = ENTITY_TYPES - {"LANGUAGE"}
#: Entity labels of places.
PLACE_TYPES = frozenset({"GPE", "LOC"})
#: Entity labels never used as arguments.
SKIP_TYPES = {"DATE", "TIME", "CARDINAL", "ORDINAL"}

#: Verbs of saying: their clause is the content, their subject the speaker.
REPORTING_VERBS = {
    "say", "tell", "add", "state", "note", "announce", "claim", "warn", "report", "stress", "insist",
    "argue", "explain", "emphasize", "emphasise", "assert", "allege", "confirm", "write", "tweet",
    "declare", "reiterate", "acknowledge", "estimate", "predict", "suggest", "remark", "reply",
    "respond", "caution", "urge", "comment", "observe", "contend", "maintain", "believe", "think",
    "expect", "hope", "fear", "argue", "admit", "indicate",
}
#: Reporting verbs that are never facts themselves ("Lo said." states nothing about Lo).
PURE_SPEECH_VERBS = {"say", "tell", "add", "state", "note", "remark", "reply", "respond", "comment",
                     "reiterate", "stress", "emphasize", "emphasise", "insist", "explain", "assert",
                     "observe", "contend", "argue", "believe", "think", "claim", "allege", "acknowledge",
                     "admit", "indicate", "caution", "declare", "estimate", "predict"}

#: Light verbs whose bare object is part of the predicate: "take part in", "pay tribute to", "make progress on".
IDIOM_VERBS = {"take", "make", "have", "give", "pay", "hold", "keep", "play", "set", "put", "get", "do", "lose",
               "gain", "win", "come", "go", "bring"}

#: Nouns for people acting for an organisation: "LDP representatives" stand for the LDP.
AGENT_NOUNS = {
    "representative", "official", "member", "lawmaker", "legislator", "leader", "delegation", "delegate",
    "spokesperson", "spokesman", "spokeswoman", "envoy", "minister", "diplomat", "negotiator",
    "officer", "authority", "executive", "lawyer", "counsel", "staff", "team", "side",
}

#: Nouns for people acting as a group, who come from an organisation: "protesters from the union",
#: "rescuers from the fire service", "experts from the IAEA".
GROUP_MEMBER_NOUNS = AGENT_NOUNS | {
    "protester", "rescuer", "volunteer", "expert", "employee", "worker", "miner", "supporter", "fighter",
    "militant", "researcher", "scientist", "engineer", "activist", "investigator", "inspector", "observer",
    "soldier", "troop", "police", "firefighter", "doctor", "journalist", "reporter", "student", "analyst",
}

#: Personal pronouns, by the kinds of antecedent they can take.
PERSON_PRONOUNS = {"he", "him", "his", "himself", "she", "her", "hers", "herself"}
THING_PRONOUNS = {"it", "its", "itself"}
#: First-person pronouns in quoted speech: "I" is the speaker, "we" the speaker's side.
FIRST_PERSON_SINGULAR = {"i", "me", "my", "mine", "myself"}
FIRST_PERSON_PLURAL = {"we", "us", "our", "ours", "ourselves"}
PLURAL_PRONOUNS = {"they", "them", "their", "theirs", "themselves"}
RELATIVE_PRONOUNS = {"who", "whom", "which", "that", "whose", "what"}
DEMONSTRATIVES = {"this", "that", "these", "those", "there", "here", "which", "what", "who", "whom",
                  "whoever", "whatever", "something", "anything", "nothing", "everything", "someone",
                  "anyone", "everyone", "somebody", "anybody", "everybody", "one", "all", "both",
                  "each", "some", "many", "most", "none", "any", "few", "more", "others", "other", "such"}

#: Determiners and other words stripped from the start of a name.
LEADING_STRIP = {"the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her",
                 "our", "my", "your", "such", "another", "any", "some", "every", "each"}

#: Prepositions that make a verb + preposition predicate ("invest in", "cooperate with").
VERB_PREPS = {"in", "into", "with", "to", "for", "on", "against", "about", "from", "over", "at",
              "toward", "towards", "onto", "upon", "through", "across", "between", "among", "of", "off",
              "out", "under", "after", "before", "behind", "within", "without", "via", "like", "despite", "as",
              "outside", "inside", "near", "around", "along", "beyond", "amid", "alongside", "throughout", "beside",
              "above", "below"}

#: Words of titles that may open a person entity ("Prime Minister Fumio Kishida").
TITLE_WORDS = {
    "president", "vice", "prime", "minister", "premier", "chancellor", "secretary", "general", "governor", "mayor",
    "senator", "sen.", "rep.", "representative", "dr.", "dr", "mr.", "mr", "mrs.", "mrs", "ms.", "ms", "prof.",
    "king", "queen", "prince", "princess", "chairman", "chairwoman", "chair", "ceo", "commodore", "admiral",
    "colonel", "captain", "lieutenant", "sergeant", "judge", "justice", "pope", "bishop", "deputy", "foreign",
    "defense", "defence", "finance", "spokesman", "spokeswoman", "lawmaker", "legislator", "ambassador", "envoy",
    "director", "chief", "executive", "leader", "opposition", "lt.", "gen.", "col.", "capt.", "sir", "lord", "dame",
    "sultan", "emir", "sheikh", "shah", "tsar", "czar", "crown", "grand", "duke", "duchess", "baron", "mullah",
    "ayatollah", "rabbi", "cardinal", "archbishop", "commander", "marshal", "general", "inspector", "superintendent",
}

_PEOPLE = frozenset({"PERSON"})
_ORGS = frozenset({"ORG"})
_PLACES = frozenset({"GPE"})
_PARTIES = frozenset({"PERSON", "ORG", "GPE"})
#: Nouns that name a kind of entity: "the company" is the latest organisation, "the two
#: leaders" the latest pair of people, "both sides" the latest pair of anything.
CLASS_NOUNS = {
    **dict.fromkeys(("leader", "minister", "man", "woman", "diplomat", "president", "lawmaker", "politician",
                     "candidate", "player", "executive", "founder", "brother", "sister", "suspect", "defendant",
                     "counterpart", "premier", "envoy"), _PEOPLE),
    **dict.fromkeys(("company", "firm", "group", "bank", "carrier", "automaker", "carmaker", "chipmaker",
                     "organization", "organisation", "broadcaster", "network", "insurer", "lender", "retailer",
                     "airline", "manufacturer", "conglomerate", "giant", "publisher", "studio", "party"), _ORGS),
    **dict.fromkeys(("country", "nation", "neighbour", "neighbor", "city", "capital", "ally"), _PLACES),
    **dict.fromkeys(("side", "partner", "rival"), _PARTIES - {"PERSON"}),
}

#: Nouns that name an action, with the verb that states it: "Russia's invasion of Ukraine" says
#: Russia –invade→ Ukraine, "the assassination of Kennedy by Oswald" says Oswald –assassinate→ Kennedy.
NOMINALISATIONS = {
    "acquisition": "acquire", "annexation": "annex", "appointment": "appoint", "arrest": "arrest",
    "assassination": "assassinate", "attack": "attack", "ban": "ban", "blockade": "blockade",
    "bombing": "bomb", "capture": "capture", "condemnation": "condemn", "conquest": "conquer",
    "criticism": "criticize", "defeat": "defeat", "deployment": "deploy", "detention": "detain",
    "election": "elect", "execution": "execute", "expulsion": "expel", "funding": "fund", "invasion": "invade",
    "killing": "kill", "kidnapping": "kidnap", "murder": "murder", "nationalization": "nationalize",
    "nationalisation": "nationalize", "nomination": "nominate", "occupation": "occupy", "purchase": "purchase",
    "recognition": "recognize", "rejection": "reject", "release": "release", "sale": "sell", "seizure": "seize",
    "shooting": "shoot", "takeover": "take over", "visit": "visit", "approval": "approve", "dismissal": "dismiss",
    "impeachment": "impeach", "indictment": "indict", "prosecution": "prosecute", "sanctioning": "sanction",
    "support": "support", "backing": "back", "endorsement": "endorse", "investigation": "investigate",
    "withdrawal": "withdraw", "destruction": "destroy", "bailout": "bail out", "buyout": "buy out",
}

#: Nationality adjectives whose country is not spelled with the same stem ("British" → Britain is,
#: "Dutch" → Netherlands is not); the rest are matched against the places a document names.
DEMONYMS = {
    "american": "United States", "u.s.": "United States", "us": "United States", "british": "Britain",
    "english": "England", "scottish": "Scotland", "welsh": "Wales", "irish": "Ireland", "dutch": "Netherlands",
    "french": "France", "german": "Germany", "spanish": "Spain", "portuguese": "Portugal", "swiss": "Switzerland",
    "swedish": "Sweden", "danish": "Denmark", "finnish": "Finland", "norwegian": "Norway", "polish": "Poland",
    "czech": "Czech Republic", "slovak": "Slovakia", "hungarian": "Hungary", "greek": "Greece",
    "turkish": "Turkey", "cypriot": "Cyprus", "icelandic": "Iceland", "belgian": "Belgium",
    "austrian": "Austria", "italian": "Italy", "russian": "Russia", "ukrainian": "Ukraine",
    "belarusian": "Belarus", "chinese": "China", "japanese": "Japan", "korean": "Korea",
    "south korean": "South Korea", "north korean": "North Korea", "taiwanese": "Taiwan", "vietnamese": "Vietnam",
    "thai": "Thailand", "filipino": "Philippines", "philippine": "Philippines", "indonesian": "Indonesia",
    "malaysian": "Malaysia", "singaporean": "Singapore", "burmese": "Myanmar", "indian": "India",
    "pakistani": "Pakistan", "bangladeshi": "Bangladesh", "afghan": "Afghanistan", "iranian": "Iran",
    "iraqi": "Iraq", "syrian": "Syria", "lebanese": "Lebanon", "israeli": "Israel", "palestinian": "Palestine",
    "jordanian": "Jordan", "saudi": "Saudi Arabia", "emirati": "United Arab Emirates", "qatari": "Qatar",
    "kuwaiti": "Kuwait", "yemeni": "Yemen", "egyptian": "Egypt", "libyan": "Libya", "tunisian": "Tunisia",
    "algerian": "Algeria", "moroccan": "Morocco", "sudanese": "Sudan", "ethiopian": "Ethiopia",
    "kenyan": "Kenya", "nigerian": "Nigeria", "ghanaian": "Ghana", "south african": "South Africa",
    "congolese": "Congo", "canadian": "Canada", "mexican": "Mexico", "brazilian": "Brazil",
    "argentine": "Argentina", "argentinian": "Argentina", "chilean": "Chile", "peruvian": "Peru",
    "colombian": "Colombia", "venezuelan": "Venezuela", "cuban": "Cuba", "australian": "Australia",
    "new zealand": "New Zealand", "mongolian": "Mongolia", "kazakh": "Kazakhstan", "georgian": "Georgia",
    "armenian": "Armenia", "azerbaijani": "Azerbaijan", "serbian": "Serbia", "croatian": "Croatia",
    "bosnian": "Bosnia", "romanian": "Romania", "bulgarian": "Bulgaria", "estonian": "Estonia",
    "latvian": "Latvia", "lithuanian": "Lithuania", "european": "Europe",
}

#: Nouns naming a kind of place: "the city of Pisco", "the southern province of Guangdong".
PLACE_KIND_NOUNS = {
    "city", "town", "village", "province", "state", "region", "county", "district", "prefecture",
    "island", "islands", "capital", "port", "country", "nation", "territory", "republic", "kingdom",
    "municipality", "borough", "suburb", "neighbourhood", "neighborhood", "enclave", "emirate",
}

#: The four directions: "the South" may name the one country of a pair (South Korea).
COMPASS = {"north", "south", "east", "west"}
#: Words for a part of a place that may stand before its name: "south-east Algeria", "central Idaho".
PLACE_QUALIFIERS = COMPASS | {"northeast", "northwest", "southeast", "southwest", "northern", "southern", "eastern",
                              "western", "central", "northeastern", "northwestern", "southeastern", "southwestern",
                              "upper", "lower", "coastal", "rural"}

#: Nouns that count or measure what follows their "of": "dozens of protesters", "a group of lawmakers".
QUANTITY_NOUNS = {"ten", "tens", "dozen", "dozens", "hundred", "hundreds", "thousand", "thousands", "million",
                  "millions", "billion", "billions", "number", "handful", "majority", "minority", "lot", "lots",
                  "one", "two", "three", "some", "many", "most", "all", "each", "several", "few", "none",
                  "part", "half", "percent", "%", "share", "portion", "group", "couple", "pair", "series"}

#: Verbs of telling: their object is the listener ("Sato told Reuters …").
LISTENING_VERBS = {"tell", "inform", "brief", "assure", "notify"}
