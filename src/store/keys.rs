//! Key layouts of the sled trees. Big-endian integers so that sled's byte order is the
//! numeric order (range scans over sequences and times rely on it).

use crate::model::{CompanyId, ProfileId};

pub const META_FORMAT: &[u8] = b"format_version";
pub const META_OUTBOX_SEQ: &[u8] = b"outbox_seq";
pub const META_PROFILE_COUNT: &[u8] = b"count_profiles";
pub const META_COMPANY_COUNT: &[u8] = b"count_companies";
pub const META_SUPPRESSION_SEQ: &[u8] = b"suppression_seq";
/// When the first profile was deleted since the last purge (i64 BE): deleted bytes may
/// remain in the files since then. A rewrite leaves it out.
pub const META_UNPURGED_SINCE: &[u8] = b"unpurged_since";
pub const META_RESTRICTED_COUNT: &[u8] = b"count_restricted";
pub const META_NOTICE_SEQ: &[u8] = b"notice_seq";

/// `profile id ‖ key name`.
pub fn recipient_key(id: ProfileId, key_name: &str) -> Vec<u8> {
    let mut key = id.to_bytes().to_vec();
    key.extend_from_slice(key_name.as_bytes());
    key
}

/// `key name ‖ 0 ‖ sequence`: a key name holds no NUL (names are checked at start-up),
/// so one key's notices are one contiguous range in sequence order.
pub fn notice_key(key_name: &str, seq: u64) -> Vec<u8> {
    let mut key = notice_prefix(key_name);
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

pub fn notice_prefix(key_name: &str) -> Vec<u8> {
    let mut key = key_name.as_bytes().to_vec();
    key.push(0);
    key
}

/// `hash ‖ profile id`: several people can share one candidate address.
pub fn email_key(hash: &[u8; 16], id: ProfileId) -> [u8; 24] {
    let mut key = [0u8; 24];
    key[..16].copy_from_slice(hash);
    key[16..].copy_from_slice(&id.to_bytes());
    key
}

pub fn member_key(company: CompanyId, id: ProfileId) -> [u8; 16] {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&company.to_bytes());
    key[8..].copy_from_slice(&id.to_bytes());
    key
}

/// `UTC day (u32 BE) ‖ key name`: the `quotas` tree, so old days are one range.
pub fn quota_key(day: u32, name: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(4 + name.len());
    key.extend_from_slice(&day.to_be_bytes());
    key.extend_from_slice(name.as_bytes());
    key
}

/// `time ‖ profile id`, with the sign bit flipped so negative times sort first.
pub fn last_seen_key(last_seen: i64, id: ProfileId) -> [u8; 16] {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&((last_seen as u64) ^ (1 << 63)).to_be_bytes());
    key[8..].copy_from_slice(&id.to_bytes());
    key
}

/// Inverse of [`last_seen_key`].
pub fn parse_last_seen_key(key: &[u8]) -> Option<(i64, ProfileId)> {
    let time = u64::from_be_bytes(key.get(..8)?.try_into().ok()?) ^ (1 << 63);
    Some((time as i64, ProfileId::from_bytes(key.get(8..16)?)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_seen_keys_sort_by_time_then_id() {
        let a = last_seen_key(-5, ProfileId(9));
        let b = last_seen_key(3, ProfileId(1));
        let c = last_seen_key(3, ProfileId(2));
        assert!(a < b && b < c);
        assert_eq!(parse_last_seen_key(&b), Some((3, ProfileId(1))));
        assert_eq!(parse_last_seen_key(&a), Some((-5, ProfileId(9))));
    }
}
