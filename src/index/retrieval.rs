//! Candidate retrieval: which few profiles a lookup scores. Everything here speaks
//! tantivy; callers name a [`Stage`] and a [`MatchQuery`] and get profile ids back.
//!
//! A retrieval stage names what a document must hold (some spelling of the name) and the
//! request's context — first-name terms (nicknames included), company terms, place
//! terms — that decides which of the matching documents are scored first. Context only
//! ranks, it never filters: a person who changed jobs or offices is still found, and
//! the scoring model decides.
//!
//! Ranking is a weighted, idf-scaled count of the context terms a document holds,
//! computed over sorted posting lists. It replaces a BM25 boolean query whose optional clauses made
//! tantivy re-buffer a 4,096-document window for every required document, which cost
//! milliseconds per lookup on a common surname.

use super::schema::Fields;
use super::typos::MIN_TYPO_CHARS;
use super::{SearchIndex, View};
use crate::error::{Error, Result};
use crate::matching::nicknames::variants;
use crate::matching::normalize::tokens;
use crate::matching::score::MatchQuery;
use crate::matching::terms::{compact_postcode, name_keys, name_terms, phonetic_codes};
use crate::model::ProfileId;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, InvertedIndexReader, SegmentReader, Term, TERMINATED};

/// The retrieval stages of a lookup, cheapest first. A lookup runs the next one only
/// while the candidates so far leave the answer unsettled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Profiles whose whole name equals the asked one (up to case, diacritics,
    /// particles and order): one short posting list per spelling.
    ExactName,
    /// Profiles holding one of the surname's tokens, ranked by first name (nicknames
    /// included), company and place.
    Surname,
    /// Like `Surname`, with surname tokens of four or more letters within one edit.
    FuzzySurname,
    /// Profiles whose surname sounds like the asked one (a Double Metaphone code of one
    /// of its tokens), for misspellings of more than one edit ("Shmitt" / "Schmidt").
    Phonetic,
    /// Blocking by place and employer: profiles at the asked company (any of its terms)
    /// or postcode, ranked by how much of the name they share, in spelling or sound. It
    /// finds a person whose name is too damaged for the name stages.
    Place,
}

impl Stage {
    /// The stages after the exact name, in the order a lookup runs them.
    pub const BROADER: [Stage; 4] = [
        Stage::Surname,
        Stage::FuzzySurname,
        Stage::Phonetic,
        Stage::Place,
    ];

    /// Whether what this stage adds to the earlier stages' candidates can only be people
    /// whose surname is not the asked one: a misspelling, a sound-alike, or any name at
    /// the asked place. (The name-token stage has read every holder of the asked surname
    /// already, and scored the ones its context ranks first.)
    pub fn seeks_damaged_surnames(self) -> bool {
        matches!(self, Stage::FuzzySurname | Stage::Phonetic | Stage::Place)
    }
}

/// Documents the place stage reads at most: a company term or postcode shared by more
/// people than this is too broad a block to rank cheaply.
const MAX_PLACE_DOCS: usize = 20_000;

impl SearchIndex {
    /// Up to `limit` profiles that `stage` finds for `query`, best first (an empty list
    /// when the query has nothing the stage searches by).
    pub fn retrieve(
        &self,
        view: &View,
        stage: Stage,
        query: &MatchQuery,
        limit: usize,
    ) -> Result<Vec<ProfileId>> {
        let fields = self.fields();
        let retrieval = match stage {
            Stage::ExactName => exact_name(fields, query),
            Stage::Surname => surname(fields, query),
            Stage::FuzzySurname => fuzzy_surname(fields, query),
            Stage::Phonetic => phonetic(fields, query),
            Stage::Place => place(fields, query),
        };
        match retrieval {
            Some(retrieval) => self.candidates(view, &retrieval, limit),
            None => Ok(Vec::new()),
        }
    }

    /// How telling a match on the surname `last` is: ln((N + k) / (df + 1)) of its
    /// rarest token in the name terms, with k pseudo-documents so a small index does not
    /// make every name look common.
    pub fn surname_rarity(&self, view: &View, last: &str) -> f64 {
        let field = self.fields().name;
        let docs = view.searcher.num_docs() as f64 + RARITY_SMOOTHING_DOCS;
        tokens(last)
            .iter()
            .filter_map(|t| {
                view.searcher
                    .doc_freq(&Term::from_field_text(field, t))
                    .ok()
            })
            .map(|df| (docs / (df as f64 + 1.0)).ln())
            .fold(0.0, f64::max)
    }

    /// Up to `limit` profile ids that hold what `retrieval` requires, those agreeing with
    /// more of its context first (ties in index order, so answers are deterministic).
    fn candidates(
        &self,
        view: &View,
        retrieval: &Retrieval,
        limit: usize,
    ) -> Result<Vec<ProfileId>> {
        let segments = view.searcher.segment_readers();
        // The required documents of each segment (ascending), up to a bound.
        let mut required: Vec<Vec<DocId>> = Vec::with_capacity(segments.len());
        let mut total = 0;
        let bound = match &retrieval.required {
            Required::AnyOf { max_docs, .. } => *max_docs,
            _ => MAX_REQUIRED_DOCS,
        };
        for (segment, state) in segments.iter().zip(view.segments.iter()) {
            // Each term's documents, ascending: one run per term.
            let mut runs = Vec::new();
            let left = bound.saturating_sub(total);
            match &retrieval.required {
                Required::AnyTerm { field, terms } => {
                    let inverted = segment.inverted_index(*field)?;
                    read_postings(&inverted, *field, terms, left, &mut runs)?;
                }
                Required::WithTypos { terms } => {
                    let field = self.fields().name;
                    let inverted = segment.inverted_index(field)?;
                    let dictionary = state.name_typos();
                    let mut spellings = Vec::new();
                    for term in terms {
                        if term.chars().count() >= MIN_TYPO_CHARS {
                            spellings.extend(dictionary.near(term, inverted.terms())?);
                        } else {
                            spellings.push(term.clone());
                        }
                    }
                    // Two asked tokens may share a spelling; its postings are read once.
                    spellings.sort_unstable();
                    spellings.dedup();
                    read_postings(&inverted, field, &spellings, left, &mut runs)?;
                }
                Required::AnyOf { clauses, .. } => {
                    for (field, terms) in clauses {
                        let inverted = segment.inverted_index(*field)?;
                        read_postings(&inverted, *field, terms, left, &mut runs)?;
                    }
                }
            }
            let mut found = merge_runs(runs);
            if let Some(alive) = segment.alive_bitset() {
                found.retain(|doc| alive.is_alive(*doc));
            }
            total += found.len();
            required.push(found);
        }
        // (context score, segment, doc); context is only built and read when it must choose.
        let context = (total > limit).then(|| (retrieval.context)());
        // Only the best `limit` are kept: a common surname has up to 200,000 required
        // documents, and collecting them all (2.4 MB, fresh pages for the kernel to zero
        // on every such lookup) to select a few cost more than the selection.
        let mut best = BestDocs::new(limit);
        for (ord, (segment, docs)) in segments.iter().zip(required).enumerate() {
            let Some(context) = &context else {
                // All of them fit: nothing to choose, so nothing to score.
                for doc in docs {
                    best.offer(Ranked(0.0, ord as u32, doc));
                }
                continue;
            };
            let mut scores = vec![0f32; docs.len()];
            for group in context {
                let agreement = agreement(segment, group, &docs)?;
                for (score, agreement) in scores.iter_mut().zip(agreement) {
                    *score += group.weight * agreement;
                }
            }
            for (score, doc) in scores.into_iter().zip(docs) {
                best.offer(Ranked(score, ord as u32, doc));
            }
        }
        best.into_sorted()
            .into_iter()
            .map(|Ranked(_, ord, doc)| {
                view.segments
                    .get(ord as usize)
                    .and_then(|state| state.ids.first(doc))
                    .map(ProfileId)
                    .ok_or_else(|| Error::Corrupt("index document without id".into()))
            })
            .collect()
    }
}

/// A retrieved document: (context score, segment, doc). Ordered best first: higher score,
/// then earlier segment and document, so that answers are deterministic.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Ranked(f32, u32, DocId);

impl Eq for Ranked {}

impl Ord for Ranked {
    /// `Less` is better.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other
            .0
            .total_cmp(&self.0)
            .then(self.1.cmp(&other.1))
            .then(self.2.cmp(&other.2))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The best `limit` documents offered, in a heap whose top is the worst one kept.
struct BestDocs {
    limit: usize,
    heap: std::collections::BinaryHeap<Ranked>,
}

impl BestDocs {
    fn new(limit: usize) -> Self {
        Self {
            limit,
            heap: std::collections::BinaryHeap::with_capacity(limit + 1),
        }
    }

    fn offer(&mut self, doc: Ranked) {
        if self.heap.len() < self.limit {
            self.heap.push(doc);
        } else if self.heap.peek().is_some_and(|worst| doc < *worst) {
            self.heap.pop();
            self.heap.push(doc);
        }
    }

    fn into_sorted(self) -> Vec<Ranked> {
        self.heap.into_sorted_vec()
    }
}

/// Pseudo-documents added to the index size when estimating how common a surname is,
/// so a small index does not make every name look common.
const RARITY_SMOOTHING_DOCS: f64 = 10_000.0;

/// Most candidates a lookup scores per stage.
pub const MAX_CANDIDATES: usize = 20;

/// One stage of retrieval: what must match, and what ranks the matches.
struct Retrieval<'q> {
    required: Required,
    /// Built only when more documents qualify than are scored: an exact name seldom has
    /// more, and building the context (nicknames, company and place terms) had been a
    /// tenth of such a lookup.
    context: Box<dyn Fn() -> Vec<ContextGroup> + 'q>,
}

/// What a document must hold.
enum Required {
    /// Any of these exact terms: their posting lists are read and merged directly (a
    /// tantivy union would allocate and clear a 4,096-document window per segment).
    AnyTerm { field: Field, terms: Vec<String> },
    /// Name terms within one edit (a typo, transpositions included) of any of these of
    /// four or more letters, and the shorter ones exactly; found through each segment's
    /// [`super::typos::TypoDictionary`], their postings merged as for `AnyTerm`.
    WithTypos { terms: Vec<String> },
    /// Any of the terms of any of these fields (blocking keys of several kinds), at most
    /// `max_docs` documents in all.
    AnyOf {
        clauses: Vec<(Field, Vec<String>)>,
        max_docs: usize,
    },
}

/// Terms of one kind of context. A document gains `weight` times the rarity (idf) of
/// each term it holds, or of the rarest one when the terms are `alternatives` (spellings
/// and nicknames of one first name must not add up).
struct ContextGroup {
    field: Field,
    terms: Vec<String>,
    weight: f32,
    alternatives: bool,
}

/// Profiles whose whole name equals the asked one (up to case, diacritics, particles and
/// order): one short posting list per spelling of `name_key`.
fn exact_name<'q>(fields: &'q Fields, query: &'q MatchQuery) -> Option<Retrieval<'q>> {
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
fn surname<'q>(fields: &'q Fields, query: &'q MatchQuery) -> Option<Retrieval<'q>> {
    name_token_stage(fields, query, |terms| Required::AnyTerm {
        field: fields.name,
        terms,
    })
}

/// Like [`surname`], with surname tokens of four or more letters matched within one edit
/// (a typo, transpositions included); the costliest retrieval, run last. Two edits for
/// long names doubled the cost of the whole lookup mix at a million profiles and found no
/// more of the evaluation's typos, which are single edits like most real ones.
fn fuzzy_surname<'q>(fields: &'q Fields, query: &'q MatchQuery) -> Option<Retrieval<'q>> {
    name_token_stage(fields, query, |terms| Required::WithTypos { terms })
}

/// Surnames that sound alike: a document must hold a Double Metaphone code of one of
/// the surname's tokens (the first name's without a surname), ranked as [`surname`] is,
/// and by the sound of the first name.
fn phonetic<'q>(fields: &'q Fields, query: &'q MatchQuery) -> Option<Retrieval<'q>> {
    let surname_codes = phonetic_codes(&query.last);
    let codes = if surname_codes.is_empty() {
        phonetic_codes(&query.first)
    } else {
        surname_codes
    };
    (!codes.is_empty()).then(|| Retrieval {
        required: Required::AnyTerm {
            field: fields.phonetic,
            terms: codes,
        },
        context: Box::new(move || {
            let mut groups = context(fields, query, &name_parts(query).1);
            let first_codes = phonetic_codes(&query.first);
            if !first_codes.is_empty() {
                groups.push(ContextGroup {
                    field: fields.phonetic,
                    terms: first_codes,
                    weight: 1.0,
                    alternatives: true,
                });
            }
            groups
        }),
    })
}

/// Blocking by company and postcode; ranked by the name's tokens and sounds, then by
/// city. Needs a name to rank by and a company or postcode to block on.
fn place<'q>(fields: &'q Fields, query: &'q MatchQuery) -> Option<Retrieval<'q>> {
    let mut clauses = Vec::new();
    if let Some(company) = &query.company {
        let terms = company.terms();
        if !terms.is_empty() {
            clauses.push((fields.company, terms));
        }
    }
    if let Some(postcode) = &query.postcode {
        let postcode = compact_postcode(postcode);
        if !postcode.is_empty() {
            clauses.push((fields.location, vec![postcode]));
        }
    }
    if clauses.is_empty() || !query.has_name() {
        return None;
    }
    Some(Retrieval {
        required: Required::AnyOf {
            clauses,
            max_docs: MAX_PLACE_DOCS,
        },
        context: Box::new(move || {
            let mut groups = Vec::new();
            let (surname, first) = name_parts(query);
            if !surname.is_empty() {
                groups.push(ContextGroup {
                    field: fields.name,
                    terms: surname,
                    weight: 2.0,
                    alternatives: true,
                });
            }
            if !first.is_empty() {
                groups.push(ContextGroup {
                    field: fields.name,
                    terms: first,
                    weight: 1.0,
                    alternatives: true,
                });
            }
            for (part, weight) in [(&query.last, 1.5), (&query.first, 0.75)] {
                let codes = phonetic_codes(part);
                if !codes.is_empty() {
                    groups.push(ContextGroup {
                        field: fields.phonetic,
                        terms: codes,
                        weight,
                        alternatives: true,
                    });
                }
            }
            if let Some(city) = &query.city {
                let terms = tokens(city);
                if !terms.is_empty() {
                    groups.push(ContextGroup {
                        field: fields.location,
                        terms,
                        weight: 0.5,
                        alternatives: false,
                    });
                }
            }
            groups
        }),
    })
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

/// Appends the documents of each of `terms` (up to `limit` per term) to `runs`, one
/// ascending run per term.
fn read_postings(
    inverted: &InvertedIndexReader,
    field: Field,
    terms: &[String],
    limit: usize,
    runs: &mut Vec<Vec<DocId>>,
) -> Result<()> {
    for text in terms {
        let term = Term::from_field_text(field, text);
        if let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)? {
            // Sized once: grown by doubling, a common surname's run (up to 800 KB) was
            // copied and took fresh pages several times over.
            let mut run = Vec::with_capacity((postings.doc_freq() as usize).min(limit));
            collect_docs(&mut postings, limit, &mut run);
            runs.push(run);
        }
    }
    Ok(())
}

/// The documents of all `runs` (each ascending), ascending and without repeats. Merged
/// pairwise, O(n log runs), instead of sorting their concatenation (O(n log n)): two
/// surname tokens of 20,000 documents each took 660 µs to sort (a microbenchmark, copy
/// included).
fn merge_runs(mut runs: Vec<Vec<DocId>>) -> Vec<DocId> {
    while runs.len() > 1 {
        let mut merged = Vec::with_capacity(runs.len().div_ceil(2));
        let mut pairs = runs.into_iter();
        while let Some(first) = pairs.next() {
            merged.push(match pairs.next() {
                Some(second) => merge_two(&first, &second),
                None => first,
            });
        }
        runs = merged;
    }
    // What is left is one term's postings (ascending, no repeats) or a merge of them.
    runs.pop().unwrap_or_default()
}

/// Two ascending lists merged into one, a document in both kept once.
fn merge_two(a: &[DocId], b: &[DocId]) -> Vec<DocId> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        out.push(x.min(y));
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Appends up to `limit` documents of `docs` to `out`.
fn collect_docs(docs: &mut dyn DocSet, limit: usize, out: &mut Vec<DocId>) {
    let mut doc = docs.doc();
    let end = out.len() + limit;
    while doc != TERMINATED && out.len() < end {
        out.push(doc);
        doc = docs.advance();
    }
}

/// Documents of a required clause a lookup ranks at most; bounds the cost of a name
/// shared by a large share of the index.
const MAX_REQUIRED_DOCS: usize = 200_000;

/// How much each of the (ascending) `docs` agrees with a context group: the idf of each
/// group term it holds, summed (or the best, for alternatives). Per term, one forward
/// pass over the shorter side: skip-list seeks into the term's postings for each required
/// document, or a search among the required documents for each of the term's.
fn agreement(segment: &SegmentReader, group: &ContextGroup, docs: &[DocId]) -> Result<Vec<f32>> {
    let inverted = segment.inverted_index(group.field)?;
    let max_doc = segment.max_doc().max(1) as f32;
    let mut agreement = vec![0f32; docs.len()];
    for text in &group.terms {
        let term = Term::from_field_text(group.field, text);
        let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)? else {
            continue;
        };
        let idf = (1.0 + max_doc / postings.doc_freq().max(1) as f32).ln();
        let agree = |slot: &mut f32| {
            *slot = if group.alternatives {
                slot.max(idf)
            } else {
                *slot + idf
            };
        };
        if (postings.doc_freq() as usize) < docs.len() {
            // The term is rarer than the required documents (a company name against a
            // common surname): walk its postings and find each among what is left of them.
            let mut from = 0;
            let mut doc = postings.doc();
            while doc != TERMINATED && from < docs.len() {
                match gallop(&docs[from..], doc) {
                    Ok(i) => {
                        agree(&mut agreement[from + i]);
                        from += i + 1;
                    }
                    Err(i) => from += i,
                }
                doc = postings.advance();
            }
        } else {
            for (doc, slot) in docs.iter().zip(agreement.iter_mut()) {
                let mut current = postings.doc();
                if current < *doc {
                    current = postings.seek(*doc);
                }
                if current == TERMINATED {
                    break;
                }
                if current == *doc {
                    agree(slot);
                }
            }
        }
    }
    Ok(agreement)
}

/// `binary_search` for a target that is usually near the front: both sides of a merge
/// ascend, so a posting is mostly a few required documents ahead of the last one found.
/// Doubling steps find its window in O(log distance) instead of O(log length).
fn gallop(sorted: &[DocId], target: DocId) -> std::result::Result<usize, usize> {
    let mut bound = 1;
    while bound < sorted.len() && sorted[bound - 1] < target {
        bound *= 2;
    }
    let start = bound / 2;
    let window = &sorted[start..bound.min(sorted.len())];
    window
        .binary_search(&target)
        .map(|i| start + i)
        .map_err(|i| start + i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::typos::TypoDictionary;
    use crate::model::CompanyId;
    use crate::store::record::{CompanyRecord, ProfileRecord};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn best_docs_keeps_what_sorting_all_and_truncating_keeps(
            docs in proptest::collection::vec((0u8..6, 0u32..3, 0u32..50), 0..80),
            limit in 0usize..25,
        ) {
            // Each (segment, doc) once, as retrieval offers them, in no particular order.
            let mut seen = std::collections::HashSet::new();
            let mut all: Vec<Ranked> = docs
                .iter()
                .filter(|(_, ord, doc)| seen.insert((*ord, *doc)))
                .map(|(score, ord, doc)| Ranked(f32::from(*score) / 2.0, *ord, *doc))
                .collect();
            let mut best = BestDocs::new(limit);
            for doc in &all {
                best.offer(*doc);
            }
            all.sort_unstable();
            all.truncate(limit);
            prop_assert_eq!(best.into_sorted(), all);
        }

        #[test]
        fn merging_runs_keeps_what_sorting_their_concatenation_keeps(
            runs in proptest::collection::vec(
                proptest::collection::btree_set(0u32..400, 0..60), 0..12),
        ) {
            let runs: Vec<Vec<DocId>> = runs.into_iter().map(|r| r.into_iter().collect()).collect();
            let mut expected: Vec<DocId> = runs.concat();
            expected.sort_unstable();
            expected.dedup();
            prop_assert_eq!(merge_runs(runs), expected);
        }

        #[test]
        fn gallop_finds_what_binary_search_finds(
            mut sorted in proptest::collection::vec(0u32..500, 0..300),
            target in 0u32..520,
        ) {
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(gallop(&sorted, target), sorted.binary_search(&target));
        }
    }

    /// 100 Smiths; every tenth (i % 10 == 3) works at Acme, the others at Globex.
    fn smiths() -> (tempfile::TempDir, SearchIndex) {
        let dir = tempfile::tempdir().expect("temp dir");
        let (index, _) = SearchIndex::open(dir.path()).expect("index");
        let mut writer = index.writer(1, 15_000_000).expect("writer");
        for i in 0..100u64 {
            let acme = i % 10 == 3;
            let record = ProfileRecord {
                first_name: format!("p{i}"),
                last_name: "Smith".into(),
                company: Some(CompanyId(u64::from(acme))),
                ..ProfileRecord::default()
            };
            let company = CompanyRecord {
                name: if acme { "Acme" } else { "Globex" }.into(),
                ..CompanyRecord::default()
            };
            writer
                .add_document(index.document(ProfileId(i), &record, Some(&company)))
                .expect("add");
        }
        writer.commit().expect("commit");
        index.reload().expect("reload");
        (dir, index)
    }

    fn retrieval(index: &SearchIndex, names: &[&str], company: &str) -> Retrieval<'static> {
        let fields = index.fields();
        let (field, company) = (fields.company, company.to_owned());
        Retrieval {
            required: Required::AnyTerm {
                field: fields.name,
                terms: names.iter().map(|n| n.to_string()).collect(),
            },
            context: Box::new(move || {
                vec![ContextGroup {
                    field,
                    terms: vec![company.clone()],
                    weight: 2.0,
                    alternatives: false,
                }]
            }),
        }
    }

    #[test]
    fn a_rare_context_term_ranks_its_documents_first() {
        // "acme" (10 documents) is rarer than the 100 required Smiths: the term's postings
        // are walked and found among the required documents.
        let (_dir, index) = smiths();
        let view = index.view().expect("view");
        let ids = index
            .candidates(&view, &retrieval(&index, &["smith"], "acme"), 5)
            .expect("candidates");
        assert_eq!(ids.len(), 5);
        assert!(ids.iter().all(|id| id.0 % 10 == 3), "{ids:?}");
    }

    #[test]
    fn a_common_context_term_is_sought_per_required_document() {
        // "acme" (10 documents) is commoner than the 4 required first names: the term's
        // postings are sought for each required document instead.
        let (_dir, index) = smiths();
        let view = index.view().expect("view");
        let ids = index
            .candidates(
                &view,
                &retrieval(&index, &["p1", "p2", "p13", "p4"], "acme"),
                2,
            )
            .expect("candidates");
        assert_eq!(ids, vec![ProfileId(13), ProfileId(1)]);
    }

    fn add_people(index: &SearchIndex, first_id: u64, last_names: &[&str]) {
        let mut writer = index.writer(1, 15_000_000).expect("writer");
        for (i, last) in last_names.iter().enumerate() {
            let record = ProfileRecord {
                first_name: "Kim".into(),
                last_name: (*last).into(),
                ..ProfileRecord::default()
            };
            writer
                .add_document(index.document(ProfileId(first_id + i as u64), &record, None))
                .expect("add");
        }
        writer.commit().expect("commit");
        index.reload().expect("reload");
    }

    fn with_typos(index: &SearchIndex, names: &[&str]) -> Vec<ProfileId> {
        let view = index.view().expect("view");
        let retrieval = Retrieval {
            required: Required::WithTypos {
                terms: names.iter().map(|n| n.to_string()).collect(),
            },
            context: Box::new(Vec::new),
        };
        let mut ids = index.candidates(&view, &retrieval, 20).expect("candidates");
        ids.sort();
        ids
    }

    #[test]
    fn typo_retrieval_finds_the_terms_one_edit_away_in_every_segment() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (index, _) = SearchIndex::open(dir.path()).expect("index");
        add_people(
            &index,
            0,
            &["Smith", "Smyth", "Schmidt", "Lang", "Lan", "Mueller"],
        );
        // a transposition, a substitution, an insertion; never two edits
        assert_eq!(with_typos(&index, &["smiht"]), vec![ProfileId(0)]);
        assert_eq!(
            with_typos(&index, &["smoth"]),
            vec![ProfileId(0), ProfileId(1)]
        );
        assert_eq!(with_typos(&index, &["muelller"]), vec![ProfileId(5)]);
        assert_eq!(with_typos(&index, &["shmitt"]), vec![]);
        // four letters: one edit away includes three; three letters: only exactly
        assert_eq!(
            with_typos(&index, &["lanq"]),
            vec![ProfileId(3), ProfileId(4)]
        );
        assert_eq!(with_typos(&index, &["lam"]), vec![]);
        assert_eq!(with_typos(&index, &["lan"]), vec![ProfileId(4)]);
        // a commit adds a segment: its terms are found too, the old segment's still are
        add_people(&index, 10, &["Smitt"]);
        assert_eq!(
            with_typos(&index, &["smith"]),
            vec![ProfileId(0), ProfileId(1), ProfileId(10)]
        );
    }

    #[test]
    fn the_typo_dictionary_finds_what_a_scan_of_all_terms_finds() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (index, _) = SearchIndex::open(dir.path()).expect("index");
        let names = [
            "Müller", "Muller", "Mulder", "Miller", "Möller", "Molle", "Lange", "Long", "Jansen",
            "Janssen", "Jensen", "Hansen", "Berg", "Burg", "Bergh", "Aa", "Abe",
        ];
        add_people(&index, 0, &names);
        let view = index.view().expect("view");
        let segment = &view.searcher.segment_readers()[0];
        let inverted = segment
            .inverted_index(index.fields().name)
            .expect("inverted");
        let dictionary = TypoDictionary::build(inverted.terms()).expect("dictionary");
        let mut all = Vec::new();
        let mut stream = inverted.terms().stream().expect("stream");
        while stream.advance() {
            all.push(String::from_utf8(stream.key().to_vec()).expect("utf-8"));
        }
        for asked in [
            "muller", "mueller", "moller", "lang", "jansen", "bereg", "berg", "abee",
        ] {
            let mut near = dictionary.near(asked, inverted.terms()).expect("near");
            near.sort();
            let expected: Vec<String> = all
                .iter()
                .filter(|t| crate::matching::terms::within_one_edit(asked, t))
                .cloned()
                .collect();
            assert_eq!(near, expected, "{asked}");
        }
    }

    #[test]
    fn all_required_documents_are_returned_when_they_fit() {
        let (_dir, index) = smiths();
        let view = index.view().expect("view");
        let mut ids = index
            .candidates(&view, &retrieval(&index, &["p7", "p8"], "acme"), 5)
            .expect("candidates");
        ids.sort();
        assert_eq!(ids, vec![ProfileId(7), ProfileId(8)]);
    }
}
