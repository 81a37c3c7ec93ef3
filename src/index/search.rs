//! Search and statistics over the index: free text, filters, facets, and a page of hits
//! strictly after a given one.
//!
//! The client's text never reaches tantivy's query parser: it is tokenised with the
//! index's own `folded` analyzer and turned into term queries, so there is no query
//! syntax to inject and nothing to fail on.
//!
//! - **Free text**: every token must match the `text` field (full name, job title,
//!   skills, company name); a hit in `title` or `skills` ranks higher; hits are ranked by
//!   BM25. Tokens of at least [`FUZZY_MIN_CHARS`] characters (not all digits) also match
//!   any index term within edit distance 1 (a transposition counts as one edit), scored a
//!   small constant, so an exact match always outranks a typo. At most
//!   [`MAX_FUZZY_TERMS`] tokens per request are expanded that way (the first ones in
//!   query order); the others match exactly. A query without tokens (absent, empty or
//!   only punctuation) matches every profile the filters let through.
//! - **Filters** are AND between fields and OR within a field's list; they never change
//!   the ranking. `country`, `city`, `industry` and `size` compare whole values, ignoring
//!   case, diacritics and punctuation; `company` is a name, a domain or a URL; `title` is
//!   free text whose tokens must all be in the job title; each `skills` entry must match.
//! - **Order** is score descending, then profile id ascending ([`Hit`]'s order); a page
//!   holds the hits strictly after the previous page's last one in that order — no
//!   duplicates and no gaps while the index is unchanged, however many scores are equal.
//! - **Facets** and **statistics** are tantivy terms aggregations over the fast fields.

use super::schema::{Fields, FOLDED_TOKENIZER};
use super::SearchIndex;
use crate::error::{Error, Result};
use crate::matching::normalize::fold;
use crate::matching::terms::CompanyQuery;
use crate::model::{ProfileId, SearchFilters};
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
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

/// Query tokens at least this long (in characters) may match with one typo.
const FUZZY_MIN_CHARS: usize = 4;
/// Most query tokens expanded to their edit-distance-1 neighbours per request.
const MAX_FUZZY_TERMS: usize = 8;
/// Ranking weights: a token found in the title or the skills counts extra; a typo match
/// scores a constant below any exact match.
const TITLE_BOOST: Score = 1.5;
const SKILLS_BOOST: Score = 1.5;
const FUZZY_SCORE: Score = 0.1;
/// Distinct values a facet's aggregation keeps per index segment before merging: counts
/// are exact while a field has at most this many distinct values in a segment.
const FACET_SEGMENT_VALUES: u32 = 2_000;
/// Values fetched per facet before the final (count desc, value asc) cut to
/// the values kept, so ties at the cut are broken by value, not at random.
const FACET_FETCH: u32 = 100;

/// Fields that can be faceted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Facet {
    Country,
    City,
    Industry,
    Size,
}

impl Facet {
    pub const ALL: [Facet; 4] = [Facet::Country, Facet::City, Facet::Industry, Facet::Size];

    pub fn name(self) -> &'static str {
        match self {
            Facet::Country => "country",
            Facet::City => "city",
            Facet::Industry => "industry",
            Facet::Size => "size",
        }
    }
}

/// One search: free text and filters, the facets to count, and the page wanted.
pub struct SearchQuery<'a> {
    pub text: Option<&'a str>,
    pub filters: &'a SearchFilters,
    pub facets: &'a [Facet],
    /// Values kept per facet.
    pub facet_values: usize,
    pub limit: usize,
    /// The last hit of the previous page.
    pub after: Option<Hit>,
}

/// What one search found.
pub struct SearchPage {
    /// Documents matching the text and filters (all pages).
    pub total: u64,
    /// At most `limit`, in result order.
    pub hits: Vec<Hit>,
    /// Per asked facet: value → count among all matches, most first, ties by value.
    pub facets: Vec<(Facet, Vec<(String, u64)>)>,
}

impl SearchIndex {
    /// Runs one search on the current searcher.
    pub fn search(&self, query: &SearchQuery<'_>) -> Result<SearchPage> {
        let view = self.view()?;
        let searcher = &view.searcher;
        let (tantivy_query, scored) =
            build_query(searcher, self.fields(), query.text, query.filters)?;
        let top = TopAfter {
            limit: query.limit,
            after: query.after,
            scored,
        };
        let aggregations = (!query.facets.is_empty()).then(|| {
            AggregationCollector::from_aggs(
                terms_aggregations(
                    query
                        .facets
                        .iter()
                        .map(|f| (f.name(), f.name(), FACET_FETCH, FACET_SEGMENT_VALUES)),
                ),
                AggregationLimitsGuard::default(),
            )
        });
        let (total, hits, aggregated) =
            searcher.search(tantivy_query.as_ref(), &(Count, top, aggregations))?;
        let facets = match aggregated {
            Some(results) => query
                .facets
                .iter()
                .map(|f| (*f, value_counts(&results, f.name(), query.facet_values)))
                .collect(),
            None => Vec::new(),
        };
        Ok(SearchPage {
            total: total as u64,
            hits,
            facets,
        })
    }

    /// Value → number of profiles over the whole index, for each of `facets`, at most
    /// `keep` values each, most first.
    pub fn value_counts(&self, facets: &[Facet], keep: usize) -> Result<Vec<Vec<(String, u64)>>> {
        let aggregations = AggregationCollector::from_aggs(
            terms_aggregations(
                facets
                    .iter()
                    .map(|f| (f.name(), f.name(), keep as u32, keep as u32)),
            ),
            AggregationLimitsGuard::default(),
        );
        let results = self.searcher().search(&AllQuery, &aggregations)?;
        Ok(facets
            .iter()
            .map(|f| value_counts(&results, f.name(), keep))
            .collect())
    }
}

// ---- the query --------------------------------------------------------------------------

/// Free text AND every filter. Filters are wrapped to score zero: they select, the free
/// text ranks. Also says whether there is free text to rank by.
fn build_query(
    searcher: &Searcher,
    fields: &Fields,
    text: Option<&str>,
    f: &SearchFilters,
) -> Result<(Box<dyn Query>, bool)> {
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
    let tokens = text.map(&mut analyze).unwrap_or_default();
    let scored = !tokens.is_empty();
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
    let query = match clauses.len() {
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
    };
    Ok((query, scored))
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

// ---- ranking ----------------------------------------------------------------------------

/// A hit in result order: `a > b` when `a` comes first (higher score, then lower id).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    /// BM25 with the boosts below; 0 for every hit when there is no free text.
    pub score: f32,
    pub id: ProfileId,
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
            id: ProfileId(id),
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
fn value_counts(results: &AggregationResults, name: &str, keep: usize) -> Vec<(String, u64)> {
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
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_order_by_score_then_id() {
        let a = Hit {
            score: 2.0,
            id: ProfileId(9),
        };
        let b = Hit {
            score: 1.0,
            id: ProfileId(1),
        };
        let c = Hit {
            score: 1.0,
            id: ProfileId(2),
        };
        let mut hits = vec![c, a, b];
        hits.sort_by(|x, y| y.cmp(x));
        assert_eq!(hits, vec![a, b, c]);
    }
}
