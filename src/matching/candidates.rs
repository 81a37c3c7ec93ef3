//! Candidate retrieval: the tantivy query that finds the few profiles worth scoring.
//!
//! At least one name term must match; company and location terms only raise the rank, so
//! a person who changed jobs or offices is still among the candidates and the scoring
//! model decides.

use crate::index::schema::Fields;
use crate::matching::normalize::tokens;
use crate::matching::score::MatchQuery;
use crate::matching::terms::{compact_postcode, name_terms};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

/// Most candidates a lookup scores.
pub const MAX_CANDIDATES: usize = 20;

/// The retrieval query for `query`, or `None` when it has no name to search by.
pub fn candidate_query(fields: &Fields, query: &MatchQuery) -> Option<Box<dyn Query>> {
    let names = name_terms(&query.first, &query.last);
    if names.is_empty() {
        return None;
    }
    let name_clause = any_of(fields.name, &names, 1.0);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, name_clause)];
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
    Some(Box::new(BooleanQuery::new(clauses)))
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
