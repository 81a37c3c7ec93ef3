//! `profiled check`: a full consistency check of the data directory — the store's
//! secondary entries against its records (the store's own half, `store/check.rs`), then
//! the derived views against the store: index documents and match-table entries. Reports
//! ids, never personal data.

use super::Engine;
use crate::error::Result;
use crate::matching::score::MatchProfile;
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
        let mut report = CheckReport::default();
        let contents = self.store().check(&mut |problem| report.problem(problem))?;
        report.profiles = contents.profiles.len() as u64;
        report.companies = contents.companies;
        // What the index and the match table must hold: every profile but the restricted.
        let profiles: HashMap<_, _> = contents
            .profiles
            .into_iter()
            .filter(|(_, record)| crate::index::indexer::is_indexed(record))
            .collect();

        let mut indexed = HashSet::new();
        for id in self.search_index().document_profiles()? {
            if !indexed.insert(id) {
                report.problem(format!("profile {id}: indexed twice"));
            }
            if !profiles.contains_key(&id) {
                report.problem(format!(
                    "index document for a missing or restricted profile {id}"
                ));
            }
        }
        report.indexed = indexed.len() as u64;
        let table = self.search_index().matches();
        for (id, record) in &profiles {
            if !indexed.contains(id) {
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
