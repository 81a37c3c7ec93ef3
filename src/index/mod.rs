//! The derived full-text view: a tantivy index over profiles, fed only by the indexer
//! from the store's outbox. It holds ids and what queries need; records come from sled.

pub mod indexer;
pub mod schema;
pub mod search;
pub mod typos;

use crate::error::{Error, Result};
use crate::matching::candidates::{ContextGroup, Required, Retrieval};
use crate::matching::table::MatchTable;
use crate::matching::terms::{company_terms, location_terms, name_keys, name_terms};
use crate::model::ProfileId;
use crate::store::record::{CompanyRecord, ProfileRecord};
use schema::{register_tokenizers, Fields, ProfileSchema};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::path::Path;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use tantivy::columnar::Column;
use tantivy::schema::IndexRecordOption;
use tantivy::{
    DocId, DocSet, Index, IndexReader, IndexWriter, InvertedIndexReader, ReloadPolicy, Searcher,
    SegmentReader, TantivyDocument, Term, TERMINATED,
};
use typos::{TypoDictionary, MIN_TYPO_CHARS};

impl From<tantivy::TantivyError> for Error {
    fn from(err: tantivy::TantivyError) -> Self {
        Error::Index(err.to_string())
    }
}

/// What each index commit records, so a restarted daemon knows where the index stands.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CommitPayload {
    pub schema_version: u32,
    /// Every outbox entry up to this sequence is reflected in the index.
    pub outbox_seq: u64,
}

/// The opened index, shared by the request path (reads) and the indexer (writes).
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    schema: ProfileSchema,
    /// What the newest searcher generation's segments need opened or built once.
    segments: RwLock<(u64, Arc<Vec<SegmentState>>)>,
    /// Scoring inputs of the indexed profiles, kept by the indexer beside the index.
    matches: MatchTable,
}

/// A consistent read view: one searcher and its segments' state.
pub struct View {
    pub searcher: Searcher,
    segments: Arc<Vec<SegmentState>>,
}

/// Per segment, in searcher order: its `id` fast-field column (opening one costs more
/// than a lookup's whole search, so it is done once per commit) and the typo dictionary
/// of its name terms (built on the first typo search, kept while the segment lives).
struct SegmentState {
    id: tantivy::index::SegmentId,
    ids: Column<u64>,
    name_typos: Arc<OnceLock<TypoDictionary>>,
}

impl SegmentState {
    /// The typo dictionary of the segment's name terms (`inverted`), built on first use.
    fn name_typos(&self, inverted: &InvertedIndexReader) -> Result<&TypoDictionary> {
        if let Some(dictionary) = self.name_typos.get() {
            return Ok(dictionary);
        }
        // Lookups racing here each build one (same content); one is kept.
        let started = std::time::Instant::now();
        let built = TypoDictionary::build(inverted.terms())?;
        tracing::debug!(
            segment = %self.id.short_uuid_string(),
            bytes = built.heap_bytes(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "typo dictionary built"
        );
        Ok(self.name_typos.get_or_init(|| built))
    }
}

/// The state an index was found in when opened.
#[derive(Debug, PartialEq, Eq)]
pub enum Opened {
    /// Up to date through this outbox sequence.
    At(u64),
    /// New, or built with another schema version: must be rebuilt from sled.
    NeedsRebuild,
}

impl SearchIndex {
    /// Opens the index under `dir`, recreating it when its schema version differs from
    /// this build's (the caller then rebuilds it from sled).
    pub fn open(dir: &Path) -> Result<(Self, Opened)> {
        let schema = ProfileSchema::builtin()?;
        std::fs::create_dir_all(dir)?;
        let existing = dir.join("meta.json").exists();
        let (index, opened) = if existing {
            let index = Index::open_in_dir(dir)?;
            let payload = index.load_metas()?.payload;
            let parsed: Option<CommitPayload> = payload
                .as_deref()
                .and_then(|p| serde_json::from_str(p).ok());
            match parsed {
                Some(p)
                    if p.schema_version == schema.version && index.schema() == schema.schema =>
                {
                    (index, Opened::At(p.outbox_seq))
                }
                other => {
                    tracing::warn!(
                        found_version = other.map(|p| p.schema_version),
                        expected_version = schema.version,
                        "index schema version differs from this build: rebuilding the index from the store"
                    );
                    drop(index);
                    std::fs::remove_dir_all(dir)?;
                    std::fs::create_dir_all(dir)?;
                    (
                        Index::create_in_dir(dir, schema.schema.clone())?,
                        Opened::NeedsRebuild,
                    )
                }
            }
        } else {
            (
                Index::create_in_dir(dir, schema.schema.clone())?,
                Opened::NeedsRebuild,
            )
        };
        register_tokenizers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok((
            Self {
                index,
                reader,
                schema,
                segments: RwLock::new((u64::MAX, Arc::new(Vec::new()))),
                matches: MatchTable::default(),
            },
            opened,
        ))
    }

    /// The writer; the process keeps exactly one (owned by the indexer).
    ///
    /// It first deletes the files no commit names: a process killed during a commit
    /// leaves the files it had written (e.g. `SEGMENT.OPSTAMP.del`), and the replay after
    /// restart reaches the same opstamps, so writing those names again would fail and
    /// the daemon would not start (found by the crash loop).
    pub fn writer(&self, threads: usize, memory_bytes: usize) -> Result<IndexWriter> {
        let writer = self.index.writer_with_num_threads(threads, memory_bytes)?;
        writer.garbage_collect_files().wait()?;
        Ok(writer)
    }

    pub fn fields(&self) -> &Fields {
        &self.schema.fields
    }

    /// The scoring inputs of the indexed profiles (kept by the indexer, read by lookups).
    pub fn matches(&self) -> &MatchTable {
        &self.matches
    }

    pub fn schema_version(&self) -> u32 {
        self.schema.version
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The current searcher with its id columns (opened once per searcher generation).
    pub fn view(&self) -> Result<View> {
        let searcher = self.reader.searcher();
        let generation = searcher.generation().generation_id();
        let previous = {
            let cached = self.segments.read().unwrap_or_else(PoisonError::into_inner);
            if cached.0 == generation {
                return Ok(View {
                    searcher,
                    segments: cached.1.clone(),
                });
            }
            cached.1.clone()
        };
        let segments = searcher
            .segment_readers()
            .iter()
            .map(|segment| {
                let id = segment.segment_id();
                let name_typos = previous
                    .iter()
                    .find(|state| state.id == id)
                    .map_or_else(Arc::default, |state| state.name_typos.clone());
                Ok(SegmentState {
                    id,
                    ids: segment.fast_fields().u64("id")?,
                    name_typos,
                })
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        let segments = Arc::new(segments);
        *self
            .segments
            .write()
            .unwrap_or_else(PoisonError::into_inner) = (generation, segments.clone());
        Ok(View { searcher, segments })
    }

    /// The committed segments.
    pub fn segment_ids(&self) -> Result<Vec<tantivy::index::SegmentId>> {
        Ok(self.index.searchable_segment_ids()?)
    }

    /// Makes the last commit visible to searches.
    pub fn reload(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    /// Number of indexed profiles in the current reader.
    pub fn num_docs(&self) -> u64 {
        self.searcher().num_docs()
    }

    /// Segments of the searchable index.
    pub fn segment_count(&self) -> usize {
        self.searcher().segment_readers().len()
    }

    /// The profile of every live document, a profile indexed twice listed twice (for
    /// `profiled check`).
    pub fn document_profiles(&self) -> Result<Vec<ProfileId>> {
        let view = self.view()?;
        let mut out = Vec::with_capacity(view.searcher.num_docs() as usize);
        for (ord, (segment, state)) in view
            .searcher
            .segment_readers()
            .iter()
            .zip(view.segments.iter())
            .enumerate()
        {
            for doc in segment.doc_ids_alive() {
                let id = state.ids.first(doc).ok_or_else(|| {
                    Error::Corrupt(format!("document {doc} of segment {ord} has no id"))
                })?;
                out.push(ProfileId(id));
            }
        }
        Ok(out)
    }

    /// The index document of a profile.
    pub fn document(
        &self,
        id: ProfileId,
        profile: &ProfileRecord,
        company: Option<&CompanyRecord>,
    ) -> TantivyDocument {
        let f = &self.schema.fields;
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.id, id.0);
        doc.add_text(
            f.name,
            name_terms(&profile.first_name, &profile.last_name).join(" "),
        );
        for key in name_keys(&profile.first_name, &profile.last_name) {
            doc.add_text(f.name_key, key);
        }
        let mut free_text = profile.full_name();
        if let Some(title) = &profile.job_title {
            doc.add_text(f.title, title);
            free_text.push(' ');
            free_text.push_str(title);
        }
        for skill in &profile.skills {
            doc.add_text(f.skills, skill);
            free_text.push(' ');
            free_text.push_str(skill);
        }
        if let Some(location) = &profile.location {
            doc.add_text(f.location, location_terms(location).join(" "));
            if let Some(country) = &location.country {
                doc.add_text(f.country, country.to_ascii_uppercase());
            }
            if let Some(city) = &location.city {
                doc.add_text(f.city, city);
            }
        }
        if let (Some(company_id), Some(company)) = (profile.company, company) {
            doc.add_u64(f.company_id, company_id.0);
            doc.add_text(f.company, company_terms(company).join(" "));
            free_text.push(' ');
            free_text.push_str(&company.name);
            if let Some(industry) = &company.industry {
                doc.add_text(f.industry, industry);
            }
            if let Some(size) = &company.size {
                doc.add_text(f.size, size);
            }
        }
        doc.add_text(f.text, free_text);
        doc.add_i64(f.last_seen, profile.last_seen());
        doc
    }

    /// Up to `limit` profile ids that hold what `retrieval` requires, those agreeing with
    /// more of its context first (ties in index order, so answers are deterministic).
    pub fn candidates(
        &self,
        view: &View,
        retrieval: &Retrieval,
        limit: usize,
    ) -> Result<Vec<ProfileId>> {
        let segments = view.searcher.segment_readers();
        // The required documents of each segment (ascending), up to a bound.
        let mut required: Vec<Vec<DocId>> = Vec::with_capacity(segments.len());
        let mut total = 0;
        for (segment, state) in segments.iter().zip(view.segments.iter()) {
            let mut found = Vec::new();
            let field = match &retrieval.required {
                Required::AnyTerm { field, .. } => *field,
                Required::WithTypos { .. } => self.fields().name,
            };
            let inverted = segment.inverted_index(field)?;
            let terms = match &retrieval.required {
                Required::AnyTerm { terms, .. } => Cow::Borrowed(terms),
                Required::WithTypos { terms } => {
                    let dictionary = state.name_typos(&inverted)?;
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
                    Cow::Owned(spellings)
                }
            };
            for text in terms.iter() {
                let term = Term::from_field_text(field, text);
                if let Some(mut postings) =
                    inverted.read_postings(&term, IndexRecordOption::Basic)?
                {
                    collect_docs(&mut postings, MAX_REQUIRED_DOCS - total, &mut found);
                }
            }
            if terms.len() > 1 {
                found.sort_unstable();
                found.dedup();
            }
            if let Some(alive) = segment.alive_bitset() {
                found.retain(|doc| alive.is_alive(*doc));
            }
            total += found.len();
            required.push(found);
        }
        // (context score, segment, doc); context is only built and read when it must choose.
        let context = (total > limit).then(|| (retrieval.context)());
        let mut found: Vec<(f32, u32, DocId)> = Vec::with_capacity(total);
        for (ord, (segment, docs)) in segments.iter().zip(required).enumerate() {
            let mut scores = vec![0f32; docs.len()];
            if let Some(context) = &context {
                for group in context {
                    let agreement = agreement(segment, group, &docs)?;
                    for (score, agreement) in scores.iter_mut().zip(agreement) {
                        *score += group.weight * agreement;
                    }
                }
            }
            found.extend(
                scores
                    .into_iter()
                    .zip(docs)
                    .map(|(score, doc)| (score, ord as u32, doc)),
            );
        }
        let best_first = |a: &(f32, u32, DocId), b: &(f32, u32, DocId)| {
            b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
        };
        if found.len() > limit {
            found.select_nth_unstable_by(limit, best_first);
            found.truncate(limit);
        }
        found.sort_unstable_by(best_first);
        found
            .into_iter()
            .map(|(_, ord, doc)| {
                view.segments
                    .get(ord as usize)
                    .and_then(|state| state.ids.first(doc))
                    .map(ProfileId)
                    .ok_or_else(|| Error::Corrupt("index document without id".into()))
            })
            .collect()
    }
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
    use crate::model::CompanyId;
    use proptest::prelude::*;

    proptest! {
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

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("create");
        for entry in std::fs::read_dir(from).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_file() {
                let name = path.file_name().expect("a file name");
                std::fs::copy(&path, to.join(name)).expect("copy");
            }
        }
    }

    /// A kill -9 between writing a commit's delete files (listed in `.managed.json`) and
    /// its `meta.json` left files no commit names; the replay after restart reached the
    /// same opstamp and failed with FileAlreadyExists, so the daemon could not start.
    #[test]
    fn a_commit_killed_before_its_meta_does_not_block_the_next_commit() {
        let (dir, index) = smiths();
        // Commits as the indexer does, with the payload that lets the index open as is.
        let payload = serde_json::to_string(&CommitPayload {
            schema_version: index.schema_version(),
            outbox_seq: 1,
        })
        .expect("payload");
        let commit = |index: &SearchIndex, delete: Option<u64>| {
            let mut writer = index.writer(1, 15_000_000)?;
            if let Some(id) = delete {
                writer.delete_term(Term::from_field_u64(index.fields().id, id));
            }
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&payload);
            prepared.commit()?;
            Ok::<(), Error>(())
        };
        commit(&index, None).expect("the payload commits");
        let crashed = tempfile::tempdir().expect("temp dir");
        copy_dir(dir.path(), crashed.path());
        commit(&index, Some(3)).expect("the first delete commits");
        // The crashed copy: the delete files and the managed list of that commit, the
        // meta.json of the one before.
        let mut leftovers = 0;
        for entry in std::fs::read_dir(dir.path()).expect("read dir") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            if name.ends_with(".del") || name == ".managed.json" {
                std::fs::copy(&path, crashed.path().join(&name)).expect("copy");
                leftovers += 1;
            }
        }
        assert_eq!(leftovers, 2, "one delete file and the managed list");
        drop(index);
        let (index, opened) = SearchIndex::open(crashed.path()).expect("the crashed index opens");
        assert!(matches!(opened, Opened::At(1)), "opened as it was");
        commit(&index, Some(3)).expect("the replayed delete commits over the leftovers");
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
                .filter(|t| typos::within_one_edit(asked, t))
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
