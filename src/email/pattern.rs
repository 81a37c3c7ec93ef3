//! Company e-mail address patterns.
//!
//! Most companies build addresses from a fixed template ("jane.doe@", "jdoe@"). Once we have
//! seen one address of a person at a company we know its template, and can tell which
//! pattern a newly observed address follows. Pattern indices are stored on disk, so
//! [`PATTERNS`] may only grow at its end.

use crate::matching::normalize::{fold, fold_alternatives, fold_german, surname_variants};

/// The address patterns we recognise, by index (the index is stored on disk: only append, never reorder).
pub const PATTERNS: &[&str] = &[
    "{first}.{last}",
    "{f}{last}",
    "{first}",
    "{first}{last}",
    "{f}.{last}",
    "{first}_{last}",
    "{last}.{first}",
    "{last}{f}",
    "{first}-{last}",
    "{last}",
    "{first}{l}",
    "{first}.{l}",
    "{f}{l}",
    "{last}{first}",
    "{last}_{first}",
    "{f}-{last}",
    "{f}_{last}",
    "{last}-{first}",
];

/// Marks an observed address that followed none of [`PATTERNS`].
pub const OBSERVED: u8 = 255;

/// How an address spells a name's ü, ö, ä, ø or å: plainly ("muller", as [`fold`]) or
/// transliterated ("mueller", as [`fold_german`]). ß is "ss" either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spelling {
    Plain,
    Transliterated,
}

const _: () = assert!(
    PATTERNS.len() < OBSERVED as usize,
    "pattern indices must fit below OBSERVED"
);

/// Name of a pattern index for display ("observed" for [`OBSERVED`], "unknown" out of range).
pub fn pattern_name(pattern: u8) -> &'static str {
    if pattern == OBSERVED {
        return "observed";
    }
    PATTERNS
        .get(usize::from(pattern))
        .copied()
        .unwrap_or("unknown")
}

/// One element of a pattern template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Piece {
    First,
    FirstInitial,
    Last,
    LastInitial,
    Literal(char),
}

/// Iterates the pieces of a template such as "{f}.{last}".
struct Pieces<'a> {
    rest: &'a str,
}

impl Iterator for Pieces<'_> {
    type Item = Piece;

    fn next(&mut self) -> Option<Piece> {
        if self.rest.starts_with('{') {
            if let Some(end) = self.rest.find('}') {
                let piece = match &self.rest[1..end] {
                    "first" => Some(Piece::First),
                    "f" => Some(Piece::FirstInitial),
                    "last" => Some(Piece::Last),
                    "l" => Some(Piece::LastInitial),
                    _ => None,
                };
                if let Some(piece) = piece {
                    self.rest = &self.rest[end + 1..];
                    return Some(piece);
                }
            }
        }
        let mut chars = self.rest.chars();
        let c = chars.next()?;
        self.rest = chars.as_str();
        Some(Piece::Literal(c))
    }
}

fn pieces(template: &str) -> Pieces<'_> {
    Pieces { rest: template }
}

/// Folded spellings of a name with the token separators removed ("Anna Maria" → "annamaria").
fn glued_alternatives(name: &str) -> Vec<String> {
    let mut forms = fold_alternatives(name);
    for form in &mut forms {
        form.retain(|c| c != ' ');
    }
    forms
}

/// The local parts (before '@') that `pattern` gives for this person, one per spelling.
///
/// Spellings are [`fold`] and, where it differs, [`fold_german`] ("Müller" → "muller",
/// "mueller"), each applied to both names; multi-word names are glued ("van der Berg" →
/// "vanderberg"); `{f}`/`{l}` are first letters. Empty when the pattern is unknown or
/// needs a name part that folds to nothing.
pub fn local_parts(pattern: u8, first: &str, last: &str) -> Vec<String> {
    let Some(template) = PATTERNS.get(usize::from(pattern)) else {
        return Vec::new();
    };
    let firsts = glued_alternatives(first);
    let lasts = glued_alternatives(last);
    let needs_first = pieces(template).any(|p| matches!(p, Piece::First | Piece::FirstInitial));
    let needs_last = pieces(template).any(|p| matches!(p, Piece::Last | Piece::LastInitial));
    let (Some(first_plain), Some(last_plain)) = (firsts.first(), lasts.first()) else {
        return Vec::new();
    };
    if (needs_first && first_plain.is_empty()) || (needs_last && last_plain.is_empty()) {
        return Vec::new();
    }
    // The German spelling is the last one when a name has two.
    let first_german = firsts.last().unwrap_or(first_plain);
    let last_german = lasts.last().unwrap_or(last_plain);
    let mut parts: Vec<String> = Vec::with_capacity(2);
    for (f, l) in [(first_plain, last_plain), (first_german, last_german)] {
        let part = render(template, f, l);
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    parts
}

fn render(template: &str, first: &str, last: &str) -> String {
    let mut out = String::with_capacity(first.len() + last.len() + 2);
    for piece in pieces(template) {
        match piece {
            Piece::First => out.push_str(first),
            Piece::Last => out.push_str(last),
            Piece::FirstInitial => out.extend(first.chars().next()),
            Piece::LastInitial => out.extend(last.chars().next()),
            Piece::Literal(c) => out.push(c),
        }
    }
    out
}

/// Which pattern an observed local part follows for this person; `None` when none does.
///
/// The first match in [`PATTERNS`] order wins. Compared case-insensitively after dropping a
/// "+tag" (and anything from an '@'), each segment between '.', '_' and '-' folded. Besides
/// the spellings of [`local_parts`] this accepts the surname without its particles
/// ("jan.berg" for "Jan van der Berg"), the first word of a multi-word first name
/// ("anna.schmidt" for "Anna Maria Schmidt") and mixed fold/German spellings.
pub fn detect(local: &str, first: &str, last: &str) -> Option<u8> {
    let local = local.split('@').next().unwrap_or(local);
    let local = local.split('+').next().unwrap_or(local).trim();
    if local.is_empty() {
        return None;
    }
    let candidates = local_candidates(local);
    let firsts = first_forms(first);
    let lasts = last_forms(last);
    let found = PATTERNS.iter().position(|template| {
        firsts.iter().any(|f| {
            lasts
                .iter()
                .any(|l| candidates.iter().any(|c| follows(template, c, f, l)))
        })
    })?;
    u8::try_from(found).ok()
}

/// How an observed local part spells the person's name: `None` when the name has no
/// letter the two spellings differ on, when the address shows neither spelling of such a
/// word (initials, an address with the letters themselves) or both.
pub fn detect_spelling(local: &str, first: &str, last: &str) -> Option<Spelling> {
    let local = local.split('@').next().unwrap_or(local);
    let local = local.split('+').next().unwrap_or(local).trim();
    if !local.is_ascii() {
        return None;
    }
    let glued: String = local
        .chars()
        .filter(|c| !LOCAL_SEPARATORS.contains(c))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let (mut plain, mut transliterated) = (false, false);
    for word in first.split_whitespace().chain(last.split_whitespace()) {
        if word.is_ascii() {
            continue;
        }
        let word_plain: String = fold(word).split(' ').collect();
        let word_german: String = fold_german(word).split(' ').collect();
        if word_plain == word_german || word_plain.is_empty() {
            continue;
        }
        // The transliterated form is the longer one and may contain the plain one
        // ("aasa" holds "asa"), so it is looked for first.
        if glued.contains(&word_german) {
            transliterated = true;
        } else if glued.contains(&word_plain) {
            plain = true;
        }
    }
    match (plain, transliterated) {
        (true, false) => Some(Spelling::Plain),
        (false, true) => Some(Spelling::Transliterated),
        _ => None,
    }
}

/// The local part `pattern` gives for this person in one spelling (see [`local_parts`]).
pub fn local_part(pattern: u8, first: &str, last: &str, spelling: Spelling) -> Option<String> {
    let mut parts = local_parts(pattern, first, last);
    match spelling {
        Spelling::Transliterated => parts.pop(),
        Spelling::Plain => parts.into_iter().next(),
    }
}

/// Whether a local part is exactly `template` rendered for the given glued names.
fn follows(template: &str, local: &str, first: &str, last: &str) -> bool {
    pieces(template)
        .try_fold(local, |rest, piece| match piece {
            Piece::First if !first.is_empty() => rest.strip_prefix(first),
            Piece::Last if !last.is_empty() => rest.strip_prefix(last),
            Piece::FirstInitial => rest.strip_prefix(first.chars().next()?),
            Piece::LastInitial => rest.strip_prefix(last.chars().next()?),
            Piece::Literal(c) => rest.strip_prefix(c),
            Piece::First | Piece::Last => None,
        })
        .is_some_and(str::is_empty)
}

const LOCAL_SEPARATORS: [char; 3] = ['.', '_', '-'];

/// The observed local part normalised for comparison: one entry per spelling.
fn local_candidates(local: &str) -> Vec<String> {
    if local
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || LOCAL_SEPARATORS.contains(&char::from(b)))
    {
        return vec![local.to_ascii_lowercase()];
    }
    let plain = fold_local(local, false);
    let german = fold_local(local, true);
    if german == plain {
        vec![plain]
    } else {
        vec![plain, german]
    }
}

/// Folds each segment between separators and glues its tokens, keeping the separators.
fn fold_local(local: &str, german: bool) -> String {
    let mut out = String::with_capacity(local.len());
    let mut rest = local;
    loop {
        let end = rest.find(LOCAL_SEPARATORS).unwrap_or(rest.len());
        let segment = &rest[..end];
        let folded = if german {
            fold_german(segment)
        } else {
            fold(segment)
        };
        out.extend(folded.split(' '));
        let Some(separator) = rest[end..].chars().next() else {
            return out;
        };
        out.push(separator);
        rest = &rest[end + separator.len_utf8()..];
    }
}

/// Glued first-name forms: every spelling, and the first word of each multi-word spelling.
fn first_forms(first: &str) -> Vec<String> {
    let spellings = fold_alternatives(first);
    let mut forms: Vec<String> = Vec::with_capacity(spellings.len() * 2);
    for spelling in &spellings {
        let glued: String = spelling.split(' ').collect();
        push_unique(&mut forms, glued);
    }
    for spelling in &spellings {
        if let Some((head, _)) = spelling.split_once(' ') {
            push_unique(&mut forms, head.to_owned());
        }
    }
    forms
}

/// Glued surname forms: with and without particles, in every spelling ("" when none).
fn last_forms(last: &str) -> Vec<String> {
    let mut forms: Vec<String> = Vec::with_capacity(4);
    for variant in surname_variants(last) {
        let glued: String = variant.split(' ').collect();
        push_unique(&mut forms, glued);
    }
    if forms.is_empty() {
        forms.push(String::new());
    }
    forms
}

fn push_unique(forms: &mut Vec<String>, form: String) {
    if !forms.contains(&form) {
        forms.push(form);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every pattern rendered for Jane Doe, in PATTERNS order.
    const JANE_DOE: [&str; 18] = [
        "jane.doe", "jdoe", "jane", "janedoe", "j.doe", "jane_doe", "doe.jane", "doej", "jane-doe",
        "doe", "janed", "jane.d", "jd", "doejane", "doe_jane", "j-doe", "j_doe", "doe-jane",
    ];

    fn index(p: usize) -> u8 {
        u8::try_from(p).expect("pattern index fits in u8")
    }

    #[test]
    fn patterns_parse_into_placeholders() {
        for template in PATTERNS {
            for piece in pieces(template) {
                assert!(
                    !matches!(piece, Piece::Literal('{' | '}')),
                    "{template} has an unknown placeholder"
                );
            }
        }
        assert_eq!(PATTERNS.len(), JANE_DOE.len());
    }

    #[test]
    fn pattern_names() {
        assert_eq!(pattern_name(0), "{first}.{last}");
        assert_eq!(pattern_name(17), "{last}-{first}");
        assert_eq!(pattern_name(18), "unknown");
        assert_eq!(pattern_name(OBSERVED), "observed");
    }

    #[test]
    fn every_pattern_renders_and_is_detected() {
        for (p, expected) in JANE_DOE.iter().enumerate() {
            let p = index(p);
            assert_eq!(
                local_parts(p, "Jane", "Doe"),
                [*expected],
                "{}",
                pattern_name(p)
            );
            assert_eq!(detect(expected, "Jane", "Doe"), Some(p), "{expected}");
        }
    }

    #[test]
    fn unknown_patterns_render_nothing() {
        assert!(local_parts(18, "Jane", "Doe").is_empty());
        assert!(local_parts(OBSERVED, "Jane", "Doe").is_empty());
    }

    #[test]
    fn missing_name_parts() {
        assert!(local_parts(0, "", "Doe").is_empty());
        assert!(local_parts(1, "Jane", "").is_empty());
        assert!(local_parts(12, "Jane", " - ").is_empty());
        assert_eq!(local_parts(9, "", "Doe"), ["doe"]);
        assert_eq!(local_parts(2, "Jane", ""), ["jane"]);
        assert_eq!(detect("doe", "", "Doe"), Some(9));
        assert_eq!(detect("jane", "Jane", ""), Some(2));
        assert_eq!(detect("jane", "", ""), None);
    }

    #[test]
    fn diacritics_give_both_spellings() {
        assert_eq!(
            local_parts(0, "Jürgen", "Müller"),
            ["jurgen.muller", "juergen.mueller"]
        );
        assert_eq!(local_parts(1, "Jürgen", "Müller"), ["jmuller", "jmueller"]);
        assert_eq!(local_parts(2, "Jürgen", "Müller"), ["jurgen", "juergen"]);
        assert_eq!(local_parts(9, "Jan", "Müller"), ["muller", "mueller"]);
        assert_eq!(
            local_parts(0, "Zoë", "Ørsted"),
            ["zoe.orsted", "zoe.oersted"]
        );
        assert_eq!(local_parts(0, "François", "Gérard"), ["francois.gerard"]);
        for local in [
            "jurgen.muller",
            "juergen.mueller",
            "jurgen.mueller",
            "Jürgen.Müller",
        ] {
            assert_eq!(detect(local, "Jürgen", "Müller"), Some(0), "{local}");
        }
        assert_eq!(detect("jmueller", "Jürgen", "Müller"), Some(1));
    }

    #[test]
    fn the_spelling_of_an_address_is_told_by_its_words() {
        use Spelling::*;
        let cases = [
            ("j.mueller", "Jürgen", "Müller", Some(Transliterated)),
            ("juergen.mueller", "Jürgen", "Müller", Some(Transliterated)),
            ("JMUELLER+news", "Jürgen", "Müller", Some(Transliterated)),
            ("j.muller", "Jürgen", "Müller", Some(Plain)),
            ("jurgen_muller", "Jürgen", "Müller", Some(Plain)),
            ("jurgen.mueller", "Jürgen", "Müller", None),
            ("jürgen.müller", "Jürgen", "Müller", None),
            ("u.meyer", "Ülrich", "Meyer", None),
            ("jane.doe", "Jane", "Doe", None),
            ("aasa.berg", "Åsa", "Berg", Some(Transliterated)),
            ("asa.berg", "Åsa", "Berg", Some(Plain)),
            ("b.oedegaard", "Bjørn", "Ødegård", Some(Transliterated)),
            ("bjorn", "Bjørn", "Ødegård", Some(Plain)),
            ("hans.mueller", "Hans", "von Müller", Some(Transliterated)),
            ("k.strauss", "Klaus", "Strauß", None),
        ];
        for (local, first, last, spelling) in cases {
            assert_eq!(detect_spelling(local, first, last), spelling, "{local}");
        }
        assert_eq!(
            local_part(4, "Jürgen", "Müller", Transliterated).as_deref(),
            Some("j.mueller")
        );
        assert_eq!(
            local_part(4, "Jürgen", "Müller", Plain).as_deref(),
            Some("j.muller")
        );
        assert_eq!(
            local_part(0, "Jane", "Doe", Transliterated).as_deref(),
            Some("jane.doe")
        );
    }

    #[test]
    fn multi_word_names_are_glued() {
        assert_eq!(local_parts(0, "Jan", "van der Berg"), ["jan.vanderberg"]);
        assert_eq!(local_parts(10, "Jan", "van der Berg"), ["janv"]);
        assert_eq!(
            local_parts(3, "Anna Maria", "Schmidt"),
            ["annamariaschmidt"]
        );
        assert_eq!(local_parts(0, "Jean-Luc", "Picard"), ["jeanluc.picard"]);
        assert_eq!(local_parts(0, "Conan", "O'Brien"), ["conan.obrien"]);
    }

    #[test]
    fn detect_accepts_surname_without_particles() {
        let (first, last) = ("Jan", "van der Berg");
        assert_eq!(detect("jan.vanderberg", first, last), Some(0));
        assert_eq!(detect("jan.berg", first, last), Some(0));
        assert_eq!(detect("jberg", first, last), Some(1));
        assert_eq!(detect("jvanderberg", first, last), Some(1));
        assert_eq!(detect("berg.jan", first, last), Some(6));
        assert_eq!(detect("janb", first, last), Some(10));
        assert_eq!(detect("jan.der.berg", first, last), None);
        assert_eq!(detect("thart", "Piet", "'t Hart"), Some(9));
        assert_eq!(detect("piet.hart", "Piet", "'t Hart"), Some(0));
    }

    #[test]
    fn detect_accepts_first_given_name() {
        assert_eq!(detect("anna.schmidt", "Anna Maria", "Schmidt"), Some(0));
        assert_eq!(
            detect("annamaria.schmidt", "Anna Maria", "Schmidt"),
            Some(0)
        );
        assert_eq!(detect("jean.picard", "Jean-Luc", "Picard"), Some(0));
        assert_eq!(detect("maria.schmidt", "Anna Maria", "Schmidt"), None);
    }

    #[test]
    fn detect_normalises_the_local_part() {
        assert_eq!(detect("Jane.Doe", "Jane", "Doe"), Some(0));
        assert_eq!(detect("JANE.DOE", "jane", "doe"), Some(0));
        assert_eq!(detect("jane.doe+newsletter", "Jane", "Doe"), Some(0));
        assert_eq!(detect("jdoe+a+b", "Jane", "Doe"), Some(1));
        assert_eq!(detect("jane.doe@acme.nl", "Jane", "Doe"), Some(0));
        assert_eq!(detect(" jane.doe ", "Jane", "Doe"), Some(0));
        assert_eq!(detect("conan.o'brien", "Conan", "O'Brien"), Some(0));
    }

    #[test]
    fn detect_rejects_other_addresses() {
        for local in [
            "info",
            "jane.smith",
            "jane.doe2",
            "jane..doe",
            "",
            "+jane",
            "doe.j.ane",
        ] {
            assert_eq!(detect(local, "Jane", "Doe"), None, "{local}");
        }
    }

    #[test]
    fn ambiguous_patterns_resolve_to_the_first() {
        // A one-letter first name: {f} and {first} render the same.
        assert_eq!(local_parts(1, "J", "Doe"), local_parts(3, "J", "Doe"));
        assert_eq!(detect("jdoe", "J", "Doe"), Some(1));
        assert_eq!(detect("j.doe", "J", "Doe"), Some(0));
        assert_eq!(detect("j_doe", "J", "Doe"), Some(5));
        assert_eq!(detect("j", "J", "Doe"), Some(2));
        // Identical first and last names: {first} and {last} render the same.
        assert_eq!(detect("anna", "Anna", "Anna"), Some(2));
        assert_eq!(detect("anna.anna", "Anna", "Anna"), Some(0));
        assert_eq!(detect("annaanna", "Anna", "Anna"), Some(3));
        assert_eq!(detect("annaa", "Anna", "Anna"), Some(7));
        assert_eq!(detect("a.anna", "Anna", "Anna"), Some(4));
        assert_eq!(detect("aa", "Anna", "Anna"), Some(12));
    }

    fn ascii_name() -> impl Strategy<Value = String> {
        "[a-zA-Z]{2,10}"
    }

    proptest! {
        #[test]
        fn detect_round_trips_local_parts(first in ascii_name(), last in ascii_name()) {
            for p in 0..PATTERNS.len() {
                let p = index(p);
                let parts = local_parts(p, &first, &last);
                prop_assert_eq!(parts.len(), 1);
                let local = &parts[0];
                let q = detect(local, &first, &last);
                prop_assert!(q.is_some(), "{} for pattern {} not detected", local, p);
                let q = q.unwrap_or(OBSERVED);
                prop_assert!(q <= p, "{} detected as {} after {}", local, q, p);
                prop_assert!(local_parts(q, &first, &last).contains(local));
            }
        }

        #[test]
        fn local_parts_are_lower_case_ascii(first in ascii_name(), last in ascii_name(), p in 0u8..18) {
            for local in local_parts(p, &first, &last) {
                prop_assert!(local.bytes().all(|b| b.is_ascii_lowercase() || b"._-".contains(&b)));
            }
        }
    }
}
