//! Search and statistics: the request's validation, its cursor, and the page of profiles;
//! the query itself runs in the index ([`crate::index::search`], which documents how text,
//! filters, order and facets work).
//!
//! The cursor is the last hit's (score, id) plus a fingerprint of the query and filters:
//! the next page holds the hits strictly after it, and a cursor cannot be replayed on
//! another query.

use super::view;
use super::Engine;
use crate::error::{Error, Result};
use crate::index::search::{Facet, Hit, SearchQuery};
use crate::model::{
    Profile, ProfileId, SearchFilters, SearchRequest, SearchResponse, Stats, ValueCounts,
};
use crate::store::CompanyCache;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Hits per page unless the request says otherwise.
pub const DEFAULT_LIMIT: usize = 20;
/// Most hits per page.
pub const MAX_LIMIT: usize = 100;
/// Longest free-text query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most values in one filter's list.
pub const MAX_FILTER_VALUES: usize = 20;
/// Values returned per facet.
pub const FACET_VALUES: usize = 20;
/// Values returned per statistics aggregate.
pub const STATS_VALUES: usize = 1_000;

// ---- the engine API ---------------------------------------------------------------------

impl Engine {
    /// One page of profiles matching a search, with total and facet counts, for
    /// `recipient` (the disclosure log records the page's profiles).
    pub fn search(&self, request: &SearchRequest, recipient: &Arc<str>) -> Result<SearchResponse> {
        let parsed = parse(request, self.limits().max_field_chars)?;
        let page = self.search_index().search(&SearchQuery {
            text: parsed.text,
            filters: &parsed.filters,
            facets: &parsed.facets,
            facet_values: FACET_VALUES,
            limit: parsed.limit + 1,
            after: parsed.cursor.map(|c| Hit {
                score: c.score,
                id: ProfileId(c.id),
            }),
        })?;
        let mut hits = page.hits;
        let next_cursor = if hits.len() > parsed.limit {
            hits.truncate(parsed.limit);
            hits.last().map(|last| {
                Cursor {
                    score: last.score,
                    id: last.id.0,
                    fingerprint: parsed.fingerprint,
                }
                .encode()
            })
        } else {
            None
        };
        let facets = page
            .facets
            .into_iter()
            .map(|(facet, counts)| (facet.name().to_owned(), ValueCounts(counts)))
            .collect::<BTreeMap<_, _>>();
        let hits = self.load_profiles(&hits)?;
        self.disclose(
            recipient,
            "search",
            hits.iter()
                .filter_map(|p| ProfileId::parse(&p.id).map(|id| view::disclosed(id, p)))
                .collect(),
        )?;
        Ok(SearchResponse {
            total: page.total,
            hits,
            facets,
            next_cursor,
        })
    }

    /// Profile and company counts, and profiles per country, industry and size band.
    pub fn stats(&self) -> Result<Stats> {
        let counts = self.counts()?;
        let mut counted = self
            .search_index()
            .value_counts(
                &[Facet::Country, Facet::Industry, Facet::Size],
                STATS_VALUES,
            )?
            .into_iter()
            .map(ValueCounts);
        let mut next = || counted.next().unwrap_or_default();
        Ok(Stats {
            // Restricted profiles are stored but counted for no client.
            profiles: (counts.profiles - counts.restricted).max(0) as u64,
            companies: counts.companies.max(0) as u64,
            by_country: next(),
            by_industry: next(),
            by_size: next(),
            freshness: self.freshness()?,
        })
    }

    /// Full profiles of the hits, in hit order, reading each company once. A hit whose
    /// record is gone (deleted or restricted after the searcher was opened) is left out.
    fn load_profiles(&self, hits: &[Hit]) -> Result<Vec<Profile>> {
        let store = self.store();
        let mut companies = CompanyCache::default();
        let mut profiles = Vec::with_capacity(hits.len());
        for hit in hits {
            let id = hit.id;
            // Restricted since the searcher was opened: not shown either.
            let Some(record) = store.profile(id)?.filter(|r| r.restricted_at.is_none()) else {
                continue;
            };
            let company = companies.get(store, record.company)?;
            profiles.push(view::profile(id, &record, company, self.hasher()));
        }
        Ok(profiles)
    }
}

// ---- validation -------------------------------------------------------------------------

/// A validated search.
struct Parsed<'a> {
    text: Option<&'a str>,
    filters: SearchFilters,
    facets: Vec<Facet>,
    limit: usize,
    cursor: Option<Cursor>,
    fingerprint: u32,
}

fn parse(request: &SearchRequest, max_field_chars: usize) -> Result<Parsed<'_>> {
    let text = request.query.as_deref();
    if text.is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS) {
        return Err(Error::invalid(format!(
            "query is longer than {MAX_QUERY_CHARS} characters"
        )));
    }
    // Punctuation or an emoji alone would otherwise match every profile.
    if text.is_some_and(|q| !q.trim().is_empty() && crate::matching::normalize::fold(q).is_empty())
    {
        return Err(Error::invalid(
            "query has no letters or digits; leave it out to list profiles by the filters alone",
        ));
    }
    let limit = request.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(Error::invalid(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let mut facets = Vec::new();
    for (position, name) in request.facets.iter().enumerate() {
        let facet = Facet::ALL
            .into_iter()
            .find(|f| f.name() == name.as_str())
            .ok_or_else(|| {
                Error::invalid(format!(
                    "facets[{position}] is not a facet; facets are country, city, industry and size"
                ))
            })?;
        if !facets.contains(&facet) {
            facets.push(facet);
        }
    }
    let filters = request.filters.clone().unwrap_or_default();
    let lists = [
        ("country", &filters.country),
        ("city", &filters.city),
        ("industry", &filters.industry),
        ("company", &filters.company),
        ("skills", &filters.skills),
        ("size", &filters.size),
    ];
    for (name, list) in lists {
        let Some(list) = list else { continue };
        let values = list.values();
        if values.is_empty() {
            return Err(Error::invalid(format!("filters.{name} is an empty list")));
        }
        if values.len() > MAX_FILTER_VALUES {
            return Err(Error::invalid(format!(
                "filters.{name} lists more than {MAX_FILTER_VALUES} values"
            )));
        }
        if values.iter().any(|v| v.chars().count() > max_field_chars) {
            return Err(Error::invalid(format!(
                "filters.{name} holds a value longer than {max_field_chars} characters"
            )));
        }
    }
    if filters
        .title
        .as_ref()
        .is_some_and(|t| t.chars().count() > max_field_chars)
    {
        return Err(Error::invalid(format!(
            "filters.title is longer than {max_field_chars} characters"
        )));
    }
    let fingerprint = fingerprint(text, &filters);
    let cursor = match request.cursor.as_deref() {
        None => None,
        Some(text) => {
            let cursor = Cursor::decode(text).ok_or_else(|| {
                Error::invalid("cursor is malformed; pass next_cursor back as given")
            })?;
            if cursor.fingerprint != fingerprint {
                return Err(Error::invalid(
                    "cursor belongs to another query or other filters",
                ));
            }
            Some(cursor)
        }
    };
    Ok(Parsed {
        text,
        filters,
        facets,
        limit,
        cursor,
        fingerprint,
    })
}

/// Ties a cursor to the query and filters it was issued for.
fn fingerprint(text: Option<&str>, filters: &SearchFilters) -> u32 {
    let canonical = serde_json::to_vec(&(text, filters)).unwrap_or_default();
    xxhash_rust::xxh3::xxh3_64(&canonical) as u32
}

// ---- cursor -----------------------------------------------------------------------------

/// Where the previous page ended, and which query it belongs to.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Cursor {
    score: f32,
    id: u64,
    fingerprint: u32,
}

impl Cursor {
    /// 32 hex digits: score bits, id, fingerprint.
    fn encode(self) -> String {
        format!(
            "{:08x}{:016x}{:08x}",
            self.score.to_bits(),
            self.id,
            self.fingerprint
        )
    }

    fn decode(text: &str) -> Option<Self> {
        if text.len() != 32 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let score = f32::from_bits(u32::from_str_radix(&text[..8], 16).ok()?);
        if !score.is_finite() {
            return None;
        }
        Some(Self {
            score,
            id: u64::from_str_radix(&text[8..24], 16).ok()?,
            fingerprint: u32::from_str_radix(&text[24..], 16).ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = Cursor {
            score: 3.25,
            id: 0x0123_4567_89ab_cdef,
            fingerprint: 0xdead_beef,
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        for bad in [
            "",
            "xyz",
            &"0".repeat(31),
            &"g".repeat(32),
            "7fc00000000000000000000000000000",
        ] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn requests_are_validated() {
        let ok = SearchRequest::default();
        assert_eq!(parse(&ok, 300).expect("valid").limit, DEFAULT_LIMIT);
        let too_many = SearchRequest {
            limit: Some(101),
            ..SearchRequest::default()
        };
        assert!(parse(&too_many, 300).is_err());
        let long = SearchRequest {
            query: Some("a".repeat(201)),
            ..SearchRequest::default()
        };
        assert!(parse(&long, 300).is_err());
        // Regression: a query of punctuation or an emoji alone matched every profile.
        for wordless in ["!!!", "🚀", " - "] {
            let request = SearchRequest {
                query: Some(wordless.into()),
                ..SearchRequest::default()
            };
            assert!(parse(&request, 300).is_err(), "{wordless}");
        }
        let blank = SearchRequest {
            query: Some("  ".into()),
            ..SearchRequest::default()
        };
        assert!(
            parse(&blank, 300).is_ok(),
            "a blank query lists by the filters"
        );
        let facet = SearchRequest {
            facets: vec!["colour".into()],
            ..SearchRequest::default()
        };
        assert!(parse(&facet, 300).is_err());
        let foreign = SearchRequest {
            query: Some("rust".into()),
            cursor: Some(
                Cursor {
                    score: 1.0,
                    id: 1,
                    fingerprint: fingerprint(Some("go"), &SearchFilters::default()),
                }
                .encode(),
            ),
            ..SearchRequest::default()
        };
        assert!(parse(&foreign, 300).is_err());
    }
}
