"""Common English given names and their nicknames, for matching "Bill" to "William".

Each group is one formal name followed by the short forms people register, sign up or give
with. A short form shared by two formal names ("Chris": Christopher, Christina) is in both
groups, so the two names still compare as possibly the same. The table is small on purpose:
it covers the names that make up most of the US population, where nicknames cause most of
the missed matches.
"""

from __future__ import annotations

from functools import cache

GROUPS: tuple[tuple[str, ...], ...] = (
    ("abigail", "abby", "gail"),
    ("alexander", "alex", "al", "xander", "sandy"),
    ("alexandra", "alex", "alexa", "sandra", "sandy", "lexi"),
    ("albert", "al", "bert", "bertie"),
    ("alfred", "al", "alf", "fred", "freddie"),
    ("allison", "ali", "allie"),
    ("amanda", "mandy", "manda"),
    ("andrew", "andy", "drew"),
    ("angela", "angie"),
    ("anthony", "tony", "ant"),
    ("antonio", "tony"),
    ("arthur", "art", "artie"),
    ("barbara", "barb", "babs", "barbie"),
    ("benjamin", "ben", "benny", "benji"),
    ("beverly", "bev"),
    ("bradley", "brad"),
    ("brian", "bryan"),
    ("catherine", "cathy", "cat", "kate", "katie", "cate", "kathy"),
    ("charles", "charlie", "chuck", "chas", "chaz"),
    ("christina", "chris", "tina", "chrissy", "christy"),
    ("christine", "chris", "tina", "chrissy", "christy"),
    ("christopher", "chris", "topher", "kit"),
    ("cynthia", "cindy", "cyndi"),
    ("daniel", "dan", "danny"),
    ("david", "dave", "davey"),
    ("deborah", "debbie", "deb", "debra", "debby"),
    ("dennis", "denny"),
    ("donald", "don", "donnie"),
    ("donna", "donnie"),
    ("dorothy", "dot", "dottie", "dolly"),
    ("douglas", "doug"),
    ("edward", "ed", "eddie", "ted", "teddy", "ned"),
    ("elizabeth", "liz", "beth", "betty", "lizzie", "eliza", "betsy", "libby", "liza", "bette"),
    ("eugene", "gene"),
    ("frances", "fran", "frannie"),
    ("francis", "frank", "fran"),
    ("franklin", "frank"),
    ("frederick", "fred", "freddie", "fritz"),
    ("gabriel", "gabe"),
    ("gerald", "gerry", "jerry"),
    ("gregory", "greg"),
    ("harold", "harry", "hal"),
    ("henry", "hank", "harry"),
    ("isabella", "bella", "izzy"),
    ("jacob", "jake"),
    ("james", "jim", "jimmy", "jamie", "jimbo"),
    ("janet", "jan"),
    ("jeffrey", "jeff"),
    ("jennifer", "jen", "jenny", "jenn"),
    ("jessica", "jess", "jessie"),
    ("john", "jack", "johnny", "jon"),
    ("jonathan", "jon", "jonny", "nathan"),
    ("joseph", "joe", "joey"),
    ("joshua", "josh"),
    ("judith", "judy"),
    ("katherine", "kathy", "kate", "katie", "kat", "kathryn", "kay", "kitty"),
    ("kathleen", "kathy", "kate", "katie", "kay"),
    ("kenneth", "ken", "kenny"),
    ("kimberly", "kim"),
    ("lawrence", "larry"),
    ("leonard", "leo", "len", "lenny"),
    ("louis", "lou"),
    ("margaret", "maggie", "meg", "peggy", "marge", "margie", "greta", "peg"),
    ("matthew", "matt", "matty"),
    ("melissa", "mel", "missy"),
    ("michael", "mike", "mikey", "mick", "mickey"),
    ("michelle", "shelly", "micki"),
    ("nathaniel", "nate", "nathan", "nat"),
    ("nicholas", "nick", "nicky"),
    ("nicole", "nicki", "nikki", "nicky"),
    ("pamela", "pam"),
    ("patricia", "pat", "patty", "trish", "tricia", "patsy"),
    ("patrick", "pat", "paddy"),
    ("peter", "pete"),
    ("philip", "phil"),
    ("phillip", "phil"),
    ("raymond", "ray"),
    ("rebecca", "becky", "becca", "beck"),
    ("richard", "rick", "rich", "dick", "ricky", "richie"),
    ("robert", "bob", "rob", "bobby", "robbie", "bert"),
    ("ronald", "ron", "ronnie"),
    ("samantha", "sam", "sammy"),
    ("samuel", "sam", "sammy"),
    ("sandra", "sandy", "sandi"),
    ("stephanie", "steph", "stephie"),
    ("stephen", "steve", "stevie"),
    ("steven", "steve", "stevie"),
    ("susan", "sue", "susie", "suzy"),
    ("theodore", "ted", "teddy", "theo"),
    ("thomas", "tom", "tommy"),
    ("timothy", "tim", "timmy"),
    ("victoria", "vicky", "tori", "vickie"),
    ("vincent", "vince", "vinny"),
    ("virginia", "ginny", "ginger"),
    ("walter", "walt", "wally"),
    ("william", "bill", "will", "billy", "willy", "liam"),
    ("zachary", "zach", "zack"),
)


@cache
def _groups_by_name() -> dict[str, frozenset[int]]:
    index: dict[str, set[int]] = {}
    for number, group in enumerate(GROUPS):
        for name in group:
            index.setdefault(name, set()).add(number)
    return {name: frozenset(numbers) for name, numbers in index.items()}


def same_name(a: str, b: str) -> bool:
    """Whether two lower-cased given names are one another's nickname (or equal)."""
    if a == b:
        return True
    groups = _groups_by_name()
    return bool(groups.get(a, frozenset()) & groups.get(b, frozenset()))


def canonical(name: str) -> str:
    """The formal name a lower-cased given name stands for (itself if it is not a known
    nickname, or is one of several formal names' nickname); a blocking key that puts "bill"
    and "william" together."""
    numbers = _groups_by_name().get(name)
    if not numbers or len(numbers) > 1:
        return name
    return GROUPS[next(iter(numbers))][0]


def pairs() -> list[tuple[str, str]]:
    """Every (name, name) pair that the table says may be one person, both orders: loaded
    as a table by the batch linker so that the nickname check is a join."""
    out: set[tuple[str, str]] = set()
    for group in GROUPS:
        for a in group:
            for b in group:
                if a != b:
                    out.add((a, b))
    return sorted(out)
