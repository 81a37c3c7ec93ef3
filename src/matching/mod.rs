//! Matching: normalisation of names, companies and places; the terms shared by indexing
//! and lookup; candidate retrieval from the index; and the scoring model.

pub mod candidates;
pub mod nicknames;
pub mod normalize;
pub mod score;
pub mod terms;
