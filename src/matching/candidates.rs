//! Candidate retrieval: which few profiles a lookup scores.
//!
//! A retrieval stage names what a document must hold (some spelling of the name) and the
//! request's context — first-name terms (nicknames included), company terms, place
//! terms — that decides which of the matching documents are scored first. Context only
//! ranks, it never filters: a person who changed jobs or offices is still found, and
//! the scoring model decides. [`crate::index::SearchIndex::candidates`] runs a stage.
//!
//! Ranking is a weighted, idf-scaled count of the context terms a document holds,
//! computed over sorted posting lists. It replaces a BM25 boolean query whose optional clauses made
//! tantivy re-buffer a 4,096-document window for every required document, which cost
//! milliseconds per lookup on a common surname.

use crate::index::schema::Fields;
use crate::matching::nicknames::variants;
use crate::matching::normalize::tokens;
use crate::matching::score::MatchQuery;
use crate::matching::terms::{compact_postcode, name_keys, name_terms};
use tantivy::schema::Field;

/// Most candidates a lookup scores per stage.
pub const MAX_CANDIDATES: usize = 20;

/// One stage of retrieval: what must match, and what ranks the matches.
pub struct Retrieval<'q> {
    pub required: Required,
    /// Built only when more documents qualify than are scored: an exact name seldom has
    /// more, and building the context (nicknames, company and place terms) had been a
    /// tenth of such a lookup.
    pub context: Box<dyn Fn() -> Vec<ContextGroup> + 'q>,
}

/// What a document must hold.
pub enum Required {
    /// Any of these exact terms: their posting lists are read and merged directly (a
    /// tantivy union would allocate and clear a 4,096-document window per segment).
    AnyTerm { field: Field, terms: Vec<String> },
    /// Name terms within one edit (a typo, transpositions included) of any of these of
    /// four or more letters, and the shorter ones exactly; found through each segment's
    /// [`crate::index::typos::TypoDictionary`], their postings merged as for `AnyTerm`.
    WithTypos { terms: Vec<String> },
}

/// Terms of one kind of context. A document gains `weight` times the rarity (idf) of
/// each term it holds, or of the rarest one when the terms are `alternatives` (spellings
/// and nicknames of one first name must not add up).
pub struct ContextGroup {
    pub field: Field,
    pub terms: Vec<String>,
    pub weight: f32,
    pub alternatives: bool,
}

/// Profiles whose whole name equals the asked one (up to case, diacritics, particles and
/// order): one short posting list per spelling of `name_key`.
pub fn exact_name<'q>(fields: &'q Fields, query: &'q MatchQuery) -> Option<Retrieval<'q>> {
    let keys = name_keys(&query.first, &query.last);
    (!keys.is_empty()).then(|| Retrieval {
        required: Required::AnyTerm {
            field: fields.name_key,
            terms: keys,
        },
        context: Box::new(|| context(fields, query, &name_parts(query).1)),
    })
}

/// Retrieval by name tokens: a document must hold one of the surname's terms (any
/// spelling; the index mixes first- and last-name tokens, so a wrong split still finds
/// it) and ranks higher with first-name terms (nicknames included: "Bob" finds
/// "Robert"), company and location.
pub fn surname<'q>(fields: &'q Fields, query: &'q MatchQuery) -> Option<Retrieval<'q>> {
    name_token_stage(fields, query, |terms| Required::AnyTerm {
        field: fields.name,
        terms,
    })
}

/// Like [`surname`], with surname tokens of four or more letters matched within one edit
/// (a typo, transpositions included); the costliest retrieval, run last. Two edits for
/// long names doubled the cost of the whole lookup mix at a million profiles and found no
/// more of the evaluation's typos, which are single edits like most real ones.
pub fn fuzzy_surname<'q>(fields: &'q Fields, query: &'q MatchQuery) -> Option<Retrieval<'q>> {
    name_token_stage(fields, query, |terms| Required::WithTypos { terms })
}

/// A stage requiring the surname's tokens (the first name's without a surname) as
/// `required` makes of them.
fn name_token_stage<'q>(
    fields: &'q Fields,
    query: &'q MatchQuery,
    required: impl FnOnce(Vec<String>) -> Required,
) -> Option<Retrieval<'q>> {
    let (surname, first) = name_parts(query);
    let terms = if surname.is_empty() {
        first.clone()
    } else {
        surname
    };
    (!terms.is_empty()).then(|| Retrieval {
        required: required(terms),
        context: Box::new(move || context(fields, query, &first)),
    })
}

/// Surname terms and first-name terms (with nickname variants) of a query.
fn name_parts(query: &MatchQuery) -> (Vec<String>, Vec<String>) {
    let surname = name_terms("", &query.last);
    let mut first = name_terms(&query.first, "");
    for token in tokens(&query.first) {
        first.extend(variants(&token).into_iter().map(str::to_owned));
    }
    first.sort_unstable();
    first.dedup();
    (surname, first)
}

/// The context groups of a request: first name, company, place. Company agreement
/// weighs most, as it did as a boost in the query this replaces.
fn context(fields: &Fields, query: &MatchQuery, first: &[String]) -> Vec<ContextGroup> {
    let mut groups = Vec::new();
    if !first.is_empty() {
        groups.push(ContextGroup {
            field: fields.name,
            terms: first.to_vec(),
            weight: 1.0,
            alternatives: true,
        });
    }
    if let Some(company) = &query.company {
        let terms = company.terms();
        if !terms.is_empty() {
            groups.push(ContextGroup {
                field: fields.company,
                terms,
                weight: 2.0,
                alternatives: false,
            });
        }
    }
    let mut places = Vec::new();
    if let Some(city) = &query.city {
        places.extend(tokens(city));
    }
    if let Some(postcode) = &query.postcode {
        places.push(compact_postcode(postcode));
    }
    if let Some(country) = &query.country {
        places.push(country.to_ascii_lowercase());
    }
    places.retain(|p| !p.is_empty());
    if !places.is_empty() {
        groups.push(ContextGroup {
            field: fields.location,
            terms: places,
            weight: 1.5,
            alternatives: false,
        });
    }
    groups
}
