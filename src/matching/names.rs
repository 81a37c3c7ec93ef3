//! Decorations around a person's name, as pages and CRMs write them: honorifics and
//! academic or professional titles before it ("Prof. Dr.", "ir.", "Mag.", "dott.ssa"),
//! post-nominal letters after it ("MSc", "Ph.D.", ", CFA"), pronouns ("(he/him)",
//! "she/her"), emoji and other symbols, bracketed or quoted notes, and a trailing
//! descriptor ("Anna Berger | Head of Sales"). None of them is part of the name.
//!
//! These are general rules over word lists (our own code: `human_name` parses English
//! names well but rejects single words, and lists neither the Dutch, German, Italian,
//! Spanish or Polish titles nor the European post-nominals the data has), applied before
//! a full name is split into first and last name ([`super::normalize::split_full_name`])
//! and to separately given first and last names ([`clean_name_parts`]).

use unicode_normalization::char::is_combining_mark;

/// Honorifics and titles (lower case, dots and hyphens removed) that precede a name, in
/// the languages of the data.
const TITLES: &[&str] = &[
    // English
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "doctor",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "lady",
    "rev",
    "revd",
    "reverend",
    "capt",
    "col",
    "lt",
    "sgt",
    // German, Austrian, Swiss
    "herr",
    "frau",
    "hr",
    "fr",
    "dipl",
    "dipling",
    "diplkfm",
    "diplkff",
    "diplvw",
    "dring",
    "mag",
    "univprof",
    "privdoz",
    "ing",
    // Dutch, Flemish
    "dhr",
    "mevr",
    "mw",
    "drs",
    "ir",
    "ds",
    "mr",
    "ing",
    // French
    "mme",
    "mlle",
    "mmes",
    "pr",
    // Spanish, Portuguese
    "sr",
    "sra",
    "srta",
    "dra",
    "lic",
    "lcda",
    "lcdo",
    "arq",
    // Italian
    "sig",
    "sigra",
    "dott",
    "dottssa",
    "dottoressa",
    "avv",
    "arch",
    "geom",
    "profssa",
    // Polish, Czech
    "pani",
    "mgr",
    "inz",
    "inż",
    // Nordic
    "fru",
];

/// Faculty and honour parts of a German-style doctorate ("Dr. rer. nat.", "Dr. h.c.")
/// that follow a title.
const TITLE_QUALIFIERS: &[&str] = &[
    "med", "rer", "nat", "pol", "oec", "phil", "jur", "iur", "dent", "vet", "habil", "hc", "techn",
    "mult", "ing", "sc", "theol", "pharm",
];

/// Generational suffixes and post-nominal letters (lower case, dots removed) that follow
/// a name: degrees, professional charters, honours.
const POST_NOMINALS: &[&str] = &[
    "jr", "sr", "ii", "iii", "iv", "phd", "dphil", "mphil", "md", "mba", "emba", "msc", "bsc",
    "meng", "beng", "ceng", "mres", "llm", "llb", "jd", "esq", "cfa", "cpa", "acca", "fcca", "aca",
    "fca", "cima", "cma", "cfp", "caia", "frm", "pmp", "cissp", "cisa", "cism", "cips", "mcips",
    "cipd", "mcipd", "fcipd", "dds", "dmd", "dvm", "pharmd", "mbbs", "frcs", "frcp", "mrcp", "obe",
    "mbe", "cbe", "kbe", "dbe", "frs", "freng", "mpa", "mph", "msw", "edd", "psyd", "dipling",
    "diplkfm", "ra", "rc", "mag", "lic",
];

/// Post-nominals that are also short surnames or words ("Jack Ma"): dropped only when
/// written with dots ("M.A.") or after a comma.
const AMBIGUOUS_POST_NOMINALS: &[&str] = &["ma", "ba", "bs", "ms", "rn", "np", "pa", "do", "od"];

/// Pronouns as written in a name field ("he/him", "(sie/ihr)").
const PRONOUNS: &[&str] = &[
    "he", "him", "his", "she", "her", "hers", "they", "them", "theirs", "xe", "xem", "ze", "zir",
    "er", "ihm", "sie", "ihr", "hij", "hem", "zij", "haar", "il", "lui", "elle", "iel", "el",
    "ella", "elle", "any", "all", "pronouns",
];

/// Characters that end a name and start a descriptor ("Anna Berger | CFO").
const DESCRIPTOR_SEPARATORS: &[char] = &['|', '–', '—', '·', '•', '/', '@'];

/// `word` lower-cased with dots and hyphens removed ("Ph.D." → "phd", "Dipl.-Ing." →
/// "dipling").
fn bare(word: &str) -> String {
    word.chars()
        .filter(|c| !matches!(c, '.' | '-' | '‐'))
        .flat_map(char::to_lowercase)
        .collect()
}

fn listed(word: &str, list: &[&str]) -> bool {
    let bare = bare(word);
    !bare.is_empty() && list.contains(&bare.as_str())
}

/// Whether `word` is a title that may precede a name.
pub fn is_title(word: &str) -> bool {
    listed(word, TITLES)
}

/// Whether `word` is a post-nominal wherever it stands after a name.
fn is_post_nominal(word: &str) -> bool {
    listed(word, POST_NOMINALS)
        || (listed(word, AMBIGUOUS_POST_NOMINALS) && word.matches('.').count() >= 2)
}

/// Whether `word` is a post-nominal in a part after a comma ("Doe, Jane, MA"), where a
/// short capitalised abbreviation cannot be a name.
pub fn is_post_nominal_after_comma(word: &str, all_caps_name: bool) -> bool {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    is_post_nominal(word)
        || listed(word, AMBIGUOUS_POST_NOMINALS)
        || (!all_caps_name
            && (2..=6).contains(&letters)
            && word
                .chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase))
}

/// A name text with its decorations removed, except titles and post-nominals (which
/// depend on where a word stands; see [`strip_titles`] and [`strip_post_nominals`]):
/// bracketed and quoted notes, pronouns, emoji and symbols, and whatever follows a
/// descriptor separator. Letters, combining marks, digits, spaces, commas, dots,
/// apostrophes and hyphens are kept.
pub fn strip_decorations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '(' | '[' | '{' | '<' | '（' | '［' => depth += 1,
            ')' | ']' | '}' | '>' | '）' | '］' => {
                depth = depth.saturating_sub(1);
                out.push(' ');
            }
            '"' | '“' | '”' | '„' | '«' | '»' => {
                quoted = !quoted;
                out.push(' ');
            }
            _ if depth > 0 || quoted => {}
            c if DESCRIPTOR_SEPARATORS.contains(&c) => {
                // A separator after some name ends it; one before any (a leading
                // "he/him" or "| Anna") is only a separator.
                if out.chars().any(char::is_alphabetic) && !pronoun_slash_ahead(&out) {
                    break;
                }
                out.push(' ');
            }
            c if c.is_alphanumeric() => out.push(c),
            // A mark belongs to the letter before it; after anything else (an emoji's
            // variation selector) it is part of a symbol.
            c if is_combining_mark(c) => {
                if out
                    .chars()
                    .next_back()
                    .is_some_and(|p| p.is_alphanumeric() || is_combining_mark(p))
                {
                    out.push(c);
                }
            }
            '\'' | '’' | 'ʼ' | '‘' | '`' | '-' | '‐' | '.' | ',' => out.push(c),
            c if c.is_whitespace() => out.push(' '),
            // Invisible format characters (soft hyphen, zero-width joiners) are dropped
            // by folding without splitting a word.
            '\u{AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => out.push(c),
            // An emoji or symbol after some name ends it too ("Maria Visser 📈 Growth");
            // before any, it is only a separator.
            _ if out.chars().any(char::is_alphabetic) => break,
            _ => out.push(' '),
        }
    }
    // Pronouns written without brackets: "Tom Brink he/him" (the slash ended the loop
    // after "he"; see `pronoun_slash_ahead`) or "Tom Brink, she/her".
    let mut words: Vec<&str> = out.split_whitespace().collect();
    // A dash standing alone separates a descriptor too ("Anna Berger - CFO").
    if let Some(dash) = words
        .iter()
        .skip(1)
        .position(|w| w.chars().all(|c| matches!(c, '-' | '‐')))
    {
        words.truncate(dash + 1);
    }
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| listed(w.trim_matches(','), PRONOUNS))
    {
        words.pop();
    }
    let mut cleaned = words.join(" ");
    while cleaned.ends_with(',') {
        cleaned.pop();
    }
    cleaned
}

/// Whether the text so far ends in a pronoun, so a `/` after it pairs pronouns
/// ("he/him") rather than starting a descriptor.
fn pronoun_slash_ahead(so_far: &str) -> bool {
    so_far
        .split_whitespace()
        .next_back()
        .is_some_and(|w| listed(w, PRONOUNS) && so_far.split_whitespace().count() > 1)
}

/// Drops leading titles ("Prof. Dr. rer. nat."), keeping at least one word; true when
/// any was dropped.
pub fn strip_titles(words: &mut Vec<&str>) -> bool {
    let mut n = 0;
    while n + 1 < words.len() {
        let word = words[n];
        if is_title(word) || (n > 0 && listed(word, TITLE_QUALIFIERS)) {
            n += 1;
        } else {
            break;
        }
    }
    words.drain(..n);
    n > 0
}

/// Drops trailing post-nominals ("MSc", "Ph.D.", "Jr."), keeping at least one word.
pub fn strip_post_nominals(words: &mut Vec<&str>) {
    while words.len() > 1 && words.last().is_some_and(|w| is_post_nominal(w)) {
        words.pop();
    }
}

/// First and last name given apart, with decorations removed: titles before the first
/// name, post-nominals after the last ("Dr." / "Berger, CFA" → "" / "Berger").
pub fn clean_name_parts(first: &str, last: &str) -> (String, String) {
    let first = strip_decorations(first);
    let last = strip_decorations(last);
    let mut first_words: Vec<&str> = first.split_whitespace().collect();
    // A first name that is nothing but a title ("Dr.") is no first name.
    if first_words.len() == 1 && is_title(first_words[0]) && !last.trim().is_empty() {
        first_words.clear();
    }
    strip_titles(&mut first_words);
    let last = last.split(',').next().unwrap_or("");
    let mut last_words: Vec<&str> = last.split_whitespace().collect();
    strip_post_nominals(&mut last_words);
    (first_words.join(" "), last_words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::normalize::split_full_name;
    use proptest::prelude::*;

    fn split(full: &str) -> (String, String) {
        split_full_name(full)
    }

    fn pair(first: &str, last: &str) -> (String, String) {
        (first.to_owned(), last.to_owned())
    }

    #[test]
    fn titles_in_several_languages_are_not_names() {
        assert_eq!(split("Prof. Dr. Anna Berger, CFA"), pair("Anna", "Berger"));
        assert_eq!(split("ir. Jan de Vries MSc"), pair("Jan", "de Vries"));
        assert_eq!(split("Dr. rer. nat. Hans Müller"), pair("Hans", "Müller"));
        assert_eq!(split("Dipl.-Ing. Petra Schulz"), pair("Petra", "Schulz"));
        assert_eq!(split("Mag. Eva Gruber"), pair("Eva", "Gruber"));
        assert_eq!(split("dott.ssa Giulia Bianchi"), pair("Giulia", "Bianchi"));
        assert_eq!(split("Avv. Marco Rossi"), pair("Marco", "Rossi"));
        assert_eq!(split("mgr inż. Anna Nowak"), pair("Anna", "Nowak"));
        assert_eq!(split("Mevr. drs. Els Jansen"), pair("Els", "Jansen"));
        assert_eq!(split("Sra. Lucía Gómez"), pair("Lucía", "Gómez"));
        assert_eq!(split("Mme Claire Dubois"), pair("Claire", "Dubois"));
    }

    #[test]
    fn post_nominals_pronouns_emoji_and_notes_are_not_names() {
        assert_eq!(split("Dr. Tom Brink (he/him)"), pair("Tom", "Brink"));
        assert_eq!(split("Tom Brink he/him"), pair("Tom", "Brink"));
        assert_eq!(split("Sam Lee, they/them"), pair("Sam", "Lee"));
        assert_eq!(split("Maria Rossi 🚀"), pair("Maria", "Rossi"));
        assert_eq!(split("🌍 Maria Rossi ✨"), pair("Maria", "Rossi"));
        assert_eq!(split("Anna Berger | Head of Sales"), pair("Anna", "Berger"));
        assert_eq!(split("Anna Berger – CFO @ Acme"), pair("Anna", "Berger"));
        assert_eq!(split("Anna Berger - CFO"), pair("Anna", "Berger"));
        assert_eq!(split("Maria Rossi ✨\u{FE0F}"), pair("Maria", "Rossi"));
        assert_eq!(split("Maria Visser 📈 Growth"), pair("Maria", "Visser"));
        assert_eq!(
            split("Jo\u{AD}hannes\u{A0}Schmidt"),
            pair("Jo\u{AD}hannes", "Schmidt")
        );
        assert_eq!(split("Robert \"Bob\" Smith"), pair("Robert", "Smith"));
        assert_eq!(split("Jane Doe [Acme]"), pair("Jane", "Doe"));
        assert_eq!(split("Jane Doe, Ph.D., M.B.A."), pair("Jane", "Doe"));
        assert_eq!(split("Jane Doe PhD MBA"), pair("Jane", "Doe"));
        assert_eq!(split("Peter Smith, CPA, CMA"), pair("Peter", "Smith"));
        assert_eq!(split("Ann Lee M.A."), pair("Ann", "Lee"));
    }

    #[test]
    fn names_that_look_like_decorations_are_kept() {
        // a short surname that is also a degree, an upper-case name, a swapped name
        assert_eq!(split("Jack Ma"), pair("Jack", "Ma"));
        assert_eq!(split("JANE DOE"), pair("JANE", "DOE"));
        assert_eq!(split("DOE, JANE"), pair("JANE", "DOE"));
        assert_eq!(split("Jean DUPONT"), pair("Jean", "DUPONT"));
        assert_eq!(split("Mary-Jane O'Brien"), pair("Mary-Jane", "O'Brien"));
        assert_eq!(split("Don Smith"), pair("Don", "Smith"));
        assert_eq!(split("Elle Macpherson"), pair("Elle", "Macpherson"));
    }

    #[test]
    fn separate_first_and_last_names_lose_their_decorations_too() {
        assert_eq!(
            clean_name_parts("Prof. Dr. Anna", "Berger, CFA"),
            pair("Anna", "Berger")
        );
        assert_eq!(clean_name_parts("Dr.", "Berger"), pair("", "Berger"));
        assert_eq!(
            clean_name_parts("Maria 🚀", "Rossi (she/her)"),
            pair("Maria", "Rossi")
        );
        assert_eq!(
            clean_name_parts("Jan", "de Vries MSc"),
            pair("Jan", "de Vries")
        );
    }

    /// A plain name: one to three capitalised words of letters.
    fn plain_name() -> impl Strategy<Value = (String, String)> {
        let word = "[A-Z][a-zäöüéè]{2,9}";
        (word, proptest::collection::vec(word, 1..3))
            .prop_map(|(first, last)| (first, last.join(" ")))
            .prop_filter("not a decoration word", |(first, last)| {
                let words = || std::iter::once(first.as_str()).chain(last.split(' '));
                !words().any(|w| {
                    is_title(w)
                        || is_post_nominal(w)
                        || listed(w, PRONOUNS)
                        || listed(w, TITLE_QUALIFIERS)
                        || crate::matching::normalize::is_particle(w)
                })
            })
    }

    proptest! {
        /// Decorations around a plain name leave the plain name's split.
        #[test]
        fn decorations_never_change_a_plain_name(
            (first, last) in plain_name(),
            title in proptest::sample::select(vec!["", "Dr.", "Prof. Dr.", "ir.", "Mag.", "Mr", "dott.ssa"]),
            after in proptest::sample::select(vec![
                "", ", CFA", " MSc", ", Ph.D.", " (he/him)", " she/her", " 🚀", " | CFO",
                " [note]", " – Sales", ", MBA, CPA", " ✨🌍",
            ]),
        ) {
            let plain = split(&format!("{first} {last}"));
            let decorated = split(&format!("{title} {first} {last}{after}"));
            prop_assert_eq!(decorated, plain);
        }

        /// Cleaning never panics and never adds characters.
        #[test]
        fn cleaning_only_removes(text in "\\PC{0,40}") {
            let cleaned = strip_decorations(&text);
            prop_assert!(cleaned.chars().filter(|c| !c.is_whitespace()).count()
                <= text.chars().filter(|c| !c.is_whitespace()).count());
        }
    }
}
