//! Bearer-key authorization. The scope a handler needs is part of its argument type
//! (`Authorized<LookupScope>`), so a route cannot forget to check it.

use super::error::ApiError;
use super::AppState;
use crate::config::{ApiKey, Scope};
use crate::error::Error;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

/// The configured keys, by BLAKE3 hash of the key (the keys themselves are not kept).
pub struct Keys {
    by_hash: HashMap<[u8; 32], (Arc<str>, Vec<Scope>)>,
}

impl Keys {
    pub fn new(keys: &[ApiKey]) -> Self {
        Self {
            by_hash: keys
                .iter()
                .map(|k| {
                    (
                        *blake3::hash(k.key.as_bytes()).as_bytes(),
                        (Arc::from(k.name.as_str()), k.scopes.clone()),
                    )
                })
                .collect(),
        }
    }

    /// Whether the daemon runs without keys (allowed on loopback only; see `Config`).
    pub fn is_open(&self) -> bool {
        self.by_hash.is_empty()
    }

    /// Whether the request's key holds `scope` (for a route whose answer depends on it).
    pub fn holds(&self, headers: &axum::http::HeaderMap, scope: Scope) -> bool {
        let header = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
        self.authorize(header, scope).is_ok()
    }

    /// The key holder's name when `header` carries a key with `scope`.
    fn authorize(&self, header: Option<&str>, scope: Scope) -> Result<Arc<str>, Error> {
        if self.is_open() {
            return Ok(Arc::from("anonymous"));
        }
        let (name, scopes) = self.holder(header)?;
        if scopes.contains(&scope) || scopes.contains(&Scope::Admin) {
            Ok(name.clone())
        } else {
            Err(Error::Forbidden(scope.name()))
        }
    }

    /// The name and scopes of the key `header` carries.
    fn holder(&self, header: Option<&str>) -> Result<&(Arc<str>, Vec<Scope>), Error> {
        // The scheme is case-insensitive (RFC 9110 §11.1).
        let key = header
            .and_then(|h| h.trim_start().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, key)| key.trim())
            .filter(|key| !key.is_empty())
            .ok_or(Error::Unauthorized)?;
        self.by_hash
            .get(blake3::hash(key.as_bytes()).as_bytes())
            .ok_or(Error::Unauthorized)
    }

    /// The key holder's name when `header` carries any valid key.
    fn name_of(&self, header: Option<&str>) -> Result<Arc<str>, Error> {
        if self.is_open() {
            return Ok(Arc::from("anonymous"));
        }
        Ok(self.holder(header)?.0.clone())
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
    _scope: PhantomData<S>,
}

impl<S: RequiredScope> FromRequestParts<AppState> for Authorized<S> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let principal = state.keys.authorize(header, S::SCOPE)?;
        Ok(Self {
            principal,
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
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        Ok(Self {
            principal: state.keys.name_of(header)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_grant_their_scopes_and_admin_grants_all() {
        let keys = Keys::new(&[
            ApiKey {
                name: "ext".into(),
                key: "0123456789abcdef".into(),
                scopes: vec![Scope::Lookup],
            },
            ApiKey {
                name: "ops".into(),
                key: "fedcba9876543210".into(),
                scopes: vec![Scope::Admin],
            },
        ]);
        assert_eq!(
            &*keys
                .authorize(Some("Bearer 0123456789abcdef"), Scope::Lookup)
                .expect("granted"),
            "ext"
        );
        assert!(matches!(
            keys.authorize(Some("Bearer 0123456789abcdef"), Scope::Ingest),
            Err(Error::Forbidden("ingest"))
        ));
        assert!(keys
            .authorize(Some("Bearer fedcba9876543210"), Scope::Ingest)
            .is_ok());
        assert!(matches!(
            keys.authorize(None, Scope::Lookup),
            Err(Error::Unauthorized)
        ));
        assert!(matches!(
            keys.authorize(Some("Bearer wrong"), Scope::Lookup),
            Err(Error::Unauthorized)
        ));
        for scheme in ["bearer", "BEARER", "BeArEr"] {
            let header = format!("{scheme}  0123456789abcdef");
            assert!(
                keys.authorize(Some(&header), Scope::Lookup).is_ok(),
                "{header}"
            );
        }
        for header in [
            "Basic 0123456789abcdef",
            "Bearer",
            "Bearer ",
            "0123456789abcdef",
        ] {
            assert!(
                matches!(
                    keys.authorize(Some(header), Scope::Lookup),
                    Err(Error::Unauthorized)
                ),
                "{header}"
            );
        }
    }
}
