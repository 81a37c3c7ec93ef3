//! Text normalisation for matching.
//!
//! Names of people and companies reach us spelled in many ways: with or without diacritics
//! ("Müller", "Muller", "Mueller"), in any case, with punctuation ("O'Brien", "Jean-Luc"),
//! with legal forms ("Acme B.V.", "ACME BV"), and as URLs or e-mail domains. Every comparison
//! and every index key goes through this module so that all of those spellings meet on one
//! folded form. The functions run on the lookup hot path, so they avoid regexes and keep
//! allocations to the output buffers.

use crate::matching::names::{
    is_post_nominal_after_comma, is_title, strip_decorations, strip_post_nominals, strip_titles,
};
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// How a folding pass treats the characters whose handling differs between callers.
#[derive(Clone, Copy)]
struct Mode {
    /// German/Nordic transliteration (ä→ae, ö→oe, ü→ue, ø→oe, å→aa) instead of dropping marks.
    german: bool,
    /// Emit `&` as the token "and" instead of treating it as a separator (company keys).
    amp_as_and: bool,
}

const PLAIN: Mode = Mode {
    german: false,
    amp_as_and: false,
};
const GERMAN: Mode = Mode {
    german: true,
    amp_as_and: false,
};
const COMPANY: Mode = Mode {
    german: false,
    amp_as_and: true,
};

/// Appends folded tokens to a buffer, inserting single spaces between tokens.
struct Folder<'a> {
    out: &'a mut String,
    mode: Mode,
    /// A separator was seen since the last emitted character.
    pending_sep: bool,
}

impl Folder<'_> {
    fn push(&mut self, c: char) {
        self.flush_sep();
        self.out.push(c);
    }

    fn push_str(&mut self, s: &str) {
        self.flush_sep();
        self.out.push_str(s);
    }

    fn flush_sep(&mut self) {
        if self.pending_sep {
            if !self.out.is_empty() {
                self.out.push(' ');
            }
            self.pending_sep = false;
        }
    }

    fn separate(&mut self) {
        self.pending_sep = true;
    }

    /// Folds one input character.
    fn feed(&mut self, c: char) {
        if c.is_ascii() {
            self.emit_ascii(c);
            return;
        }
        if is_invisible(c) {
            return;
        }
        for lower in c.to_lowercase() {
            if let Some(s) = transliterate(lower, self.mode.german) {
                self.push_str(s);
            } else {
                decompose_compatible(lower, |d| self.emit(d));
            }
        }
    }

    fn emit_ascii(&mut self, c: char) {
        if c.is_ascii_alphanumeric() {
            self.push(c.to_ascii_lowercase());
        } else if c == '&' && self.mode.amp_as_and {
            self.separate();
            self.push_str("and");
            self.separate();
        } else {
            self.separate();
        }
    }

    /// Emits one character of a compatibility decomposition.
    fn emit(&mut self, d: char) {
        if d.is_ascii() {
            self.emit_ascii(d);
            return;
        }
        if let Some(s) = transliterate(d, self.mode.german) {
            self.push_str(s);
            return;
        }
        if is_combining_mark(d) {
            let previous = if self.pending_sep {
                None
            } else {
                self.out.chars().next_back()
            };
            match (d, previous) {
                // Decomposed umlaut or ring: "a\u{308}" spells the same as "ä".
                ('\u{308}', Some('a' | 'o' | 'u')) if self.mode.german => self.push('e'),
                ('\u{30A}', Some('a')) if self.mode.german => self.push('a'),
                // The iota subscript upper-cases to a capital iota: keep it as one.
                ('\u{345}', Some(p)) if is_greek(p) => self.push('ι'),
                _ => {}
            }
            return;
        }
        if is_separator_letter(d) {
            self.separate();
            return;
        }
        for lower in d.to_lowercase() {
            if let Some(s) = transliterate(lower, self.mode.german) {
                self.push_str(s);
            } else if lower.is_alphanumeric() {
                self.push(lower);
            } else {
                self.separate();
            }
        }
    }
}

/// Format characters that are dropped without splitting a token (soft hyphen, zero-width chars).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

fn is_greek(c: char) -> bool {
    matches!(c, '\u{370}'..='\u{3FF}' | '\u{1F00}'..='\u{1FFF}')
}

/// Letters that act as punctuation: modifier apostrophes and stress marks ("Oʼbrien") and
/// the click letters, which look like `|` and `!`.
fn is_separator_letter(c: char) -> bool {
    matches!(c, '\u{2B9}'..='\u{2FF}' | '\u{1C0}'..='\u{1C3}')
}

/// Transliteration of lower-case letters that NFKD does not reduce to ASCII.
fn transliterate(c: char, german: bool) -> Option<&'static str> {
    if german {
        match c {
            'ä' => return Some("ae"),
            'ö' | 'ø' => return Some("oe"),
            'ü' => return Some("ue"),
            'å' => return Some("aa"),
            _ => {}
        }
    }
    Some(match c {
        'ⱥ' | 'ɑ' | 'ɐ' => "a",
        'ƀ' | 'ɓ' | 'ƃ' | 'ƅ' => "b",
        'ƈ' | 'ȼ' => "c",
        'đ' | 'ð' | 'ɖ' | 'ɗ' | 'ƌ' | 'ƍ' | 'ȡ' | 'ẟ' => "d",
        'ɇ' | 'ǝ' | 'ə' | 'ɛ' => "e",
        'ƒ' => "f",
        'ɠ' | 'ɣ' | 'ǥ' => "g",
        'ħ' => "h",
        'ı' | 'ɨ' | 'ɩ' => "i",
        'ȷ' | 'ɉ' => "j",
        'ƙ' => "k",
        'ł' | 'ŀ' | 'ƚ' | 'ƛ' | 'ȴ' => "l",
        'ɯ' => "m",
        'ɲ' | 'ƞ' | 'ȵ' => "n",
        'ø' | 'ɵ' | 'ɔ' => "o",
        'ƥ' => "p",
        'ĸ' | 'ɂ' | 'ɋ' => "q",
        'ɍ' | 'ʀ' => "r",
        'ȿ' | 'ẜ' | 'ẝ' | 'ƨ' | 'ƽ' | 'ƾ' => "s",
        'ŧ' | 'ƭ' | 'ʈ' | 'ⱦ' | 'ȶ' | 'ƫ' => "t",
        'ʉ' | 'ʊ' => "u",
        'ʋ' | 'ỽ' | 'ʌ' => "v",
        'ƿ' => "w",
        'ƴ' | 'ɏ' | 'ỿ' | 'ȝ' => "y",
        'ƶ' | 'ȥ' | 'ɀ' | 'ʒ' | 'ƹ' | 'ƺ' => "z",
        'æ' => "ae",
        'ȸ' => "db",
        'ƕ' => "hv",
        'ỻ' => "ll",
        'ŋ' => "ng",
        'œ' => "oe",
        'ƣ' => "oi",
        'ȣ' => "ou",
        'ȹ' => "qp",
        'ʃ' | 'ƪ' => "sh",
        'ß' => "ss",
        'þ' => "th",
        'ƻ' => "2",
        // Greek final sigma, so that case folding commutes.
        'ς' => "σ",
        // Historic Cyrillic letter variants that upper-case to ordinary letters.
        '\u{1C80}' => "в",
        '\u{1C81}' => "д",
        '\u{1C82}' => "о",
        '\u{1C83}' => "с",
        '\u{1C84}' | '\u{1C85}' => "т",
        '\u{1C86}' => "ъ",
        '\u{1C87}' => "ѣ",
        '\u{1C88}' => "ꙋ",
        _ => return None,
    })
}

fn fold_into(text: &str, mode: Mode, out: &mut String) {
    let mut folder = Folder {
        out,
        mode,
        pending_sep: true,
    };
    for c in text.chars() {
        folder.feed(c);
    }
}

fn fold_with(text: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, mode, &mut out);
    out
}

/// Folds text for matching: NFKD, marks dropped, lower case, special letters transliterated,
/// every non-alphanumeric char a separator; tokens joined by single spaces.
pub fn fold(text: &str) -> String {
    fold_with(text, PLAIN)
}

/// Like [`fold`] but with German/Nordic transliteration: ä→ae, ö→oe, ü→ue, ø→oe, å→aa.
pub fn fold_german(text: &str) -> String {
    fold_with(text, GERMAN)
}

/// The spellings under which a name may appear: `fold(text)`, then `fold_german(text)` if it differs.
pub fn fold_alternatives(text: &str) -> Vec<String> {
    let plain = fold(text);
    if text.is_ascii() {
        return vec![plain];
    }
    let german = fold_german(text);
    if german == plain {
        vec![plain]
    } else {
        vec![plain, german]
    }
}

/// `fold(text)` split into tokens.
pub fn tokens(text: &str) -> Vec<String> {
    fold(text)
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Lower-case name particles (and particle phrases) that may be present, absent or glued.
pub const NAME_PARTICLES: &[&str] = &[
    "van",
    "van der",
    "van den",
    "van de",
    "van het",
    "vander",
    "de",
    "der",
    "den",
    "da",
    "das",
    "do",
    "dos",
    "di",
    "du",
    "dal",
    "dalla",
    "del",
    "della",
    "dello",
    "delle",
    "degli",
    "dei",
    "de la",
    "de las",
    "de los",
    "des",
    "von",
    "von der",
    "von dem",
    "vom",
    "zu",
    "zum",
    "zur",
    "von und zu",
    "le",
    "la",
    "lo",
    "ten",
    "ter",
    "te",
    "'t",
    "in",
    "op",
    "uit",
    "aan",
    "af",
    "bin",
    "bint",
    "ibn",
    "al",
    "el",
    "st",
    "saint",
    "sainte",
    "ste",
];

/// Whether `token` (any case, trailing dot ignored, any apostrophe) is one of [`NAME_PARTICLES`].
pub fn is_particle(token: &str) -> bool {
    let token = token.trim().trim_end_matches('.');
    // Most tokens are names longer than any particle ("von und zu" is the longest).
    let chars = token.chars().count();
    if chars > 10 {
        return false;
    }
    let normalised = || {
        token.chars().map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{2BC}' | '`' | '\u{B4}' => '\'',
            c => c.to_ascii_lowercase(),
        })
    };
    let Some(first) = normalised().next() else {
        return false;
    };
    // Particles are ASCII: their length in bytes is their length in characters, and the
    // first letter rules out most of them before a full comparison.
    NAME_PARTICLES
        .iter()
        .any(|p| p.len() == chars && p.starts_with(first) && normalised().eq(p.chars()))
}

/// Splits a full name into (first, last), raw text trimmed.
///
/// Decorations go first ([`crate::matching::names`]: notes, pronouns, emoji,
/// descriptors). "Last, First" when one comma remains after dropping post-nominal and
/// title parts ("Doe, Jane, PhD");
/// particles trailing the first name move to the last name ("Berg, Jan van der").
/// Otherwise leading titles ("Prof. Dr.") and trailing post-nominals ("Jr.", "MSc") are dropped and the
/// last name starts at the first particle after the first word, or is the final word.
/// A single remaining word is the first name, unless an honorific preceded it ("Mr. Smith").
pub fn split_full_name(full: &str) -> (String, String) {
    let cleaned = strip_decorations(full);
    let all_caps = !cleaned.chars().any(char::is_lowercase);
    let parts: Vec<&str> = cleaned
        .split(',')
        .map(str::trim)
        .enumerate()
        .filter(|(i, p)| {
            !p.is_empty()
                && (*i == 0
                    || !p
                        .split_whitespace()
                        .all(|w| is_post_nominal_after_comma(w, all_caps) || is_title(w)))
        })
        .map(|(_, p)| p)
        .collect();
    if parts.len() == 2 {
        let mut last: Vec<&str> = parts[0].split_whitespace().collect();
        strip_post_nominals(&mut last);
        let mut first: Vec<&str> = parts[1].split_whitespace().collect();
        strip_titles(&mut first);
        let keep = first.len()
            - first
                .iter()
                .skip(1)
                .rev()
                .take_while(|w| is_particle(w))
                .count();
        let moved = first.split_off(keep);
        let last: Vec<&str> = moved.into_iter().chain(last).collect();
        return (first.join(" "), last.join(" "));
    }
    let mut words: Vec<&str> = parts.iter().flat_map(|p| p.split_whitespace()).collect();
    let titled = strip_titles(&mut words);
    strip_post_nominals(&mut words);
    match words.len() {
        0 => (String::new(), String::new()),
        1 if titled => (String::new(), words[0].to_owned()),
        1 => (words[0].to_owned(), String::new()),
        n => {
            let start = (1..n - 1).find(|&i| is_particle(words[i])).unwrap_or(n - 1);
            (words[..start].join(" "), words[start..].join(" "))
        }
    }
}

/// Elided particles glued to a surname by an apostrophe ("d'Artagnan", "dell'Acqua").
const ELIDED_PARTICLES: &[&str] = &["d", "l", "dell", "dall"];

/// Splits "d'Artagnan" into ("d'", "Artagnan") when it starts with an elided particle.
fn split_elided(word: &str) -> Option<(&str, &str)> {
    let (head, tail) = word.split_once(['\'', '\u{2019}', '\u{2018}', '\u{2BC}'])?;
    let apostrophe_len = word[head.len()..].chars().next().map_or(1, char::len_utf8);
    let is_elided = ELIDED_PARTICLES
        .iter()
        .any(|p| p.eq_ignore_ascii_case(head));
    (is_elided && !tail.is_empty()).then(|| word.split_at(head.len() + apostrophe_len))
}

/// Index forms of a surname, as folded strings without duplicates, first occurrence kept.
///
/// For each spelling — [`fold`], then [`fold_german`] when that differs — in this order:
/// the core (leading particles removed, words space-separated), the core glued (spaces
/// removed), the full surname glued, the full surname space-separated. The core keeps the
/// particles when the surname is nothing but particles. An apostrophe-elided particle counts
/// as a particle ("d'Artagnan" → core "artagnan"). Examples: "van der Berg" →
/// `["berg", "vanderberg", "van der berg"]`; "Müller" → `["muller", "mueller"]`;
/// "O'Brien" → `["o brien", "obrien"]`; "" → `[]`.
pub fn surname_variants(last: &str) -> Vec<String> {
    let words: Vec<&str> = last.split_whitespace().collect();
    let mut lead = words.iter().take_while(|w| is_particle(w)).count();
    if lead == words.len() {
        lead = 0;
    }
    let elided = words.get(lead).and_then(|w| split_elided(w));
    let mut variants: Vec<String> = Vec::with_capacity(4);
    let modes: &[Mode] = if last.is_ascii() {
        &[PLAIN]
    } else {
        &[PLAIN, GERMAN]
    };
    for &mode in modes {
        let mut particles = String::new();
        for w in &words[..lead] {
            fold_into(w, mode, &mut particles);
        }
        let mut core = String::new();
        let rest = match elided {
            Some((particle, stem)) => {
                fold_into(particle, mode, &mut particles);
                fold_into(stem, mode, &mut core);
                &words[lead + 1..]
            }
            None => &words[lead..],
        };
        for w in rest {
            fold_into(w, mode, &mut core);
        }
        let mut full = particles;
        if !full.is_empty() && !core.is_empty() {
            full.push(' ');
        }
        full.push_str(&core);
        let core_glued = core.replace(' ', "");
        let full_glued = full.replace(' ', "");
        for v in [core, core_glued, full_glued, full] {
            if !v.is_empty() && !variants.contains(&v) {
                variants.push(v);
            }
        }
    }
    variants
}

/// Trailing legal forms, as folded token sequences ("B.V." folds to "b v", "BV" to "bv").
const LEGAL_FORMS: &[&str] = &[
    // Netherlands, Belgium
    "b v",
    "bv",
    "n v",
    "nv",
    "v o f",
    "vof",
    "c v",
    "cv",
    "b v b a",
    "bvba",
    "c v b a",
    "cvba",
    "s p r l",
    "sprl",
    "v z w",
    "vzw",
    "a s b l",
    "asbl",
    "besloten vennootschap",
    "naamloze vennootschap",
    "vennootschap onder firma",
    "commanditaire vennootschap",
    // Germany, Austria, Switzerland
    "gmbh",
    "g m b h",
    "ggmbh",
    "mbh",
    "gesmbh",
    "ges m b h",
    "ag",
    "a g",
    "kg",
    "kgaa",
    "ohg",
    "gbr",
    "ug",
    "ug haftungsbeschrankt",
    "e v",
    "ev",
    "e k",
    "e g",
    "and co kg",
    "and co kgaa",
    "co kg",
    "co kgaa",
    "gmbh and co kg",
    "gmbh and co kgaa",
    "gmbh co kg",
    "ag and co kg",
    "ag and co kgaa",
    "se and co kg",
    "se and co kgaa",
    "aktiengesellschaft",
    "gesellschaft mit beschrankter haftung",
    "gesellschaft mbh",
    "kommanditgesellschaft",
    "offene handelsgesellschaft",
    // France, Spain, Italy, Portugal, Latin America
    "s a",
    "sa",
    "s a s",
    "sas",
    "sasu",
    "s a r l",
    "sarl",
    "eurl",
    "s n c",
    "snc",
    "s l",
    "sl",
    "s l u",
    "slu",
    "s a u",
    "sau",
    "s p a",
    "spa",
    "s r l",
    "srl",
    "srls",
    "s a de c v",
    "sa de cv",
    "s de r l",
    "lda",
    "ltda",
    "and cie",
    "and cia",
    "societe anonyme",
    "societe a responsabilite limitee",
    "societe par actions simplifiee",
    "sociedad anonima",
    "sociedad limitada",
    "sociedad de responsabilidad limitada",
    "societa per azioni",
    "societa a responsabilita limitata",
    // Central and Eastern Europe
    "sp z o o",
    "spolka z ograniczona odpowiedzialnoscia",
    "spolka akcyjna",
    "sp k",
    "sp j",
    "a s",
    "s r o",
    "sro",
    "spol s r o",
    "akciova spolecnost",
    "spolecnost s rucenim omezenym",
    "k s",
    "v o s",
    "kft",
    "zrt",
    "nyrt",
    "d o o",
    "doo",
    "d d",
    "sia",
    "uab",
    // Nordics
    "oy",
    "oyj",
    "osakeyhtio",
    "ab",
    "ab publ",
    "publ",
    "aktiebolag",
    "as",
    "asa",
    "aps",
    "ivs",
    "aktieselskab",
    "anpartsselskab",
    "aksjeselskap",
    "allmennaksjeselskap",
    "hf",
    "ehf",
    // Europe-wide
    "se",
    // UK, Ireland, US, Commonwealth
    "ltd",
    "limited",
    "private limited",
    "proprietary limited",
    "public limited company",
    "pvt",
    "pte",
    "pty",
    "llp",
    "l l p",
    "limited liability partnership",
    "lp",
    "l p",
    "lllp",
    "plc",
    "p l c",
    "llc",
    "l l c",
    "pllc",
    "limited liability company",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "and co",
    "company",
    "and company",
    "sdn",
    "bhd",
    "k k",
];

/// Connector words that become "and" between two words of a company name.
const CONNECTORS: &[&str] = &["and", "und", "et", "en", "y"];

/// Normalised company key: fold, "&"/und/et/en/y between words → "and", trailing legal forms
/// stripped repeatedly (longest first), a leading "the" dropped.
///
/// Stripping never empties the key: a legal form or "the" is removed only while another
/// token remains, so "AG" → "ag" and "The Company" → "the".
pub fn company_key(name: &str) -> String {
    let folded = fold_with(name, COMPANY);
    let mut key = String::with_capacity(folded.len());
    let mut words = folded.split(' ').filter(|w| !w.is_empty()).peekable();
    let mut first = true;
    while let Some(word) = words.next() {
        if !first {
            key.push(' ');
        }
        let between = !first && words.peek().is_some();
        key.push_str(if between && CONNECTORS.contains(&word) {
            "and"
        } else {
            word
        });
        first = false;
    }
    loop {
        if let Some(cut) = legal_form_cut(&key) {
            key.truncate(cut);
        } else if key.starts_with("the ") {
            key.drain(..4);
        } else {
            return key;
        }
    }
}

/// Where a trailing legal form (the longest one that leaves a token) starts, minus its space.
fn legal_form_cut(key: &str) -> Option<usize> {
    LEGAL_FORMS
        .iter()
        .filter(|form| {
            key.len() > form.len() + 1
                && key.ends_with(*form)
                && key.as_bytes()[key.len() - form.len() - 1] == b' '
        })
        .map(|form| key.len() - form.len() - 1)
        .min()
}

/// The host of a URL, e-mail address or bare domain, lower case, without "www.", port, path,
/// query or userinfo; `None` when the text is not domain-like.
///
/// Domain-like: no spaces, at least two dot-separated labels of `[a-z0-9-]` (1–63 chars, no
/// leading or trailing hyphen), and a top-level label of 2+ letters (or punycode `xn--`).
/// "Jane <jane@acme.nl>" yields the address in angle brackets.
pub fn domain_from(text: &str) -> Option<String> {
    let mut s = text.trim();
    if let (Some(open), Some(close)) = (s.find('<'), s.rfind('>')) {
        if open < close {
            s = s[open + 1..close].trim();
        }
    }
    if s.is_empty() || s.chars().any(char::is_whitespace) {
        return None;
    }
    if let Some(rest) = strip_prefix_ignore_ascii_case(s, "mailto:") {
        s = rest;
    }
    if let Some(i) = s.find("://") {
        s = &s[i + 3..];
    } else if let Some(rest) = s.strip_prefix("//") {
        s = rest;
    }
    let end = s.find(['/', '?', '#']).unwrap_or(s.len());
    let mut host = &s[..end];
    if let Some((_, after)) = host.rsplit_once('@') {
        host = after;
    }
    if let Some((before, port)) = host.rsplit_once(':') {
        if !port.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        host = before;
    }
    host = host.strip_suffix('.').unwrap_or(host);
    while let Some(rest) = strip_prefix_ignore_ascii_case(host, "www.") {
        if !rest.contains('.') {
            break;
        }
        host = rest;
    }
    is_domain_like(host).then(|| host.to_ascii_lowercase())
}

fn strip_prefix_ignore_ascii_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.as_bytes().get(..prefix.len())?;
    // The prefix is ASCII, so a match ends on a char boundary.
    head.eq_ignore_ascii_case(prefix.as_bytes())
        .then(|| &s[prefix.len()..])
}

fn is_domain_like(host: &str) -> bool {
    if host.len() > 253 {
        return false;
    }
    let mut labels = 0;
    let mut tld = "";
    for label in host.split('.') {
        let valid = (1..=63).contains(&label.len())
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid {
            return false;
        }
        labels += 1;
        tld = label;
    }
    labels >= 2
        && tld.len() >= 2
        && (tld.bytes().all(|b| b.is_ascii_alphabetic())
            || strip_prefix_ignore_ascii_case(tld, "xn--").is_some())
}

/// Second-level labels that, under a two-letter country TLD, form a public suffix (co.uk).
const SECOND_LEVEL_SUFFIXES: &[&str] = &[
    "co", "com", "net", "org", "ac", "edu", "gov", "gob", "gouv", "govt", "gv", "ltd", "plc", "or",
    "ne", "go", "mil", "nom", "sch", "nhs", "me", "biz", "info",
];

/// The registrable label of a domain, borrowed: "www.acme.co.uk" → "acme".
fn registrable_label(domain: &str) -> &str {
    let domain = domain.trim().trim_end_matches('.');
    let mut labels = domain.rsplit('.');
    let tld = labels.next().unwrap_or_default();
    let Some(second) = labels.next() else {
        return tld;
    };
    match labels.next() {
        Some(third)
            if tld.len() == 2
                && SECOND_LEVEL_SUFFIXES
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(second)) =>
        {
            third
        }
        _ => second,
    }
}

/// The registrable label of a domain as a folded company-name token: "acme-group.co.uk" → "acme group".
///
/// Two-level public suffixes (co.uk, com.au, co.jp, ...) are skipped; punycode labels are
/// decoded before folding ("xn--mller-kva.de" → "muller").
pub fn domain_label(domain: &str) -> String {
    let label = registrable_label(domain);
    match strip_prefix_ignore_ascii_case(label, "xn--").and_then(punycode_decode) {
        Some(decoded) => fold(&decoded),
        None => fold(label),
    }
}

/// Decodes the part of a punycode label after "xn--" (RFC 3492).
fn punycode_decode(encoded: &str) -> Option<String> {
    const BASE: u32 = 36;
    const T_MIN: u32 = 1;
    const T_MAX: u32 = 26;
    const SKEW: u32 = 38;
    const DAMP: u32 = 700;
    fn adapt(delta: u32, points: u32, first: bool) -> u32 {
        let mut delta = if first { delta / DAMP } else { delta / 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > (BASE - T_MIN) * T_MAX / 2 {
            delta /= BASE - T_MIN;
            k += BASE;
        }
        k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
    }

    let (basic, extended) = encoded.rsplit_once('-').unwrap_or(("", encoded));
    if !basic.is_ascii() {
        return None;
    }
    let mut output: Vec<char> = basic.chars().collect();
    let mut n: u32 = 128;
    let mut i: u32 = 0;
    let mut bias: u32 = 72;
    let mut digits = extended.bytes();
    let mut next = digits.next();
    while next.is_some() {
        let old_i = i;
        let mut weight: u32 = 1;
        let mut k = BASE;
        loop {
            let digit = match next? {
                b @ b'a'..=b'z' => u32::from(b - b'a'),
                b @ b'A'..=b'Z' => u32::from(b - b'A'),
                b @ b'0'..=b'9' => u32::from(b - b'0') + 26,
                _ => return None,
            };
            next = digits.next();
            i = i.checked_add(digit.checked_mul(weight)?)?;
            let t = if k <= bias {
                T_MIN
            } else if k >= bias + T_MAX {
                T_MAX
            } else {
                k - bias
            };
            if digit < t {
                break;
            }
            weight = weight.checked_mul(BASE - t)?;
            k += BASE;
        }
        let points = u32::try_from(output.len()).ok()? + 1;
        bias = adapt(i - old_i, points, old_i == 0);
        n = n.checked_add(i / points)?;
        i %= points;
        output.insert(usize::try_from(i).ok()?, char::from_u32(n)?);
        i += 1;
    }
    Some(output.into_iter().collect())
}

/// Free-mail domains matched exactly (case-insensitive).
const FREEMAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "msn.com",
    "passport.com",
    "ymail.com",
    "rocketmail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aim.com",
    "web.de",
    "t-online.de",
    "freenet.de",
    "arcor.de",
    "posteo.de",
    "posteo.net",
    "mailbox.org",
    "proton.me",
    "pm.me",
    "protonmail.com",
    "protonmail.ch",
    "tutanota.com",
    "tutanota.de",
    "tuta.io",
    "zohomail.com",
    "mail.com",
    "email.com",
    "usa.com",
    "inbox.com",
    "fastmail.com",
    "fastmail.fm",
    "hushmail.com",
    "orange.fr",
    "wanadoo.fr",
    "free.fr",
    "laposte.net",
    "sfr.fr",
    "neuf.fr",
    "libero.it",
    "virgilio.it",
    "tiscali.it",
    "alice.it",
    "tin.it",
    "wp.pl",
    "o2.pl",
    "onet.pl",
    "op.pl",
    "interia.pl",
    "gazeta.pl",
    "seznam.cz",
    "email.cz",
    "centrum.cz",
    "atlas.cz",
    "post.cz",
    "azet.sk",
    "centrum.sk",
    "mail.ru",
    "inbox.ru",
    "list.ru",
    "bk.ru",
    "ya.ru",
    "rambler.ru",
    "ukr.net",
    "abv.bg",
    "telenet.be",
    "skynet.be",
    "ziggo.nl",
    "kpnmail.nl",
    "planet.nl",
    "home.nl",
    "hetnet.nl",
    "xs4all.nl",
    "casema.nl",
    "chello.nl",
    "upcmail.nl",
    "quicknet.nl",
    "bluewin.ch",
    "sunrise.ch",
    "hispeed.ch",
    "btinternet.com",
    "sky.com",
    "virginmedia.com",
    "ntlworld.com",
    "talktalk.net",
    "blueyonder.co.uk",
    "comcast.net",
    "verizon.net",
    "att.net",
    "sbcglobal.net",
    "bellsouth.net",
    "cox.net",
    "charter.net",
    "earthlink.net",
    "juno.com",
    "qq.com",
    "163.com",
    "126.com",
    "sina.com",
    "naver.com",
    "daum.net",
    "hanmail.net",
    "rediffmail.com",
    "uol.com.br",
    "bol.com.br",
    "terra.com.br",
    "sapo.pt",
    "online.no",
    "kolumbus.fi",
    "suomi24.fi",
    "yopmail.com",
    "mailinator.com",
    "guerrillamail.com",
];

/// Free-mail brands matched on the registrable label under any suffix (hotmail.co.uk, yahoo.fr).
const FREEMAIL_BRANDS: &[&str] = &[
    "hotmail",
    "outlook",
    "live",
    "windowslive",
    "yahoo",
    "aol",
    "gmx",
    "yandex",
];

/// Whether the domain is a free-mail provider, whose addresses teach nothing about an employer.
pub fn is_freemail(domain: &str) -> bool {
    let mut domain = domain.trim().trim_end_matches('.');
    while let Some(rest) = strip_prefix_ignore_ascii_case(domain, "www.") {
        domain = rest;
    }
    FREEMAIL_DOMAINS
        .iter()
        .any(|d| d.eq_ignore_ascii_case(domain))
        || (domain.contains('.')
            && FREEMAIL_BRANDS
                .iter()
                .any(|b| b.eq_ignore_ascii_case(registrable_label(domain))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn particles_are_lower_case_ascii_as_is_particle_assumes() {
        for particle in NAME_PARTICLES {
            assert!(
                particle.is_ascii() && !particle.chars().any(|c| c.is_ascii_uppercase()),
                "{particle}"
            );
            assert!(is_particle(particle) && is_particle(&particle.to_uppercase()));
        }
        assert!(is_particle("\u{2019}T") && !is_particle("") && !is_particle("vanilla"));
    }

    /// Whether `s` looks like fold output: tokens of lower-case ASCII letters and digits.
    fn is_ascii_folded(s: &str) -> bool {
        s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b' ')
            && !s.starts_with(' ')
            && !s.ends_with(' ')
            && !s.contains("  ")
    }

    #[test]
    fn fold_drops_diacritics_and_case() {
        assert_eq!(fold("Müller"), "muller");
        assert_eq!(fold("MULLER"), "muller");
        assert_eq!(fold("Mu\u{308}ller"), "muller");
        assert_eq!(fold("Ørsted"), "orsted");
        assert_eq!(fold("Łukasz"), "lukasz");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("STRASSE"), "strasse");
        assert_eq!(fold("François Gérard"), "francois gerard");
        assert_eq!(fold("Dvořák"), "dvorak");
        assert_eq!(fold("Þórður"), "thordur");
        assert_eq!(fold("Đorđević"), "dordevic");
        assert_eq!(fold("İstanbul ılık"), "istanbul ilik");
        assert_eq!(fold("Æsir Œuvre"), "aesir oeuvre");
        assert_eq!(fold("Coŀlegi"), "collegi");
        assert_eq!(fold("Əliyev"), "eliyev");
    }

    #[test]
    fn fold_separates_on_punctuation() {
        assert_eq!(fold("O'Brien"), "o brien");
        assert_eq!(fold("O\u{2019}Brien"), "o brien");
        assert_eq!(fold("Oʼbrien"), "o brien");
        assert_eq!(fold("Jean-Luc"), "jean luc");
        assert_eq!(fold("  Acme   B.V.  "), "acme b v");
        assert_eq!(fold("A/S & Co."), "a s co");
        assert_eq!(fold("x\t\ny"), "x y");
        assert_eq!(fold("...---"), "");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn fold_handles_compatibility_forms() {
        assert_eq!(fold("ﬁnance"), "finance");
        assert_eq!(fold("ＡＣＭＥ"), "acme");
        assert_eq!(fold("Ĳssel"), "ijssel");
        assert_eq!(fold("№ 5"), "no 5");
        assert_eq!(fold("H₂O"), "h2o");
    }

    #[test]
    fn fold_drops_invisible_characters_without_splitting() {
        assert_eq!(fold("Mül\u{AD}ler"), "muller");
        assert_eq!(fold("Ac\u{200B}me"), "acme");
    }

    #[test]
    fn fold_keeps_other_scripts() {
        assert_eq!(fold("Москва"), "москва");
        assert_eq!(fold("ΟΔΥΣΣΕΥΣ"), "οδυσσευσ");
        assert_eq!(fold("東京"), "東京");
        assert_eq!(fold("ᾳ"), "αι");
        assert_eq!(fold("ᾼ"), "αι");
        assert_eq!(fold("a\u{345}"), "a");
    }

    #[test]
    fn fold_german_transliterates_umlauts() {
        assert_eq!(fold_german("Müller"), "mueller");
        assert_eq!(fold_german("MÜLLER"), "mueller");
        assert_eq!(fold_german("Mu\u{308}ller"), "mueller");
        assert_eq!(fold_german("Jörg Bäcker"), "joerg baecker");
        assert_eq!(fold_german("Ørsted"), "oersted");
        assert_eq!(fold_german("Ångström"), "aangstroem");
        assert_eq!(fold_german("A\u{30A}se"), "aase");
        assert_eq!(fold_german("Straße"), "strasse");
        assert_eq!(fold_german("Æbelø"), "aebeloe");
        assert_eq!(fold_german("Gérard"), "gerard");
        assert_eq!(fold_german("Noël"), "noel");
    }

    #[test]
    fn fold_alternatives_lists_both_spellings() {
        assert_eq!(fold_alternatives("Müller"), ["muller", "mueller"]);
        assert_eq!(fold_alternatives("MÜLLER"), ["muller", "mueller"]);
        assert_eq!(fold_alternatives("Mueller"), ["mueller"]);
        assert_eq!(fold_alternatives("MULLER"), ["muller"]);
        assert_eq!(fold_alternatives("Gérard"), ["gerard"]);
        assert_eq!(fold_alternatives("Straße"), ["strasse"]);
        assert_eq!(fold_alternatives(""), [""]);
        let spellings = fold_alternatives("Müller");
        assert!(spellings.contains(&fold("Mueller")));
        assert!(spellings.contains(&fold("MULLER")));
    }

    #[test]
    fn tokens_splits_fold_output() {
        assert_eq!(tokens("Jean-Luc  Picard"), ["jean", "luc", "picard"]);
        assert_eq!(tokens("O'Brien"), ["o", "brien"]);
        assert!(tokens("").is_empty());
        assert!(tokens(" - ").is_empty());
    }

    #[test]
    fn particles_are_recognised_in_any_case() {
        for p in [
            "van", "Van", "VAN", "der", "de", "von", "zu", "'t", "’t", "St.", "bin", "al",
        ] {
            assert!(is_particle(p), "{p}");
        }
        assert!(is_particle("van der"));
        for p in ["mac", "Mc", "t", "jan", "berg", "", "o"] {
            assert!(!is_particle(p), "{p}");
        }
        assert!(NAME_PARTICLES.iter().all(|p| is_particle(p)));
        assert!(NAME_PARTICLES.iter().all(|p| p
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == ' ' || c == '\'')));
    }

    fn split(full: &str) -> (String, String) {
        split_full_name(full)
    }

    fn pair(first: &str, last: &str) -> (String, String) {
        (first.to_owned(), last.to_owned())
    }

    #[test]
    fn split_full_name_examples() {
        assert_eq!(split("Jan van der Berg"), pair("Jan", "van der Berg"));
        assert_eq!(split("Doe, Jane"), pair("Jane", "Doe"));
        assert_eq!(split("Madonna"), pair("Madonna", ""));
        assert_eq!(split("Anna Maria Schmidt"), pair("Anna Maria", "Schmidt"));
        assert_eq!(
            split("Ludwig van Beethoven"),
            pair("Ludwig", "van Beethoven")
        );
        assert_eq!(split("  Jane   Doe "), pair("Jane", "Doe"));
        assert_eq!(split("Jean-Luc Picard"), pair("Jean-Luc", "Picard"));
        assert_eq!(split("Maria de la Cruz"), pair("Maria", "de la Cruz"));
        assert_eq!(split("Piet in 't Veld"), pair("Piet", "in 't Veld"));
        assert_eq!(split("Mary St. John"), pair("Mary", "St. John"));
        assert_eq!(split(""), pair("", ""));
        assert_eq!(split(" , "), pair("", ""));
    }

    #[test]
    fn split_full_name_comma_forms() {
        assert_eq!(split("van der Berg, Jan"), pair("Jan", "van der Berg"));
        assert_eq!(split("Berg, Jan van der"), pair("Jan", "van der Berg"));
        assert_eq!(split("Doe, Jane, PhD"), pair("Jane", "Doe"));
        assert_eq!(split("Doe, Dr. Jane"), pair("Jane", "Doe"));
        assert_eq!(split("John Smith, Jr."), pair("John", "Smith"));
        assert_eq!(split("Doe,"), pair("Doe", ""));
    }

    #[test]
    fn split_full_name_drops_titles_and_suffixes() {
        assert_eq!(split("Dr. Jane Doe"), pair("Jane", "Doe"));
        assert_eq!(split("Prof. Dr. Hans Müller"), pair("Hans", "Müller"));
        assert_eq!(split("John Smith Jr."), pair("John", "Smith"));
        assert_eq!(split("Mr. Smith"), pair("", "Smith"));
        assert_eq!(split("Jack Ma"), pair("Jack", "Ma"));
        assert_eq!(split("Amartya Sen"), pair("Amartya", "Sen"));
        // A particle as a first name is still a first name.
        assert_eq!(split("De Smet"), pair("De", "Smet"));
    }

    #[test]
    fn surname_variants_examples() {
        assert_eq!(
            surname_variants("van der Berg"),
            ["berg", "vanderberg", "van der berg"]
        );
        assert_eq!(
            surname_variants("Van Der Berg"),
            ["berg", "vanderberg", "van der berg"]
        );
        assert_eq!(surname_variants("Berg"), ["berg"]);
        assert_eq!(surname_variants("Müller"), ["muller", "mueller"]);
        assert_eq!(surname_variants("O'Brien"), ["o brien", "obrien"]);
        assert_eq!(
            surname_variants("d'Artagnan"),
            ["artagnan", "dartagnan", "d artagnan"]
        );
        assert_eq!(surname_variants("'t Hart"), ["hart", "thart", "t hart"]);
        assert_eq!(
            surname_variants("García Márquez"),
            ["garcia marquez", "garciamarquez"]
        );
        assert_eq!(
            surname_variants("von Bülow"),
            [
                "bulow",
                "vonbulow",
                "von bulow",
                "buelow",
                "vonbuelow",
                "von buelow"
            ]
        );
        assert_eq!(surname_variants("Van"), ["van"]);
        assert_eq!(surname_variants("De La"), ["de la", "dela"]);
        assert!(surname_variants("").is_empty());
        assert!(surname_variants(" - ").is_empty());
    }

    #[test]
    fn company_key_strips_legal_forms() {
        assert_eq!(company_key("Acme B.V."), "acme");
        assert_eq!(company_key("ACME BV"), "acme");
        assert_eq!(company_key("Acme"), "acme");
        assert_eq!(company_key("Acme Holding B.V."), "acme holding");
        assert_eq!(company_key("Foo GmbH & Co. KG"), "foo");
        assert_eq!(company_key("Foo GmbH + Co. KG"), "foo");
        assert_eq!(company_key("Müller Bau GmbH"), "muller bau");
        assert_eq!(company_key("Siemens Aktiengesellschaft"), "siemens");
        assert_eq!(company_key("Siemens AG"), "siemens");
        assert_eq!(
            company_key("Beispiel Gesellschaft mit beschränkter Haftung"),
            "beispiel"
        );
        assert_eq!(company_key("Acme Co., Ltd."), "acme");
        assert_eq!(company_key("Acme Pty Ltd"), "acme");
        assert_eq!(company_key("Acme, Inc."), "acme");
        assert_eq!(company_key("Acme Sp. z o.o."), "acme");
        assert_eq!(company_key("Acme S.à r.l."), "acme");
        assert_eq!(company_key("Acme SARL"), "acme");
        assert_eq!(company_key("Acme S.p.A."), "acme");
        assert_eq!(company_key("Acme A/S"), "acme");
        assert_eq!(company_key("Acme a.s."), "acme");
        assert_eq!(company_key("Acme spol. s r.o."), "acme");
        assert_eq!(company_key("Acme L.L.C."), "acme");
        assert_eq!(company_key("Acme Limited Liability Company"), "acme");
        assert_eq!(company_key("Acme AB (publ)"), "acme");
        assert_eq!(company_key("Acme e.V."), "acme");
        assert_eq!(company_key("Acme UG (haftungsbeschränkt)"), "acme");
        assert_eq!(company_key("Acme Oyj"), "acme");
        assert_eq!(company_key("Acme d.o.o."), "acme");
        assert_eq!(company_key("Acme Kft."), "acme");
        assert_eq!(company_key("Acme SE"), "acme");
        assert_eq!(company_key("Smith & Co."), "smith");
        assert_eq!(company_key("Dupont et Cie"), "dupont");
        // Not legal forms.
        assert_eq!(company_key("Acme Group"), "acme group");
        assert_eq!(company_key("Acme GmbH Berlin"), "acme gmbh berlin");
    }

    #[test]
    fn company_key_articles_and_connectors() {
        assert_eq!(company_key("The Boring Company"), "boring");
        assert_eq!(
            company_key("Procter & Gamble"),
            company_key("Procter and Gamble")
        );
        assert_eq!(company_key("Procter & Gamble"), "procter and gamble");
        assert_eq!(company_key("Procter&Gamble"), "procter and gamble");
        assert_eq!(company_key("Procter ＆ Gamble"), "procter and gamble");
        assert_eq!(company_key("Jansen en Zonen"), "jansen and zonen");
        assert_eq!(company_key("Dupont et Fils"), "dupont and fils");
        assert_eq!(company_key("Müller und Söhne GmbH"), "muller and sohne");
        assert_eq!(company_key("Hijos y Nietos S.A."), "hijos and nietos");
        // Connectors at the ends are kept as they are.
        assert_eq!(company_key("Y Combinator"), "y combinator");
        assert_eq!(company_key("Acme En"), "acme en");
        // A "the" inside the name stays.
        assert_eq!(company_key("Bank of the West"), "bank of the west");
    }

    #[test]
    fn company_key_never_empties_a_name() {
        assert_eq!(company_key("AG"), "ag");
        assert_eq!(company_key("GmbH & Co. KG"), "gmbh");
        assert_eq!(company_key("The Company"), "the");
        assert_eq!(company_key("The"), "the");
        assert_eq!(company_key("Company Ltd"), "company");
        assert_eq!(company_key(""), "");
        assert_eq!(company_key("&"), "and");
    }

    #[test]
    fn legal_forms_are_folded_token_sequences() {
        for form in LEGAL_FORMS {
            assert_eq!(fold(form), *form, "{form} is not in folded form");
        }
    }

    #[test]
    fn domain_from_examples() {
        let d = |s: &str| domain_from(s);
        assert_eq!(d("https://www.Acme.nl/about").as_deref(), Some("acme.nl"));
        assert_eq!(d("jane@acme.nl").as_deref(), Some("acme.nl"));
        assert_eq!(d("acme.nl").as_deref(), Some("acme.nl"));
        assert_eq!(d("Acme B.V."), None);
        assert_eq!(d("acme"), None);
        assert_eq!(
            d("http://user:pw@shop.acme.co.uk:8080/x?y=1#z").as_deref(),
            Some("shop.acme.co.uk")
        );
        assert_eq!(
            d("mailto:Jane.Doe@ACME.NL?subject=hi").as_deref(),
            Some("acme.nl")
        );
        assert_eq!(d("Jane Doe <jane@acme.nl>").as_deref(), Some("acme.nl"));
        assert_eq!(d("//cdn.acme.io/lib.js").as_deref(), Some("cdn.acme.io"));
        assert_eq!(d("acme.nl.").as_deref(), Some("acme.nl"));
        assert_eq!(d("www.www.acme.nl").as_deref(), Some("acme.nl"));
        assert_eq!(d("www.com").as_deref(), Some("www.com"));
        assert_eq!(d("  acme-group.com/  ").as_deref(), Some("acme-group.com"));
        assert_eq!(d("xn--mller-kva.de").as_deref(), Some("xn--mller-kva.de"));
        assert_eq!(d("192.168.0.1"), None);
        assert_eq!(d("acme.n"), None);
        assert_eq!(d("acme.n1"), None);
        assert_eq!(d("-acme.nl"), None);
        assert_eq!(d("acme..nl"), None);
        assert_eq!(d("acme_corp.nl"), None);
        assert_eq!(d("acme.nl:http"), None);
        assert_eq!(d("müller.de"), None);
        assert_eq!(d("acme .nl"), None);
        assert_eq!(d("https://"), None);
        assert_eq!(d(""), None);
    }

    #[test]
    fn domain_label_examples() {
        assert_eq!(domain_label("acme.co.uk"), "acme");
        assert_eq!(domain_label("sub.acme.nl"), "acme");
        assert_eq!(domain_label("acme-group.com"), "acme group");
        assert_eq!(domain_label("www.acme.com.au"), "acme");
        assert_eq!(domain_label("acme.co.jp"), "acme");
        assert_eq!(domain_label("shop.acme.com.br"), "acme");
        assert_eq!(domain_label("acme.com.pl"), "acme");
        assert_eq!(domain_label("acme.co.za"), "acme");
        assert_eq!(domain_label("acme.co.nz"), "acme");
        assert_eq!(domain_label("ACME.NL."), "acme");
        assert_eq!(domain_label("acme.nl"), "acme");
        assert_eq!(domain_label("co.uk"), "co");
        assert_eq!(domain_label("acme"), "acme");
        assert_eq!(domain_label("xn--mller-kva.de"), "muller");
        assert_eq!(domain_label("xn--bcher-kva.example.com"), "example");
        assert_eq!(domain_label(""), "");
    }

    #[test]
    fn punycode_decodes_rfc_examples() {
        assert_eq!(punycode_decode("mller-kva").as_deref(), Some("müller"));
        assert_eq!(punycode_decode("bcher-kva").as_deref(), Some("bücher"));
        assert_eq!(punycode_decode("wgv71a119e").as_deref(), Some("日本語"));
        assert_eq!(
            punycode_decode("-> $1.00 <--").as_deref(),
            Some("-> $1.00 <-")
        );
        assert_eq!(punycode_decode("abc-d!").as_deref(), None);
        assert_eq!(punycode_decode("99999999999").as_deref(), None);
    }

    #[test]
    fn freemail_domains() {
        for d in [
            "gmail.com",
            "GMail.com",
            "googlemail.com",
            "outlook.com",
            "hotmail.com",
            "hotmail.co.uk",
            "hotmail.fr",
            "live.com",
            "yahoo.com",
            "yahoo.co.jp",
            "icloud.com",
            "me.com",
            "aol.com",
            "gmx.de",
            "gmx.net",
            "web.de",
            "t-online.de",
            "proton.me",
            "protonmail.com",
            "orange.fr",
            "free.fr",
            "laposte.net",
            "libero.it",
            "wp.pl",
            "o2.pl",
            "seznam.cz",
            "mail.ru",
            "yandex.ru",
            "www.gmail.com",
            "gmail.com.",
        ] {
            assert!(is_freemail(d), "{d}");
        }
        for d in [
            "acme.nl",
            "orange.com",
            "yahoo-inc.com",
            "hotmail.acme.com",
            "gmail.acme.com",
            "hotmail",
            "",
        ] {
            assert!(!is_freemail(d), "{d}");
        }
    }

    #[test]
    fn assigned_chars_fold_idempotently_and_case_insensitively() {
        // Planes 4 to 13 are unassigned and 15 to 16 private use: skip them for speed. A lone
        // iota subscript has no Greek letter to attach to, yet upper-cases to "Ι": skip it too.
        let chars = (0..=0x3_FFFF)
            .chain(0xE_0000..=0xE_0FFF)
            .filter_map(char::from_u32);
        for c in chars.filter(|&c| c != '\u{345}') {
            let mut buf = [0; 4];
            let s = c.encode_utf8(&mut buf);
            let folded = fold(s);
            assert_eq!(fold(&folded), folded, "U+{:04X}", u32::from(c));
            let german = fold_german(s);
            assert_eq!(fold_german(&german), german, "U+{:04X}", u32::from(c));
            assert_eq!(
                fold(&s.to_uppercase()),
                fold(&s.to_lowercase()),
                "U+{:04X}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn every_latin_letter_folds_to_ascii() {
        for c in latin_chars() {
            let s = c.to_string();
            assert!(is_ascii_folded(&fold(&s)), "{c} U+{:04X}", u32::from(c));
            assert!(
                is_ascii_folded(&fold_german(&s)),
                "{c} U+{:04X}",
                u32::from(c)
            );
        }
    }

    /// Latin-script input: ASCII, Latin-1 Supplement letters, Latin Extended-A and -B,
    /// Latin Extended Additional, and the combining diacritical marks except the Greek
    /// iota subscript (U+0345).
    fn latin_chars() -> impl Iterator<Item = char> {
        [
            0x20..=0x7E,
            0xC0..=0x24F,
            0x1E00..=0x1EFF,
            0x300..=0x344,
            0x346..=0x36F,
        ]
        .into_iter()
        .flatten()
        .filter_map(char::from_u32)
    }

    fn latin_string() -> impl Strategy<Value = String> {
        let chars: Vec<char> = latin_chars().collect();
        proptest::collection::vec(proptest::sample::select(chars), 0..24)
            .prop_map(|cs| cs.into_iter().collect())
    }

    /// ASCII letters, each followed by up to three random combining marks; with the plain text.
    fn decorated_ascii() -> impl Strategy<Value = (String, String)> {
        let marks = proptest::collection::vec(0x300u32..=0x36F, 0..3);
        proptest::collection::vec(
            (proptest::char::range('a', 'z'), any::<bool>(), marks),
            1..16,
        )
        .prop_map(|letters| {
            let mut plain = String::new();
            let mut decorated = String::new();
            for (letter, upper, marks) in letters {
                let letter = if upper {
                    letter.to_ascii_uppercase()
                } else {
                    letter
                };
                plain.push(letter);
                decorated.push(letter);
                decorated.extend(marks.into_iter().filter_map(char::from_u32));
            }
            (plain, decorated)
        })
    }

    fn company_name() -> impl Strategy<Value = String> {
        let words = proptest::sample::select(vec![
            "Acme", "The", "&", "and", "und", "en", "y", "B.V.", "BV", "GmbH", "& Co.", "KG",
            "Ltd.", "Holding", "S.A.", "Inc", "Company", "Co.", "Müller", "Œuvre", "the", "AG",
        ]);
        proptest::collection::vec(words, 0..6).prop_map(|w| w.join(" "))
    }

    fn url_like() -> impl Strategy<Value = String> {
        "(https?://)?([a-z]{1,4}(:[a-z]{1,4})?@)?(www\\.|WWW\\.){0,2}[a-zA-Z0-9-]{1,8}(\\.[a-zA-Z0-9-]{1,8}){0,2}\\.[a-zA-Z]{1,4}\\.?(:[0-9]{1,4})?(/[a-z.]{0,5})?"
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in any::<String>()) {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
            let german = fold_german(&s);
            prop_assert_eq!(fold_german(&german), german);
        }

        #[test]
        fn fold_latin_is_idempotent(s in latin_string()) {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once);
        }

        #[test]
        fn fold_is_case_insensitive(s in any::<String>()) {
            // A stray iota subscript after a non-Greek letter is dropped, but upper-cases to "Ι".
            prop_assume!(!s.contains('\u{345}'));
            prop_assert_eq!(fold(&s.to_uppercase()), fold(&s.to_lowercase()));
            prop_assert_eq!(fold_german(&s.to_uppercase()), fold_german(&s.to_lowercase()));
        }

        #[test]
        fn fold_latin_is_case_insensitive(s in latin_string()) {
            prop_assert_eq!(fold(&s.to_uppercase()), fold(&s.to_lowercase()));
            prop_assert_eq!(fold(&s.to_uppercase()), fold(&s));
        }

        #[test]
        fn fold_latin_output_is_ascii_tokens(s in latin_string()) {
            let folded = fold(&s);
            prop_assert!(is_ascii_folded(&folded), "{:?} -> {:?}", s, folded);
            let german = fold_german(&s);
            prop_assert!(is_ascii_folded(&german), "{:?} -> {:?}", s, german);
        }

        #[test]
        fn fold_output_has_single_spaces(s in any::<String>()) {
            let folded = fold(&s);
            prop_assert!(!folded.starts_with(' ') && !folded.ends_with(' ') && !folded.contains("  "));
        }

        #[test]
        fn fold_ignores_combining_marks((plain, decorated) in decorated_ascii()) {
            prop_assert_eq!(fold(&decorated), fold(&plain));
        }

        #[test]
        fn fold_ignores_normalisation_form(s in latin_string()) {
            let nfc: String = s.nfc().collect();
            let nfd: String = s.nfd().collect();
            prop_assert_eq!(fold(&nfc), fold(&nfd));
            prop_assert_eq!(fold_german(&nfc), fold_german(&nfd));
        }

        #[test]
        fn company_key_is_idempotent(s in any::<String>()) {
            let key = company_key(&s);
            prop_assert_eq!(company_key(&key), key);
        }

        #[test]
        fn company_key_is_idempotent_on_company_names(s in company_name()) {
            let key = company_key(&s);
            prop_assert_eq!(company_key(&key), key.clone());
            prop_assert!(fold(&s).is_empty() || !key.is_empty());
        }

        #[test]
        fn company_key_ignores_trailing_gmbh(x in "[a-zA-ZäöüßéèçñøåæœłÄÖÜ]{1,12}") {
            prop_assume!(!LEGAL_FORMS.contains(&fold(&x).as_str()));
            prop_assert_eq!(company_key(&format!("{x} GmbH")), company_key(&x));
        }

        #[test]
        fn domain_from_is_idempotent(s in any::<String>()) {
            if let Some(domain) = domain_from(&s) {
                prop_assert_eq!(domain_from(&domain), Some(domain));
            }
        }

        #[test]
        fn domain_from_is_idempotent_on_urls(s in url_like()) {
            if let Some(domain) = domain_from(&s) {
                prop_assert_eq!(domain_from(&domain), Some(domain.clone()));
                prop_assert!(!domain.starts_with("www.") || !domain[4..].contains('.'));
            }
        }
    }
}
