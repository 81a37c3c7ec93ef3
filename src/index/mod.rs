//! The derived full-text view: a tantivy index over profiles, fed only by the indexer
//! from the store's outbox. It holds ids and what queries need; records come from sled.

pub mod indexer;
pub mod retrieval;
pub mod schema;
pub mod search;
pub mod typos;

use crate::error::{Error, Result};
use crate::matching::table::MatchTable;
use crate::matching::terms::{
    company_terms, location_terms, name_keys, name_terms, phonetic_codes,
};
use crate::model::ProfileId;
use crate::store::record::{CompanyRecord, ProfileRecord};
use schema::{register_tokenizers, Fields, ProfileSchema};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock, Weak};
use tantivy::columnar::Column;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Warmer};
use typos::{NameTypos, TypoDictionary};

impl From<tantivy::TantivyError> for Error {
    fn from(err: tantivy::TantivyError) -> Self {
        if tantivy_disk_full(&err) {
            Error::DiskFull
        } else {
            Error::Index(err.to_string())
        }
    }
}

/// Whether tantivy failed for want of disk space (its I/O errors come wrapped in several
/// ways; each keeps the `io::Error`, or at least its message).
fn tantivy_disk_full(err: &tantivy::TantivyError) -> bool {
    use tantivy::directory::error::OpenWriteError;
    use tantivy::TantivyError;
    match err {
        TantivyError::IoError(io) => crate::error::is_disk_full(io),
        TantivyError::OpenWriteError(OpenWriteError::IoError { io_error, .. }) => {
            crate::error::is_disk_full(io_error)
        }
        // Other wrappers keep only the text.
        other => {
            let text = other.to_string();
            text.contains("No space left on device") || text.contains("os error 28")
        }
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
    /// What the newest searcher generation's segments need opened once.
    segments: RwLock<(u64, Arc<Vec<SegmentState>>)>,
    /// The typo dictionaries of the segments, built as each generation is warmed (the
    /// reader holds only a weak reference).
    name_typos: Arc<NameTypos>,
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
/// of its name terms.
struct SegmentState {
    ids: Column<u64>,
    name_typos: Arc<TypoDictionary>,
}

impl SegmentState {
    /// The typo dictionary of the segment's name terms.
    fn name_typos(&self) -> &TypoDictionary {
        &self.name_typos
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
        let name_typos = Arc::new(NameTypos::new(schema.fields.name));
        let warmer: Weak<dyn Warmer> = Arc::downgrade(&name_typos) as Weak<dyn Warmer>;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .warmers(vec![warmer])
            .try_into()?;
        Ok((
            Self {
                index,
                reader,
                schema,
                segments: RwLock::new((u64::MAX, Arc::new(Vec::new()))),
                name_typos,
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
        {
            let cached = self.segments.read().unwrap_or_else(PoisonError::into_inner);
            if cached.0 == generation {
                return Ok(View {
                    searcher,
                    segments: cached.1.clone(),
                });
            }
        }
        let segments = searcher
            .segment_readers()
            .iter()
            .map(|segment| {
                let id = segment.segment_id();
                // Every published generation was warmed, and holding its searcher keeps
                // its dictionaries from collection.
                let name_typos = self.name_typos.get(id).ok_or_else(|| {
                    Error::Internal(format!(
                        "segment {} has no typo dictionary",
                        id.short_uuid_string()
                    ))
                })?;
                Ok(SegmentState {
                    ids: segment.fast_fields().u64("id")?,
                    name_typos,
                })
            })
            .collect::<Result<Vec<_>>>()?;
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

    /// The committed segments that hold deleted documents (a merge rewrites them without).
    pub fn segments_with_deletes(&self) -> Result<Vec<tantivy::index::SegmentId>> {
        Ok(self
            .index
            .searchable_segment_metas()?
            .into_iter()
            .filter(|meta| meta.has_deletes())
            .map(|meta| meta.id())
            .collect())
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
        let mut codes = phonetic_codes(&profile.first_name);
        codes.extend(phonetic_codes(&profile.last_name));
        if !codes.is_empty() {
            doc.add_text(f.phonetic, codes.join(" "));
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::Term;

    /// An index holding a few profiles, committed once.
    fn few_people() -> (tempfile::TempDir, SearchIndex) {
        let dir = tempfile::tempdir().expect("temp dir");
        let (index, _) = SearchIndex::open(dir.path()).expect("index");
        add_segment(&index, 0, "Smith");
        (dir, index)
    }

    /// Adds ten people (ids from `first_id`, all called `surname`) in a commit of their
    /// own, a new segment, and reloads.
    fn add_segment(index: &SearchIndex, first_id: u64, surname: &str) {
        let mut writer = index.writer(1, 15_000_000).expect("writer");
        for i in first_id..first_id + 10 {
            let record = ProfileRecord {
                first_name: format!("p{i}"),
                last_name: surname.into(),
                ..ProfileRecord::default()
            };
            writer
                .add_document(index.document(ProfileId(i), &record, None))
                .expect("add");
        }
        writer.commit().expect("commit");
        index.reload().expect("reload");
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

    /// Regression: the typo dictionary used to be built by the first lookup that needed
    /// it, and two views opened at once for a new generation each built their own (at a
    /// million profiles twice 0.3 s, every other lookup waiting). Now every segment of a
    /// published searcher has its dictionary, built once, however many views race.
    #[test]
    fn each_segment_typo_dictionary_is_built_once_before_its_searcher_is_published() {
        let (_dir, index) = few_people();
        let first = index.view().expect("view");
        add_segment(&index, 100, "Jones");
        let views: Vec<View> = std::thread::scope(|scope| {
            let racing: Vec<_> = (0..4).map(|_| scope.spawn(|| index.view())).collect();
            racing
                .into_iter()
                .map(|view| view.join().expect("thread").expect("view"))
                .collect()
        });
        assert_eq!(
            views[0].segments.len(),
            2,
            "the old segment and the new one"
        );
        for view in &views {
            for (ours, theirs) in view.segments.iter().zip(views[0].segments.iter()) {
                assert!(Arc::ptr_eq(&ours.name_typos, &theirs.name_typos));
            }
        }
        let kept = views[0]
            .segments
            .iter()
            .any(|state| Arc::ptr_eq(&state.name_typos, &first.segments[0].name_typos));
        assert!(
            kept,
            "the unchanged segment's dictionary is not built again"
        );
    }

    #[test]
    fn dictionaries_of_segments_no_live_searcher_holds_are_dropped() {
        let (_dir, index) = few_people();
        let old = index.searcher().segment_readers()[0].segment_id();
        add_segment(&index, 100, "Jones");
        let mut writer = index.writer(1, 15_000_000).expect("writer");
        writer
            .merge(&index.segment_ids().expect("segments"))
            .wait()
            .expect("merge");
        drop(writer);
        index.reload().expect("reload");
        let searcher = index.searcher();
        let merged = searcher.segment_readers()[0].segment_id();
        assert_eq!(searcher.segment_readers().len(), 1);
        // tantivy's collector calls this every second with the live generations.
        index.name_typos.garbage_collect(&[searcher.generation()]);
        assert!(index.name_typos.get(merged).is_some());
        assert!(index.name_typos.get(old).is_none());
    }

    /// A kill -9 between writing a commit's delete files (listed in `.managed.json`) and
    /// its `meta.json` left files no commit names; the replay after restart reached the
    /// same opstamp and failed with FileAlreadyExists, so the daemon could not start.
    #[test]
    fn a_commit_killed_before_its_meta_does_not_block_the_next_commit() {
        let (dir, index) = few_people();
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
}
