//! Candidate retrieval: the tantivy query that finds the few profiles worth scoring.
//!
//! At least one name term must match; company and location terms only raise the rank, so
//! a person who changed jobs or offices is still among the candidates and the scoring
//! model decides.

use crate::index::schema::Fields;
use crate::matching::nicknames::variants;
use crate::matching::normalize::tokens;
use crate::matching::score::MatchQuery;
use crate::matching::terms::{compact_postcode, name_keys, name_terms};
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

/// Most candidates a lookup scores.
pub const MAX_CANDIDATES: usize = 20;

/// Retrieval by name tokens: a document must hold one of the surname's terms (any
/// spelling; the index mixes first- and last-name tokens, so a wrong split still finds
/// it) and ranks higher with first-name terms (nicknames included: "Bob" finds
/// "Robert"), company and location. Driving the search by the surname keeps it to one
/// short posting list instead of the union of every name token.
pub fn candidate_query(fields: &Fields, query: &MatchQuery) -> Option<Box<dyn Query>> {
    let (surname, first) = name_parts(query);
    let required = if surname.is_empty() { &first } else { &surname };
    if required.is_empty() {
        return None;
    }
    let names = any_of(fields.name, required, 1.0);
    Some(with_context(fields, query, names, &first))
}

/// Like [`candidate_query`], with the surname matched up to an edit distance that grows
/// with its length (typos); the costliest retrieval, run last.
pub fn fuzzy_query(fields: &Fields, query: &MatchQuery) -> Option<Box<dyn Query>> {
    let (surname, first) = name_parts(query);
    let required = if surname.is_empty() { &first } else { &surname };
    let should: Vec<(Occur, Box<dyn Query>)> = required
        .iter()
        .map(|name| {
            let term = Term::from_field_text(fields.name, name);
            let query: Box<dyn Query> = match name.chars().count() {
                0..=3 => Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                4..=9 => Box::new(FuzzyTermQuery::new(term, 1, true)),
                _ => Box::new(FuzzyTermQuery::new(term, 2, true)),
            };
            (Occur::Should, query)
        })
        .collect();
    (!should.is_empty())
        .then(|| with_context(fields, query, Box::new(BooleanQuery::new(should)), &first))
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

/// Requires `names` and ranks by company and location agreement.
fn with_context(
    fields: &Fields,
    query: &MatchQuery,
    names: Box<dyn Query>,
    first: &[String],
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, names)];
    if !first.is_empty() {
        clauses.push((Occur::Should, any_of(fields.name, first, 1.0)));
    }
    if let Some(company) = &query.company {
        let terms = company.terms();
        if !terms.is_empty() {
            clauses.push((Occur::Should, any_of(fields.company, &terms, 2.0)));
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
        clauses.push((Occur::Should, any_of(fields.location, &places, 1.5)));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Profiles whose whole name equals the asked one (up to case, diacritics, particles and
/// order): a term query per spelling on `name_key`.
pub fn exact_name_query(fields: &Fields, query: &MatchQuery) -> Option<Box<dyn Query>> {
    let keys = name_keys(&query.first, &query.last);
    (!keys.is_empty()).then(|| any_of(fields.name_key, &keys, 1.0))
}

fn any_of(field: Field, terms: &[String], boost: f32) -> Box<dyn Query> {
    let should: Vec<(Occur, Box<dyn Query>)> = terms
        .iter()
        .map(|t| {
            let query: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, t),
                IndexRecordOption::Basic,
            ));
            (Occur::Should, query)
        })
        .collect();
    Box::new(BoostQuery::new(Box::new(BooleanQuery::new(should)), boost))
}
