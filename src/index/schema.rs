//! Builds the tantivy schema from the declarative files in `index-schema/`.
//!
//! The file is compiled into the binary (so the daemon is one self-contained file) and
//! parsed at start; its `version` is written into every commit so a daemon can tell an
//! index built with another schema and rebuild it from sled.

use crate::error::{Error, Result};
use serde::Deserialize;
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
    WhitespaceTokenizer,
};

/// The profile index schema this build was compiled with.
pub const PROFILES_SCHEMA: &str = include_str!("../../index-schema/profiles.toml");

/// Tokenizer of pre-normalised match terms (see `index-schema/profiles.toml`).
pub const TERMS_TOKENIZER: &str = "terms";
/// Tokenizer of free text.
pub const FOLDED_TOKENIZER: &str = "folded";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SchemaFile {
    version: u32,
    fields: Vec<FieldSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldSpec {
    name: String,
    #[serde(rename = "type")]
    kind: FieldKind,
    #[serde(default)]
    tokenizer: Option<String>,
    #[serde(default)]
    record: Option<String>,
    #[serde(default)]
    indexed: bool,
    #[serde(default)]
    fast: bool,
    #[serde(default)]
    stored: bool,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum FieldKind {
    Text,
    String,
    U64,
    I64,
}

/// Handles of the fields the code uses; building fails if the file lacks one.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub id: Field,
    pub name: Field,
    pub name_key: Field,
    pub phonetic: Field,
    pub company: Field,
    pub company_id: Field,
    pub location: Field,
    pub text: Field,
    pub title: Field,
    pub skills: Field,
    pub country: Field,
    pub city: Field,
    pub industry: Field,
    pub size: Field,
    pub last_seen: Field,
}

/// A parsed schema: its version, the tantivy schema, and the field handles.
#[derive(Clone, Debug)]
pub struct ProfileSchema {
    pub version: u32,
    pub schema: Schema,
    pub fields: Fields,
}

impl ProfileSchema {
    /// The schema compiled into this build.
    pub fn builtin() -> Result<Self> {
        Self::parse(PROFILES_SCHEMA)
    }

    pub fn parse(text: &str) -> Result<Self> {
        let file: SchemaFile =
            toml::from_str(text).map_err(|err| Error::Config(format!("index schema: {err}")))?;
        let mut builder = Schema::builder();
        for spec in &file.fields {
            match spec.kind {
                FieldKind::Text => {
                    let tokenizer = spec.tokenizer.as_deref().unwrap_or(FOLDED_TOKENIZER);
                    let record = match spec.record.as_deref().unwrap_or("freqs") {
                        "basic" => IndexRecordOption::Basic,
                        "freqs" => IndexRecordOption::WithFreqs,
                        other => {
                            return Err(Error::Config(format!(
                                "index schema: field {}: unknown record {other}",
                                spec.name
                            )))
                        }
                    };
                    let mut options = TextOptions::default().set_indexing_options(
                        TextFieldIndexing::default()
                            .set_tokenizer(tokenizer)
                            .set_index_option(record),
                    );
                    if spec.stored {
                        options = options.set_stored();
                    }
                    builder.add_text_field(&spec.name, options);
                }
                FieldKind::String => {
                    let mut options = TextOptions::default();
                    if spec.indexed {
                        options = options.set_indexing_options(
                            TextFieldIndexing::default()
                                .set_tokenizer("raw")
                                .set_index_option(IndexRecordOption::Basic),
                        );
                    }
                    if spec.fast {
                        options = options.set_fast(None);
                    }
                    if spec.stored {
                        options = options.set_stored();
                    }
                    builder.add_text_field(&spec.name, options);
                }
                FieldKind::U64 | FieldKind::I64 => {
                    let mut options = NumericOptions::default();
                    if spec.indexed {
                        options = options.set_indexed();
                    }
                    if spec.fast {
                        options = options.set_fast();
                    }
                    if spec.stored {
                        options = options.set_stored();
                    }
                    if spec.kind == FieldKind::U64 {
                        builder.add_u64_field(&spec.name, options);
                    } else {
                        builder.add_i64_field(&spec.name, options);
                    }
                }
            }
        }
        let schema = builder.build();
        let field = |name: &str| {
            schema
                .get_field(name)
                .map_err(|_| Error::Config(format!("index schema lacks the field `{name}`")))
        };
        let fields = Fields {
            id: field("id")?,
            name: field("name")?,
            name_key: field("name_key")?,
            phonetic: field("phonetic")?,
            company: field("company")?,
            company_id: field("company_id")?,
            location: field("location")?,
            text: field("text")?,
            title: field("title")?,
            skills: field("skills")?,
            country: field("country")?,
            city: field("city")?,
            industry: field("industry")?,
            size: field("size")?,
            last_seen: field("last_seen")?,
        };
        Ok(Self {
            version: file.version,
            schema,
            fields,
        })
    }
}

/// Registers the tokenizers the schema names.
pub fn register_tokenizers(index: &tantivy::Index) {
    index.tokenizers().register(
        TERMS_TOKENIZER,
        TextAnalyzer::builder(WhitespaceTokenizer::default())
            .filter(RemoveLongFilter::limit(64))
            .build(),
    );
    index.tokenizers().register(
        FOLDED_TOKENIZER,
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(64))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_schema_parses() {
        let schema = ProfileSchema::builtin().expect("builtin schema");
        assert!(schema.version >= 1);
        assert_eq!(schema.schema.get_field_name(schema.fields.id), "id");
    }

    #[test]
    fn a_missing_field_is_reported_by_name() {
        let err = ProfileSchema::parse("version = 1\n[[fields]]\nname = \"id\"\ntype = \"u64\"\n")
            .expect_err("incomplete");
        assert!(err.to_string().contains("`name`"), "{err}");
    }
}
