//! Lookup: validate and normalise the request, gather candidates (keyed email hashes and
//! the index), score them, and decide `match` / `ambiguous` / `none`.

use super::view::{self, round3};
use super::Engine;
use crate::email::{normalize_address, parse_sha256_hex, pattern_probability, OBSERVED};
use crate::error::{Error, Result};
use crate::matching::candidates::{candidate_query, MAX_CANDIDATES};
use crate::matching::normalize::{fold, split_full_name, tokens};
use crate::matching::score::{competing_confidences, score, MatchQuery};
use crate::matching::terms::{compact_postcode, CompanyQuery};
use crate::model::{
    Candidate, CompanyId, CompanyRecord, LookupRequest, LookupResult, LookupStatus, ProfileId,
    ProfileRecord,
};
use std::collections::HashMap;
use tantivy::Term;

/// Confidence below which no profile is returned, unless the request says otherwise.
pub const DEFAULT_MIN_CONFIDENCE: f64 = 0.5;
/// Alternatives listed unless the request says otherwise.
const DEFAULT_CANDIDATES: usize = 3;
/// The best answer is `ambiguous` unless it is at least this many times as likely as the
/// runner-up.
const CLEAR_WINNER_RATIO: f64 = 3.0;
/// Confidence of an address the person was seen using.
const OBSERVED_EMAIL_CONFIDENCE: f64 = 0.99;

/// A validated lookup.
struct Parsed {
    query: MatchQuery,
    email_hash: Option<[u8; 16]>,
    min_confidence: f64,
    candidates: usize,
}

fn parse(engine: &Engine, request: &LookupRequest) -> Result<Parsed> {
    let max = engine.limits().max_field_chars;
    let fields = [
        ("name", request.name.as_deref()),
        ("first_name", request.first_name.as_deref()),
        ("last_name", request.last_name.as_deref()),
        ("company", request.company.as_deref()),
        ("email", request.email.as_ref().map(|e| e.0.as_str())),
        ("email_sha256", request.email_sha256.as_deref()),
        ("city", request.city.as_deref()),
        ("postcode", request.postcode.as_deref()),
        ("country", request.country.as_deref()),
    ];
    for (name, value) in fields {
        if value.is_some_and(|v| v.chars().count() > max) {
            return Err(Error::invalid(format!(
                "{name} is longer than {max} characters"
            )));
        }
    }
    let (first, last) = match (&request.first_name, &request.last_name, &request.name) {
        (first, last, _) if first.is_some() || last.is_some() => (
            first.as_deref().unwrap_or("").trim().to_owned(),
            last.as_deref().unwrap_or("").trim().to_owned(),
        ),
        (_, _, Some(name)) => split_full_name(name),
        _ => (String::new(), String::new()),
    };
    let email_hash = match (&request.email, &request.email_sha256) {
        (Some(email), _) => {
            let address = normalize_address(&email.0)
                .ok_or_else(|| Error::invalid("email is not a valid address"))?;
            Some(engine.hasher().hash_address(&address.full()))
        }
        (None, Some(hex)) => {
            let digest = parse_sha256_hex(hex)
                .ok_or_else(|| Error::invalid("email_sha256 must be 64 hex digits"))?;
            Some(engine.hasher().hash_sha256(&digest))
        }
        (None, None) => None,
    };
    let has_name = !fold(&format!("{first} {last}")).is_empty();
    if !has_name && email_hash.is_none() {
        return Err(Error::invalid(
            "a lookup needs a name (name or first_name/last_name) or an email/email_sha256",
        ));
    }
    let country = match request
        .country
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(c) if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => {
            Some(c.to_ascii_uppercase())
        }
        Some(_) => return Err(Error::invalid("country must be an ISO 3166-1 alpha-2 code")),
        None => None,
    };
    let min_confidence = request.min_confidence.unwrap_or(DEFAULT_MIN_CONFIDENCE);
    if !(0.0..=1.0).contains(&min_confidence) {
        return Err(Error::invalid("min_confidence must lie in [0, 1]"));
    }
    let candidates = request.candidates.unwrap_or(DEFAULT_CANDIDATES);
    if candidates > MAX_CANDIDATES {
        return Err(Error::invalid(format!(
            "candidates must be at most {MAX_CANDIDATES}"
        )));
    }
    let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
    Ok(Parsed {
        query: MatchQuery {
            first: if has_name { first } else { String::new() },
            last: if has_name { last } else { String::new() },
            company: request.company.as_deref().and_then(CompanyQuery::parse),
            city: non_empty(request.city.as_deref().map(fold)),
            postcode: non_empty(request.postcode.as_deref().map(compact_postcode)),
            country,
        },
        email_hash,
        min_confidence,
        candidates,
    })
}

struct Scored {
    id: ProfileId,
    record: ProfileRecord,
    log_odds: f64,
    matched_on: Vec<String>,
}

pub fn lookup(engine: &Engine, request: &LookupRequest) -> Result<LookupResult> {
    let parsed = parse(engine, request)?;
    let store = engine.store();
    let index = engine.search_index();
    let mut companies: HashMap<CompanyId, Option<CompanyRecord>> = HashMap::new();
    let mut company_of =
        |store: &crate::store::Store, id: Option<CompanyId>| -> Result<Option<CompanyRecord>> {
            let Some(id) = id else { return Ok(None) };
            if let Some(cached) = companies.get(&id) {
                return Ok(cached.clone());
            }
            let loaded = store.company(id)?;
            companies.insert(id, loaded.clone());
            Ok(loaded)
        };

    // Candidates: (id, email evidence as a probability).
    let mut pool: Vec<(ProfileId, Option<f64>)> = Vec::new();
    if let Some(hash) = &parsed.email_hash {
        for (id, pattern, observed) in store.email_matches(hash)? {
            let probability = if observed || pattern == OBSERVED {
                OBSERVED_EMAIL_CONFIDENCE
            } else {
                let Some(record) = store.profile(id)? else {
                    continue;
                };
                let company = company_of(store, record.company)?;
                company.map_or(0.0, |c| pattern_probability(&c.patterns, pattern))
            };
            match pool.iter_mut().find(|(p, _)| *p == id) {
                Some((_, best)) => *best = Some(best.unwrap_or(0.0).max(probability)),
                None => pool.push((id, Some(probability))),
            }
        }
    }
    let searcher = index.searcher();
    let mut surname_idf = 0.0;
    if let Some(query) = candidate_query(index.fields(), &parsed.query) {
        for (_, id) in index.top_ids(&searcher, query.as_ref(), MAX_CANDIDATES)? {
            if !pool.iter().any(|(p, _)| *p == id) {
                pool.push((id, None));
            }
        }
        surname_idf = idf(&searcher, index.fields().name, &parsed.query.last);
    }

    let mut scored = Vec::with_capacity(pool.len());
    for (id, email_probability) in pool {
        let Some(record) = store.profile(id)? else {
            continue;
        };
        let company = company_of(store, record.company)?;
        // Email evidence is relative to the prior, so an email alone yields its own probability.
        let email_log_odds = email_probability.map(|p| logit(p) + 3.0);
        let evidence = score(
            &parsed.query,
            &record,
            company.as_ref(),
            surname_idf,
            email_log_odds,
        );
        scored.push(Scored {
            id,
            record,
            log_odds: evidence.log_odds,
            matched_on: evidence.matched_on(),
        });
    }
    scored.sort_by(|a, b| b.log_odds.total_cmp(&a.log_odds).then(a.id.cmp(&b.id)));
    let confidences = competing_confidences(&scored.iter().map(|s| s.log_odds).collect::<Vec<_>>());

    let best = confidences.first().copied().unwrap_or(0.0);
    let runner_up = confidences.get(1).copied().unwrap_or(0.0);
    // Ambiguous when the runner-up is too close to call; it also covers "one of these
    // two", whose combined confidence can pass the bar when neither alone does.
    let close = runner_up * CLEAR_WINNER_RATIO > best;
    let status = if scored.is_empty() {
        LookupStatus::None
    } else if close && best + runner_up >= parsed.min_confidence {
        LookupStatus::Ambiguous
    } else if !close && best >= parsed.min_confidence {
        LookupStatus::Match
    } else {
        LookupStatus::None
    };
    let skip = usize::from(status != LookupStatus::None);
    let mut candidates = Vec::new();
    for (s, confidence) in scored
        .iter()
        .zip(&confidences)
        .skip(skip)
        // A candidate whose confidence rounds to zero is noise, not an alternative.
        .filter(|(_, confidence)| round3(**confidence) > 0.0)
        .take(parsed.candidates)
    {
        candidates.push(Candidate {
            id: s.id.to_string(),
            confidence: round3(*confidence),
            full_name: s.record.full_name(),
            company: company_of(store, s.record.company)?.map(|c| c.name),
        });
    }
    let (profile, matched_on) = match (status, scored.first()) {
        (LookupStatus::None, _) | (_, None) => (None, Vec::new()),
        (_, Some(best)) => {
            let company = company_of(store, best.record.company)?;
            (
                Some(view::profile(best.id, &best.record, company.as_ref())),
                best.matched_on.clone(),
            )
        }
    };
    Ok(LookupResult {
        status,
        confidence: round3(if status == LookupStatus::None {
            0.0
        } else {
            best
        }),
        matched_on,
        profile,
        candidates,
    })
}

/// Pseudo-documents added to the index size when estimating how common a surname is,
/// so a small index does not make every name look common.
const RARITY_SMOOTHING_DOCS: f64 = 10_000.0;

/// ln((N + k) / (df + 1)) of the rarest token of the asked surname: how telling a match
/// on it is.
fn idf(searcher: &tantivy::Searcher, field: tantivy::schema::Field, last: &str) -> f64 {
    let docs = searcher.num_docs() as f64 + RARITY_SMOOTHING_DOCS;
    tokens(last)
        .iter()
        .filter_map(|t| searcher.doc_freq(&Term::from_field_text(field, t)).ok())
        .map(|df| (docs / (df as f64 + 1.0)).ln())
        .fold(0.0, f64::max)
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}
