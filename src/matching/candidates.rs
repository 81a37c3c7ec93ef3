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

/// The retrieval query for `query`, or `None` when it has no name to search by.
pub fn candidate_query(fields: &Fields, query: &MatchQuery) -> Option<Box<dyn Query>> {
    let mut names = name_terms(&query.first, &query.last);
    if names.is_empty() {
        return None;
    }
    // "Bob" finds "Robert" and "Robert" finds "Bob".
    for token in tokens(&query.first) {
        names.extend(variants(&token).into_iter().map(str::to_owned));
    }
    names.sort_unstable();
    names.dedup();
    Some(with_context(
        fields,
        query,
        any_of(fields.name, &names, 1.0),
    ))
}

/// Like [`candidate_query`], with every name token matched up to an edit distance that
/// grows with its length (typos); the costliest retrieval, run last.
pub fn fuzzy_query(fields: &Fields, query: &MatchQuery) -> Option<Box<dyn Query>> {
    let names = name_terms(&query.first, &query.last);
    let should: Vec<(Occur, Box<dyn Query>)> = names
        .iter()
        .map(|name| {
            let term = Term::from_field_text(fields.name, name);
            let query: Box<dyn Query> = match name.chars().count() {
                0..=3 => Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                4..=7 => Box::new(FuzzyTermQuery::new(term, 1, true)),
                _ => Box::new(FuzzyTermQuery::new(term, 2, true)),
            };
            (Occur::Should, query)
        })
        .collect();
    (!should.is_empty()).then(|| with_context(fields, query, Box::new(BooleanQuery::new(should))))
}

/// Requires `names` and ranks by company and location agreement.
fn with_context(fields: &Fields, query: &MatchQuery, names: Box<dyn Query>) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, names)];
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
