//! The terms under which a profile is indexed and a lookup searches: both sides go through
//! these functions, so whatever spelling variation they absorb (case, diacritics and their
//! German/Nordic transliterations, particles present, absent or glued, legal forms, a domain
//! instead of a name) is absorbed symmetrically.

use crate::matching::normalize::{
    company_key, domain_from, domain_label, fold, fold_alternatives, is_particle, surname_variants,
    tokens,
};
use crate::matching::score::CompanyKey;
use crate::store::record::{CompanyRecord, LocationRecord};
use rphonetic::DoubleMetaphone;

/// Name terms of a person: every token of every spelling of the first and last names,
/// surname variants with particles dropped or glued; particles alone are not terms.
pub fn name_terms(first: &str, last: &str) -> Vec<String> {
    let mut out = Vec::new();
    for spelling in fold_alternatives(first) {
        push_tokens(&mut out, &spelling);
    }
    for spelling in fold_alternatives(last) {
        push_tokens(&mut out, &spelling);
    }
    for variant in surname_variants(last) {
        push_tokens(&mut out, &variant);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Whole-name keys of a person, one per spelling: the non-particle tokens of first and
/// last name, sorted, joined by spaces. Equal keys mean equal names up to case,
/// diacritics, punctuation, particles and order.
pub fn name_keys(first: &str, last: &str) -> Vec<String> {
    let mut keys: Vec<String> = fold_alternatives(&format!("{first} {last}"))
        .iter()
        .map(|spelling| {
            let mut tokens: Vec<&str> = spelling
                .split(' ')
                .filter(|t| !t.is_empty() && !is_particle(t))
                .collect();
            tokens.sort_unstable();
            tokens.join(" ")
        })
        .filter(|key| !key.is_empty())
        .collect();
    keys.dedup();
    keys
}

/// Phonetic codes of a name part: the Double Metaphone codes (primary and alternate,
/// four characters; from `rphonetic`) of each of its tokens but particles and initials.
/// Names that sound alike share a code ("Schmidt" / "Shmitt", "Meyer" / "Maier").
/// Double Metaphone is defined for Latin letters, and `rphonetic` slices its input by
/// bytes: a token left with letters of another script after folding gets no code.
pub fn phonetic_codes(part: &str) -> Vec<String> {
    let encoder = DoubleMetaphone::default();
    let mut out: Vec<String> = Vec::new();
    for token in tokens(part) {
        if token.chars().count() < 2 || is_particle(&token) || !token.is_ascii() {
            continue;
        }
        let codes = encoder.double_metaphone(&token);
        for code in [codes.primary(), codes.alternate()] {
            if !code.is_empty() && !out.contains(&code) {
                out.push(code);
            }
        }
    }
    out
}

fn push_tokens(out: &mut Vec<String>, folded: &str) {
    out.extend(
        folded
            .split(' ')
            .filter(|t| !t.is_empty() && !is_particle(t))
            .map(str::to_owned),
    );
}

/// Company terms of a stored company: key tokens of its name and aliases, its domain and
/// the domain's registrable label.
pub fn company_terms(company: &CompanyRecord) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(tokens(&company_key(&company.name)));
    for alias in &company.aliases {
        out.extend(tokens(&company_key(alias)));
    }
    if let Some(domain) = &company.domain {
        out.push(domain.clone());
        out.extend(tokens(&domain_label(domain)));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// How a lookup names a company: by domain (from a domain, URL or email) or by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompanyQuery {
    Domain { domain: String, label: CompanyKey },
    Name { key: CompanyKey },
}

impl CompanyQuery {
    /// Reads a client's company text; `None` when nothing is left after normalisation.
    pub fn parse(text: &str) -> Option<Self> {
        if let Some(domain) = domain_from(text) {
            let label = CompanyKey::new(domain_label(&domain));
            return Some(CompanyQuery::Domain { domain, label });
        }
        let key = CompanyKey::new(company_key(text));
        (!key.is_empty()).then_some(CompanyQuery::Name { key })
    }

    /// Terms to search the `company` field with.
    pub fn terms(&self) -> Vec<String> {
        match self {
            CompanyQuery::Domain { domain, label } => {
                let mut out = vec![domain.clone()];
                out.extend(tokens(label.as_str()));
                out
            }
            CompanyQuery::Name { key } => tokens(key.as_str()),
        }
    }
}

/// Location terms: city tokens, the postcode without spaces, the lower-case country code.
pub fn location_terms(location: &LocationRecord) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(city) = &location.city {
        out.extend(tokens(city));
    }
    if let Some(postcode) = location.postcode.as_deref().map(compact_postcode) {
        if !postcode.is_empty() {
            out.push(postcode);
        }
    }
    if let Some(country) = &location.country {
        let country = fold(country);
        if !country.is_empty() {
            out.push(country);
        }
    }
    out
}

/// A postcode folded with its spaces removed ("3013 AK" → "3013ak").
pub fn compact_postcode(postcode: &str) -> String {
    fold(postcode).replace(' ', "")
}

/// Whether `a` becomes `b` by at most one substitution, insertion, deletion or
/// transposition of neighbouring characters (the optimal string alignment distance ≤ 1,
/// as tantivy's fuzzy term query with transpositions counts it).
pub fn within_one_edit(a: &str, b: &str) -> bool {
    // Lookups compare company tokens pairwise, and folded keys are ASCII: compare their
    // bytes without collecting characters (two allocations per pair).
    if a.is_ascii() && b.is_ascii() {
        return slices_within_one_edit(a.as_bytes(), b.as_bytes());
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    slices_within_one_edit(&a, &b)
}

fn slices_within_one_edit<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let common = short
        .iter()
        .zip(long.iter())
        .take_while(|(x, y)| x == y)
        .count();
    if common == short.len() {
        // Equal, or one extra character at the end.
        return true;
    }
    if short.len() == long.len() {
        let rest = common + 1;
        // One substitution, or one transposition of neighbours.
        short[rest..] == long[rest..]
            || (rest < short.len()
                && short[common] == long[rest]
                && short[rest] == long[common]
                && short[rest + 1..] == long[rest + 1..])
    } else {
        // One character inserted into the shorter one.
        short[common..] == long[common + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (found by the lookup_request fuzz target): `rphonetic` panicked on a
    /// token with letters of another script ("ONATޓߵS"), in a lookup and at indexing.
    #[test]
    fn phonetic_codes_of_a_name_in_another_script_do_not_panic() {
        assert!(phonetic_codes("Onatޓߵs").is_empty());
        assert!(phonetic_codes("ޓߵ Smith").contains(&"SM0".to_owned()));
        assert!(phonetic_codes("Иванов").is_empty());
    }

    #[test]
    fn name_terms_cover_spellings_and_particles() {
        let terms = name_terms("Jürgen", "van der Müller");
        for expected in ["jurgen", "juergen", "muller", "mueller", "vandermuller"] {
            assert!(
                terms.iter().any(|t| t == expected),
                "{expected} in {terms:?}"
            );
        }
        assert!(!terms.iter().any(|t| t == "van" || t == "der"), "{terms:?}");
    }

    #[test]
    fn name_keys_ignore_order_case_diacritics_and_particles() {
        assert_eq!(name_keys("Jan", "van der Berg"), vec!["berg jan"]);
        assert_eq!(name_keys("Berg,", "JAN"), vec!["berg jan"]);
        assert_eq!(
            name_keys("Jürgen", "Müller"),
            vec!["jurgen muller", "juergen mueller"]
        );
    }

    #[test]
    fn company_queries_read_domains_urls_and_names() {
        assert_eq!(
            CompanyQuery::parse("https://www.acme.nl/about"),
            Some(CompanyQuery::Domain {
                domain: "acme.nl".into(),
                label: "acme".into()
            })
        );
        assert_eq!(
            CompanyQuery::parse("Acme B.V."),
            Some(CompanyQuery::Name { key: "acme".into() })
        );
        assert_eq!(CompanyQuery::parse("  "), None);
    }

    #[test]
    fn stored_company_terms_include_aliases_and_domain() {
        let company = CompanyRecord {
            name: "Vandermeer Logistics B.V.".into(),
            domain: Some("vandermeer.nl".into()),
            aliases: vec!["VML".into()],
            ..CompanyRecord::default()
        };
        let terms = company_terms(&company);
        for expected in ["vandermeer", "logistics", "vml", "vandermeer.nl"] {
            assert!(
                terms.iter().any(|t| t == expected),
                "{expected} in {terms:?}"
            );
        }
    }

    #[test]
    fn names_that_sound_alike_share_a_phonetic_code() {
        let shares = |a: &str, b: &str| {
            let b = phonetic_codes(b);
            phonetic_codes(a).iter().any(|code| b.contains(code))
        };
        assert!(shares("Schmidt", "Shmitt"));
        assert!(shares("Meyer", "Maier"));
        assert!(shares("Katharina", "Catarina"));
        assert!(!shares("Schmidt", "Jansen"));
        assert!(phonetic_codes("van der").is_empty());
    }

    #[test]
    fn postcodes_compare_without_spaces() {
        assert_eq!(compact_postcode("3013 AK"), "3013ak");
    }
}
