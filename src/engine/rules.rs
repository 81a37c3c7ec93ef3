//! Domain rules that more than one operation applies, each written once: how a name is
//! read from its parts, what a country code is, and when a sighting may have happened.

use super::InputLimits;
use crate::clock::parse_rfc3339;
use crate::matching::normalize::split_full_name;

/// First and last name from the fields a client may give: `first_name`/`last_name` when
/// either is given (a missing one is empty), else `full_name` split; `None` without any.
pub fn resolve_name(
    first: Option<&str>,
    last: Option<&str>,
    full: Option<&str>,
) -> Option<(String, String)> {
    match (first, last, full) {
        (first, last, _) if first.is_some() || last.is_some() => Some((
            first.unwrap_or("").trim().to_owned(),
            last.unwrap_or("").trim().to_owned(),
        )),
        (_, _, Some(full)) => Some(split_full_name(full)),
        _ => None,
    }
}

/// An ISO 3166-1 alpha-2 code in upper case; blank is `None`; anything else an error.
pub fn country_code(raw: Option<&str>) -> Result<Option<String>, CountryError> {
    match raw.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) if code.len() == 2 && code.chars().all(|c| c.is_ascii_alphabetic()) => {
            Ok(Some(code.to_ascii_uppercase()))
        }
        Some(_) => Err(CountryError),
        None => Ok(None),
    }
}

/// A country that is not an ISO 3166-1 alpha-2 code.
#[derive(Debug, PartialEq, Eq)]
pub struct CountryError;

/// When a source showed a profile: the given RFC 3339 time, or now; at most the allowed
/// clock skew in the future. The error is the client's message.
pub fn seen_at(raw: Option<&str>, now: i64, limits: &InputLimits) -> Result<i64, &'static str> {
    let seen_at = match raw {
        None => now,
        Some(text) => parse_rfc3339(text).ok_or("seen_at is not an RFC 3339 timestamp")?,
    };
    if seen_at > now + limits.max_future_skew_secs {
        return Err("seen_at lies in the future");
    }
    Ok(seen_at)
}

/// Removes what would let stored text spoof or break a display: control characters (tabs
/// and line breaks become spaces), bidirectional overrides and isolates, invisible
/// zero-width characters and the byte-order mark. Scripts and combining marks stay, and so
/// do the zero-width joiner and non-joiner, which some scripts and emoji need.
pub fn make_display_safe(text: &mut String) {
    let unsafe_char =
        |c: char| c.is_control() || is_invisible_format(c) || c == '\u{2028}' || c == '\u{2029}';
    if !text.chars().any(unsafe_char) {
        return;
    }
    *text = text
        .chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => Some(' '),
            c if unsafe_char(c) => None,
            c => Some(c),
        })
        .collect();
}

/// Format characters that change how text around them is shown without showing
/// themselves (bidi embeddings, overrides, isolates and marks; zero-width space, word
/// joiner, BOM, soft hyphen).
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{200B}' | '\u{200E}' | '\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_parts_or_the_full_name() {
        assert_eq!(
            resolve_name(Some(" Ada "), None, Some("X Y")),
            Some(("Ada".into(), String::new()))
        );
        assert_eq!(
            resolve_name(None, None, Some("Ada Lovelace")),
            Some(("Ada".into(), "Lovelace".into()))
        );
        assert_eq!(resolve_name(None, None, None), None);
    }

    #[test]
    fn country_codes_are_two_letters() {
        assert_eq!(country_code(Some(" nl ")), Ok(Some("NL".into())));
        assert_eq!(country_code(Some("  ")), Ok(None));
        assert_eq!(country_code(None), Ok(None));
        assert_eq!(country_code(Some("NLD")), Err(CountryError));
        assert_eq!(country_code(Some("1a")), Err(CountryError));
    }

    #[test]
    fn sightings_may_not_lie_beyond_the_skew() {
        let limits = InputLimits::default();
        assert_eq!(seen_at(None, 100, &limits), Ok(100));
        assert_eq!(seen_at(Some("1970-01-01T00:01:00Z"), 100, &limits), Ok(60));
        assert!(seen_at(Some("yesterday"), 100, &limits).is_err());
        let future = crate::clock::format_rfc3339(100 + limits.max_future_skew_secs + 1);
        assert_eq!(
            seen_at(Some(&future), 100, &limits),
            Err("seen_at lies in the future")
        );
    }

    #[test]
    fn stored_text_loses_controls_and_bidi_overrides_but_keeps_scripts_and_marks() {
        let clean = |text: &str| {
            let mut text = text.to_owned();
            make_display_safe(&mut text);
            text
        };
        assert_eq!(clean("Ada\u{0}Lovelace"), "AdaLovelace");
        assert_eq!(clean("evil\u{202E}gpj.exe"), "evilgpj.exe");
        assert_eq!(clean("\u{FEFF}Anna\u{200B}\tBerger\n"), "Anna Berger ");
        // Combining marks, other scripts, and the joiners some of them need, stay.
        assert_eq!(clean("Zoe\u{0308} Ngô"), "Zoe\u{0308} Ngô");
        assert_eq!(clean("می\u{200C}خواهم"), "می\u{200C}خواهم");
        assert_eq!(clean("👩\u{200D}💻 Maria"), "👩\u{200D}💻 Maria");
    }
}
