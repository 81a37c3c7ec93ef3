//! The store's half of `profiled check`: every secondary entry is derived again from the
//! records and compared with what the trees hold, in both directions — what a crash or a
//! bug could leave behind (orphans, missing or stale entries, wrong counters). Problems
//! name ids, never personal data.

use super::keys::{email_key, last_seen_key, member_key, parse_last_seen_key};
use super::record::ProfileRecord;
use super::{Store, TreeName};
use crate::error::{Error, Result};
use crate::model::ProfileId;
use std::collections::{HashMap, HashSet};

/// What the store holds, for the engine's checks of the derived views against it.
pub struct StoreContents {
    pub profiles: HashMap<ProfileId, ProfileRecord>,
    pub companies: u64,
}

impl Store {
    /// Checks every secondary entry, counter and the outbox against the records, telling
    /// each problem to `problem`. Run it with no writes in flight.
    pub fn check(&self, problem: &mut dyn FnMut(String)) -> Result<StoreContents> {
        let mut profiles = HashMap::new();
        for item in self.profiles() {
            let (id, record) = item?;
            profiles.insert(id, record);
        }
        let mut companies = HashSet::new();
        for item in self.tree(TreeName::Companies)?.iter() {
            let (key, _) = item?;
            companies.insert(key.to_vec());
        }
        for (id, record) in &profiles {
            if let Some(company) = record.company {
                if !companies.contains(company.to_bytes().as_slice()) {
                    problem(format!("profile {id}: its company {company} is missing"));
                }
            }
        }

        let mut times = HashSet::new();
        let mut emails = HashMap::new();
        let mut members = HashSet::new();
        for (id, record) in &profiles {
            times.insert(last_seen_key(record.last_seen(), *id));
            for key in &record.email_keys {
                emails.insert(
                    email_key(&key.hash, *id),
                    [key.pattern, u8::from(key.observed)],
                );
            }
            if let Some(company) = record.company {
                members.insert(member_key(company, *id));
            }
        }
        let mut seen = HashSet::new();
        for item in self.tree(TreeName::ByLastSeen)?.iter() {
            let (key, _) = item?;
            let (_, id) =
                parse_last_seen_key(&key).ok_or_else(|| Error::Corrupt("time entry".into()))?;
            let key: [u8; 16] = key
                .as_ref()
                .try_into()
                .map_err(|_| Error::Corrupt("time entry".into()))?;
            if !profiles.contains_key(&id) {
                problem(format!("time entry for missing profile {id}"));
            } else if !times.contains(&key) {
                problem(format!("profile {id}: a stale time entry"));
            }
            seen.insert(key);
        }
        for key in times.difference(&seen) {
            let (_, id) = parse_last_seen_key(key).expect("derived keys parse");
            problem(format!("profile {id}: no time entry for its last sighting"));
        }

        let mut seen = HashSet::new();
        for item in self.tree(TreeName::EmailHashes)?.iter() {
            let (key, value) = item?;
            let id = ProfileId::from_bytes(key.get(16..).unwrap_or_default())
                .ok_or_else(|| Error::Corrupt("email hash key".into()))?;
            let key: [u8; 24] = key
                .as_ref()
                .try_into()
                .map_err(|_| Error::Corrupt("email hash key".into()))?;
            match emails.get(&key) {
                _ if !profiles.contains_key(&id) => {
                    problem(format!("email hash entry for missing profile {id}"))
                }
                None => problem(format!("profile {id}: an email hash entry it does not own")),
                Some(expected) if expected.as_slice() != value.as_ref() => {
                    problem(format!("profile {id}: a stale email hash entry"))
                }
                Some(_) => {}
            }
            seen.insert(key);
        }
        for key in emails.keys().filter(|key| !seen.contains(*key)) {
            let id = ProfileId::from_bytes(&key[16..]).expect("derived keys parse");
            problem(format!("profile {id}: an email hash entry is missing"));
        }

        let mut seen = HashSet::new();
        for item in self.tree(TreeName::CompanyMembers)?.iter() {
            let (key, _) = item?;
            let id = ProfileId::from_bytes(key.get(8..).unwrap_or_default())
                .ok_or_else(|| Error::Corrupt("member key".into()))?;
            let key: [u8; 16] = key
                .as_ref()
                .try_into()
                .map_err(|_| Error::Corrupt("member key".into()))?;
            if !members.contains(&key) {
                problem(format!(
                    "membership entry of {id} that its profile does not name"
                ));
            }
            seen.insert(key);
        }
        for key in members.difference(&seen) {
            let id = ProfileId::from_bytes(&key[8..]).expect("derived keys parse");
            problem(format!("profile {id}: no membership entry"));
        }

        for item in self.tree(TreeName::Recipients)?.iter() {
            let (key, _) = item?;
            let id = ProfileId::from_bytes(key.get(..8).unwrap_or_default())
                .ok_or_else(|| Error::Corrupt("recipient key".into()))?;
            if !profiles.contains_key(&id) {
                problem(format!("recipient entry for missing profile {id}"));
            }
        }

        let counts = self.counts()?;
        let restricted = profiles
            .values()
            .filter(|r| r.restricted_at.is_some())
            .count() as i64;
        if counts.profiles != profiles.len() as i64
            || counts.companies != companies.len() as i64
            || counts.restricted != restricted
        {
            problem(format!(
                "counters say {} profiles ({} restricted) and {} companies",
                counts.profiles, counts.restricted, counts.companies
            ));
        }
        let outbox = self.tree(TreeName::Outbox)?.len();
        if outbox > 0 {
            problem(format!("{outbox} outbox entries not yet indexed"));
        }
        Ok(StoreContents {
            profiles,
            companies: companies.len() as u64,
        })
    }
}
