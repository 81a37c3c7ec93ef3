//! Matching: normalisation of names, companies and places; the terms shared by indexing
//! and lookup; the scoring model; and the in-memory table of every profile's scoring
//! inputs. Pure functions and data: retrieval from the index lives in
//! [`crate::index::retrieval`], which builds on these terms.

pub mod names;
pub mod nicknames;
pub mod normalize;
pub mod score;
pub mod table;
pub mod terms;
