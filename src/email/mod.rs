//! Email addresses without keeping them: normalisation, keyed hashing, and the company
//! email-pattern statistics from which candidate addresses and their confidence come.
//!
//! A stored email hash is `BLAKE3-keyed(secret, SHA-256(normalised address))`, truncated to
//! 16 bytes. Hashing the SHA-256 (rather than the address) lets a client send
//! `email_sha256` instead of the address and still find the same entry.

pub mod pattern;

pub use pattern::{
    detect, detect_spelling, local_part, local_parts, pattern_name, Spelling, OBSERVED, PATTERNS,
};

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::Write;
use std::path::Path;

/// Name of the secret key file inside the data directory.
pub const KEY_FILE: &str = "email-hash.key";
/// Name of the file recording which key the data directory's hashes were made with.
pub const KEY_CHECK_FILE: &str = "email-hash.check";

/// How often each pattern is seen across companies in general: the prior that a few
/// observations at one domain are blended with. Indexed like [`PATTERNS`].
const PATTERN_PRIOR: &[f64] = &[
    0.40, 0.14, 0.08, 0.06, 0.05, 0.03, 0.02, 0.02, 0.02, 0.01, 0.02, 0.01, 0.01, 0.01, 0.005,
    0.005, 0.005, 0.005,
];
/// Weight of the prior, in observations.
const PRIOR_WEIGHT: f64 = 2.0;
/// Marker entries in a company's pattern counts (no pattern has these indices): how many
/// observed addresses spelt a name's ü/ö/ä/ø/å plainly ("muller") and how many
/// transliterated it ("mueller"). Kept among the pattern counts so that the stored
/// company record keeps its layout; a record from before has neither.
const SPELLING_PLAIN: u8 = 253;
const SPELLING_TRANSLITERATED: u8 = 254;

const _: () = assert!(
    PATTERNS.len() < SPELLING_PLAIN as usize,
    "pattern indices must stay below the spelling markers"
);

/// A pattern gets candidate hashes for a company's people once it reaches this share...
const ACTIVE_MIN_SHARE: f64 = 0.1;
/// ...and at most this many patterns per company do.
const ACTIVE_MAX: usize = 3;

/// The keyed hash function for email addresses. `Debug` never shows the key.
#[derive(Clone)]
pub struct EmailHasher {
    key: [u8; 32],
}

impl fmt::Debug for EmailHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmailHasher(<redacted>)")
    }
}

impl EmailHasher {
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    /// Uses `explicit` when the operator gave a key; else reads the data directory's key
    /// file, creating it (mode 0600, 32 random bytes) on first start.
    ///
    /// A data directory remembers which key its hashes were made with (a check value that
    /// reveals nothing about the key, [`KEY_CHECK_FILE`]), so a key that disagrees with
    /// it — an operator's key unlike the key file, or a missing operator key — is a clear
    /// start-up error instead of a second key whose hashes silently never match.
    pub fn load_or_create(data_dir: &Path, explicit: Option<[u8; 32]>) -> Result<Self> {
        let path = data_dir.join(KEY_FILE);
        let from_file = match std::fs::read(&path) {
            Ok(bytes) => Some(<[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
                Error::Config(format!("{} must hold exactly 32 bytes", path.display()))
            })?),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(err) => return Err(err.into()),
        };
        let check_path = data_dir.join(KEY_CHECK_FILE);
        let recorded = match std::fs::read(&check_path) {
            Ok(bytes) => Some(bytes),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(err) => return Err(err.into()),
        };
        let key = match (explicit, from_file) {
            (Some(given), Some(stored)) if given != stored => {
                return Err(Error::Config(format!(
                    "the email hash key given by the operator differs from the key in {}:                      the stored hashes were made with that one (remove the given key, or the data directory)",
                    path.display()
                )))
            }
            (Some(key), _) | (None, Some(key)) => key,
            (None, None) if recorded.is_some() => {
                return Err(Error::Config(format!(
                    "{} was keyed with an email hash key given by the operator: give it again                      (PROFILED_EMAIL_KEY, --email-key-hex or email_key_hex in the config file)",
                    data_dir.display()
                )))
            }
            (None, None) => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key)
                    .map_err(|err| Error::Internal(format!("random key: {err}")))?;
                write_private(&path, &key)?;
                key
            }
        };
        let hasher = Self::new(key);
        let check = hasher.check_value();
        match recorded {
            Some(recorded) if recorded != check => Err(Error::Config(format!(
                "the email hash key differs from the one {} was keyed with:                  its stored email hashes would never match",
                data_dir.display()
            ))),
            Some(_) => Ok(hasher),
            None => {
                write_private(&check_path, &check)?;
                Ok(hasher)
            }
        }
    }

    /// A fingerprint of the key that tells keys apart without revealing them (a snapshot
    /// records it, so a restore can refuse a data directory keyed otherwise).
    pub fn check_value(&self) -> [u8; 32] {
        *blake3::keyed_hash(&self.key, b"profiled email hash key check").as_bytes()
    }

    /// Hash of a normalised address (see [`normalize_address`]).
    pub fn hash_address(&self, address: &str) -> [u8; 16] {
        self.hash_sha256(&Sha256::digest(address.as_bytes()).into())
    }

    /// Hash from the SHA-256 of a normalised address.
    pub fn hash_sha256(&self, digest: &[u8; 32]) -> [u8; 16] {
        let full = blake3::keyed_hash(&self.key, digest);
        let mut out = [0u8; 16];
        out.copy_from_slice(&full.as_bytes()[..16]);
        out
    }

    /// A keyed hash of another identifier (a profile id, a source's person key, a phone
    /// number, how a subject was named), kept apart from email hashes by `kind`: lets
    /// the store recognise an identifier without holding it.
    pub fn hash_identifier(&self, kind: &str, value: &[u8]) -> [u8; 16] {
        let mut hasher = blake3::Hasher::new_keyed(&self.key);
        hasher.update(kind.as_bytes());
        hasher.update(&[0]);
        hasher.update(value);
        let mut out = [0u8; 16];
        out.copy_from_slice(&hasher.finalize().as_bytes()[..16]);
        out
    }
}

/// Writes a new file readable by its owner only, durably.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = crate::fsutil::create_private_file(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

/// An address split into its normalised parts (trimmed, lower-cased).
#[derive(Clone, PartialEq, Eq)]
pub struct Address {
    pub local: String,
    pub domain: String,
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Address(<redacted>)")
    }
}

impl Address {
    pub fn full(&self) -> String {
        format!("{}@{}", self.local, self.domain)
    }
}

/// Trims and lower-cases an address; `None` when it is not `local@domain.tld`.
pub fn normalize_address(raw: &str) -> Option<Address> {
    let lowered = raw.trim().to_lowercase();
    let (local, domain) = lowered.split_once('@')?;
    let valid_local = !local.is_empty()
        && local.len() <= 64
        && !local.contains(|c: char| c.is_whitespace() || c == '@');
    let valid_domain = domain.len() <= 253
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    (valid_local && valid_domain).then(|| Address {
        local: local.to_owned(),
        domain: domain.to_owned(),
    })
}

/// Parses 64 hex digits (either case).
pub fn parse_sha256_hex(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut out).ok()?;
    Some(out)
}

/// The pattern entries of a company's counts, without the spelling markers.
fn pattern_counts(counts: &[(u8, u32)]) -> impl Iterator<Item = (u8, u32)> + '_ {
    counts
        .iter()
        .copied()
        .filter(|(p, _)| usize::from(*p) < PATTERNS.len())
}

/// Probability that a person at a company with these observed `counts` uses `pattern`:
/// the observed share blended with the general prior, so one observation is not certainty.
pub fn pattern_probability(counts: &[(u8, u32)], pattern: u8) -> f64 {
    let total: f64 = pattern_counts(counts).map(|(_, n)| f64::from(n)).sum();
    let seen = counts
        .iter()
        .find(|(p, _)| *p == pattern)
        .map_or(0.0, |(_, n)| f64::from(*n));
    let prior = PATTERN_PRIOR
        .get(usize::from(pattern))
        .copied()
        .unwrap_or(0.0);
    (seen + PRIOR_WEIGHT * prior) / (total + PRIOR_WEIGHT)
}

/// The patterns worth a candidate hash at a company: the most common ones with a real share.
pub fn active_patterns(counts: &[(u8, u32)]) -> Vec<u8> {
    let total: u32 = pattern_counts(counts).map(|(_, n)| n).sum();
    let mut ranked: Vec<(u8, u32)> = pattern_counts(counts)
        .filter(|(_, n)| f64::from(*n) >= ACTIVE_MIN_SHARE * f64::from(total))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked
        .into_iter()
        .take(ACTIVE_MAX)
        .map(|(p, _)| p)
        .collect()
}

/// Adds one observation of `pattern` to a company's counts.
pub fn observe_pattern(counts: &mut Vec<(u8, u32)>, pattern: u8) {
    match counts.iter_mut().find(|(p, _)| *p == pattern) {
        Some((_, n)) => *n = n.saturating_add(1),
        None => counts.push((pattern, 1)),
    }
}

/// Learns from one observed address of a person at the company's domain: the pattern it
/// follows and, when the name has letters such as ü, how it spells them. Returns the
/// pattern; `None` (nothing learnt) when the address follows none.
pub fn observe_address(
    counts: &mut Vec<(u8, u32)>,
    local: &str,
    first: &str,
    last: &str,
) -> Option<u8> {
    let pattern = detect(local, first, last)?;
    observe_pattern(counts, pattern);
    match detect_spelling(local, first, last) {
        Some(Spelling::Plain) => observe_pattern(counts, SPELLING_PLAIN),
        Some(Spelling::Transliterated) => observe_pattern(counts, SPELLING_TRANSLITERATED),
        None => {}
    }
    Some(pattern)
}

/// Probability that the company's addresses spell a name's ü/ö/ä/ø/å the `spelling` way:
/// the observed share with one observation's worth of "either" blended in, so that a
/// domain with no such address says 0.5 each and one address is not certainty.
pub fn spelling_probability(counts: &[(u8, u32)], spelling: Spelling) -> f64 {
    let count = |marker: u8| {
        counts
            .iter()
            .find(|(p, _)| *p == marker)
            .map_or(0.0, |(_, n)| f64::from(*n))
    };
    let (plain, transliterated) = (count(SPELLING_PLAIN), count(SPELLING_TRANSLITERATED));
    let seen = match spelling {
        Spelling::Plain => plain,
        Spelling::Transliterated => transliterated,
    };
    (seen + 0.5) / (plain + transliterated + 1.0)
}

/// The spelling a company's addresses more likely use; the plain one when its addresses
/// do not tell.
pub fn likely_spelling(counts: &[(u8, u32)]) -> Spelling {
    if spelling_probability(counts, Spelling::Transliterated) > 0.5 {
        Spelling::Transliterated
    } else {
        Spelling::Plain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        let a = normalize_address("  Jane.Doe@ACME.nl ").expect("valid");
        assert_eq!(a.full(), "jane.doe@acme.nl");
        assert!(normalize_address("not an email").is_none());
        assert!(normalize_address("a@b").is_none());
        assert!(normalize_address("@acme.nl").is_none());
    }

    #[test]
    fn sha256_input_hashes_like_the_address() {
        let hasher = EmailHasher::new([7; 32]);
        let digest: [u8; 32] = Sha256::digest(b"jane.doe@acme.nl").into();
        let hex = hex::encode(digest);
        let parsed = parse_sha256_hex(&hex.to_uppercase()).expect("hex");
        assert_eq!(
            hasher.hash_sha256(&parsed),
            hasher.hash_address("jane.doe@acme.nl")
        );
        assert_ne!(
            EmailHasher::new([8; 32]).hash_address("jane.doe@acme.nl"),
            hasher.hash_address("jane.doe@acme.nl"),
            "the key must matter"
        );
    }

    /// `u8::from_str_radix`, which parsed each digit pair before, takes a sign: `+f` was
    /// read as the byte 0x0f.
    #[test]
    fn a_sha256_with_a_signed_digit_pair_is_not_hex() {
        let signed = format!("+f{}", "0".repeat(62));
        assert_eq!(parse_sha256_hex(&signed), None);
        assert_eq!(parse_sha256_hex(&"0".repeat(63)), None);
        assert!(parse_sha256_hex(&format!(" {} ", "aB".repeat(32))).is_some());
    }

    #[test]
    fn an_operator_key_that_disagrees_with_the_data_directory_is_refused() {
        let given = [7u8; 32];
        // An operator's key keys a new directory without writing the key itself.
        let dir = tempfile::tempdir().expect("tempdir");
        let hasher = EmailHasher::load_or_create(dir.path(), Some(given)).expect("keyed");
        assert!(!dir.path().join(KEY_FILE).exists());
        assert_eq!(
            EmailHasher::load_or_create(dir.path(), Some(given))
                .expect("same key")
                .hash_address("a@b.co"),
            hasher.hash_address("a@b.co")
        );
        let err = EmailHasher::load_or_create(dir.path(), Some([8u8; 32])).expect_err("other key");
        assert!(err.to_string().contains("differs"), "{err}");
        let err = EmailHasher::load_or_create(dir.path(), None).expect_err("no key");
        assert!(err.to_string().contains("PROFILED_EMAIL_KEY"), "{err}");
        assert!(!dir.path().join(KEY_FILE).exists(), "no second key");
        // A key file and an operator's key that differ.
        let dir = tempfile::tempdir().expect("tempdir");
        let from_file = EmailHasher::load_or_create(dir.path(), None).expect("created");
        let err = EmailHasher::load_or_create(dir.path(), Some(given)).expect_err("differs");
        assert!(err.to_string().contains("differs"), "{err}");
        let stored: [u8; 32] = std::fs::read(dir.path().join(KEY_FILE))
            .expect("key file")
            .try_into()
            .expect("32 bytes");
        let same = EmailHasher::load_or_create(dir.path(), Some(stored)).expect("same key");
        assert_eq!(
            same.hash_address("a@b.co"),
            from_file.hash_address("a@b.co")
        );
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = EmailHasher::load_or_create(dir.path(), None).expect("create");
        let second = EmailHasher::load_or_create(dir.path(), None).expect("reuse");
        assert_eq!(first.hash_address("a@b.co"), second.hash_address("a@b.co"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .expect("key file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!format!("{first:?}").contains(&format!("{:?}", first.key)));
    }

    #[test]
    fn probabilities_blend_observations_with_the_prior() {
        let one = pattern_probability(&[(0, 1)], 0);
        let many = pattern_probability(&[(0, 20)], 0);
        assert!(one < many && many < 1.0);
        let unseen = pattern_probability(&[(0, 20)], 1);
        assert!(unseen < 0.05);
        assert_eq!(active_patterns(&[(0, 20), (1, 1), (4, 5)]), vec![0, 4]);
        let mut counts = vec![];
        observe_pattern(&mut counts, 3);
        observe_pattern(&mut counts, 3);
        assert_eq!(counts, vec![(3, 2)]);
    }

    #[test]
    fn spellings_are_learnt_beside_the_patterns_without_changing_them() {
        let mut counts = vec![];
        assert_eq!(
            observe_address(&mut counts, "j.mueller", "Jürgen", "Müller"),
            Some(4)
        );
        assert_eq!(
            observe_address(&mut counts, "anna.schaefer", "Anna", "Schäfer"),
            Some(0)
        );
        // no letter to spell: the pattern alone
        assert_eq!(
            observe_address(&mut counts, "jane.doe", "Jane", "Doe"),
            Some(0)
        );
        assert_eq!(observe_address(&mut counts, "info", "Jane", "Doe"), None);
        assert_eq!(
            counts,
            vec![(4, 1), (SPELLING_TRANSLITERATED, 2), (0, 2)],
            "{counts:?}"
        );
        // The markers count neither as patterns nor towards their total.
        assert_eq!(
            pattern_probability(&counts, 0),
            pattern_probability(&[(4, 1), (0, 2)], 0)
        );
        assert_eq!(active_patterns(&counts), vec![0, 4]);
        assert_eq!(likely_spelling(&counts), Spelling::Transliterated);
        assert!((spelling_probability(&counts, Spelling::Transliterated) - 2.5 / 3.0).abs() < 1e-9);
        // A domain that tells nothing: even odds, the plain spelling.
        assert_eq!(spelling_probability(&[(0, 5)], Spelling::Plain), 0.5);
        assert_eq!(likely_spelling(&[(0, 5)]), Spelling::Plain);
        let mut plain = vec![];
        observe_address(&mut plain, "jurgen.muller", "Jürgen", "Müller");
        assert_eq!(likely_spelling(&plain), Spelling::Plain);
        assert_eq!(spelling_probability(&plain, Spelling::Plain), 0.75);
    }
}
