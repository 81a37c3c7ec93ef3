//! `profiled check`: a full consistency check of the store's secondary entries and the
//! index against the profiles — what a crash or a bug could leave behind (orphan email
//! hashes, time entries, memberships, index documents, match-table entries; wrong
//! counters). Reports ids, never personal data.

use super::Engine;
use crate::error::{Error, Result};
use crate::matching::score::MatchProfile;
use crate::model::{ProfileId, ProfileRecord};
use crate::store::{last_seen_key, member_key, parse_last_seen_key, TreeName};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Problems reported at most (the count is always complete).
const MAX_LISTED: usize = 100;

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct CheckReport {
    pub profiles: u64,
    pub companies: u64,
    pub indexed: u64,
    pub problem_count: u64,
    /// The first problems found, one line each.
    pub problems: Vec<String>,
}

impl CheckReport {
    fn problem(&mut self, text: String) {
        self.problem_count += 1;
        if self.problems.len() < MAX_LISTED {
            self.problems.push(text);
        }
    }
}

impl Engine {
    /// Checks every secondary entry and index document against the profiles. Run it
    /// with no writes in flight (the offline command opens the data directory alone).
    pub fn check(&self) -> Result<CheckReport> {
        let store = self.store();
        let mut report = CheckReport::default();
        let mut profiles: HashMap<ProfileId, ProfileRecord> = HashMap::new();
        for item in store.profiles() {
            let (id, record) = item?;
            profiles.insert(id, record);
        }
        report.profiles = profiles.len() as u64;
        let mut companies = HashSet::new();
        for item in store.tree(TreeName::Companies).iter() {
            let (key, _) = item?;
            companies.insert(key.to_vec());
        }
        report.companies = companies.len() as u64;

        for (id, record) in &profiles {
            if !store
                .tree(TreeName::ByLastSeen)
                .contains_key(last_seen_key(record.last_seen(), *id))?
            {
                report.problem(format!("profile {id}: no time entry for its last sighting"));
            }
            for key in &record.email_keys {
                if !store
                    .tree(TreeName::EmailHashes)
                    .contains_key(crate::store::email_key(&key.hash, *id))?
                {
                    report.problem(format!("profile {id}: an email hash entry is missing"));
                }
            }
            if let Some(company) = record.company {
                if !companies.contains(company.to_bytes().as_slice()) {
                    report.problem(format!("profile {id}: its company {company} is missing"));
                }
                if !store
                    .tree(TreeName::CompanyMembers)
                    .contains_key(member_key(company, *id))?
                {
                    report.problem(format!("profile {id}: no membership entry"));
                }
            }
        }
        for item in store.tree(TreeName::ByLastSeen).iter() {
            let (key, _) = item?;
            let (time, id) =
                parse_last_seen_key(&key).ok_or_else(|| Error::Corrupt("time entry".into()))?;
            match profiles.get(&id) {
                None => report.problem(format!("time entry for missing profile {id}")),
                Some(record) if record.last_seen() != time => {
                    report.problem(format!("profile {id}: a stale time entry"))
                }
                Some(_) => {}
            }
        }
        for item in store.tree(TreeName::EmailHashes).iter() {
            let (key, _) = item?;
            let id = ProfileId::from_bytes(&key[16..])
                .ok_or_else(|| Error::Corrupt("email hash key".into()))?;
            let hash: [u8; 16] = key[..16]
                .try_into()
                .map_err(|_| Error::Corrupt("email hash key".into()))?;
            match profiles.get(&id) {
                None => report.problem(format!("email hash entry for missing profile {id}")),
                Some(record) if !record.email_keys.iter().any(|k| k.hash == hash) => {
                    report.problem(format!("profile {id}: an email hash entry it does not own"))
                }
                Some(_) => {}
            }
        }
        for item in store.tree(TreeName::CompanyMembers).iter() {
            let (key, _) = item?;
            let id = ProfileId::from_bytes(&key[8..])
                .ok_or_else(|| Error::Corrupt("member key".into()))?;
            let company = u64::from_be_bytes(
                key[..8]
                    .try_into()
                    .map_err(|_| Error::Corrupt("member key".into()))?,
            );
            if profiles.get(&id).and_then(|r| r.company).map(|c| c.0) != Some(company) {
                report.problem(format!(
                    "membership entry of {id} that its profile does not name"
                ));
            }
        }
        let counts = store.counts()?;
        if counts.profiles != profiles.len() as i64 || counts.companies != companies.len() as i64 {
            report.problem(format!(
                "counters say {} profiles and {} companies",
                counts.profiles, counts.companies
            ));
        }
        let outbox = store.tree(TreeName::Outbox).len();
        if outbox > 0 {
            report.problem(format!("{outbox} outbox entries not yet indexed"));
        }
        let view = self.search_index().view()?;
        let mut indexed = HashSet::new();
        for (ord, segment) in view.searcher.segment_readers().iter().enumerate() {
            let column = segment.fast_fields().u64("id")?;
            for doc in segment.doc_ids_alive() {
                let id = column.first(doc).ok_or_else(|| {
                    Error::Corrupt(format!("document {doc} of segment {ord} has no id"))
                })?;
                if !indexed.insert(id) {
                    report.problem(format!("profile {}: indexed twice", ProfileId(id)));
                }
                if !profiles.contains_key(&ProfileId(id)) {
                    report.problem(format!(
                        "index document for missing profile {}",
                        ProfileId(id)
                    ));
                }
            }
        }
        report.indexed = indexed.len() as u64;
        let table = self.search_index().matches();
        for (id, record) in &profiles {
            if !indexed.contains(&id.0) {
                report.problem(format!("profile {id}: not in the index"));
            }
            let expected = MatchProfile::from_record(record);
            match table.with_profile(*id, |held| *held == expected) {
                None => report.problem(format!("profile {id}: not in the match table")),
                Some(false) => report.problem(format!("profile {id}: stale in the match table")),
                Some(true) => {}
            }
        }
        let held = table.profile_count();
        if held != profiles.len() {
            report.problem(format!(
                "the match table holds {held} profiles; the store {}",
                profiles.len()
            ));
        }
        Ok(report)
    }
}
