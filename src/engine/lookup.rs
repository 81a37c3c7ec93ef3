//! Lookup: validate and normalise the request, gather candidates (keyed email hashes and
//! the index), score them from the in-memory match table, and decide `match` /
//! `ambiguous` / `none`. Only the profiles shown in the answer are read from sled.

use super::view::{self, round3};
use super::Engine;
use crate::email::{normalize_address, parse_sha256_hex, pattern_probability, OBSERVED};
use crate::error::{Error, Result};
use crate::index::retrieval::{Stage, MAX_CANDIDATES};
use crate::matching::names::clean_name_parts;
use crate::matching::normalize::fold;
use crate::matching::score::{calibrated, competing_confidences, score, Evidence, MatchQuery};
use crate::matching::table::MatchTable;
use crate::matching::terms::{compact_postcode, CompanyQuery};
use crate::model::{
    Candidate, CompanyId, Contribution, LookupRequest, LookupResult, LookupStatus, ProfileId,
};
use crate::store::record::CompanyRecord;
use crate::store::{CompanyCache, Store};
use std::collections::HashMap;

/// Confidence below which no profile is returned, unless the request says otherwise.
pub const DEFAULT_MIN_CONFIDENCE: f64 = 0.5;
/// Alternatives listed unless the request says otherwise.
const DEFAULT_CANDIDATES: usize = 3;
/// The best answer is `ambiguous` unless it is at least this many times as likely as the
/// runner-up.
const CLEAR_WINNER_RATIO: f64 = 3.0;
/// An exact-name answer this sure (and clear of its runner-up) skips the broad search.
const SETTLED_CONFIDENCE: f64 = 0.9;
/// Confidence of an address the person was seen using.
const OBSERVED_EMAIL_CONFIDENCE: f64 = 0.99;

/// A validated lookup.
struct Parsed {
    query: MatchQuery,
    email_hash: Option<[u8; 16]>,
    min_confidence: f64,
    candidates: usize,
    explain: bool,
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
    // Decorations go too when the first and last name come apart ("Dr." / "Berger, CFA").
    let (first, last) = super::rules::resolve_name(
        request.first_name.as_deref(),
        request.last_name.as_deref(),
        request.name.as_deref(),
    )
    .map(|(first, last)| clean_name_parts(&first, &last))
    .unwrap_or_default();
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
    let country = super::rules::country_code(request.country.as_deref())
        .map_err(|_| Error::invalid("country must be an ISO 3166-1 alpha-2 code"))?;
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
            company: request.company.as_deref().and_then(CompanyQuery::parse),
            city: non_empty(request.city.as_deref().map(fold)),
            postcode: non_empty(request.postcode.as_deref().map(compact_postcode)),
            country,
            ..if has_name {
                MatchQuery::new(first, last)
            } else {
                MatchQuery::default()
            }
        },
        email_hash,
        min_confidence,
        candidates,
        explain: request.explain.unwrap_or(false),
    })
}

struct Scored {
    id: ProfileId,
    evidence: Evidence,
}

/// Scores candidates for one request, comparing each company once.
struct Scorer<'a> {
    store: &'a Store,
    table: &'a MatchTable,
    query: &'a MatchQuery,
    surname_idf: f64,
    companies: CompanyCache,
    /// Similarity of the asked company to each candidate company, computed once.
    company_similarities: HashMap<CompanyId, f64>,
    scored: Vec<Scored>,
}

impl Scorer<'_> {
    fn company(&mut self, id: Option<CompanyId>) -> Result<Option<&CompanyRecord>> {
        self.companies.get(self.store, id)
    }

    fn has(&self, id: ProfileId) -> bool {
        self.scored.iter().any(|s| s.id == id)
    }

    /// Scores a candidate once; `email_probability` is how likely an email hit makes it.
    /// A candidate the match table no longer holds (deleted since) is skipped.
    fn add(&mut self, id: ProfileId, email_probability: Option<f64>) {
        if self.has(id) {
            return;
        }
        let (query, idf, table) = (self.query, self.surname_idf, self.table);
        let similarities = &mut self.company_similarities;
        // Email evidence is relative to the prior, so an email alone yields its own probability.
        let email_log_odds = email_probability.map(|p| logit(p) + 3.0);
        let evidence = table.with_profile(id, |profile| {
            let company_similarity = match (&query.company, profile.company) {
                (Some(asked), Some(cid)) => *similarities
                    .entry(cid)
                    .or_insert_with(|| table.company_similarity(cid, asked)),
                _ => 0.0,
            };
            score(query, profile, company_similarity, idf, email_log_odds)
        });
        if let Some(evidence) = evidence {
            self.scored.push(Scored { id, evidence });
        }
    }

    /// Candidates best first, with their competing confidences.
    fn ranked(&mut self) -> Vec<f64> {
        self.scored.sort_by(|a, b| {
            b.evidence
                .log_odds
                .total_cmp(&a.evidence.log_odds)
                .then(a.id.cmp(&b.id))
        });
        competing_confidences(
            &self
                .scored
                .iter()
                .map(|s| s.evidence.log_odds)
                .collect::<Vec<_>>(),
        )
    }
}

/// Looks up one request. Without `with_company` the answer's profile leaves out what
/// comes from its company record (the company and the suggested email).
pub fn lookup(
    engine: &Engine,
    request: &LookupRequest,
    with_company: bool,
) -> Result<LookupResult> {
    let parsed = parse(engine, request)?;
    let store = engine.store();
    let index = engine.search_index();
    let view = index.view()?;
    let table = index.matches();
    let mut scorer = Scorer {
        store,
        table,
        query: &parsed.query,
        surname_idf: index.surname_rarity(&view, &parsed.query.last),
        companies: CompanyCache::default(),
        company_similarities: HashMap::new(),
        scored: Vec::new(),
    };

    if let Some(hash) = &parsed.email_hash {
        let mut hits: Vec<(ProfileId, f64)> = Vec::new();
        for (id, pattern, observed) in store.email_matches(hash)? {
            let probability = if observed || pattern == OBSERVED {
                OBSERVED_EMAIL_CONFIDENCE
            } else {
                let Some(company) = table.with_profile(id, |p| p.company) else {
                    continue;
                };
                scorer
                    .company(company)?
                    .map_or(0.0, |c| pattern_probability(&c.patterns, pattern))
            };
            match hits.iter_mut().find(|(p, _)| *p == id) {
                Some((_, best)) => *best = best.max(probability),
                None => hits.push((id, probability)),
            }
        }
        for (id, probability) in hits {
            scorer.add(id, Some(probability));
        }
    }
    // Exact names first: one short posting list. The broad (token) search runs only when
    // that leaves no confident, clear answer.
    for id in index.retrieve(&view, Stage::ExactName, &parsed.query, MAX_CANDIDATES)? {
        scorer.add(id, None);
    }
    // Then ever broader (and costlier) retrieval, only while the candidates so far do not
    // explain the request: name tokens with nicknames, then tokens with typos, then
    // surnames that sound alike, then blocking by company and postcode. Strong
    // candidates that compete for the answer (two people of one name at one company)
    // also end it: a nickname or misspelt variant would not outscore them, and on a
    // common surname these stages cost several times the exact one (the evaluation's
    // answers did not change when the name-token stage began to stop there too). So does
    // a best candidate that agrees with every asked field as strongly as it can: a name
    // and city alone never reach the settled confidence on a common surname, and what
    // the broader stages add cannot outscore it.
    for stage in Stage::BROADER {
        let confidences = scorer.ranked();
        if searched_enough(&scorer.scored, &confidences, stage) {
            break;
        }
        for id in index.retrieve(&view, stage, &parsed.query, MAX_CANDIDATES)? {
            scorer.add(id, None);
        }
    }
    let raw = scorer.ranked();
    let scored = &scorer.scored;
    let raw_best = raw.first().copied().unwrap_or(0.0);
    let raw_runner_up = raw.get(1).copied().unwrap_or(0.0);
    // Ambiguous when the runner-up is too close to call (a ratio of the model's odds);
    // it also covers "one of these two", whose combined confidence can pass the bar
    // when neither alone does.
    let close = raw_runner_up * CLEAR_WINNER_RATIO > raw_best;
    // What is shown and compared with `min_confidence` is the calibrated probability. An
    // email hit's confidence is already one (the share of the domain's addresses that
    // follow the pattern) and stays as it is.
    let from_email = |s: &Scored| s.evidence.contributions.iter().any(|(f, _)| *f == "email");
    let confidences: Vec<f64> = raw
        .iter()
        .zip(scored)
        .map(|(p, s)| if from_email(s) { *p } else { calibrated(*p) })
        .collect();
    let best = confidences.first().copied().unwrap_or(0.0);
    let either = match scored.first() {
        Some(top) if !from_email(top) => calibrated(raw_best + raw_runner_up),
        _ => raw_best + raw_runner_up,
    };
    // A best candidate whose given name differs from the asked one (the surname and
    // company or place agree) may be the person under a name no table knows, or a
    // namesake: it is shown, but as `ambiguous`, never as a `match`.
    let unsure = scored
        .first()
        .is_some_and(|top| top.evidence.given_name_differs);
    let status = if scored.is_empty() {
        LookupStatus::None
    } else if (close || unsure) && either >= parsed.min_confidence {
        LookupStatus::Ambiguous
    } else if !close && best >= parsed.min_confidence {
        LookupStatus::Match
    } else {
        LookupStatus::None
    };
    // The answer shows the stored profile; one deleted since it was scored is no answer.
    let best_record = match status {
        LookupStatus::None => None,
        // Restricted since the index was read: no answer either.
        _ => store
            .profile(scored[0].id)?
            .filter(|record| record.restricted_at.is_none()),
    };
    let status = if best_record.is_none() {
        LookupStatus::None
    } else {
        status
    };
    let skip = usize::from(status != LookupStatus::None);
    let alternatives: Vec<(&Scored, f64)> = scored
        .iter()
        .zip(&confidences)
        .skip(skip)
        // A candidate whose confidence rounds to zero is noise, not an alternative.
        .filter(|(_, confidence)| round3(**confidence) > 0.0)
        .take(parsed.candidates)
        .map(|(s, c)| (s, *c))
        .collect();
    let mut candidates = Vec::with_capacity(alternatives.len());
    for (candidate, confidence) in alternatives {
        let Some((full_name, company)) =
            table.with_profile(candidate.id, |p| (p.full_name.clone(), p.company))
        else {
            continue;
        };
        candidates.push(Candidate {
            id: candidate.id.to_string(),
            confidence: round3(confidence),
            full_name,
            company: company.and_then(|cid| table.company_name(cid)),
            explain: parsed
                .explain
                .then(|| contributions(&candidate.evidence.contributions)),
        });
    }
    let mut result = LookupResult {
        status,
        confidence: 0.0,
        matched_on: Vec::new(),
        profile: None,
        candidates,
        explain: None,
    };
    if let Some(record) = best_record {
        let company = if with_company {
            scorer.company(record.company)?.cloned()
        } else {
            None
        };
        let top = &scorer.scored[0];
        result.confidence = round3(best);
        result.matched_on = top.evidence.matched_on();
        result.profile = Some(view::profile(
            top.id,
            &record,
            company.as_ref(),
            engine.hasher(),
        ));
        if parsed.explain {
            result.explain = Some(contributions(&top.evidence.contributions));
        }
    }
    Ok(result)
}

/// The wire form of a candidate's per-field log-odds.
fn contributions(weights: &[(&'static str, f64)]) -> Vec<Contribution> {
    weights
        .iter()
        .map(|(field, weight)| Contribution {
            field: (*field).to_owned(),
            log_odds: round3(*weight),
        })
        .collect()
}

/// Whether the best candidate is confident and clear of its runner-up.
fn settled(confidences: &[f64]) -> bool {
    confidences
        .first()
        .is_some_and(|best| *best >= SETTLED_CONFIDENCE && clear(confidences))
}

/// Whether the best candidate is at least [`CLEAR_WINNER_RATIO`] times as likely as the
/// runner-up (or has none).
fn clear(confidences: &[f64]) -> bool {
    match confidences {
        [] => false,
        [_] => true,
        [best, second, ..] => second * CLEAR_WINNER_RATIO <= *best,
    }
}

/// Whether the candidates so far explain the request well: settled, or strong candidates
/// that together pass the settled bar and only compete with each other.
fn explained(confidences: &[f64]) -> bool {
    settled(confidences)
        || match confidences {
            [best, second, ..] => best + second >= SETTLED_CONFIDENCE,
            _ => false,
        }
}

/// Whether the ranked candidates so far end retrieval before the `next` stage: they
/// explain the request, or the best one agrees with every asked field as strongly as it
/// can. So does a clear best one that is only a typo in the name from that, before a
/// stage that can only add people of another surname: to compete with it, one of those
/// would have to be within a typo of the asked name at the same company and place,
/// while the request's given name is damaged too. (Such lookups, a misspelt given name
/// at the right company, had run every stage.)
fn searched_enough(ranked: &[Scored], confidences: &[f64], next: Stage) -> bool {
    let Some(best) = ranked.first() else {
        return false;
    };
    best.evidence.complete
        || explained(confidences)
        || (next.seeks_damaged_surnames() && best.evidence.nearly_complete && clear(confidences))
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scored(log_odds: f64, complete: bool) -> Scored {
        Scored {
            id: ProfileId(log_odds.to_bits()),
            evidence: Evidence {
                log_odds,
                contributions: Vec::new(),
                complete,
                nearly_complete: complete,
                given_name_differs: false,
            },
        }
    }

    /// A candidate one typo in the name from agreeing with every asked field.
    fn nearly(log_odds: f64) -> Scored {
        let mut candidate = scored(log_odds, false);
        candidate.evidence.nearly_complete = true;
        candidate
    }

    fn searched_enough_before(next: Stage, ranked: &[Scored]) -> bool {
        let log_odds: Vec<f64> = ranked.iter().map(|s| s.evidence.log_odds).collect();
        searched_enough(ranked, &competing_confidences(&log_odds), next)
    }

    fn searched_enough_for(ranked: &[Scored]) -> bool {
        searched_enough_before(Stage::Surname, ranked)
    }

    #[test]
    fn a_clear_best_one_typo_from_complete_skips_only_the_stages_for_other_surnames() {
        // a misspelt given name at the right company: sigmoid(2.0) ≈ 0.88, not settled
        let misspelt = [nearly(2.0), scored(-1.0, false)];
        assert!(!searched_enough_before(Stage::Surname, &misspelt));
        for stage in [Stage::FuzzySurname, Stage::Phonetic, Stage::Place] {
            assert!(searched_enough_before(stage, &misspelt), "{stage:?}");
        }
        // not when a runner-up is close, nor for a best one that is further off
        let contested = [nearly(1.0), nearly(0.8)];
        assert!(!searched_enough_before(Stage::FuzzySurname, &contested));
        let weak = [scored(2.0, false), scored(-1.0, false)];
        assert!(!searched_enough_before(Stage::FuzzySurname, &weak));
    }

    #[test]
    fn retrieval_goes_on_until_the_candidates_explain_the_request() {
        // nothing found, or one weak candidate: search further
        assert!(!searched_enough_for(&[]));
        assert!(!searched_enough_for(&[scored(1.0, false)]));
        // a confident, clear answer ends it
        assert!(searched_enough_for(&[
            scored(4.0, false),
            scored(-2.0, false)
        ]));
        // so do two strong namesakes that compete only with each other
        assert!(searched_enough_for(&[
            scored(3.0, false),
            scored(3.0, false)
        ]));
        // a best candidate that agrees with every asked field ends it even when a common
        // name keeps its confidence low (name and city alone: sigmoid(1.5) ≈ 0.82)
        assert!(searched_enough_for(&[scored(1.5, true)]));
        assert!(searched_enough_for(&[scored(1.5, true), scored(1.5, true)]));
        // only the best candidate's agreement counts
        assert!(!searched_enough_for(&[
            scored(1.5, false),
            scored(0.5, true)
        ]));
    }
}
