//! TEMPORARY stub until the generator lands.
use crate::model::ProfileInput;
#[derive(Clone, Debug)]
pub struct GenOptions {
    pub count: u64,
    pub seed: u64,
    pub now: i64,
}
pub fn profile(_opts: &GenOptions, _index: u64) -> ProfileInput {
    ProfileInput::default()
}
pub fn write_ndjson<W: std::io::Write>(_opts: &GenOptions, _out: W) -> std::io::Result<u64> {
    Ok(0)
}
