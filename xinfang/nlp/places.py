"""Where the matter happened: county and township of 甘孜州 named in a text.

Citizens write the full name (理塘县), drop the suffix (理塘), name only a
town, village or scenic spot (新都桥, 亚丁), or type a homophone on a pinyin
keyboard (理唐, 康丁). When several counties are named, the matter's place
wins over where the writer lives now (LABELS.md, county).
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import jieba
from pypinyin import Style, pinyin
from pypinyin.pinyin_dict import pinyin_dict

from . import resources, segment
from .numbers import chinese_to_int

_TOWNSHIP_SUFFIX = re.compile(r"(街道|彝族乡|藏族乡|民族乡|镇|乡)$")
# Names of the prefecture itself: consumed so that 甘孜州 is not 甘孜县.
_PREFECTURE_NAMES = ("甘孜藏族自治州", "甘孜州", "甘孜藏区")
# Former names still in use.
_ALIASES = {"康定县": "康定市", "州府康定": "康定市"}

# The writer's present home, not the place of the matter.
_RESIDENCE_NOW = re.compile(r"(现住|现居|现在住|现在在|目前住|目前在|暂住|搬到|搬去|迁到|迁居|后来到|现在定居)[^，。,；;！!？?]{0,3}$")
_ORIGIN = re.compile(r"(户籍|籍贯|老家是|出生在|我是)[^，。,；;！!？?]{0,3}$")
_ORIGIN_AFTER = re.compile(r"^(人|出来|来的|籍)")
_AT = re.compile(r"(在|位于|于)$")
# "老家理塘县的草场", "我们理塘县村里的路": the home place named for what lies there, the matter's place.
_HOME = re.compile(r"(老家|家乡|我家|我们)[^，。,；;！!？?是]{0,2}$")
_HOME_THING = re.compile(r"(的|[^，。,；;！!？?]{0,6}?(村|乡|镇)里?的)")
# Where the matter happened, when it is outside the prefecture.
_OUTSIDE = re.compile(
    r"(在|到|去)(成都|雅安|天全|绵阳|德阳|乐山|眉山|重庆|西藏|拉萨|昌都|阿坝|凉山|西昌|北京|上海|广东|深圳|浙江|新疆|郫都|双流|温江|内地|外省|省外|州外)")


@dataclass(frozen=True)
class CountyMatch:
    county: str
    township: str | None
    words: tuple[str, ...]
    homophone: bool = False

    @property
    def reason(self) -> str:
        shown = "、".join(f"“{w}”" for w in self.words)
        how = "（按拼音近音识别）" if self.homophone else ""
        return f"地区：{self.county}{'·' + self.township if self.township else ''}——文中提到{shown}{how}"


@dataclass(frozen=True)
class _Entry:
    counties: tuple[str, ...]
    township: str | None
    weight: float


def _fuzzy(syllable: str) -> str:
    """Collapse the distinctions a Sichuan speaker's pinyin typing often loses."""
    s = re.sub(r"^(zh|ch|sh)", lambda m: m.group(1)[0], syllable)
    s = re.sub(r"^n", "l", s)
    return re.sub(r"(ang|eng|ing)$", lambda m: m.group(1)[:-1], s)


@lru_cache(maxsize=None)
def _syllables(ch: str) -> frozenset[str]:
    if not "\u4e00" <= ch <= "\u9fff":
        return frozenset()
    return frozenset(_fuzzy(p) for p in pinyin(ch, style=Style.NORMAL, heteronym=True)[0])


class _Gazetteer:
    def __init__(self) -> None:
        self.order = [c["name"] for c in resources.counties()]
        entries: dict[str, set[tuple[str, str | None, float]]] = {}

        def add(word: str, county: str, township: str | None, weight: float) -> None:
            entries.setdefault(word, set()).add((county, township, weight))

        for c in resources.counties():
            add(c["name"], c["name"], None, 1.0)
            add(c["short"], c["name"], None, 1.0)
            add(c["tibetan"], c["name"], None, 1.0)  # the county's name in Tibetan script
            for t in c["townships"]:
                add(t["name"], c["name"], t["name"], 1.0)
                short = _TOWNSHIP_SUFFIX.sub("", t["name"])
                # A short form that is an everyday word (和平, 建设) says nothing.
                if len(short) >= 2 and short != c["short"] and not segment.is_common_word(short):
                    add(short, c["name"], t["name"], 0.9)
            for p in c["places"]:
                add(p, c["name"], None, 0.9)
        for alias, county in _ALIASES.items():
            add(alias, county, None, 1.0)
        # A short form that begins another county's name (新都 of 炉霍's 新都镇, in
        # 康定's 新都桥) would hide that name when it is mistyped.
        shorts = [w for w, found in entries.items() if all(f[2] < 1.0 for f in found)]
        words = sorted(entries)
        for word in shorts:
            counties = {f[0] for f in entries[word]}
            longer = words[bisect.bisect_right(words, word):bisect.bisect_left(words, word + "\U0010ffff")]
            if any({f[0] for f in entries[o]} - counties for o in longer):
                del entries[word]
        self.entries: dict[str, _Entry] = {}
        for word, found in entries.items():
            counties = tuple(sorted({f[0] for f in found}, key=self.order.index))
            townships = {f[1] for f in found if f[1]}
            self.entries[word] = _Entry(counties, townships.pop() if len(townships) == 1 else None,
                                        max(f[2] for f in found))
        names = sorted([*self.entries, *_PREFECTURE_NAMES], key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, names)))
        readings = _char_syllables()  # both indexes' characters, made once
        self.homophones = _SoundIndex([(c["short"], c["name"], None) for c in resources.counties()], readings)
        # Towns and spots typed by sound (磨溪 for 磨西, 海罗沟 for 海螺沟).
        local = [(w, e.counties[0], e.township) for w, e in self.entries.items()
                 if len(e.counties) == 1 and 2 <= len(w) <= 4 and "\u4e00" <= w[0] <= "\u9fff"
                 and w not in {c["short"] for c in resources.counties()} and not _TOWNSHIP_SUFFIX.search(w)]
        self.place_sounds = _SoundIndex(local, readings)
        # Both indexes' candidates for each pair of characters met so far.
        self.pairs: dict[str, tuple[tuple[_Sound, ...], tuple[_Sound, ...]]] = {}

    def pair_sounds(self, pair: str) -> tuple[tuple[_Sound, ...], tuple[_Sound, ...]]:
        """County names and local names whose first two characters may sound like pair."""
        if len(self.pairs) >= _PAIR_CACHE_SIZE:
            self.pairs.clear()
        found = (self.homophones.pair(pair), self.place_sounds.pair(pair))
        found = self.pairs[pair] = found if found[0] or found[1] else _NO_SOUNDS
        return found


@dataclass(frozen=True)
class _Sound:
    """A name as it sounds: the fuzzy syllables each of its characters may be read as."""
    name: str
    county: str
    township: str | None
    syllables: tuple[frozenset[str], ...]


class _SoundIndex:
    """Names by the sound of their first two characters, and the sound of every relevant character."""

    def __init__(self, names: list[tuple[str, str, str | None]], readings: dict[str, frozenset[str]]):
        self.by_pair: dict[tuple[str, str], list[_Sound]] = {}
        wanted: set[str] = set()
        for name, county, township in names:
            sound = _Sound(name, county, township, tuple(_syllables(ch) for ch in name))
            wanted.update(*sound.syllables)
            for a in sound.syllables[0]:
                for b in sound.syllables[1]:
                    self.by_pair.setdefault((a, b), []).append(sound)
        self.char_syllables: dict[str, frozenset[str]] = {}
        for ch, syllables in readings.items():
            found = syllables & wanted
            if found:
                self.char_syllables[ch] = found

    def pair(self, pair: str) -> tuple[_Sound, ...]:
        """Names whose first two characters may sound like the two characters of pair."""
        first = self.char_syllables.get(pair[0])
        second = self.char_syllables.get(pair[1]) if first else None
        if not second:
            return ()
        return tuple(sound for a in first for b in second for sound in self.by_pair.get((a, b), ()))

    def at(self, text: str, i: int, candidates: tuple[_Sound, ...] | None = None) -> list[_Sound]:
        """Names whose sound the text carries from position i, longest first."""
        if candidates is None:
            candidates = self.pair(text[i:i + 2]) if i + 1 < len(text) else ()
        if not candidates:
            return []
        out = []
        for sound in candidates:
            end = i + len(sound.syllables)
            if end <= len(text) and all(
                    self.char_syllables.get(text[i + k], frozenset()) & sound.syllables[k]
                    for k in range(2, len(sound.syllables))):
                out.append(sound)
        return sorted(set(out), key=lambda snd: -len(snd.name))


# Character pairs already looked up by sound (a few MB at most), and the answer for most.
_PAIR_CACHE_SIZE = 1 << 16
_NO_SOUNDS = ((), ())


def _char_syllables() -> dict[str, frozenset[str]]:
    """Every common character's readings as fuzzy toneless syllables."""
    return {chr(code): frozenset(_fuzzy_reading(r) for r in readings.split(","))
            for code, readings in pinyin_dict.items() if 0x4E00 <= code <= 0x9FFF}


@lru_cache(maxsize=None)  # some 1,500 toned readings among 30,000 characters' readings
def _fuzzy_reading(reading: str) -> str:
    plain = unicodedata.normalize("NFD", reading.replace("ü", "v"))
    return _fuzzy("".join(ch for ch in plain if not unicodedata.combining(ch)))


@lru_cache(maxsize=1)
def gazetteer() -> _Gazetteer:
    return _Gazetteer()


@dataclass
class _Mention:
    county: str
    township: str | None
    word: str
    start: int
    weight: float
    homophone: bool = False


def _exact_mentions(text: str, gz: _Gazetteer) -> tuple[list[_Mention], list[tuple[int, int]]]:
    mentions, spans = [], []
    for m in gz.pattern.finditer(text):
        spans.append(m.span())
        entry = gz.entries.get(m.group())
        if entry is None:  # the prefecture itself
            continue
        share = 1.0 / len(entry.counties)  # a name shared by counties is weak evidence
        for county in entry.counties:
            mentions.append(_Mention(county, entry.township, m.group(), m.start(), entry.weight * share))
    return mentions, spans


def _homophone_mentions(text: str, gz: _Gazetteer, spans: list[tuple[int, int]],
                        allow_common: bool = False) -> list[_Mention]:
    covered = [False] * len(text)
    for a, b in spans:
        covered[a:b] = [True] * (b - a)
    found = []
    words = _LazyTokens(text)
    cached = gz.pairs.get
    for i in range(len(text) - 1):
        pair = text[i:i + 2]
        sounds_here = cached(pair)
        if sounds_here is None:
            sounds_here = gz.pair_sounds(pair)
        if sounds_here is _NO_SOUNDS or covered[i] or covered[i + 1]:
            continue
        county_sounds, place_sounds = sounds_here
        for sound in gz.homophones.at(text, i, county_sounds):
            word = pair
            with_suffix = text[i + 2:i + 3] in ("县", "市")
            if with_suffix or allow_common or _plausible_typo(text, i, word, words):
                found.append(_Mention(sound.county, None, word + ("县" if with_suffix else ""), i, 0.8, True))
                break
        sounds = gz.place_sounds.at(text, i, place_sounds)
        for sound in sorted(sounds, key=lambda snd: not _suffix_agrees(text, i, snd)):
            word = text[i:i + len(sound.name)]
            if any(covered[i:i + len(word)]):
                continue
            # A two-character sound names a place only with its suffix (磨溪镇, 塔工乡).
            suffix = _PLACE_SUFFIX.match(text, i + len(word))
            unit = text[i:suffix.end()] if suffix else word
            if (len(word) >= 3 or suffix) and _plausible_typo(text, i, unit, words):
                found.append(_Mention(sound.county, sound.township, word, i, 0.7, True))
                break
    return found


class _LazyTokens:
    """The jieba words of a text, segmented on first use and only once.

    jieba cuts each run of characters of its re_han_default on its own, so the
    words over a stretch of such characters are those of the run alone: only
    that run (a clause, mostly) is segmented, not the whole text.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._runs: dict[int, list[str]] = {}

    def around(self, start: int, end: int) -> tuple[int, list[str]]:
        """Where a run covering text[start:end] begins, and its words (or 0 and all words)."""
        for run in _JIEBA_RUN.finditer(self.text) if _JIEBA_RUN else ():
            if run.start() <= start and end <= run.end():
                break
            if run.start() > start:
                run = None
                break
        else:
            run = None
        at, piece = (run.start(), run.group()) if run else (-1, self.text)
        words = self._runs.get(at)
        if words is None:
            words = self._runs[at] = segment.tokenizer().lcut(piece)
        return max(at, 0), words


_JIEBA_RUN = getattr(jieba, "re_han_default", None)


_PLACE_SUFFIX = re.compile(r"镇|乡|村|街道|沟|寺|景区")


def _suffix_agrees(text: str, i: int, sound: _Sound) -> bool:
    """磨溪镇 is 磨西镇 rather than a 磨西乡 elsewhere."""
    suffix = _PLACE_SUFFIX.match(text, i + len(sound.name))
    return bool(suffix and sound.township and sound.township.endswith(suffix.group()))


def _plausible_typo(text: str, start: int, word: str, words: _LazyTokens | None = None) -> bool:
    """A typo is a word of its own, not an everyday word (礼堂, 市区) nor part of one (到城里)."""
    if segment.is_common_word(word):
        return False
    end_of_word = start + len(word)
    pos, tokens = (words or _LazyTokens(text)).around(start, end_of_word)
    for token in tokens:
        end = pos + len(token)
        overlaps = pos < end_of_word and end > start
        if overlaps and len(token) > 1 and (pos < start or end > end_of_word):
            return False
        pos = end
    return True


def _is_origin(text: str, mention: _Mention, strict: bool = False) -> bool:
    """Whether the mention says where the writer comes from; strictly: 理塘人, 户籍, 老家."""
    before = text[max(0, mention.start - 8):mention.start]
    after = text[mention.start + len(mention.word):mention.start + len(mention.word) + 2]
    if _ORIGIN_AFTER.match(after):
        return True
    found = _ORIGIN.search(before)
    return bool(found and (not strict or not found.group().startswith("我是")))


def _weigh(text: str, mention: _Mention) -> float:
    before = text[max(0, mention.start - 8):mention.start]
    weight = mention.weight
    if _RESIDENCE_NOW.search(before):
        weight *= 0.3
    elif _is_origin(text, mention):
        weight *= 0.7
    if _AT.search(before):
        weight += 0.3
    if _HOME.search(before) and _HOME_THING.match(text, mention.start + len(mention.word)):
        weight += 0.5
    return weight


def _best(text: str, mentions: list[_Mention]) -> CountyMatch | None:
    if not mentions:
        return None
    score: dict[str, float] = {}
    first: dict[str, int] = {}
    for m in mentions:
        score[m.county] = score.get(m.county, 0.0) + _weigh(text, m)
        first.setdefault(m.county, m.start)
    county = max(score, key=lambda c: (score[c], -first[c]))
    own = [m for m in mentions if m.county == county]
    if _OUTSIDE.search(text) and all(_is_origin(text, m, strict=True) for m in own):
        return None  # the writer comes from the county; the matter happened elsewhere
    township = next((m.township for m in own if m.township), None)
    words = tuple(dict.fromkeys(m.word for m in own))
    return CountyMatch(county, township, words, homophone=all(m.homophone for m in own))


def resolve_county(text: str, normalized: bool = False) -> CountyMatch | None:
    """The county (and township) where the matter happened, or None.

    normalized: the caller has already passed the text through segment.normalize.
    """
    if not normalized:
        text = segment.normalize(text)
    gz = gazetteer()
    mentions, spans = _exact_mentions(text, gz)
    mentions += _homophone_mentions(text, gz, spans)
    return _best(text, mentions)


# A citizen putting the place right: "不是道孚，是炉霍", "地点写错了，应该是炉霍".
_CORRECTION = re.compile(r"不是|不在|应该是|应该在|应为|改成|改为|更正|写错|搞错|弄错")
_DENIED = re.compile(r"^(不是|不在|并非|而不是)")


def corrected_county(text: str) -> CountyMatch | None:
    """The one county words that correct the place name ('不是道孚，是炉霍' → 炉霍县), the denied one
    left out; None unless the words correct a place and name exactly one county by its name."""
    text = segment.normalize(text)
    if not _CORRECTION.search(text):
        return None
    found: dict[str, CountyMatch] = {}
    for clause in re.split(r"[，,。；;！!？?\s]+", text):
        if clause and not _DENIED.match(clause):
            match = resolve_county(clause, normalized=True)
            if match is not None and not match.homophone:
                found[match.county] = match
    return next(iter(found.values())) if len(found) == 1 else None


def county_from_answer(answer: str) -> CountyMatch | None:
    """A chatbot reply naming the county: '3', '三', '丹巴', '磨西镇', '理唐'."""
    answer = segment.normalize(answer).strip(" 。.，,！!")
    number = int(answer) if answer.isdigit() else chinese_to_int(answer)
    order = gazetteer().order
    if number is not None and 1 <= number <= len(order):
        return CountyMatch(order[number - 1], None, (answer,))
    match = resolve_county(answer)
    if match is None and len(answer) <= 4:
        # A bare reply is a county name by intent, even if it is an everyday word.
        gz = gazetteer()
        match = _best(answer, _homophone_mentions(answer, gz, [], allow_common=True))
    return match
