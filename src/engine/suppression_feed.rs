//! The suppression feed: every suppression as it is made, in order, for downstream
//! systems that must not hold or re-collect the people profiled erased or was told to
//! delete. It carries keyed hashes only — never an identifier, never an unkeyed digest
//! (an unkeyed SHA-256 of an address is as good as the address to anyone with a list of
//! candidates) — so only a system holding the data directory's hash key (a replica, a
//! sister deployment) can test its own identifiers against them. Suppressions never
//! expire: nothing deletes them, the sweeper included.

use super::deletion_list::SUPPRESSED_BY_DELETION_LIST;
use super::privacy::SUPPRESSED_BY_ERASURE;
use super::Engine;
use crate::error::{Error, Result};
use serde::Serialize;

/// Entries per page unless the caller asks for fewer or more.
pub const DEFAULT_SUPPRESSION_PAGE: usize = 1_000;
/// Most entries in one page.
pub const MAX_SUPPRESSION_PAGE: usize = 10_000;

/// One suppression.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SuppressionView {
    /// The keyed hash (32 hex digits) of one identifier of the person: an email hash, or
    /// the hash of a phone number, profile id or source key.
    pub hash: String,
    /// Why: `erasure` (the person was erased; their data is gone) or `deletion_list`
    /// (on a regulator's deletion list without being held). An identifier listed first
    /// and erased later appears again as `erasure`.
    pub kind: String,
    /// When (RFC 3339).
    pub suppressed_at: String,
}

/// A page of the feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SuppressionPage {
    pub suppressions: Vec<SuppressionView>,
    /// Pass as `since` for the entries after this page; present on every page, so a
    /// follower that reached the end keeps it and asks again later.
    pub next_cursor: String,
}

impl Engine {
    /// The suppressions after cursor `since` (from the first when `None`), at most
    /// `limit` ([`DEFAULT_SUPPRESSION_PAGE`] when `None`, at most
    /// [`MAX_SUPPRESSION_PAGE`]).
    pub fn suppressions(
        &self,
        since: Option<&str>,
        limit: Option<usize>,
    ) -> Result<SuppressionPage> {
        let after = match since {
            None => 0,
            Some(cursor) => parse_cursor(cursor).ok_or_else(|| {
                Error::invalid("since must be the next_cursor of an earlier page")
            })?,
        };
        let limit = limit.unwrap_or(DEFAULT_SUPPRESSION_PAGE);
        if !(1..=MAX_SUPPRESSION_PAGE).contains(&limit) {
            return Err(Error::invalid(format!(
                "limit must be between 1 and {MAX_SUPPRESSION_PAGE}"
            )));
        }
        let entries = self.store().suppressions_after(after, limit)?;
        let next = entries.last().map_or(after, |entry| entry.seq);
        Ok(SuppressionPage {
            suppressions: entries
                .into_iter()
                .map(|entry| SuppressionView {
                    hash: hex::encode(entry.hash),
                    kind: kind_name(entry.kind).into(),
                    suppressed_at: crate::clock::format_rfc3339(entry.at),
                })
                .collect(),
            next_cursor: next.to_string(),
        })
    }
}

/// A cursor: the decimal feed sequence, 1 to 19 digits and nothing else.
fn parse_cursor(text: &str) -> Option<u64> {
    let digits = (1..=19).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse().ok()).flatten()
}

fn kind_name(kind: u8) -> &'static str {
    match kind {
        SUPPRESSED_BY_ERASURE => "erasure",
        SUPPRESSED_BY_DELETION_LIST => "deletion_list",
        _ => "other",
    }
}
