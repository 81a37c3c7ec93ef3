//! Bearer-key authorization. The scope a handler needs is part of its argument type
//! (`Authorized<LookupScope>`), so a route cannot forget to check it.
//!
//! Keys are held only as BLAKE3 hashes. A presented key is hashed and compared with
//! every configured hash in constant time (no early exit, `blake3::Hash`'s constant-time
//! equality), so timing tells nothing about how close a guess came. The guard
//! ([`super::guard`]) resolves the key once per request, checks its origin and rate
//! limit, and leaves the [`Principal`] in the request's extensions for the extractor.

use super::error::ApiError;
use super::limits::{Refusal, Usage};
use super::AppState;
use crate::clock::Clock;
use crate::config::{ApiKey, Scope};
use crate::error::Error;
use crate::metrics::Metrics;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::marker::PhantomData;
use std::sync::Arc;

/// Who a key belongs to and what it may do.
pub struct Principal {
    pub name: Arc<str>,
    scopes: Vec<Scope>,
    /// Browser origins the key may be used from.
    origins: Vec<String>,
    pub usage: Usage,
}

impl Principal {
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope) || self.scopes.contains(&Scope::Admin)
    }

    pub fn allows_origin(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| o == origin)
    }
}

/// The configured keys, by BLAKE3 hash of the key (the keys themselves are not kept).
pub struct Keys {
    entries: Vec<(blake3::Hash, Arc<Principal>)>,
    clock: Arc<dyn Clock>,
}

impl Keys {
    /// `default_origins` apply to keys that name no origins of their own.
    pub fn new(keys: &[ApiKey], default_origins: &[String], clock: Arc<dyn Clock>) -> Self {
        Self {
            entries: keys
                .iter()
                .map(|k| {
                    let principal = Principal {
                        name: Arc::from(k.name.as_str()),
                        scopes: k.scopes.clone(),
                        origins: k
                            .cors_origins
                            .clone()
                            .unwrap_or_else(|| default_origins.to_vec()),
                        usage: Usage::new(&k.limits),
                    };
                    (blake3::Hash::from(k.secret.hash()), Arc::new(principal))
                })
                .collect(),
            clock,
        }
    }

    /// Whether the daemon runs without keys (allowed on loopback only; see `Config`).
    pub fn is_open(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every key holder.
    pub fn principals(&self) -> impl Iterator<Item = &Arc<Principal>> {
        self.entries.iter().map(|(_, p)| p)
    }

    /// Every origin some key may be used from.
    pub fn origins(&self) -> impl Iterator<Item = &str> {
        self.principals()
            .flat_map(|p| p.origins.iter().map(String::as_str))
    }

    /// The Unix time quotas count days by.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Whether the request's key holds `scope` (for a route whose answer depends on it);
    /// the open mode holds every scope.
    pub fn holds(&self, headers: &axum::http::HeaderMap, scope: Scope) -> bool {
        self.is_open()
            || self
                .verify(
                    headers
                        .get(axum::http::header::AUTHORIZATION)
                        .and_then(|v| v.to_str().ok()),
                )
                .is_some_and(|key| key.allows(scope))
    }

    /// The holder of the key an `Authorization: Bearer <key>` header carries, if any.
    pub fn verify(&self, header: Option<&str>) -> Option<Arc<Principal>> {
        // The scheme is case-insensitive (RFC 9110 §11.1).
        let key = header
            .and_then(|h| h.trim_start().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, key)| key.trim())
            .filter(|key| !key.is_empty())?;
        let presented = blake3::hash(key.as_bytes());
        let mut found = None;
        for (hash, principal) in &self.entries {
            // Every hash is compared, each in constant time.
            if presented == *hash {
                found = Some(principal);
            }
        }
        found.cloned()
    }
}

/// A scope a route requires.
pub trait RequiredScope {
    const SCOPE: Scope;
}

macro_rules! scopes {
    ($($marker:ident => $scope:ident),* $(,)?) => {$(
        #[doc = concat!("Marker: the route needs the `", stringify!($scope), "` scope.")]
        pub struct $marker;
        impl RequiredScope for $marker {
            const SCOPE: Scope = Scope::$scope;
        }
    )*};
}

scopes! {
    LookupScope => Lookup,
    EnrichScope => Enrich,
    IngestScope => Ingest,
    SearchScope => Search,
    PrivacyScope => Privacy,
    AdminScope => Admin,
}

/// Proof that the request carries a key with scope `S`; names who holds it.
pub struct Authorized<S> {
    pub principal: Arc<str>,
    key: Option<Arc<Principal>>,
    keys: Arc<Keys>,
    metrics: Arc<Metrics>,
    _scope: PhantomData<S>,
}

impl<S> Authorized<S> {
    /// Counts `records` against the key's daily quota, all or nothing.
    pub fn charge(&self, records: u64) -> Result<(), Error> {
        let Some(key) = &self.key else {
            return Ok(());
        };
        match key.usage.charge(records, self.keys.now()) {
            Ok(()) => {
                self.metrics.key_records(&key.name, records);
                Ok(())
            }
            Err(refusal) => {
                self.metrics.key_throttled(&key.name, "quota");
                Err(refused(refusal))
            }
        }
    }

    /// Refuses (429) when the key's daily quota has no record left.
    pub fn require_quota(&self) -> Result<(), Error> {
        let Some(key) = &self.key else {
            return Ok(());
        };
        key.usage.check_quota(self.keys.now()).map_err(|refusal| {
            self.metrics.key_throttled(&key.name, "quota");
            refused(refusal)
        })
    }

    /// Counts as many of `records` as the key's quota holds today; returns how many.
    pub fn charge_up_to(&self, records: u64) -> u64 {
        let Some(key) = &self.key else {
            return records;
        };
        let granted = key.usage.charge_up_to(records, self.keys.now());
        self.metrics.key_records(&key.name, granted);
        if granted < records {
            self.metrics.key_throttled(&key.name, "quota");
        }
        granted
    }
}

/// The error a limit's refusal answers with.
pub fn refused(refusal: Refusal) -> Error {
    match refusal {
        Refusal::Rate { retry_after } => Error::RateLimited { retry_after },
        Refusal::Quota {
            limit,
            remaining,
            retry_after,
        } => Error::QuotaExceeded {
            limit,
            remaining,
            retry_after,
        },
    }
}

impl<S: RequiredScope> FromRequestParts<AppState> for Authorized<S> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let key = parts.extensions.get::<Arc<Principal>>().cloned();
        let principal = match &key {
            Some(key) if key.allows(S::SCOPE) => key.name.clone(),
            Some(_) => return Err(ApiError(Error::Forbidden(S::SCOPE.name()))),
            None if state.keys.is_open() => Arc::from("anonymous"),
            None => return Err(ApiError(Error::Unauthorized)),
        };
        Ok(Self {
            principal,
            key,
            keys: state.keys.clone(),
            metrics: state.metrics.clone(),
            _scope: PhantomData,
        })
    }
}

/// Proof that the request carries a valid key, whatever its scopes: for what every client
/// may ask about itself (its notices).
pub struct AnyKey {
    pub principal: Arc<str>,
}

impl FromRequestParts<AppState> for AnyKey {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let principal = match parts.extensions.get::<Arc<Principal>>() {
            Some(key) => key.name.clone(),
            None if state.keys.is_open() => Arc::from("anonymous"),
            None => return Err(ApiError(Error::Unauthorized)),
        };
        Ok(Self { principal })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::config::{KeyLimits, KeySecret};

    fn key(name: &str, secret: KeySecret, scopes: Vec<Scope>) -> ApiKey {
        ApiKey {
            name: name.into(),
            secret,
            scopes,
            limits: KeyLimits::default(),
            cors_origins: None,
        }
    }

    #[test]
    fn hashed_and_plain_keys_verify_and_admin_grants_all() {
        let keys = Keys::new(
            &[
                key(
                    "ext",
                    KeySecret::Plain("0123456789abcdef".into()),
                    vec![Scope::Lookup],
                ),
                key(
                    "ops",
                    KeySecret::Hash(crate::config::hash_key("fedcba9876543210")),
                    vec![Scope::Admin],
                ),
            ],
            &["chrome-extension://abc".into()],
            Arc::new(SystemClock),
        );
        let ext = keys.verify(Some("Bearer 0123456789abcdef")).expect("ext");
        assert_eq!(&*ext.name, "ext");
        assert!(ext.allows(Scope::Lookup) && !ext.allows(Scope::Ingest));
        assert!(ext.allows_origin("chrome-extension://abc"));
        let ops = keys.verify(Some("Bearer fedcba9876543210")).expect("ops");
        assert!(ops.allows(Scope::Ingest) && ops.allows(Scope::Privacy));
        assert!(keys.verify(None).is_none());
        assert!(keys.verify(Some("Bearer wrong")).is_none());
        for scheme in ["bearer", "BEARER", "BeArEr"] {
            let header = format!("{scheme}  0123456789abcdef");
            assert!(keys.verify(Some(&header)).is_some(), "{header}");
        }
        for header in [
            "Basic 0123456789abcdef",
            "Bearer",
            "Bearer ",
            "0123456789abcdef",
        ] {
            assert!(keys.verify(Some(header)).is_none(), "{header}");
        }
    }
}
