//! Search and statistics over the index: free text, filters, facets, cursor pagination.
//!
//! The client's text never reaches tantivy's query parser: it is tokenised with the
//! index's own `folded` analyzer and turned into term queries, so there is no query
//! syntax to inject and nothing to fail on.
//!
//! - **Free text** (`query`, at most [`MAX_QUERY_CHARS`] characters): every token must
//!   match the `text` field (full name, job title, skills, company name); a hit in
//!   `title` or `skills` ranks higher; hits are ranked by BM25. Tokens of at least
//!   [`FUZZY_MIN_CHARS`] characters (not all digits) also match any index term within
//!   edit distance 1 (a transposition counts as one edit), scored a small constant, so
//!   an exact match always outranks a typo. At most [`MAX_FUZZY_TERMS`] tokens per
//!   request are expanded that way (the first ones in query order); the others match
//!   exactly. A query without tokens (absent, empty or only punctuation) matches every
//!   profile the filters let through.
//! - **Filters** are AND between fields and OR within a field's list; they never change
//!   the ranking. `country`, `city`, `industry` and `size` compare whole values, ignoring
//!   case, diacritics and punctuation; `company` is a name, a domain or a URL; `title` is
//!   free text whose tokens must all be in the job title; each `skills` entry must match.
//! - **Order** is score descending, then profile id ascending; without free text every
//!   score is equal, so results come in id order. The cursor is the last hit's (score,
//!   id) plus a fingerprint of the query and filters, and the next page holds the hits
//!   strictly after it in that order — no duplicates and no gaps while the index is
//!   unchanged, however many scores are equal.
//! - **Facets** and **statistics** are tantivy terms aggregations over the fast fields.

use super::view;
use super::Engine;
use crate::error::{Error, Result};
use crate::index::schema::{Fields, FOLDED_TOKENIZER};
use crate::matching::normalize::fold;
use crate::matching::terms::CompanyQuery;
use crate::model::{CompanyId, CompanyRecord, Profile, ProfileId};
use serde::{Deserialize, Serialize, Serializer};
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use tantivy::aggregation::agg_req::{Aggregation, AggregationVariants, Aggregations};
use tantivy::aggregation::agg_result::{AggregationResult, AggregationResults, BucketResult};
use tantivy::aggregation::bucket::TermsAggregation;
use tantivy::aggregation::{AggregationCollector, AggregationLimitsGuard, Key};
use tantivy::collector::{Collector, Count, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TokenStream;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader, Term};
use utoipa::ToSchema;

/// Hits per page unless the request says otherwise.
pub const DEFAULT_LIMIT: usize = 20;
/// Most hits per page.
pub const MAX_LIMIT: usize = 100;
/// Longest free-text query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most values in one filter's list.
pub const MAX_FILTER_VALUES: usize = 20;
/// Query tokens at least this long (in characters) may match with one typo.
pub const FUZZY_MIN_CHARS: usize = 4;
/// Most query tokens expanded to their edit-distance-1 neighbours per request.
pub const MAX_FUZZY_TERMS: usize = 8;
/// Values returned per facet.
pub const FACET_VALUES: usize = 20;
/// Values returned per statistics aggregate.
pub const STATS_VALUES: usize = 1_000;

/// Ranking weights: a token found in the title or the skills counts extra; a typo match
/// scores a constant below any exact match.
const TITLE_BOOST: Score = 1.5;
const SKILLS_BOOST: Score = 1.5;
const FUZZY_SCORE: Score = 0.1;
/// Distinct values a facet's aggregation keeps per index segment before merging: counts
/// are exact while a field has at most this many distinct values in a segment.
const FACET_SEGMENT_VALUES: u32 = 2_000;
/// Values fetched per facet before the final (count desc, value asc) cut to
/// [`FACET_VALUES`], so ties at the cut are broken by value, not at random.
const FACET_FETCH: u32 = 100;

// ---- wire shapes ------------------------------------------------------------------------

/// `POST /v1/search`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    /// Free text over name, job title, skills and company name; every word must match.
    /// At most 200 characters; no query syntax.
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub filters: Option<SearchFilters>,
    /// Fields to count values of among all matches: `country`, `city`, `industry`, `size`.
    #[serde(default)]
    pub facets: Vec<String>,
    /// Hits per page: default 20, at most 100.
    #[serde(default)]
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page (same query and filters).
    #[serde(default)]
    pub cursor: Option<String>,
}

/// Filters: AND between fields, OR within a list. Each value is a string or a list of
/// strings (at most 20).
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchFilters {
    /// ISO 3166-1 alpha-2 code, any case.
    #[serde(default)]
    pub country: Option<OneOrMany>,
    /// The whole city name; case, diacritics and punctuation are ignored.
    #[serde(default)]
    pub city: Option<OneOrMany>,
    /// The whole industry; case, diacritics and punctuation are ignored.
    #[serde(default)]
    pub industry: Option<OneOrMany>,
    /// Company name, domain or URL (a name matches companies whose name or alias holds all
    /// of its words, legal forms ignored; a domain or URL matches that domain).
    #[serde(default)]
    pub company: Option<OneOrMany>,
    /// Free text: every word must be in the job title.
    #[serde(default)]
    pub title: Option<String>,
    /// Every listed skill must match (all of its words).
    #[serde(default)]
    pub skills: Option<OneOrMany>,
    /// Company size band, e.g. `"51-200"`.
    #[serde(default)]
    pub size: Option<OneOrMany>,
}

/// A string, or a list of strings.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn values(&self) -> &[String] {
        match self {
            OneOrMany::One(value) => std::slice::from_ref(value),
            OneOrMany::Many(values) => values,
        }
    }
}

/// Value → number of profiles, most frequent first (ties by value).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValueCounts(pub Vec<(String, u64)>);

impl Serialize for ValueCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(value, count)| (value, count)))
    }
}

/// One page of search results.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    /// Profiles matching the query and filters (all pages).
    pub total: u64,
    /// Best first: score descending, then id ascending.
    pub hits: Vec<Profile>,
    /// Per requested facet: value → count among all matches, top 20.
    #[schema(value_type = HashMap<String, HashMap<String, u64>>)]
    pub facets: BTreeMap<String, ValueCounts>,
    /// Present only when more hits follow; pass it back as `cursor`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `GET /v1/stats`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Stats {
    pub profiles: u64,
    pub companies: u64,
    /// Profiles per country code, most first.
    #[schema(value_type = HashMap<String, u64>)]
    pub by_country: ValueCounts,
    /// Profiles per company industry, most first.
    #[schema(value_type = HashMap<String, u64>)]
    pub by_industry: ValueCounts,
    /// Profiles per company size band, most first.
    #[schema(value_type = HashMap<String, u64>)]
    pub by_size: ValueCounts,
    /// Days since profiles were last seen, against the retention window.
    pub freshness: super::Freshness,
}

// ---- the engine API ---------------------------------------------------------------------

impl Engine {
    /// One page of profiles matching a search, with total and facet counts.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse> {
        let mut parsed = parse(request, self.limits().max_field_chars)?;
        let index = self.search_index();
        let fields = index.fields();
        let view = index.view()?;
        let searcher = &view.searcher;
        let query = build_query(searcher, fields, &mut parsed)?;
        let top = TopAfter {
            limit: parsed.limit + 1,
            after: parsed.cursor.map(|c| Hit {
                score: c.score,
                id: c.id,
            }),
            scored: parsed.scored,
        };
        let aggregations = (!parsed.facets.is_empty()).then(|| {
            AggregationCollector::from_aggs(
                terms_aggregations(
                    parsed
                        .facets
                        .iter()
                        .map(|f| (f.name(), f.name(), FACET_FETCH, FACET_SEGMENT_VALUES)),
                ),
                AggregationLimitsGuard::default(),
            )
        });
        let (total, mut hits, aggregated) =
            searcher.search(query.as_ref(), &(Count, top, aggregations))?;
        let next_cursor = if hits.len() > parsed.limit {
            hits.truncate(parsed.limit);
            hits.last().map(|last| {
                Cursor {
                    score: last.score,
                    id: last.id,
                    fingerprint: parsed.fingerprint,
                }
                .encode()
            })
        } else {
            None
        };
        let facets = match aggregated {
            Some(results) => parsed
                .facets
                .iter()
                .map(|f| {
                    (
                        f.name().to_owned(),
                        value_counts(&results, f.name(), FACET_VALUES),
                    )
                })
                .collect(),
            None => BTreeMap::new(),
        };
        Ok(SearchResponse {
            total: total as u64,
            hits: self.load_profiles(&hits)?,
            facets,
            next_cursor,
        })
    }

    /// Profile and company counts, and profiles per country, industry and size band.
    pub fn stats(&self) -> Result<Stats> {
        let counts = self.counts()?;
        let searcher = self.search_index().searcher();
        let aggregations = AggregationCollector::from_aggs(
            terms_aggregations(
                [
                    ("by_country", "country"),
                    ("by_industry", "industry"),
                    ("by_size", "size"),
                ]
                .into_iter()
                .map(|(name, field)| (name, field, STATS_VALUES as u32, STATS_VALUES as u32)),
            ),
            AggregationLimitsGuard::default(),
        );
        let results = searcher.search(&AllQuery, &aggregations)?;
        Ok(Stats {
            profiles: counts.profiles.max(0) as u64,
            companies: counts.companies.max(0) as u64,
            by_country: value_counts(&results, "by_country", STATS_VALUES),
            by_industry: value_counts(&results, "by_industry", STATS_VALUES),
            by_size: value_counts(&results, "by_size", STATS_VALUES),
            freshness: self.freshness()?,
        })
    }

    /// Full profiles of the hits, in hit order, reading each company once. A hit whose
    /// record is gone (deleted after the searcher was opened) is left out.
    fn load_profiles(&self, hits: &[Hit]) -> Result<Vec<Profile>> {
        let store = self.store();
        let mut companies: HashMap<CompanyId, Option<CompanyRecord>> = HashMap::new();
        let mut profiles = Vec::with_capacity(hits.len());
        for hit in hits {
            let id = ProfileId(hit.id);
            let Some(record) = store.profile(id)? else {
                continue;
            };
            let company = match record.company {
                Some(cid) => match companies.get(&cid) {
                    Some(company) => company.clone(),
                    None => {
                        let company = store.company(cid)?;
                        companies.insert(cid, company.clone());
                        company
                    }
                },
                None => None,
            };
            profiles.push(view::profile(id, &record, company.as_ref()));
        }
        Ok(profiles)
    }
}

// ---- validation -------------------------------------------------------------------------

/// Fields that can be faceted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Facet {
    Country,
    City,
    Industry,
    Size,
}

impl Facet {
    const ALL: [Facet; 4] = [Facet::Country, Facet::City, Facet::Industry, Facet::Size];

    fn name(self) -> &'static str {
        match self {
            Facet::Country => "country",
            Facet::City => "city",
            Facet::Industry => "industry",
            Facet::Size => "size",
        }
    }
}

/// A validated search.
struct Parsed<'a> {
    text: Option<&'a str>,
    filters: SearchFilters,
    facets: Vec<Facet>,
    limit: usize,
    cursor: Option<Cursor>,
    /// Whether results are ranked by score (free text given); else all scores are equal.
    scored: bool,
    fingerprint: u32,
}

fn parse(request: &SearchRequest, max_field_chars: usize) -> Result<Parsed<'_>> {
    let text = request.query.as_deref();
    if text.is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS) {
        return Err(Error::invalid(format!(
            "query is longer than {MAX_QUERY_CHARS} characters"
        )));
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
        scored: false,
        fingerprint,
    })
}

/// Ties a cursor to the query and filters it was issued for.
fn fingerprint(text: Option<&str>, filters: &SearchFilters) -> u32 {
    let canonical = serde_json::to_vec(&(text, filters)).unwrap_or_default();
    xxhash_rust::xxh3::xxh3_64(&canonical) as u32
}

// ---- the query --------------------------------------------------------------------------

/// Free text AND every filter. Filters are wrapped to score zero: they select, the free
/// text ranks. Sets `parsed.scored` when there is free text.
fn build_query(
    searcher: &Searcher,
    fields: &Fields,
    parsed: &mut Parsed<'_>,
) -> Result<Box<dyn Query>> {
    let mut analyzer = searcher
        .index()
        .tokenizers()
        .get(FOLDED_TOKENIZER)
        .ok_or_else(|| Error::Internal("the folded tokenizer is not registered".into()))?;
    let mut analyze = |text: &str| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            let token = &stream.token().text;
            if !out.contains(token) {
                out.push(token.clone());
            }
        }
        out
    };

    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let tokens = parsed.text.map(&mut analyze).unwrap_or_default();
    parsed.scored = !tokens.is_empty();
    let mut fuzzy_left = MAX_FUZZY_TERMS;
    for token in &tokens {
        let fuzzy = fuzzy_left > 0
            && token.chars().count() >= FUZZY_MIN_CHARS
            && !token.chars().all(|c| c.is_ascii_digit());
        if fuzzy {
            fuzzy_left -= 1;
        }
        clauses.push((Occur::Must, text_token_query(fields, token, fuzzy)));
    }

    let f = &parsed.filters;
    let mut filters: Vec<Box<dyn Query>> = Vec::new();
    if let Some(countries) = &f.country {
        let mut terms = Vec::new();
        for value in countries.values() {
            let code = value.trim();
            if code.len() != 2 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
                return Err(Error::invalid(
                    "filters.country must be ISO 3166-1 alpha-2 codes",
                ));
            }
            terms.push(Term::from_field_text(
                fields.country,
                &code.to_ascii_uppercase(),
            ));
        }
        filters.push(any_term(terms));
    }
    for (name, field, list) in [
        ("city", fields.city, &f.city),
        ("industry", fields.industry, &f.industry),
        ("size", fields.size, &f.size),
    ] {
        if let Some(list) = list {
            filters.push(keyword_filter(searcher, name, field, list.values())?);
        }
    }
    if let Some(companies) = &f.company {
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for value in companies.values() {
            let company = CompanyQuery::parse(value).ok_or_else(|| {
                Error::invalid("filters.company holds a value with nothing to search by")
            })?;
            let query: Box<dyn Query> = match &company {
                // The domain is one term of the company field: exact.
                CompanyQuery::Domain { domain, .. } => term_query(fields.company, domain),
                // Every key token of the name (legal forms dropped).
                CompanyQuery::Name { .. } => all_terms(fields.company, &company.terms()),
            };
            alternatives.push((Occur::Should, query));
        }
        filters.push(Box::new(BooleanQuery::new(alternatives)));
    }
    if let Some(title) = &f.title {
        let tokens = analyze(title);
        if tokens.is_empty() {
            return Err(Error::invalid("filters.title holds no word"));
        }
        filters.push(all_terms(fields.title, &tokens));
    }
    if let Some(skills) = &f.skills {
        for skill in skills.values() {
            let tokens = analyze(skill);
            if tokens.is_empty() {
                return Err(Error::invalid("filters.skills holds a value with no word"));
            }
            filters.push(all_terms(fields.skills, &tokens));
        }
    }
    // Restricted profiles (privacy/restrict), once they exist, are excluded here with one
    // clause: `clauses.push((Occur::MustNot, term_query(fields.restricted, "true")))`.
    for filter in filters {
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(filter, 0.0)) as Box<dyn Query>,
        ));
    }
    Ok(match clauses.len() {
        0 => Box::new(AllQuery),
        1 if !matches!(clauses[0].0, Occur::MustNot) => clauses.pop().expect("one clause").1,
        _ => {
            if clauses
                .iter()
                .all(|(occur, _)| matches!(occur, Occur::MustNot))
            {
                clauses.push((Occur::Must, Box::new(AllQuery)));
            }
            Box::new(BooleanQuery::new(clauses))
        }
    })
}

/// One free-text token: in the full text (BM25), more in the title or the skills, or
/// within one edit in the full text.
fn text_token_query(fields: &Fields, token: &str, fuzzy: bool) -> Box<dyn Query> {
    let mut should: Vec<(Occur, Box<dyn Query>)> = vec![
        (
            Occur::Should,
            Box::new(TermQuery::new(
                Term::from_field_text(fields.text, token),
                IndexRecordOption::WithFreqs,
            )),
        ),
        (
            Occur::Should,
            Box::new(BoostQuery::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(fields.title, token),
                    IndexRecordOption::WithFreqs,
                )),
                TITLE_BOOST,
            )),
        ),
        (
            Occur::Should,
            Box::new(BoostQuery::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(fields.skills, token),
                    IndexRecordOption::Basic,
                )),
                SKILLS_BOOST,
            )),
        ),
    ];
    if fuzzy {
        should.push((
            Occur::Should,
            Box::new(ConstScoreQuery::new(
                Box::new(FuzzyTermQuery::new(
                    Term::from_field_text(fields.text, token),
                    1,
                    true,
                )),
                FUZZY_SCORE,
            )),
        ));
    }
    Box::new(BooleanQuery::new(should))
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::Basic,
    ))
}

/// Documents holding every one of `terms` in `field`.
fn all_terms(field: Field, terms: &[String]) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        terms
            .iter()
            .map(|t| (Occur::Must, term_query(field, t)))
            .collect(),
    ))
}

/// Documents holding any of `terms`.
fn any_term(terms: Vec<Term>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        terms
            .into_iter()
            .map(|t| {
                (
                    Occur::Should,
                    Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn Query>,
                )
            })
            .collect(),
    ))
}

/// A whole-value filter on a raw string field that ignores case, diacritics and
/// punctuation: the index keeps values as ingested, so the field's term dictionary
/// (small: one term per distinct value) is scanned for every spelling that folds to an
/// asked value. A value nobody has matches nothing.
fn keyword_filter(
    searcher: &Searcher,
    name: &str,
    field: Field,
    values: &[String],
) -> Result<Box<dyn Query>> {
    let mut wanted: Vec<String> = Vec::with_capacity(values.len());
    for value in values {
        let folded = fold(value);
        if folded.is_empty() {
            return Err(Error::invalid(format!(
                "filters.{name} holds a value with nothing to search by"
            )));
        }
        wanted.push(folded);
    }
    let mut terms: Vec<Vec<u8>> = Vec::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            let key = stream.key();
            if terms.iter().any(|t| t == key) {
                continue;
            }
            let Ok(value) = std::str::from_utf8(key) else {
                continue;
            };
            if wanted.contains(&fold(value)) {
                terms.push(key.to_vec());
            }
        }
    }
    Ok(any_term(
        terms
            .into_iter()
            .map(|bytes| Term::from_field_bytes(field, &bytes))
            .collect(),
    ))
}

// ---- ranking, cursor --------------------------------------------------------------------

/// A hit in result order: `a > b` when `a` comes first (higher score, then lower id).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Hit {
    score: Score,
    id: u64,
}

impl Eq for Hit {}

impl Ord for Hit {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.id.cmp(&self.id))
    }
}

impl PartialOrd for Hit {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Where the previous page ended, and which query it belongs to.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Cursor {
    score: Score,
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
        let score = Score::from_bits(u32::from_str_radix(&text[..8], 16).ok()?);
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

/// The best `limit` hits strictly after `after`, in result order. Unlike `TopDocs` with
/// an offset, the threshold keeps pages apart even when many scores are equal.
struct TopAfter {
    limit: usize,
    after: Option<Hit>,
    scored: bool,
}

struct TopAfterSegment {
    ids: Column<u64>,
    limit: usize,
    after: Option<Hit>,
    scored: bool,
    /// The best hits so far, worst on top.
    heap: BinaryHeap<Reverse<Hit>>,
}

impl Collector for TopAfter {
    type Fruit = Vec<Hit>;
    type Child = TopAfterSegment;

    fn for_segment(
        &self,
        _segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<TopAfterSegment> {
        Ok(TopAfterSegment {
            ids: segment.fast_fields().u64("id")?,
            limit: self.limit,
            after: self.after,
            scored: self.scored,
            heap: BinaryHeap::with_capacity(self.limit + 1),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scored
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Hit>>) -> tantivy::Result<Vec<Hit>> {
        let mut hits: Vec<Hit> = fruits.into_iter().flatten().collect();
        hits.sort_unstable_by(|a, b| b.cmp(a));
        hits.truncate(self.limit);
        Ok(hits)
    }
}

impl SegmentCollector for TopAfterSegment {
    type Fruit = Vec<Hit>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(id) = self.ids.first(doc) else {
            return;
        };
        let hit = Hit {
            score: if self.scored { score } else { 0.0 },
            id,
        };
        if self.after.is_some_and(|after| hit >= after) {
            return;
        }
        if self.heap.len() < self.limit {
            self.heap.push(Reverse(hit));
        } else if self.heap.peek().is_some_and(|worst| hit > worst.0) {
            self.heap.pop();
            self.heap.push(Reverse(hit));
        }
    }

    fn harvest(self) -> Vec<Hit> {
        self.heap.into_iter().map(|Reverse(hit)| hit).collect()
    }
}

// ---- aggregations -----------------------------------------------------------------------

/// Terms aggregations `(name, field, size, segment_size)`, ordered by count.
fn terms_aggregations<'a>(
    specs: impl Iterator<Item = (&'a str, &'a str, u32, u32)>,
) -> Aggregations {
    specs
        .map(|(name, field, size, segment_size)| {
            (
                name.to_owned(),
                Aggregation {
                    agg: AggregationVariants::Terms(TermsAggregation {
                        field: field.to_owned(),
                        size: Some(size),
                        segment_size: Some(segment_size.max(size)),
                        ..TermsAggregation::default()
                    }),
                    sub_aggregation: Aggregations::default(),
                },
            )
        })
        .collect()
}

/// The buckets of one terms aggregation, count descending then value ascending, at most
/// `keep`.
fn value_counts(results: &AggregationResults, name: &str, keep: usize) -> ValueCounts {
    let mut counts: Vec<(String, u64)> = match results.0.get(name) {
        Some(AggregationResult::BucketResult(BucketResult::Terms { buckets, .. })) => buckets
            .iter()
            .map(|bucket| {
                let key = match &bucket.key {
                    Key::Str(s) => s.clone(),
                    Key::I64(n) => n.to_string(),
                    Key::U64(n) => n.to_string(),
                    Key::F64(n) => n.to_string(),
                };
                (key, bucket.doc_count)
            })
            .collect(),
        _ => Vec::new(),
    };
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.truncate(keep);
    ValueCounts(counts)
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
    fn hits_order_by_score_then_id() {
        let a = Hit { score: 2.0, id: 9 };
        let b = Hit { score: 1.0, id: 1 };
        let c = Hit { score: 1.0, id: 2 };
        let mut hits = vec![c, a, b];
        hits.sort_by(|x, y| y.cmp(x));
        assert_eq!(hits, vec![a, b, c]);
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
