//! Typo retrieval by lookups instead of a walk: a deletion dictionary (as in SymSpell) of
//! one segment's terms of a field, so the terms one edit away from an asked token are found
//! with a few hash probes. A Levenshtein automaton walking the term dictionary had been the
//! largest part of the typo stage at a million profiles (about 100 µs a request).
//!
//! Two strings are within one edit (substitution, insertion, deletion, or a transposition
//! of neighbours) only if they share a key: the string itself or the string with one
//! character deleted. Sharing a key does not prove it ("abcd" and "bcda" share "bcd"), so
//! each term found is checked with [`within_one_edit`].
//!
//! Segments never change, so a segment's dictionary is built once, by [`NameTypos`] (a
//! tantivy warmer) before the first searcher that holds the segment is published: no
//! lookup waits for a build, and each segment is built exactly once. Built on a first
//! lookup instead, a million profiles' dictionary cost that lookup ~0.3 s, and every
//! lookup arriving meanwhile waited for it.

use crate::matching::terms::within_one_edit;
use std::collections::HashMap;
use std::io;
use std::sync::{Arc, PoisonError, RwLock};
use tantivy::index::SegmentId;
use tantivy::schema::Field;
use tantivy::termdict::{TermDictionary, TermOrdinal};
use tantivy::{Searcher, SearcherGeneration, Warmer};
use xxhash_rust::xxh3::xxh3_64;

/// The deletion keys of one segment's terms, each packed as `key hash << 32 | term
/// ordinal` and sorted, with a directory of where each top-16-bit hash prefix starts, so a
/// probe touches a handful of entries. A 32-bit hash suffices: a colliding key only adds a
/// term that [`within_one_edit`] then rejects.
pub struct TypoDictionary {
    entries: Vec<u64>,
    directory: Vec<u32>,
}

/// Terms shorter than this cannot be one edit from a token of [`MIN_TYPO_CHARS`].
const MIN_TERM_CHARS: usize = MIN_TYPO_CHARS - 1;
/// Asked tokens shorter than this are only searched exactly: one edit of a three-letter
/// name is another common name.
pub const MIN_TYPO_CHARS: usize = 4;
const DIRECTORY_BITS: u32 = 16;

impl TypoDictionary {
    /// Builds the dictionary of every term of `terms` that may be one edit from an asked
    /// token.
    pub fn build(terms: &TermDictionary) -> io::Result<Self> {
        // Sized exactly first: grown by doubling, the vector of a million profiles' keys
        // was copied and freshly faulted in several times over.
        let mut count = 0;
        let mut stream = terms.stream()?;
        while stream.advance() {
            if let Some(text) = typo_term(stream.key()) {
                count += 1 + deletion_points(text).count();
            }
        }
        let mut entries: Vec<u64> = Vec::with_capacity(count);
        let mut stream = terms.stream()?;
        let mut key = String::new();
        while stream.advance() {
            let Some(text) = typo_term(stream.key()) else {
                continue;
            };
            // Ordinals are kept in 32 bits; a segment of over four billion terms would
            // leave the rest to exact search only.
            let Ok(ord) = u32::try_from(stream.term_ord()) else {
                break;
            };
            for_each_key(text, &mut key, |k| {
                entries.push(u64::from(key_hash(k)) << 32 | u64::from(ord))
            });
        }
        entries.sort_unstable();
        entries.dedup();
        let mut directory = vec![0u32; (1 << DIRECTORY_BITS) + 1];
        for entry in &entries {
            directory[prefix(entry_hash(*entry)) + 1] += 1;
        }
        for i in 1..directory.len() {
            directory[i] += directory[i - 1];
        }
        Ok(Self { entries, directory })
    }

    /// The terms of the segment within one edit of `token` (itself included), as text.
    pub fn near(&self, token: &str, terms: &TermDictionary) -> io::Result<Vec<String>> {
        let mut ords: Vec<u32> = Vec::new();
        let mut key = String::new();
        for_each_key(token, &mut key, |k| {
            let hash = key_hash(k);
            let bucket = prefix(hash);
            let (start, end) = (
                self.directory[bucket] as usize,
                self.directory[bucket + 1] as usize,
            );
            let bucket = &self.entries[start..end];
            let first = bucket.partition_point(|e| entry_hash(*e) < hash);
            for entry in bucket[first..]
                .iter()
                .take_while(|e| entry_hash(**e) == hash)
            {
                ords.push(*entry as u32);
            }
        });
        ords.sort_unstable();
        ords.dedup();
        let mut found = Vec::with_capacity(ords.len());
        let mut bytes = Vec::new();
        for ord in ords {
            if terms.ord_to_term(TermOrdinal::from(ord), &mut bytes)? {
                if let Ok(text) = std::str::from_utf8(&bytes) {
                    if within_one_edit(token, text) {
                        found.push(text.to_owned());
                    }
                }
            }
        }
        Ok(found)
    }

    /// Bytes held, for the memory it costs.
    pub fn heap_bytes(&self) -> usize {
        self.entries.capacity() * 8 + self.directory.capacity() * 4
    }
}

/// A term that may be one edit from an asked token: valid UTF-8 and long enough.
fn typo_term(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes)
        .ok()
        .filter(|text| text.chars().count() >= MIN_TERM_CHARS)
}

fn key_hash(key: &str) -> u32 {
    (xxh3_64(key.as_bytes()) >> 32) as u32
}

fn entry_hash(entry: u64) -> u32 {
    (entry >> 32) as u32
}

fn prefix(hash: u32) -> usize {
    (hash >> (32 - DIRECTORY_BITS)) as usize
}

/// The typo dictionaries of the name field's segments, kept by tantivy's warming: each
/// new searcher generation is warmed (its new segments' dictionaries built) before it is
/// published, and dictionaries of segments no live generation holds are dropped.
pub struct NameTypos {
    field: Field,
    dictionaries: RwLock<HashMap<SegmentId, Arc<TypoDictionary>>>,
}

impl NameTypos {
    pub fn new(field: Field) -> Self {
        Self {
            field,
            dictionaries: RwLock::default(),
        }
    }

    /// The dictionary of a segment of a published searcher.
    pub fn get(&self, segment: SegmentId) -> Option<Arc<TypoDictionary>> {
        self.dictionaries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&segment)
            .cloned()
    }
}

impl Warmer for NameTypos {
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        for segment in searcher.segment_readers() {
            let id = segment.segment_id();
            if self.get(id).is_some() {
                continue;
            }
            let started = std::time::Instant::now();
            let built = TypoDictionary::build(segment.inverted_index(self.field)?.terms())?;
            tracing::debug!(
                segment = %id.short_uuid_string(),
                bytes = built.heap_bytes(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "typo dictionary built"
            );
            self.dictionaries
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(id, Arc::new(built));
        }
        Ok(())
    }

    fn garbage_collect(&self, live_generations: &[&SearcherGeneration]) {
        self.dictionaries
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|id, _| {
                live_generations
                    .iter()
                    .any(|generation| generation.segments().contains_key(id))
            });
    }
}

/// Calls `f` with `text` and with each string made by deleting one of its characters.
fn for_each_key(text: &str, key: &mut String, mut f: impl FnMut(&str)) {
    f(text);
    for (at, c) in deletion_points(text) {
        key.clear();
        key.push_str(&text[..at]);
        key.push_str(&text[at + c.len_utf8()..]);
        f(key);
    }
}

/// The characters whose deletion makes a distinct key: deleting either of two equal
/// neighbours gives the same key, so only the first of a run counts.
fn deletion_points(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut previous: Option<char> = None;
    text.char_indices()
        .filter(move |(_, c)| previous.replace(*c) != Some(*c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The optimal string alignment distance, by the textbook table.
    fn osa_distance(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                }
            }
        }
        d[a.len()][b.len()]
    }

    /// A short word of a small alphabet (so near pairs are common), `é` included.
    fn word() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(vec!['a', 'b', 'n', 'é']), 0..7)
            .prop_map(|chars| chars.into_iter().collect())
    }

    proptest! {
        #[test]
        fn one_edit_agrees_with_the_distance_table(a in word(), b in word()) {
            prop_assert_eq!(within_one_edit(&a, &b), osa_distance(&a, &b) <= 1);
        }

        /// Every pair within one edit shares a key; so the dictionary misses none.
        #[test]
        fn pairs_within_one_edit_share_a_key(
            a in word(),
            kind in 0..4u8,
            at in any::<proptest::sample::Index>(),
            letter in proptest::sample::select(vec!['a', 'n', 'é', 'z']),
        ) {
            let mut chars: Vec<char> = a.chars().collect();
            let i = at.index(chars.len() + 1);
            match kind {
                0 if i < chars.len() => chars[i] = letter,
                1 => chars.insert(i, letter),
                2 if i < chars.len() => {
                    chars.remove(i);
                }
                _ if i + 1 < chars.len() => chars.swap(i, i + 1),
                _ => {}
            }
            let b: String = chars.into_iter().collect();
            prop_assert!(osa_distance(&a, &b) <= 1);
            let mut keys_a = Vec::new();
            for_each_key(&a, &mut String::new(), |k| keys_a.push(k.to_owned()));
            let mut shared = false;
            for_each_key(&b, &mut String::new(), |k| shared |= keys_a.iter().any(|x| x == k));
            prop_assert!(shared, "{} / {}", a, b);
        }
    }
}
