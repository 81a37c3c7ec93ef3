//! Strict JSON decoding of client input with messages written for the client.
//!
//! serde's derived visitors accept a JSON array where a struct is expected (fields by
//! position), so `[]` read as a request with every field absent; [`from_slice`] decodes
//! through [`Strict`], a deserializer over [`Value`] that refuses an array wherever an
//! object is expected, at any depth. Its errors name the field (by its path, which only
//! holds fields the API defines) and what the client must send there — never serde's
//! internal type names, the client's values or the client's unknown field names.

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};
use serde::forward_to_deserialize_any;
use serde_json::{Map, Value};

/// Why client JSON was refused, as a sentence for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError(pub String);

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Decodes a whole JSON document (e.g. a request body) into `T`; syntax errors give the
/// line and column.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|err| {
        JsonError(format!(
            "{} at line {} column {}",
            syntax_problem(&err),
            err.line(),
            err.column()
        ))
    })?;
    from_value(&value)
}

/// Decodes one NDJSON line; `line` is its number in the body (errors give it and the
/// column within the line).
pub fn from_line<T: DeserializeOwned>(bytes: &[u8], line: u64) -> Result<T, JsonError> {
    from_value(&parse_line(bytes, line)?)
}

/// Parses one NDJSON line as JSON; `line` is its number in the body.
pub fn parse_line(bytes: &[u8], line: u64) -> Result<Value, JsonError> {
    serde_json::from_slice(bytes).map_err(|err| {
        JsonError(format!(
            "{} at line {line} column {}",
            syntax_problem(&err),
            err.column()
        ))
    })
}

/// Decodes an already parsed value into `T`, refusing arrays in place of objects.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, JsonError> {
    serde_path_to_error::deserialize(Strict(value)).map_err(|err| {
        let message = err.inner().to_string();
        // At an unknown field the path ends with the client's own key: leave it out.
        let unknown = message.starts_with("unknown field");
        let path = field_path(err.path(), unknown);
        let problem = data_problem(&message);
        JsonError(match path {
            Some(path) => format!("`{path}`: {problem}"),
            None => problem,
        })
    })
}

fn syntax_problem(err: &serde_json::Error) -> &'static str {
    match err.classify() {
        serde_json::error::Category::Eof => "unexpected end of JSON",
        serde_json::error::Category::Io => "unreadable body",
        _ => "malformed JSON",
    }
}

/// The path to the failing value (`records[2].company`), or `None` at the top.
fn field_path(path: &serde_path_to_error::Path, drop_last: bool) -> Option<String> {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    let segments: Vec<&Segment> = path.iter().collect();
    let keep = segments.len() - usize::from(drop_last && !segments.is_empty());
    for segment in &segments[..keep] {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            // Keys are struct fields the decoder accepted: the API's own names.
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => break,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Rewrites serde's message ("invalid type: string \"…\", expected usize") as what the
/// client must send ("must be a whole number ≥ 0"), without quoting any value.
fn data_problem(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field ") {
        return match expected_names(rest) {
            Some(names) => format!("unknown field; the fields here are {names}"),
            None => "unknown field; this object takes no fields".to_owned(),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        return match expected_names(rest) {
            Some(names) => format!("must be one of {names}"),
            None => "has an unknown value".to_owned(),
        };
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let name = rest.split('`').nth(1).unwrap_or("a required field");
        return format!("the field `{name}` is required");
    }
    if message.contains("untagged enum") {
        return "must be a string or a list of strings".to_owned();
    }
    if let Some((_, expected)) = message.rsplit_once(", expected ") {
        return format!("must be {}", expected_kind(expected));
    }
    "has the wrong shape".to_owned()
}

/// The names in serde's "expected one of `a`, `b`" (or "expected `a`").
fn expected_names(rest: &str) -> Option<String> {
    let (_, list) = rest.split_once("expected ")?;
    let names: Vec<&str> = list
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|n| !n.is_empty())
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// A serde "expected" phrase in the API's words.
fn expected_kind(expected: &str) -> &'static str {
    let expected = expected.trim();
    match expected {
        "usize" | "u8" | "u16" | "u32" | "u64" => "a whole number ≥ 0",
        "isize" | "i8" | "i16" | "i32" | "i64" => "a whole number",
        "f32" | "f64" => "a number",
        "a boolean" => "true or false",
        "a string" | "a borrowed string" | "a character" => "a string",
        "a sequence" => "a list",
        "a map" => "an object",
        e if e.starts_with("struct ") || e.starts_with("an object") => "an object",
        e if e.starts_with("a sequence") || e.starts_with("a list") => "a list",
        e if e.starts_with("a string") => "a string",
        e if e.contains("integer") => "a whole number",
        e if e.contains("number") || e.starts_with('f') => "a number",
        _ => "a value of another type",
    }
}

/// A deserializer over a parsed [`Value`] that refuses an array where a struct is asked
/// for (serde's derived visitors would read it by position).
struct Strict<'de>(&'de Value);

type Error = serde_json::Error;

impl<'de> de::Deserializer<'de> for Strict<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(Items(items.iter())),
            Value::Object(map) => visitor.visit_map(Entries::new(map)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Entries::new(map)),
            other => Err(de::Error::invalid_type(unexpected(other), &"an object")),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Value::Object(map) if map.len() == 1 => {
                let (variant, value) = map.iter().next().expect("one entry");
                visitor.visit_enum(Variant { variant, value })
            }
            other => Err(de::Error::invalid_type(unexpected(other), &"a string")),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

fn unexpected(value: &Value) -> Unexpected<'static> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(_) => Unexpected::Other("a number"),
        Value::String(_) => Unexpected::Other("a string"),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

struct Items<'de>(std::slice::Iter<'de, Value>);

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0
            .next()
            .map(|value| seed.deserialize(Strict(value)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Entries<'de> {
    iter: serde_json::map::Iter<'de>,
    value: Option<&'de Value>,
}

impl<'de> Entries<'de> {
    fn new(map: &'de Map<String, Value>) -> Self {
        Self {
            iter: map.iter(),
            value: None,
        }
    }
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.iter.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(de::value::BorrowedStrDeserializer::new(key))
                    .map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self
            .value
            .take()
            .ok_or_else(|| <Error as de::Error>::custom("a value was asked for before its key"))?;
        seed.deserialize(Strict(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct Variant<'de> {
    variant: &'de str,
    value: &'de Value,
}

impl<'de> EnumAccess<'de> for Variant<'de> {
    type Error = Error;
    type Variant = Strict<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), Error> {
        let variant = seed.deserialize(de::value::BorrowedStrDeserializer::<Error>::new(
            self.variant,
        ))?;
        Ok((variant, Strict(self.value)))
    }
}

impl<'de> VariantAccess<'de> for Strict<'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.0 {
            Value::Null => Ok(()),
            other => Err(de::Error::invalid_type(unexpected(other), &"nothing")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_struct(self, "", fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the lookup_request fuzz target (on the decoder before this one): a key
    /// with a control character came back in the message; a key holding an address
    /// would too. Unknown keys are never named.
    #[test]
    fn unknown_field_names_with_control_characters_or_addresses_are_not_echoed() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Strict {
            company: Option<String>,
        }
        for body in [
            "{\"c\u{7f}mpany\":\"Acme\"}",
            r#"{"jane.doe@acme.nl":1}"#,
            r#"{"line\nbreak":1}"#,
        ] {
            let err = from_slice::<Strict>(body.as_bytes()).expect_err("unknown field");
            assert!(err.0.starts_with("unknown field"), "{err}");
            assert!(!err.0.chars().any(char::is_control), "{err:?}");
            assert!(
                !err.0.contains("jane") && !err.0.contains("mpany\u{7f}"),
                "{err}"
            );
        }
    }
    use serde::Deserialize;

    #[derive(Deserialize, Debug, Default)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        city: Option<String>,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        #[serde(default)]
        candidates: Option<usize>,
        #[serde(default)]
        inner: Option<Inner>,
        #[serde(default)]
        list: Vec<Inner>,
        #[serde(default)]
        status: Option<Status>,
    }

    #[derive(Deserialize, Debug)]
    #[serde(rename_all = "snake_case")]
    enum Status {
        Match,
        None,
    }

    fn error(text: &str) -> String {
        from_slice::<Body>(text.as_bytes())
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn an_array_is_refused_where_an_object_is_expected_at_any_depth() {
        assert_eq!(error("[]"), "must be an object");
        assert_eq!(error(r#"{"inner":[]}"#), "`inner`: must be an object");
        assert_eq!(
            error(r#"{"list":[{"city":"x"},["y"]]}"#),
            "`list[1]`: must be an object"
        );
        let ok: Body = from_slice(br#"{"candidates":2,"inner":{"city":"x"},"status":"match"}"#)
            .expect("valid");
        assert_eq!(ok.candidates, Some(2));
        assert!(matches!(ok.status, Some(Status::Match)));
    }

    #[test]
    fn messages_name_the_field_and_what_to_send_never_internals_or_values() {
        let wrong = error(r#"{"candidates":"jane.doe@acme.nl"}"#);
        assert_eq!(wrong, "`candidates`: must be a whole number ≥ 0");
        let negative = error(r#"{"candidates":-1}"#);
        assert_eq!(negative, "`candidates`: must be a whole number ≥ 0");
        let nested = error(r#"{"inner":{"jane_doe_secret":1}}"#);
        assert_eq!(nested, "`inner`: unknown field; the fields here are city");
        let unknown = error(r#"{"jane_doe_secret":1}"#);
        assert!(!unknown.contains("jane"), "{unknown}");
        assert_eq!(
            unknown,
            "unknown field; the fields here are candidates, inner, list, status"
        );
        let variant = error(r#"{"status":"jane"}"#);
        assert_eq!(variant, "`status`: must be one of match, none");
        let syntax = error("{\n  \"candidates\": ,\n}");
        assert_eq!(syntax, "malformed JSON at line 2 column 17");
        for message in [wrong, negative, unknown, variant, syntax] {
            for internal in ["usize", "struct", "sequence", "expected", "invalid type"] {
                assert!(!message.contains(internal), "{message}");
            }
        }
    }

    #[test]
    fn a_line_error_names_the_body_line_and_the_column() {
        let err = from_line::<Body>(b"{\"candidates\" 1}", 3).expect_err("malformed");
        assert_eq!(err.to_string(), "malformed JSON at line 3 column 15");
    }
}
