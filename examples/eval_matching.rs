//! Matching-quality evaluation: how often a lookup finds the right person, how often it
//! claims a `match` that is wrong, and whether its confidences mean what they say.
//!
//! Run it with `scripts/eval-matching` (or `cargo run --release --example eval_matching --
//! --help`). It prints a Markdown report on stdout, progress on stderr, and with `--json FILE`
//! writes the same numbers as JSON.
//!
//! # Method
//!
//! 1. **Data.** `--profiles N` profiles come from the deterministic generator
//!    ([`profiled::gen`]) and are ingested into an engine over a temporary directory, in
//!    batches of 5,000 lines like `profiled ingest`, then the run waits until all of them
//!    are searchable. Everything runs in-process (no HTTP), so latencies are the engine's.
//! 2. **Labels.** A generated profile is a pure function of `(seed, count, now, index)`, so
//!    the person behind a query is known without asking the matcher. The label is the
//!    profile id the engine itself derives at ingest ([`profiled::engine::ingest::prepare`]:
//!    the source's person key, else the normalised name with the company domain). Asking the
//!    matcher for the label — say, with an exact name + domain lookup — would let it grade
//!    itself and hide exactly the misses this run is meant to show. Each label is then
//!    checked against the store with [`Engine::profile`], which involves no matching.
//!    People nobody could tell apart even with perfect input — another profile with the same
//!    folded name at the same company domain (for location queries: in the same city and
//!    postcode) — are left out and counted; they would only measure luck.
//! 3. **Absent people.** Profiles at indices `N, N+1, …` of the same data set work at the same
//!    companies but are never ingested. Their correct answer is `none` (or `ambiguous`); a
//!    `match` is a false positive. One that shares a folded name and a domain with an
//!    ingested profile is left out, as it is indistinguishable from that person.
//! 4. **Queries.** Each query gets exactly one noise category, round-robin, so every category
//!    gets about `Q / 20` queries. Besides one kind of noise at a time (exact, typo, …),
//!    there are the kinds real pages and CRMs bring: `decorated` (titles, post-nominals,
//!    pronouns, emoji, notes, descriptors around the name), `unknown_nickname` (a clipped
//!    short form — "Kati", "Bern" — that neither nickname table knows), `replaced_given`
//!    (another given name of the data), `two_fields` / `three_fields` (a full record —
//!    name, company, city, postcode — with two or three of: a typo in the given name, in
//!    the surname, in the city or in the company, a replaced given name, swapped name
//!    order, a transposed postcode, a missing field), `postcode_transposition` (name, city
//!    and a postcode with two neighbours swapped), `city_typo` (name and a misspelt city)
//!    and `missing_field` (a full record less one of company, city, postcode, given
//!    name). Noise that takes the given name away (replacing or dropping it, here or in
//!    the corrupted records) is only given to people whose surname no colleague at their
//!    company shares: with two such, the query names neither in particular. The noise follows general rules written apart from the matcher's. For each category, the people the noise applies to (e.g.
//!    names with diacritics, first names with a common nickname) are shuffled with a seeded
//!    RNG and taken in order; when a category runs out of eligible people the rest of its
//!    share falls back to `exact`, and the report says how many did.
//! 5. **Measures.** Per category: recall@1 (the top profile — of a `match` or an `ambiguous`
//!    answer — is the labelled person), the shares answered `match` / `ambiguous` / `none`,
//!    and precision at `match`. Overall: recall@1 without `absent`, precision at `match` with
//!    absent false positives, the ambiguous share. Calibration: `match` answers bucketed by
//!    their confidence, with the observed accuracy per bucket (a calibrated matcher's
//!    accuracy equals its mean confidence; buckets of 100 answers or more must be within
//!    ±0.05). Latency: wall time of each `Engine::lookup` call, one thread, overall and
//!    per category (the `exact` row is the common lookup).
//!
//! The exit code is 0 — it is a report, not a test — unless `--check` is given, in which case
//! a missed target (see [`TARGET_RECALL_OVERALL`] and its siblings) exits 1.

use clap::Parser;
use fastrand::Rng;
use profiled::clock::{Clock, SystemClock};
use profiled::engine::{ingest, InputLimits};
use profiled::gen::{self, GenOptions};
use profiled::matching::nicknames;
use profiled::matching::normalize::fold;
use profiled::matching::terms::compact_postcode;
use profiled::model::{LookupRequest, LookupResult, LookupStatus, ProfileInput};
use profiled::ndjson::{chunks, BATCH_LINES};
use profiled::{Engine, EngineConfig};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Overall recall@1 (without `absent`) the matcher should reach.
const TARGET_RECALL_OVERALL: f64 = 0.97;
/// Recall@1 every present-person category should reach.
const TARGET_RECALL_CATEGORY: f64 = 0.93;
/// Share of `match` answers that must be right, absent false positives included.
const TARGET_PRECISION: f64 = 0.995;
/// Largest share of absent people answered `match`.
const TARGET_ABSENT_MATCH: f64 = 0.005;
/// Largest gap between a calibration bucket's accuracy and its mean confidence, for
/// buckets of at least [`CALIBRATION_MIN_ANSWERS`] answers.
const TARGET_CALIBRATION_GAP: f64 = 0.05;
const CALIBRATION_MIN_ANSWERS: usize = 100;
/// Longest wait for the index to catch up with the ingest.
const INDEX_TIMEOUT: Duration = Duration::from_secs(900);

/// Evaluates the matcher on generated profiles with labelled, noisy queries.
#[derive(Parser, Debug)]
struct Args {
    /// Profiles to generate and ingest.
    #[arg(long, default_value_t = 100_000)]
    profiles: u64,
    /// Generator seed (selects the data set).
    #[arg(long, default_value_t = 11)]
    seed: u64,
    /// Seed of the query sampling and the noise; defaults to --seed.
    #[arg(long)]
    query_seed: Option<u64>,
    /// Queries in all, spread evenly over the categories.
    #[arg(long, default_value_t = 4000)]
    queries: usize,
    /// Misses shown per category in the report.
    #[arg(long, default_value_t = 3)]
    examples: usize,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Exit with status 1 when a target is missed.
    #[arg(long)]
    check: bool,
}

// ---- categories -------------------------------------------------------------------------

/// The kind of noise a query carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Category {
    Exact,
    Typo,
    NoDiacritics,
    Initial,
    Nickname,
    SuffixVariant,
    Domain,
    Url,
    LocationOnly,
    Swapped,
    Upper,
    Decorated,
    UnknownNickname,
    ReplacedGiven,
    TwoFields,
    ThreeFields,
    PostcodeTransposition,
    CityTypo,
    MissingField,
    Absent,
}

const CATEGORIES: [Category; 20] = [
    Category::Exact,
    Category::Typo,
    Category::NoDiacritics,
    Category::Initial,
    Category::Nickname,
    Category::SuffixVariant,
    Category::Domain,
    Category::Url,
    Category::LocationOnly,
    Category::Swapped,
    Category::Upper,
    Category::Decorated,
    Category::UnknownNickname,
    Category::ReplacedGiven,
    Category::TwoFields,
    Category::ThreeFields,
    Category::PostcodeTransposition,
    Category::CityTypo,
    Category::MissingField,
    Category::Absent,
];

impl Category {
    fn name(self) -> &'static str {
        match self {
            Category::Exact => "exact",
            Category::Typo => "typo",
            Category::NoDiacritics => "no_diacritics",
            Category::Initial => "initial",
            Category::Nickname => "nickname",
            Category::SuffixVariant => "suffix_variant",
            Category::Domain => "domain",
            Category::Url => "url",
            Category::LocationOnly => "location_only",
            Category::Swapped => "swapped",
            Category::Upper => "upper",
            Category::Decorated => "decorated",
            Category::UnknownNickname => "unknown_nickname",
            Category::ReplacedGiven => "replaced_given",
            Category::TwoFields => "two_fields",
            Category::ThreeFields => "three_fields",
            Category::PostcodeTransposition => "postcode_transposition",
            Category::CityTypo => "city_typo",
            Category::MissingField => "missing_field",
            Category::Absent => "absent",
        }
    }
}

/// Common short forms of first names, as people write them on pages and in signatures.
const NICKNAMES: &[(&str, &str)] = &[
    ("Robert", "Bob"),
    ("William", "Bill"),
    ("Elizabeth", "Liz"),
    ("Johannes", "Hans"),
    ("Francisco", "Paco"),
    ("Katharina", "Kathi"),
    ("Alexander", "Alex"),
    ("Margaret", "Maggie"),
    ("Thomas", "Tom"),
    ("Michael", "Mike"),
    ("Christopher", "Chris"),
    ("Jennifer", "Jenny"),
    ("Daniel", "Dan"),
    ("Giuseppe", "Beppe"),
    ("Jose", "Pepe"),
    ("José", "Pepe"),
    ("Aleksander", "Olek"),
];

/// The legal forms the generator uses, grouped by country: a variant swaps a form for
/// another of its group, the confusion people actually make ("B.V." for "N.V.").
const LEGAL_FORMS: &[&[&str]] = &[
    &["B.V.", "N.V."],
    &[
        "GmbH",
        "GmbH & Co. KG",
        "UG (haftungsbeschränkt)",
        "AG",
        "SE",
    ],
    &["S.A.S.", "SARL", "SASU", "S.A."],
    &["S.L.", "S.A."],
    &["S.r.l.", "S.n.c.", "S.a.s.", "S.p.A."],
    &["Sp. z o.o.", "Sp. k.", "S.A."],
    &["AB", "AB (publ)"],
    &["ApS", "A/S"],
    &["AS", "ASA"],
    &["Ltd", "Limited", "LLP", "PLC"],
    &["Inc.", "LLC", "Corp."],
];

// ---- people -----------------------------------------------------------------------------

/// What the evaluation needs to know about one generated person.
#[derive(Clone, Debug, PartialEq)]
struct Person {
    index: u64,
    first: String,
    last: String,
    /// The company name as the source gave it (legal name or an alias).
    company: Option<String>,
    /// The company domain as the source gave it.
    domain: Option<String>,
    city: Option<String>,
    postcode: Option<String>,
    /// The profile id the engine gives this person: the label.
    id: String,
    /// Folded full name.
    name_key: String,
    /// Normalised company domain.
    domain_key: Option<String>,
}

impl Person {
    /// Reads a generated profile the way the engine's ingest does; `None` when the engine
    /// would reject it (it is then not in the data).
    fn new(index: u64, input: ProfileInput, now: i64, limits: &InputLimits) -> Option<Self> {
        let prepared = ingest::prepare(input, now, limits).ok()?;
        let company = prepared.input.company.as_ref();
        let location = prepared.input.location.as_ref();
        Some(Self {
            index,
            name_key: fold(&format!("{} {}", prepared.first_name, prepared.last_name)),
            domain_key: prepared
                .company
                .as_ref()
                .and_then(|(_, c)| c.domain.clone()),
            company: company.and_then(|c| c.name.clone()),
            domain: company.and_then(|c| c.domain.clone()),
            city: location.and_then(|l| l.city.clone()),
            postcode: location.and_then(|l| l.postcode.clone()),
            id: prepared.id.to_string(),
            first: prepared.first_name,
            last: prepared.last_name,
        })
    }

    fn full_name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }

    /// What perfect name + company input can identify.
    fn company_key(&self) -> Option<(String, String)> {
        Some((self.name_key.clone(), self.domain_key.clone()?))
    }

    /// Folded surname and company domain.
    fn surname_key(&self) -> Option<(String, String)> {
        Some((fold(&self.last), self.domain_key.clone()?))
    }

    /// What perfect name + city + postcode input can identify.
    fn location_key(&self) -> Option<(String, String, String)> {
        let city = fold(self.city.as_deref()?);
        let postcode = compact_postcode(self.postcode.as_deref()?);
        (!city.is_empty() && !postcode.is_empty()).then(|| (self.name_key.clone(), city, postcode))
    }
}

/// The distinct profile ids behind each identifying key, to spot people no input could
/// tell apart.
#[derive(Default)]
struct Identities {
    by_company: HashMap<(String, String), Vec<String>>,
    by_location: HashMap<(String, String, String), Vec<String>>,
    /// Profile ids per folded surname and company domain.
    by_surname_at_company: HashMap<(String, String), Vec<String>>,
}

impl Identities {
    fn add(&mut self, person: &Person) {
        fn push(ids: &mut Vec<String>, id: &str) {
            if !ids.iter().any(|i| i == id) {
                ids.push(id.to_owned());
            }
        }
        if let Some(key) = person.company_key() {
            push(self.by_company.entry(key).or_default(), &person.id);
        }
        if let Some(key) = person.location_key() {
            push(self.by_location.entry(key).or_default(), &person.id);
        }
        if let Some(key) = person.surname_key() {
            push(
                self.by_surname_at_company.entry(key).or_default(),
                &person.id,
            );
        }
    }

    /// No colleague at the person's company has their surname: only then does a query
    /// with a replaced given name name one person (with two, nothing in it tells which).
    fn surname_unique_at_company(&self, person: &Person) -> bool {
        person
            .surname_key()
            .and_then(|k| self.by_surname_at_company.get(&k))
            .is_some_and(|ids| ids.len() == 1)
    }

    fn unique_at_company(&self, person: &Person) -> bool {
        person
            .company_key()
            .and_then(|k| self.by_company.get(&k))
            .is_some_and(|ids| ids.len() == 1)
    }

    fn unique_at_location(&self, person: &Person) -> bool {
        person
            .location_key()
            .and_then(|k| self.by_location.get(&k))
            .is_some_and(|ids| ids.len() == 1)
    }
}

// ---- noise ------------------------------------------------------------------------------

/// Byte spans of the alphabetic runs ("words") of `text`.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphabetic(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    spans
}

/// Words long enough for a typo to leave them recognisable, as (in last name?, span).
fn typo_targets(person: &Person) -> Vec<(bool, (usize, usize))> {
    let long = |text: &str, (s, e): (usize, usize)| text[s..e].chars().count() >= 4;
    let first = word_spans(&person.first)
        .into_iter()
        .filter(|span| long(&person.first, *span))
        .map(|span| (false, span));
    let last = word_spans(&person.last)
        .into_iter()
        .filter(|span| long(&person.last, *span))
        .map(|span| (true, span));
    first.chain(last).collect()
}

fn random_letter(rng: &mut Rng) -> char {
    rng.alphabetic().to_ascii_lowercase()
}

/// `word` with one random edit: substitution, deletion, insertion or transposition. Keeps
/// the word's capitalisation pattern, as a typing slip does.
fn typo(word: &str, rng: &mut Rng) -> String {
    let capital = word.chars().next().is_some_and(char::is_uppercase);
    // Edit the word with its capital lowered, then capitalise whatever ends up first, so a
    // moved or inserted letter does not leave "nAna" behind.
    let mut chars: Vec<char> = word.chars().collect();
    if capital {
        chars[0] = chars[0].to_lowercase().next().unwrap_or(chars[0]);
    }
    loop {
        match rng.u8(0..4) {
            0 => {
                let i = rng.usize(0..chars.len());
                let c = random_letter(rng);
                if chars[i].to_lowercase().eq(c.to_lowercase()) {
                    continue;
                }
                chars[i] = c;
            }
            1 => {
                chars.remove(rng.usize(0..chars.len()));
            }
            2 => chars.insert(rng.usize(0..=chars.len()), random_letter(rng)),
            _ => {
                let i = rng.usize(0..chars.len() - 1);
                if chars[i].to_lowercase().eq(chars[i + 1].to_lowercase()) {
                    continue;
                }
                chars.swap(i, i + 1);
            }
        }
        break;
    }
    let mut out = String::with_capacity(word.len() + 2);
    for (i, c) in chars.into_iter().enumerate() {
        if i == 0 && capital {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` as typed on a keyboard without accents: marks dropped via NFKD, and the letters
/// NFKD leaves alone (ø, ł, ß, …) written the usual ASCII way.
fn strip_diacritics(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        match c {
            'ø' => out.push('o'),
            'Ø' => out.push('O'),
            'ł' => out.push('l'),
            'Ł' => out.push('L'),
            'đ' => out.push('d'),
            'Đ' => out.push('D'),
            'ı' => out.push('i'),
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'Æ' => out.push_str("Ae"),
            'œ' => out.push_str("oe"),
            'Œ' => out.push_str("Oe"),
            c => out.push(c),
        }
    }
    out
}

fn nickname(first: &str) -> Option<&'static str> {
    NICKNAMES
        .iter()
        .find(|(full, _)| *full == first)
        .map(|(_, short)| *short)
}

/// Splits "Acme Logistics B.V." into ("Acme Logistics", "B.V."), longest form first so
/// "GmbH & Co. KG" is not read as "KG".
fn split_legal_form(company: &str) -> Option<(&str, &'static str)> {
    let mut forms: Vec<&'static str> = LEGAL_FORMS.iter().flat_map(|g| g.iter().copied()).collect();
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.into_iter().find_map(|form| {
        let short = company.strip_suffix(form)?.strip_suffix(' ')?;
        (!short.trim().is_empty()).then_some((short, form))
    })
}

/// The company name with its legal form respelled, dropped, swapped for a sibling, or
/// dropped with the rest shouted: "Acme B.V." → "Acme BV" / "Acme" / "Acme N.V." / "ACME".
fn suffix_variant(company: &str, rng: &mut Rng) -> Option<String> {
    let (short, form) = split_legal_form(company)?;
    let mut variants = vec![short.to_owned(), short.to_uppercase()];
    if form.contains('.') {
        variants.push(format!("{short} {}", form.replace('.', "")));
    } else if form.chars().any(char::is_lowercase) {
        variants.push(format!("{short} {}", form.to_uppercase()));
    }
    let siblings: Vec<&str> = LEGAL_FORMS
        .iter()
        .filter(|g| g.contains(&form))
        .flat_map(|g| g.iter().copied())
        .filter(|f| *f != form)
        .collect();
    if !siblings.is_empty() {
        variants.push(format!(
            "{short} {}",
            siblings[rng.usize(0..siblings.len())]
        ));
    }
    Some(variants.swap_remove(rng.usize(0..variants.len())))
}

/// Titles and honorifics people put before their names on pages and in CRMs, in the
/// languages of the data (a general list, written apart from the matcher's).
const PREFIXES: &[&str] = &[
    "Dr.",
    "Prof.",
    "Prof. Dr.",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Mr",
    "Dr",
    "Herr",
    "Frau",
    "Dipl.-Ing.",
    "Dr.-Ing.",
    "Mag.",
    "ir.",
    "drs.",
    "ing.",
    "Mevr.",
    "Dhr.",
    "Mme",
    "M.",
    "Sr.",
    "Sra.",
    "Dott.",
    "Dott.ssa",
    "Ing.",
    "Avv.",
    "mgr",
    "dr hab.",
    "Sir",
    "Dame",
];

/// What follows names on pages: post-nominals, pronouns, emoji, notes, descriptors.
const SUFFIXES: &[&str] = &[
    ", PhD",
    " PhD",
    ", Ph.D.",
    " MBA",
    ", MBA",
    ", CFA",
    " CPA",
    ", MSc",
    " MSc",
    " M.Sc.",
    " LL.M.",
    ", MD",
    " Jr.",
    " (she/her)",
    " (he/him)",
    " (they/them)",
    " she/her",
    " he/him",
    " 🚀",
    " ✨",
    " 🌍",
    " 👋",
    " 🇩🇪",
    " ✅",
    " (Acme)",
    " [CEO]",
    " | Sales",
    " | Hiring!",
    " – Founder",
    " - CTO",
    " · Marketing",
    " 📈 Growth",
    " (ex-Google)",
    ", FRSA",
    ", CISSP",
    " B.A.",
    ", M.A.",
    " (on leave)",
];

/// A name as a page might decorate it: a title before it, something after it, or both.
fn decorate(name: &str, rng: &mut Rng) -> String {
    let prefix = PREFIXES[rng.usize(0..PREFIXES.len())];
    let suffix = SUFFIXES[rng.usize(0..SUFFIXES.len())];
    match rng.u8(0..3) {
        0 => format!("{prefix} {name}"),
        1 => format!("{name}{suffix}"),
        _ => format!("{prefix} {name}{suffix}"),
    }
}

/// A short form of a given name by the general rule of clipping ("Katharina" → "Kat",
/// "Kati"; "Bernhard" → "Bern", "Berni"): the first syllable or two with an optional
/// pet ending — only forms the matcher's nickname tables do not know, so the category
/// measures names no table has.
fn unknown_short_form(first: &str) -> Option<String> {
    let word = first.split_whitespace().next()?;
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 5 || !chars.iter().all(|c| c.is_alphabetic()) {
        return None;
    }
    let is_vowel = |c: &char| "aeiouyäöüéèáíóú".contains(c.to_lowercase().next().unwrap_or(*c));
    // The clip ends after the consonant that follows the first vowel.
    let first_vowel = chars.iter().position(is_vowel)?;
    let end = (first_vowel + 1..chars.len()).find(|&i| !is_vowel(&chars[i]))? + 1;
    if end < 3 || end >= chars.len() - 1 {
        return None;
    }
    let clip: String = chars[..end].iter().collect();
    let folded = fold(word);
    [format!("{clip}i"), format!("{clip}y"), clip]
        .into_iter()
        .find(|short| {
            let short_folded = fold(short);
            short_folded != folded && !nicknames::are_variants(&short_folded, &folded)
        })
}

/// Another given name of the data, not a variant of `first` and not sharing its initial
/// (a replaced name, not a misspelt one).
fn other_given_name(first: &str, given_names: &[String], rng: &mut Rng) -> String {
    let folded = fold(first);
    for _ in 0..1000 {
        let other = &given_names[rng.usize(0..given_names.len())];
        let other_folded = fold(other);
        if other_folded.chars().next() != folded.chars().next()
            && !nicknames::are_variants(&other_folded, &folded)
        {
            return other.clone();
        }
    }
    "Alex".to_owned()
}

/// `postcode` with two neighbouring, different alphanumeric characters swapped.
fn transpose(postcode: &str, rng: &mut Rng) -> Option<String> {
    let chars: Vec<char> = postcode.chars().collect();
    let spots: Vec<usize> = (0..chars.len().saturating_sub(1))
        .filter(|&i| {
            chars[i].is_alphanumeric() && chars[i + 1].is_alphanumeric() && chars[i] != chars[i + 1]
        })
        .collect();
    if spots.is_empty() {
        return None;
    }
    let i = spots[rng.usize(0..spots.len())];
    let mut out = chars;
    out.swap(i, i + 1);
    Some(out.into_iter().collect())
}

/// `text` with one typo in one of its words of four or more letters (or in the whole of
/// it when none is that long).
fn typo_some_word(text: &str, rng: &mut Rng) -> String {
    let spans: Vec<(usize, usize)> = word_spans(text)
        .into_iter()
        .filter(|(s, e)| text[*s..*e].chars().count() >= 4)
        .collect();
    let Some(&(s, e)) = (!spans.is_empty()).then(|| &spans[rng.usize(0..spans.len())]) else {
        return if text.chars().count() >= 2 {
            typo(text, rng)
        } else {
            text.to_owned()
        };
    };
    format!("{}{}{}", &text[..s], typo(&text[s..e], rng), &text[e..])
}

/// What can go wrong in one field of a CRM record, as in record-linkage benchmarks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Corruption {
    GivenTypo,
    SurnameTypo,
    SwappedOrder,
    ReplacedGiven,
    PostcodeTransposition,
    CityTypo,
    CompanyTypo,
    MissingField,
}

const CORRUPTIONS: [Corruption; 8] = [
    Corruption::GivenTypo,
    Corruption::SurnameTypo,
    Corruption::SwappedOrder,
    Corruption::ReplacedGiven,
    Corruption::PostcodeTransposition,
    Corruption::CityTypo,
    Corruption::CompanyTypo,
    Corruption::MissingField,
];

/// A full record (name, company, city, postcode) with `k` different corruptions.
/// `surname_unique`: no colleague at the person's company shares their surname. Without
/// that, a corruption that takes away the given name (replacing or dropping it) leaves a
/// query that names none of the colleagues in particular, and it is not drawn.
fn corrupted(
    person: &Person,
    k: usize,
    surname_unique: bool,
    given_names: &[String],
    rng: &mut Rng,
) -> LookupRequest {
    let mut kinds = CORRUPTIONS.to_vec();
    rng.shuffle(&mut kinds);
    // A replaced given name and a typo in it are one corruption too many of one field.
    let given = |c: &Corruption| matches!(c, Corruption::GivenTypo | Corruption::ReplacedGiven);
    let mut chosen: Vec<Corruption> = Vec::new();
    for kind in kinds {
        if kind == Corruption::ReplacedGiven && !surname_unique {
            continue;
        }
        if !(given(&kind) && chosen.iter().any(given)) {
            chosen.push(kind);
        }
        if chosen.len() == k {
            break;
        }
    }
    corrupted_with(person, &chosen, surname_unique, given_names, rng)
}

fn corrupted_with(
    person: &Person,
    corruptions: &[Corruption],
    surname_unique: bool,
    given_names: &[String],
    rng: &mut Rng,
) -> LookupRequest {
    let (mut first, mut last) = (person.first.clone(), person.last.clone());
    let mut company = person.company.clone();
    let mut city = person.city.clone();
    let mut postcode = person.postcode.clone();
    let mut swapped = false;
    for corruption in corruptions {
        match corruption {
            Corruption::GivenTypo => first = typo_some_word(&first, rng),
            Corruption::SurnameTypo => last = typo_some_word(&last, rng),
            Corruption::SwappedOrder => swapped = true,
            Corruption::ReplacedGiven => first = other_given_name(&first, given_names, rng),
            Corruption::PostcodeTransposition => {
                postcode = postcode
                    .as_deref()
                    .map(|p| transpose(p, rng).unwrap_or_else(|| p.to_owned()))
            }
            Corruption::CityTypo => city = city.as_deref().map(|c| typo_some_word(c, rng)),
            Corruption::CompanyTypo => company = company.as_deref().map(|c| typo_some_word(c, rng)),
            Corruption::MissingField => match rng.u8(0..if surname_unique { 4 } else { 3 }) {
                0 => company = None,
                1 => city = None,
                2 => postcode = None,
                _ => first.clear(),
            },
        }
    }
    let name = match (first.is_empty(), swapped) {
        (true, _) => last,
        (false, true) => format!("{last}, {first}"),
        (false, false) => format!("{first} {last}"),
    };
    LookupRequest {
        name: Some(name),
        company,
        city,
        postcode,
        ..LookupRequest::default()
    }
}

/// Whether `category`'s noise can be applied to `person` (identity uniqueness aside).
fn applies(category: Category, person: &Person) -> bool {
    let has_company = person.company.is_some() && person.domain.is_some();
    let has_name = !person.first.is_empty() && !person.last.is_empty();
    match category {
        Category::Exact | Category::Domain | Category::Url | Category::Upper => has_company,
        Category::Swapped | Category::Initial => has_company && has_name,
        Category::Typo => has_company && !typo_targets(person).is_empty(),
        Category::NoDiacritics => {
            has_company && strip_diacritics(&person.full_name()) != person.full_name()
        }
        Category::Nickname => has_company && nickname(&person.first).is_some(),
        Category::SuffixVariant => person
            .company
            .as_deref()
            .is_some_and(|c| person.domain.is_some() && split_legal_form(c).is_some()),
        Category::LocationOnly | Category::CityTypo => person.location_key().is_some(),
        Category::PostcodeTransposition => {
            person.location_key().is_some()
                && person
                    .postcode
                    .as_deref()
                    .and_then(|p| transpose(p, &mut Rng::with_seed(0)))
                    .is_some()
        }
        Category::Decorated | Category::ReplacedGiven => has_company && has_name,
        Category::UnknownNickname => has_company && unknown_short_form(&person.first).is_some(),
        Category::TwoFields | Category::ThreeFields | Category::MissingField => {
            has_company && has_name && person.location_key().is_some()
        }
        Category::Absent => has_company,
    }
}

/// The lookup a client with `category`'s kind of input would send about `person`.
fn request(
    category: Category,
    person: &Person,
    surname_unique: bool,
    given_names: &[String],
    rng: &mut Rng,
) -> LookupRequest {
    match category {
        Category::TwoFields => return corrupted(person, 2, surname_unique, given_names, rng),
        Category::ThreeFields => return corrupted(person, 3, surname_unique, given_names, rng),
        Category::MissingField => {
            return corrupted_with(
                person,
                &[Corruption::MissingField],
                surname_unique,
                given_names,
                rng,
            )
        }
        Category::PostcodeTransposition => {
            return LookupRequest {
                name: Some(person.full_name()),
                city: person.city.clone(),
                postcode: person.postcode.as_deref().and_then(|p| transpose(p, rng)),
                ..LookupRequest::default()
            }
        }
        Category::CityTypo => {
            return LookupRequest {
                name: Some(person.full_name()),
                city: person.city.as_deref().map(|c| typo_some_word(c, rng)),
                ..LookupRequest::default()
            }
        }
        _ => {}
    }
    let company = person.company.clone().unwrap_or_default();
    let domain = person.domain.clone().unwrap_or_default();
    let clean = person.full_name();
    let (name, company) = match category {
        Category::Exact | Category::Absent => (clean, Some(company)),
        Category::Typo => {
            let targets = typo_targets(person);
            let (in_last, (s, e)) = targets[rng.usize(0..targets.len())];
            let part = if in_last { &person.last } else { &person.first };
            let edited = format!("{}{}{}", &part[..s], typo(&part[s..e], rng), &part[e..]);
            let name = if in_last {
                format!("{} {edited}", person.first)
            } else {
                format!("{edited} {}", person.last)
            };
            (name, Some(company))
        }
        Category::NoDiacritics => (strip_diacritics(&clean), Some(company)),
        Category::Initial => {
            let initial: String = person.first.chars().next().into_iter().collect();
            (format!("{initial}. {}", person.last), Some(company))
        }
        Category::Nickname => {
            let short = nickname(&person.first).expect("eligible people have a nickname");
            (format!("{short} {}", person.last), Some(company))
        }
        Category::SuffixVariant => (
            clean,
            Some(suffix_variant(&company, rng).expect("eligible companies have a legal form")),
        ),
        Category::Domain => (clean, Some(domain)),
        Category::Url => (clean, Some(format!("https://www.{domain}/about"))),
        Category::LocationOnly => (clean, None),
        Category::Swapped => {
            let name = if rng.bool() {
                format!("{}, {}", person.last, person.first)
            } else {
                format!("{} {}", person.last, person.first)
            };
            (name, Some(company))
        }
        Category::Upper => (clean.to_uppercase(), Some(company.to_uppercase())),
        Category::Decorated => (decorate(&clean, rng), Some(company)),
        Category::UnknownNickname => {
            let short = unknown_short_form(&person.first).expect("eligible people have one");
            (format!("{short} {}", person.last), Some(company))
        }
        Category::ReplacedGiven => (
            format!(
                "{} {}",
                other_given_name(&person.first, given_names, rng),
                person.last
            ),
            Some(company),
        ),
        Category::TwoFields
        | Category::ThreeFields
        | Category::MissingField
        | Category::PostcodeTransposition
        | Category::CityTypo => unreachable!("answered above"),
    };
    let location = category == Category::LocationOnly;
    LookupRequest {
        name: Some(name),
        company,
        city: person.city.clone().filter(|_| location),
        postcode: person.postcode.clone().filter(|_| location),
        ..LookupRequest::default()
    }
}

// ---- query set --------------------------------------------------------------------------

/// One labelled query.
struct Query {
    category: Category,
    person: Person,
    /// The profile id that should come back; `None` for people not in the data.
    label: Option<String>,
    request: LookupRequest,
}

/// A count that belongs to one category.
#[derive(Debug, Serialize)]
struct PerCategory {
    category: &'static str,
    n: usize,
}

#[derive(Debug, Default, Serialize)]
struct Sampling {
    /// Ingested people each present-person category could draw from.
    eligible: Vec<PerCategory>,
    /// Queries that fell back to `exact` because their category ran out of eligible people.
    fallbacks: Vec<PerCategory>,
    /// People not in the data drawn for `absent`.
    absent_drawn: usize,
    /// Profiles that share folded name and company domain with another profile.
    indistinguishable_at_company: usize,
    /// Profiles that share folded name, city and postcode with another profile.
    indistinguishable_at_location: usize,
    /// Generated absent people left out because an ingested profile has their name and domain.
    absent_collisions: usize,
    /// Generated profiles the engine rejected (they are not in the data).
    rejected: usize,
    /// Labels the store did not confirm (missing profile or another name); left out.
    label_mismatches: usize,
}

/// Draws the labelled query set: `total` queries round-robin over the categories.
fn build_queries(
    opts: &GenOptions,
    people: &[Person],
    identities: &Identities,
    engine: &Engine,
    total: usize,
    rng: &mut Rng,
    sampling: &mut Sampling,
) -> anyhow::Result<Vec<Query>> {
    let limits = InputLimits::default();
    let mut counts: HashMap<Category, usize> = HashMap::new();
    for q in 0..total {
        *counts.entry(CATEGORIES[q % CATEGORIES.len()]).or_default() += 1;
    }
    let wanted = |c: Category| counts.get(&c).copied().unwrap_or(0);
    sampling.indistinguishable_at_company = people
        .iter()
        .filter(|p| p.company_key().is_some() && !identities.unique_at_company(p))
        .count();
    sampling.indistinguishable_at_location = people
        .iter()
        .filter(|p| p.location_key().is_some() && !identities.unique_at_location(p))
        .count();

    // Present people: shuffle each category's pool, take what the category needs and hand
    // the shortfall to `exact`.
    let mut chosen: HashMap<Category, Vec<&Person>> = HashMap::new();
    let mut shortfall = 0;
    for category in CATEGORIES {
        if matches!(category, Category::Absent | Category::Exact) {
            continue;
        }
        let unique = |p: &&Person| match category {
            Category::LocationOnly | Category::PostcodeTransposition | Category::CityTypo => {
                identities.unique_at_location(p)
            }
            // A replaced given name identifies the person only by surname and company.
            Category::ReplacedGiven => {
                identities.unique_at_company(p) && identities.surname_unique_at_company(p)
            }
            _ => identities.unique_at_company(p),
        };
        let mut pool: Vec<&Person> = people
            .iter()
            .filter(|p| applies(category, p))
            .filter(unique)
            .collect();
        sampling.eligible.push(PerCategory {
            category: category.name(),
            n: pool.len(),
        });
        rng.shuffle(&mut pool);
        let need = wanted(category);
        pool.truncate(need);
        shortfall += need - pool.len();
        sampling.fallbacks.push(PerCategory {
            category: category.name(),
            n: need - pool.len(),
        });
        chosen.insert(category, pool);
    }
    let mut pool: Vec<&Person> = people
        .iter()
        .filter(|p| applies(Category::Exact, p) && identities.unique_at_company(p))
        .collect();
    sampling.eligible.insert(
        0,
        PerCategory {
            category: Category::Exact.name(),
            n: pool.len(),
        },
    );
    rng.shuffle(&mut pool);
    pool.truncate(wanted(Category::Exact) + shortfall);
    chosen.insert(Category::Exact, pool);

    // Absent people: the data set's continuation, never ingested.
    let need = wanted(Category::Absent);
    let mut absent = Vec::with_capacity(need);
    let mut index = opts.count;
    while absent.len() < need && index < opts.count + 100 * need as u64 + 1000 {
        let input = gen::profile(opts, index);
        index += 1;
        let Some(person) = Person::new(index - 1, input, opts.now, &limits) else {
            continue;
        };
        if !applies(Category::Absent, &person) {
            continue;
        }
        let known = person
            .company_key()
            .is_some_and(|k| identities.by_company.contains_key(&k));
        if known {
            sampling.absent_collisions += 1;
            continue;
        }
        absent.push(person);
    }
    sampling.absent_drawn = absent.len();

    // Given names of the data, for replacing one: as often as people have them.
    let given_names: Vec<String> = people
        .iter()
        .filter(|p| !p.first.is_empty())
        .map(|p| p.first.clone())
        .collect();

    // Round-robin again, so that categories interleave in the run as in the plan.
    let mut cursors: HashMap<Category, usize> = HashMap::new();
    let mut queries = Vec::with_capacity(total);
    let mut exact_extra = chosen[&Category::Exact].len();
    for q in 0..total {
        let mut category = CATEGORIES[q % CATEGORIES.len()];
        let cursor = cursors.entry(category).or_default();
        let person = if category == Category::Absent {
            absent.get(*cursor).cloned()
        } else {
            chosen[&category].get(*cursor).map(|p| (*p).clone())
        };
        *cursor += 1;
        let person = match person {
            Some(p) => p,
            None if category == Category::Absent => continue,
            None => {
                // Fallbacks take the exact pool from its end, clear of the exact queries.
                let Some(last) = exact_extra.checked_sub(1) else {
                    continue;
                };
                category = Category::Exact;
                exact_extra = last;
                (*chosen[&Category::Exact][last]).clone()
            }
        };
        if category != Category::Absent {
            // The ingested line and the pure function must agree, or the labels mean nothing.
            let regenerated = gen::profile(opts, person.index);
            let again = Person::new(person.index, regenerated, opts.now, &limits);
            anyhow::ensure!(
                again.as_ref() == Some(&person),
                "profile {} regenerates differently from the ingested line",
                person.index
            );
            // The store, not the matcher, confirms the label.
            let confirmed = engine
                .profile(&person.id, &"eval".into(), true)
                .is_ok_and(|p| fold(&p.full_name) == person.name_key);
            if !confirmed {
                sampling.label_mismatches += 1;
                continue;
            }
        }
        let surname_unique = identities.surname_unique_at_company(&person);
        let request = request(category, &person, surname_unique, &given_names, rng);
        let label = (category != Category::Absent).then(|| person.id.clone());
        queries.push(Query {
            category,
            person,
            label,
            request,
        });
    }
    Ok(queries)
}

// ---- measuring --------------------------------------------------------------------------

/// What one lookup answered.
struct Outcome {
    status: LookupStatus,
    confidence: f64,
    top_id: Option<String>,
    top: Option<String>,
    error: Option<String>,
    micros: f64,
}

fn run(engine: &Engine, query: &Query) -> Outcome {
    let started = Instant::now();
    let result = engine.lookup(&query.request, &"eval".into());
    let micros = started.elapsed().as_secs_f64() * 1e6;
    match result {
        Ok(LookupResult {
            status,
            confidence,
            profile,
            ..
        }) => Outcome {
            status,
            confidence,
            top_id: profile.as_ref().map(|p| p.id.clone()),
            top: profile.as_ref().map(|p| {
                let company = p.company.as_ref().map_or("-", |c| c.name.as_str());
                format!("{} ({company})", p.full_name)
            }),
            error: None,
            micros,
        },
        Err(err) => Outcome {
            status: LookupStatus::None,
            confidence: 0.0,
            top_id: None,
            top: None,
            error: Some(err.to_string()),
            micros,
        },
    }
}

impl Outcome {
    /// The top profile is the labelled person (never, for absent people).
    fn hit(&self, query: &Query) -> bool {
        query.label.is_some() && self.top_id == query.label
    }
}

#[derive(Debug, Default, Serialize)]
struct CategoryReport {
    category: &'static str,
    n: usize,
    /// Null for `absent`, which has no one to find.
    recall_at_1: Option<f64>,
    match_share: f64,
    ambiguous_share: f64,
    none_share: f64,
    /// Null when nothing was answered `match`.
    precision_at_match: Option<f64>,
    wrong_matches: usize,
    errors: usize,
    recall_target_met: Option<bool>,
    /// Mean wall time of the category's lookups, µs.
    mean_us: f64,
}

#[derive(Debug, Serialize)]
struct Overall {
    n: usize,
    recall_at_1_without_absent: Option<f64>,
    precision_at_match: Option<f64>,
    ambiguous_share: f64,
    none_share: f64,
    absent_false_positive_rate: Option<f64>,
}

#[derive(Debug, Serialize)]
struct Bucket {
    from: f64,
    to: f64,
    n: usize,
    mean_confidence: Option<f64>,
    accuracy: Option<f64>,
}

#[derive(Debug, Serialize)]
struct Latency {
    lookups: usize,
    mean_us: f64,
    p50_us: f64,
    p95_us: f64,
    p99_us: f64,
    max_us: f64,
    lookups_per_s: f64,
}

#[derive(Debug, Serialize)]
struct Target {
    what: String,
    value: Option<f64>,
    target: f64,
    met: bool,
    /// The value must stay at or below the target (else at or above it).
    at_most: bool,
}

#[derive(Debug, Serialize)]
struct Example {
    category: &'static str,
    query: String,
    expected: String,
    answer: String,
}

#[derive(Debug, Serialize)]
struct Config {
    profiles: u64,
    seed: u64,
    query_seed: u64,
    queries_requested: usize,
    queries_run: usize,
    generator_now: i64,
}

#[derive(Debug, Serialize)]
struct Report {
    config: Config,
    sampling: Sampling,
    categories: Vec<CategoryReport>,
    overall: Overall,
    calibration: Vec<Bucket>,
    /// The slope that would calibrate this run's `match` answers (null with fewer than
    /// 50); a fit on another seed is what the engine applies.
    calibration_fit: Option<CalibrationFit>,
    latency: Latency,
    targets: Vec<Target>,
    all_targets_met: bool,
    misses: Vec<Example>,
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn category_report(category: Category, results: &[(&Query, &Outcome)]) -> CategoryReport {
    let n = results.len();
    let count =
        |f: &dyn Fn(&Query, &Outcome) -> bool| results.iter().filter(|(q, o)| f(q, o)).count();
    let matches = count(&|_, o| o.status == LookupStatus::Match);
    let right = count(&|q, o| o.status == LookupStatus::Match && o.hit(q));
    let recall = (category != Category::Absent)
        .then(|| ratio(count(&|q, o| o.hit(q)), n))
        .flatten();
    CategoryReport {
        category: category.name(),
        n,
        recall_at_1: recall,
        match_share: ratio(matches, n).unwrap_or(0.0),
        ambiguous_share: ratio(count(&|_, o| o.status == LookupStatus::Ambiguous), n)
            .unwrap_or(0.0),
        none_share: ratio(count(&|_, o| o.status == LookupStatus::None), n).unwrap_or(0.0),
        precision_at_match: ratio(right, matches),
        wrong_matches: matches - right,
        errors: count(&|_, o| o.error.is_some()),
        recall_target_met: recall.map(|r| r >= TARGET_RECALL_CATEGORY),
        mean_us: results.iter().map(|(_, o)| o.micros).sum::<f64>() / n.max(1) as f64,
    }
}

fn calibration(results: &[(&Query, &Outcome)]) -> Vec<Bucket> {
    const EDGES: [f64; 8] = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0];
    EDGES
        .windows(2)
        .map(|w| {
            let (from, to) = (w[0], w[1]);
            // The last bucket is closed: a confidence of exactly 1.0 belongs to it.
            let inside = |c: f64| c >= from && (c < to || (to == 1.0 && c <= to));
            let answers: Vec<&(&Query, &Outcome)> = results
                .iter()
                .filter(|(_, o)| o.status == LookupStatus::Match && inside(o.confidence))
                .collect();
            let n = answers.len();
            Bucket {
                from,
                to,
                n,
                mean_confidence: (n > 0)
                    .then(|| answers.iter().map(|(_, o)| o.confidence).sum::<f64>() / n as f64),
                accuracy: ratio(answers.iter().filter(|(q, o)| o.hit(q)).count(), n),
            }
        })
        .collect()
}

/// The recalibration that fits this run's `match` answers: the slope a of
/// logit(p') = a·logit(p), by logistic regression of "the answer was right" on
/// logit(confidence) through 0.5 (Newton's method). The engine's `CALIBRATION_SLOPE` is
/// such a fit on a run with other seeds than the reported one; on confidences that are
/// already calibrated the fit is about 1.
#[derive(Debug, Serialize)]
struct CalibrationFit {
    answers: usize,
    slope: f64,
}

fn fit_calibration(results: &[(&Query, &Outcome)]) -> Option<CalibrationFit> {
    let points: Vec<(f64, bool)> = results
        .iter()
        .filter(|(_, o)| o.status == LookupStatus::Match)
        .map(|(q, o)| {
            // Confidences are rounded to three places: 1.0 means at least 0.9995.
            let p = o.confidence.clamp(1e-4, 0.9995);
            ((p / (1.0 - p)).ln(), o.hit(q))
        })
        .collect();
    if points.len() < 50 {
        return None;
    }
    let mut slope = 1.0f64;
    for _ in 0..100 {
        let (mut gradient, mut curvature) = (0.0, 1e-6);
        for (x, right) in &points {
            let p = 1.0 / (1.0 + (-slope * x).exp());
            gradient += (f64::from(u8::from(*right)) - p) * x;
            curvature += p * (1.0 - p) * x * x;
        }
        let step = (gradient / curvature).clamp(-1.0, 1.0);
        slope = (slope + step).clamp(0.1, 10.0);
        if step.abs() < 1e-9 {
            break;
        }
    }
    Some(CalibrationFit {
        answers: points.len(),
        slope,
    })
}

fn latency(outcomes: &[Outcome]) -> Latency {
    let mut micros: Vec<f64> = outcomes.iter().map(|o| o.micros).collect();
    micros.sort_by(f64::total_cmp);
    let total: f64 = micros.iter().sum();
    let at = |q: f64| {
        micros
            .get(((micros.len() as f64 * q) as usize).min(micros.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };
    Latency {
        lookups: micros.len(),
        mean_us: total / micros.len().max(1) as f64,
        p50_us: at(0.50),
        p95_us: at(0.95),
        p99_us: at(0.99),
        max_us: micros.last().copied().unwrap_or(0.0),
        lookups_per_s: micros.len() as f64 / (total / 1e6).max(f64::MIN_POSITIVE),
    }
}

fn describe(request: &LookupRequest) -> String {
    let mut parts = Vec::new();
    let fields = [
        ("name", &request.name),
        ("company", &request.company),
        ("city", &request.city),
        ("postcode", &request.postcode),
    ];
    for (field, value) in fields {
        if let Some(value) = value {
            parts.push(format!("{field}={value:?}"));
        }
    }
    parts.join(" ")
}

fn misses(results: &[(&Query, &Outcome)], per_category: usize) -> Vec<Example> {
    let mut out = Vec::new();
    for category in CATEGORIES {
        let wrong = results.iter().filter(|(q, o)| {
            q.category == category
                && if q.label.is_some() {
                    !o.hit(q)
                } else {
                    o.status == LookupStatus::Match
                }
        });
        for (q, o) in wrong.take(per_category) {
            let p = &q.person;
            let answer = match (&o.error, &o.top) {
                (Some(err), _) => format!("error: {err}"),
                (None, Some(top)) => format!("{:?} {:.3} → {top}", o.status, o.confidence),
                (None, None) => format!("{:?}", o.status),
            };
            out.push(Example {
                category: category.name(),
                query: describe(&q.request),
                expected: match &q.label {
                    Some(_) => format!(
                        "{} ({})",
                        p.full_name(),
                        p.company.as_deref().unwrap_or("-")
                    ),
                    None => "not in the data".to_owned(),
                },
                answer,
            });
        }
    }
    out
}

fn evaluate(
    config: Config,
    sampling: Sampling,
    queries: &[Query],
    outcomes: &[Outcome],
    examples: usize,
) -> Report {
    let results: Vec<(&Query, &Outcome)> = queries.iter().zip(outcomes).collect();
    let categories: Vec<CategoryReport> = CATEGORIES
        .iter()
        .map(|&c| {
            let of: Vec<(&Query, &Outcome)> = results
                .iter()
                .filter(|(q, _)| q.category == c)
                .copied()
                .collect();
            category_report(c, &of)
        })
        .collect();
    let present: Vec<&(&Query, &Outcome)> =
        results.iter().filter(|(q, _)| q.label.is_some()).collect();
    let absent: Vec<&(&Query, &Outcome)> =
        results.iter().filter(|(q, _)| q.label.is_none()).collect();
    let matches: Vec<&(&Query, &Outcome)> = results
        .iter()
        .filter(|(_, o)| o.status == LookupStatus::Match)
        .collect();
    let n = results.len();
    let overall = Overall {
        n,
        recall_at_1_without_absent: ratio(
            present.iter().filter(|(q, o)| o.hit(q)).count(),
            present.len(),
        ),
        precision_at_match: ratio(
            matches.iter().filter(|(q, o)| o.hit(q)).count(),
            matches.len(),
        ),
        ambiguous_share: ratio(
            results
                .iter()
                .filter(|(_, o)| o.status == LookupStatus::Ambiguous)
                .count(),
            n,
        )
        .unwrap_or(0.0),
        none_share: ratio(
            results
                .iter()
                .filter(|(_, o)| o.status == LookupStatus::None)
                .count(),
            n,
        )
        .unwrap_or(0.0),
        absent_false_positive_rate: ratio(
            absent
                .iter()
                .filter(|(_, o)| o.status == LookupStatus::Match)
                .count(),
            absent.len(),
        ),
    };

    let mut targets = vec![Target {
        what: "recall@1 overall (without absent)".to_owned(),
        value: overall.recall_at_1_without_absent,
        target: TARGET_RECALL_OVERALL,
        met: overall
            .recall_at_1_without_absent
            .is_some_and(|r| r >= TARGET_RECALL_OVERALL),
        at_most: false,
    }];
    for c in categories.iter().filter(|c| c.n > 0) {
        if let Some(met) = c.recall_target_met {
            targets.push(Target {
                what: format!("recall@1 {}", c.category),
                value: c.recall_at_1,
                target: TARGET_RECALL_CATEGORY,
                met,
                at_most: false,
            });
        }
    }
    targets.push(Target {
        what: "precision at match overall (with absent)".to_owned(),
        value: overall.precision_at_match,
        target: TARGET_PRECISION,
        // No `match` answer at all is no wrong one.
        met: overall
            .precision_at_match
            .is_none_or(|p| p >= TARGET_PRECISION),
        at_most: false,
    });
    targets.push(Target {
        what: "absent people answered match".to_owned(),
        value: overall.absent_false_positive_rate,
        target: TARGET_ABSENT_MATCH,
        met: overall
            .absent_false_positive_rate
            .is_none_or(|r| r <= TARGET_ABSENT_MATCH),
        at_most: true,
    });
    let calibration = calibration(&results);
    let worst_gap = calibration
        .iter()
        .filter(|b| b.n >= CALIBRATION_MIN_ANSWERS)
        .filter_map(|b| {
            b.mean_confidence
                .zip(b.accuracy)
                .map(|(m, a)| (a - m).abs())
        })
        .fold(0.0, f64::max);
    targets.push(Target {
        what: format!(
            "calibration: largest |accuracy − confidence| of buckets with ≥ {CALIBRATION_MIN_ANSWERS} answers"
        ),
        value: Some(worst_gap),
        target: TARGET_CALIBRATION_GAP,
        met: worst_gap <= TARGET_CALIBRATION_GAP,
        at_most: true,
    });
    Report {
        config,
        sampling,
        categories,
        overall,
        calibration_fit: fit_calibration(&results),
        calibration,
        latency: latency(outcomes),
        all_targets_met: targets.iter().all(|t| t.met),
        targets,
        misses: misses(&results, examples),
    }
}

// ---- report -----------------------------------------------------------------------------

fn rate(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.3}"))
}

fn mark(met: bool) -> &'static str {
    if met {
        "✓"
    } else {
        "✗ missed"
    }
}

fn markdown(report: &Report) -> String {
    let mut s = String::new();
    let c = &report.config;
    let _ = writeln!(s, "# Matching evaluation\n");
    let _ = writeln!(
        s,
        "{} profiles (seed {}), {} queries (query seed {}; {} requested), in-process lookups.\n",
        c.profiles, c.seed, c.queries_run, c.query_seed, c.queries_requested
    );

    let _ = writeln!(s, "## Per category\n");
    let _ = writeln!(
        s,
        "| category | n | recall@1 | match | ambiguous | none | precision@match | wrong matches | errors | mean µs | recall target ≥ {TARGET_RECALL_CATEGORY:.2} |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for cat in &report.categories {
        let target = match cat.recall_target_met {
            Some(met) => mark(met).to_owned(),
            None => format!("— (false positives: {})", cat.wrong_matches),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.3} | {:.3} | {:.3} | {} | {} | {} | {:.0} | {} |",
            cat.category,
            cat.n,
            rate(cat.recall_at_1),
            cat.match_share,
            cat.ambiguous_share,
            cat.none_share,
            rate(cat.precision_at_match),
            cat.wrong_matches,
            cat.errors,
            cat.mean_us,
            target
        );
    }

    let o = &report.overall;
    let target_of = |what: &str| report.targets.iter().find(|t| t.what.starts_with(what));
    let _ = writeln!(s, "\n## Overall\n");
    let _ = writeln!(s, "| measure | value | target |");
    let _ = writeln!(s, "|---|---:|---|");
    let recall_met = target_of("recall@1 overall").is_some_and(|t| t.met);
    let precision_met = target_of("precision at match").is_some_and(|t| t.met);
    let _ = writeln!(
        s,
        "| recall@1 (without absent) | {} | ≥ {TARGET_RECALL_OVERALL:.2} {} |",
        rate(o.recall_at_1_without_absent),
        mark(recall_met)
    );
    let _ = writeln!(
        s,
        "| precision at match (absent false positives included) | {} | ≥ {TARGET_PRECISION:.3} {} |",
        rate(o.precision_at_match),
        mark(precision_met)
    );
    let _ = writeln!(s, "| ambiguous share | {:.3} | |", o.ambiguous_share);
    let _ = writeln!(s, "| none share | {:.3} | |", o.none_share);
    let _ = writeln!(
        s,
        "| absent answered match (false-positive rate) | {} | |",
        rate(o.absent_false_positive_rate)
    );

    let _ = writeln!(s, "\n## Calibration of `match` answers\n");
    let _ = writeln!(
        s,
        "| confidence | n | mean confidence | observed accuracy | accuracy − confidence |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|");
    for b in &report.calibration {
        let close = if b.to == 1.0 { ']' } else { ')' };
        let gap = b.mean_confidence.zip(b.accuracy).map(|(m, a)| a - m);
        let _ = writeln!(
            s,
            "| [{:.2}, {:.2}{close} | {} | {} | {} | {} |",
            b.from,
            b.to,
            b.n,
            rate(b.mean_confidence),
            rate(b.accuracy),
            gap.map_or_else(|| "—".to_owned(), |g| format!("{g:+.3}"))
        );
    }

    if let Some(fit) = &report.calibration_fit {
        let _ = writeln!(
            s,
            "\nCalibration fit of these {} answers (logistic regression of right/wrong on \
             logit(confidence), through 0.5): logit(p') = {:.2}·logit(p); about 1 when the \
             confidences are calibrated. The engine's slope is such a fit on another run.",
            fit.answers, fit.slope
        );
    }

    let l = &report.latency;
    let _ = writeln!(s, "\n## Latency (in-process, one thread)\n");
    let _ = writeln!(
        s,
        "| lookups | mean µs | p50 µs | p95 µs | p99 µs | max µs | lookups/s |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|---:|");
    let _ = writeln!(
        s,
        "| {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
        l.lookups, l.mean_us, l.p50_us, l.p95_us, l.p99_us, l.max_us, l.lookups_per_s
    );

    let sm = &report.sampling;
    let _ = writeln!(s, "\n## Sampling\n");
    let eligible: Vec<String> = sm
        .eligible
        .iter()
        .map(|c| format!("{} {}", c.category, c.n))
        .collect();
    let _ = writeln!(s, "- eligible people per category: {}", eligible.join(", "));
    let fallbacks: Vec<String> = sm
        .fallbacks
        .iter()
        .filter(|c| c.n > 0)
        .map(|c| format!("{} {}", c.category, c.n))
        .collect();
    let _ = writeln!(
        s,
        "- fell back to `exact` for want of eligible people: {}",
        if fallbacks.is_empty() {
            "none".to_owned()
        } else {
            fallbacks.join(", ")
        }
    );
    let _ = writeln!(
        s,
        "- left out as indistinguishable: {} profiles share folded name + domain with another, {} share name + city + postcode",
        sm.indistinguishable_at_company, sm.indistinguishable_at_location
    );
    let _ = writeln!(
        s,
        "- absent people: {} drawn from indices ≥ {}; {} left out as they share name + domain with an ingested profile",
        sm.absent_drawn, report.config.profiles, sm.absent_collisions
    );
    let _ = writeln!(
        s,
        "- generated profiles the engine rejected: {}; labels the store did not confirm: {}",
        sm.rejected, sm.label_mismatches
    );

    let _ = writeln!(s, "\n## Targets\n");
    for t in &report.targets {
        let _ = writeln!(
            s,
            "- {}: {} (target {} {}) {}",
            t.what,
            rate(t.value),
            if t.at_most { "≤" } else { "≥" },
            t.target,
            mark(t.met)
        );
    }
    let _ = writeln!(
        s,
        "\nAll targets met: {}",
        if report.all_targets_met { "yes" } else { "no" }
    );

    if !report.misses.is_empty() {
        let _ = writeln!(s, "\n## Some misses\n");
        let _ = writeln!(s, "| category | query | expected | answer |");
        let _ = writeln!(s, "|---|---|---|---|");
        for m in &report.misses {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                m.category,
                m.query.replace('|', "\\|"),
                m.expected.replace('|', "\\|"),
                m.answer.replace('|', "\\|")
            );
        }
    }
    s
}

// ---- main -------------------------------------------------------------------------------

fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    let query_seed = args.query_seed.unwrap_or(args.seed);
    eprintln!(
        "eval_matching: seed {}, query seed {query_seed}, {} profiles, {} queries",
        args.seed, args.profiles, args.queries
    );
    let clock = Arc::new(SystemClock);
    let opts = GenOptions {
        count: args.profiles,
        seed: args.seed,
        now: clock.now(),
    };

    let started = Instant::now();
    let mut data = Vec::new();
    gen::write_ndjson(&opts, &mut data)?;
    eprintln!(
        "generated {} profiles ({:.1} MB) in {:.1}s",
        args.profiles,
        data.len() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let dir = tempfile::tempdir()?;
    let engine = Engine::open(EngineConfig::new(dir.path()), clock)?;
    let started = Instant::now();
    let (mut lines, mut created, mut updated, mut rejected, mut last_seq) = (0u64, 0, 0, 0, 0);
    for chunk in chunks(&data, BATCH_LINES) {
        let (report, seq) = engine.ingest_ndjson(chunk, lines + 1)?;
        lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        created += report.created;
        updated += report.updated;
        rejected += report.rejected.len();
        last_seq = last_seq.max(seq);
        eprintln!(
            "ingested {lines}/{} lines ({created} created, {updated} updated, {rejected} rejected) in {:.1}s",
            args.profiles,
            started.elapsed().as_secs_f64()
        );
    }
    eprintln!("waiting until everything is searchable …");
    engine.wait_searchable_blocking(last_seq, INDEX_TIMEOUT)?;
    eprintln!(
        "searchable: {} documents after {:.1}s",
        engine.indexed_docs(),
        started.elapsed().as_secs_f64()
    );

    // The people in the data, read from the very lines that were ingested.
    let limits = InputLimits::default();
    let mut people = Vec::with_capacity(args.profiles as usize);
    let mut sampling = Sampling::default();
    for (index, line) in data
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let input: ProfileInput = serde_json::from_slice(line)?;
        match Person::new(index as u64, input, opts.now, &limits) {
            Some(person) => people.push(person),
            None => sampling.rejected += 1,
        }
    }
    drop(data);
    let mut identities = Identities::default();
    for person in &people {
        identities.add(person);
    }

    let mut rng = Rng::with_seed(query_seed);
    let queries = build_queries(
        &opts,
        &people,
        &identities,
        &engine,
        args.queries,
        &mut rng,
        &mut sampling,
    )?;
    eprintln!("running {} lookups …", queries.len());
    let outcomes: Vec<Outcome> = queries.iter().map(|q| run(&engine, q)).collect();

    let config = Config {
        profiles: args.profiles,
        seed: args.seed,
        query_seed,
        queries_requested: args.queries,
        queries_run: queries.len(),
        generator_now: opts.now,
    };
    let report = evaluate(config, sampling, &queries, &outcomes, args.examples);
    print!("{}", markdown(&report));
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
        eprintln!("wrote {}", path.display());
    }
    engine.shutdown()?;
    Ok(if args.check && !report.all_targets_met {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
