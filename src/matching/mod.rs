//! Matching: normalisation of names, companies and places; the terms shared by indexing
//! and lookup; candidate retrieval from the index; the scoring model; and the in-memory
//! table of every profile's scoring inputs.

pub mod candidates;
pub mod nicknames;
pub mod normalize;
pub mod score;
pub mod table;
pub mod terms;
