//! The match table: every indexed profile's and company's scoring inputs, normalised once
//! and kept in memory, so a lookup scores its candidates without reading or decoding sled
//! records (which cost more than the whole index search at a million profiles).
//!
//! It is derived state, like the index: the indexer fills it from the store when it
//! starts and updates it as it applies the outbox, a little before the index commit that
//! makes the same change searchable. A lookup finds ids in the index and their scoring
//! inputs here; an id missing here (deleted since) is skipped. Answers are built from
//! sled records, so what a client sees is always the stored profile.

use crate::matching::score::{company_similarity, MatchCompany, MatchProfile};
use crate::matching::terms::CompanyQuery;
use crate::model::{CompanyId, ProfileId};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{PoisonError, RwLock};

/// Lock shards: lookups read from many threads while the indexer writes.
const SHARDS: usize = 16;

/// Ids are already xxh3 hashes: hashing them again only costs time.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// Scoring inputs of every indexed profile and company.
#[derive(Default)]
pub struct MatchTable {
    profiles: [RwLock<IdMap<MatchProfile>>; SHARDS],
    companies: RwLock<IdMap<MatchCompany>>,
}

fn shard(id: u64) -> usize {
    // The high bits: the low ones also pick the hash bucket inside the shard.
    (id >> 60) as usize % SHARDS
}

impl MatchTable {
    /// Calls `f` with the profile's scoring inputs; `None` when the table does not hold it.
    pub fn with_profile<T>(&self, id: ProfileId, f: impl FnOnce(&MatchProfile) -> T) -> Option<T> {
        let shard = self.profiles[shard(id.0)]
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        shard.get(&id.0).map(f)
    }

    /// How similar the asked company is to a stored one (0 when the table does not hold it).
    pub fn company_similarity(&self, id: CompanyId, asked: &CompanyQuery) -> f64 {
        let companies = self
            .companies
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        companies
            .get(&id.0)
            .map_or(0.0, |company| company_similarity(asked, company))
    }

    /// A company's name as shown to clients.
    pub fn company_name(&self, id: CompanyId) -> Option<String> {
        let companies = self
            .companies
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        companies.get(&id.0).map(|company| company.name.clone())
    }

    /// Sets (or replaces) one profile's scoring inputs.
    pub fn upsert_profile(&self, id: ProfileId, profile: MatchProfile) {
        self.profiles[shard(id.0)]
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.0, profile);
    }

    /// Sets (or replaces) many profiles' scoring inputs, taking each lock once.
    pub fn upsert_profiles(&self, profiles: impl IntoIterator<Item = (ProfileId, MatchProfile)>) {
        let mut by_shard: Vec<Vec<(u64, MatchProfile)>> = (0..SHARDS).map(|_| Vec::new()).collect();
        for (id, profile) in profiles {
            by_shard[shard(id.0)].push((id.0, profile));
        }
        for (shard, items) in self.profiles.iter().zip(by_shard) {
            if !items.is_empty() {
                shard
                    .write()
                    .unwrap_or_else(PoisonError::into_inner)
                    .extend(items);
            }
        }
    }

    pub fn remove_profile(&self, id: ProfileId) {
        self.profiles[shard(id.0)]
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id.0);
    }

    /// Sets (or replaces) companies' scoring inputs.
    pub fn upsert_companies(&self, companies: impl IntoIterator<Item = (CompanyId, MatchCompany)>) {
        self.companies
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(companies.into_iter().map(|(id, company)| (id.0, company)));
    }

    /// Forgets everything (before a rebuild).
    pub fn clear(&self) {
        for shard in &self.profiles {
            shard
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .clear();
        }
        self.companies
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Profiles held (what `check` compares with the store's count).
    pub fn profile_count(&self) -> usize {
        self.profiles
            .iter()
            .map(|s| s.read().unwrap_or_else(PoisonError::into_inner).len())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::record::{CompanyRecord, ProfileRecord};

    fn profile(first: &str, last: &str, company: Option<CompanyId>) -> MatchProfile {
        MatchProfile::from_record(&ProfileRecord {
            first_name: first.into(),
            last_name: last.into(),
            company,
            ..ProfileRecord::default()
        })
    }

    #[test]
    fn holds_replaces_and_forgets_profiles() {
        let table = MatchTable::default();
        let (a, b) = (ProfileId(1), ProfileId(u64::MAX));
        table.upsert_profiles([
            (a, profile("Jane", "Doe", None)),
            (b, profile("Jo", "Roe", None)),
        ]);
        assert_eq!(table.profile_count(), 2);
        table.upsert_profile(a, profile("Jane", "Smith", Some(CompanyId(7))));
        assert_eq!(
            table.with_profile(a, |p| p.company),
            Some(Some(CompanyId(7)))
        );
        table.remove_profile(b);
        assert_eq!(table.with_profile(b, |_| ()), None);
        table.clear();
        assert_eq!(table.profile_count(), 0);
    }

    #[test]
    fn compares_asked_companies_with_stored_ones() {
        let table = MatchTable::default();
        let acme = MatchCompany::from_record(&CompanyRecord {
            name: "Acme B.V.".into(),
            domain: Some("acme.nl".into()),
            ..CompanyRecord::default()
        });
        table.upsert_companies([(CompanyId(3), acme)]);
        let asked = CompanyQuery::parse("ACME BV").expect("company");
        assert_eq!(table.company_similarity(CompanyId(3), &asked), 1.0);
        assert_eq!(table.company_similarity(CompanyId(4), &asked), 0.0);
        assert_eq!(
            table.company_name(CompanyId(3)).as_deref(),
            Some("Acme B.V.")
        );
    }
}
