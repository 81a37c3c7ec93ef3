//! Ingest: validate and normalise input lines (in parallel), then merge them into the
//! store as one atomic write per batch.
//!
//! Identity decides what a line updates: the source's `person_key` when given, else the
//! normalised full name with the company domain, else with the normalised company name,
//! else with the location. Each source's sightings are kept apart (`first_seen`,
//! `last_seen`); field values from a sighting newer than the profile's newest win.

use crate::email::{self, local_parts, normalize_address, Address, EmailHasher, OBSERVED};
use crate::error::Result;
use crate::matching::normalize::{company_key, domain_from, fold};
use crate::model::{
    CompanyId, CompanyInput, HistoryEntry, IngestReport, Location, ProfileId, ProfileInput,
    RejectedLine,
};
use crate::store::record::{CompanyRecord, EmailKey, HistoryRecord, LocationRecord, ProfileRecord};
use crate::store::{Store, WriteSet};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use xxhash_rust::xxh3::xxh3_64;

/// Limits on what one input line may hold.
#[derive(Clone, Debug)]
pub struct InputLimits {
    pub max_line_bytes: usize,
    pub max_field_chars: usize,
    pub max_list_items: usize,
    /// How far in the future a `seen_at` may lie (clock skew), in seconds.
    pub max_future_skew_secs: i64,
}

impl Default for InputLimits {
    fn default() -> Self {
        Self {
            max_line_bytes: 64 * 1024,
            max_field_chars: 300,
            max_list_items: 100,
            max_future_skew_secs: 24 * 3600,
        }
    }
}

/// A validated, normalised input line, ready to merge.
pub struct Prepared {
    pub line: u64,
    pub id: ProfileId,
    /// The name-and-company (or place) identity, also when `id` is the person key's:
    /// what erasure suppresses so that a source without the key is recognised too.
    pub name_id: ProfileId,
    pub company: Option<(CompanyId, CompanyRecord)>,
    pub first_name: String,
    pub last_name: String,
    pub seen_at: i64,
    pub source: String,
    pub email: Option<Address>,
    pub location: Option<LocationRecord>,
    pub input: ProfileInput,
}

/// Parses and validates NDJSON lines; a line's failure is its own.
pub fn prepare_ndjson(
    body: &[u8],
    first_line: u64,
    now: i64,
    limits: &InputLimits,
) -> Vec<std::result::Result<Prepared, RejectedLine>> {
    let lines: Vec<(u64, &[u8])> = crate::ndjson::lines(body, first_line)
        .filter(|(_, line)| !crate::ndjson::is_blank(line))
        .collect();
    let prepare = |&(line, raw): &(u64, &[u8])| {
        prepare_line(raw, line, now, limits)
            .map(|prepared| Prepared { line, ..prepared })
            .map_err(|error| RejectedLine { line, error })
    };
    if lines.len() >= 256 {
        lines.par_iter().map(prepare).collect()
    } else {
        lines.iter().map(prepare).collect()
    }
}

fn prepare_line(
    raw: &[u8],
    line: u64,
    now: i64,
    limits: &InputLimits,
) -> std::result::Result<Prepared, String> {
    crate::ndjson::check_length(raw.len(), limits.max_line_bytes)?;
    let input: ProfileInput =
        crate::json::from_line(raw, line).map_err(|err| format!("not a valid profile: {err}"))?;
    prepare(input, now, limits)
}

/// Validates and normalises one input record.
pub fn prepare(
    mut input: ProfileInput,
    now: i64,
    limits: &InputLimits,
) -> std::result::Result<Prepared, String> {
    check_text(&mut input, limits)?;
    let (first_name, last_name) = super::rules::resolve_name(
        input.first_name.as_deref(),
        input.last_name.as_deref(),
        input.full_name.as_deref(),
    )
    .ok_or("a name is required: first_name/last_name or full_name")?;
    let name_key = fold(&format!("{first_name} {last_name}"));
    if name_key.is_empty() {
        return Err("the name has no letters or digits".into());
    }
    let seen_at = super::rules::seen_at(input.seen_at.as_deref(), now, limits)?;
    let source = input
        .source
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("unknown")
        .to_owned();
    let email = match &input.email {
        None => None,
        Some(raw) => Some(
            normalize_address(&raw.0).ok_or_else(|| "email is not a valid address".to_owned())?,
        ),
    };
    let location = input
        .location
        .as_ref()
        .map(normalize_location)
        .transpose()?;
    let company = match &input.company {
        Some(company) => company_record(company, seen_at)?,
        None => None,
    };
    let has_location = input
        .location
        .as_ref()
        .is_some_and(|l| l.city.is_some() || l.postcode.is_some() || l.country.is_some());
    if company.is_none() && !has_location {
        return Err("a company (name or domain) or a location is required".into());
    }
    let id = identity(
        input.person_key.as_deref(),
        &name_key,
        company.as_ref().map(|(_, c)| c),
        location.as_ref(),
    );
    let name_id = identity(
        None,
        &name_key,
        company.as_ref().map(|(_, c)| c),
        location.as_ref(),
    );
    input.email = None;
    Ok(Prepared {
        line: 0,
        id,
        name_id,
        company,
        first_name,
        last_name,
        seen_at,
        source,
        email,
        location,
        input,
    })
}

/// The profile an input line describes: the source's stable key when it has one, else the
/// folded full name with the company's domain, else with its normalised name, else with
/// the location. The one definition of a profile's identity.
fn identity(
    person_key: Option<&str>,
    name_key: &str,
    company: Option<&CompanyRecord>,
    location: Option<&LocationRecord>,
) -> ProfileId {
    if let Some(key) = person_key.map(str::trim).filter(|k| !k.is_empty()) {
        return person_key_id(key);
    }
    let identity = match company {
        Some(company) => match &company.domain {
            Some(domain) => format!("d\0{name_key}\0{domain}"),
            None => format!("c\0{name_key}\0{}", company_key(&company.name)),
        },
        None => {
            let location = location.cloned().unwrap_or_default();
            format!(
                "l\0{name_key}\0{}\0{}\0{}",
                location.country.as_deref().unwrap_or(""),
                fold(location.city.as_deref().unwrap_or("")),
                location
                    .postcode
                    .as_deref()
                    .map(crate::matching::terms::compact_postcode)
                    .unwrap_or_default()
            )
        }
    };
    ProfileId(xxh3_64(identity.as_bytes()))
}

/// The name-and-company (or place) identity of a stored profile: what its id would be
/// had no source given a person key.
pub fn name_identity(
    first: &str,
    last: &str,
    company: Option<&CompanyRecord>,
    location: Option<&LocationRecord>,
) -> ProfileId {
    identity(None, &fold(&format!("{first} {last}")), company, location)
}

/// The id of the profile a source knows by its stable key (`person_key`).
pub fn person_key_id(key: &str) -> ProfileId {
    ProfileId(xxh3_64(format!("k\0{}", key.trim()).as_bytes()))
}

/// Makes every text field display-safe (see [`super::rules::make_display_safe`]) and
/// checks it against the limits: the one walk over a record's text.
fn check_text(input: &mut ProfileInput, limits: &InputLimits) -> std::result::Result<(), String> {
    let check = |name: &str, value: Option<&mut String>| match value {
        Some(v) => {
            super::rules::make_display_safe(v);
            if v.chars().count() > limits.max_field_chars {
                Err(format!(
                    "{name} is longer than {} characters",
                    limits.max_field_chars
                ))
            } else {
                Ok(())
            }
        }
        None => Ok(()),
    };
    check("person_key", input.person_key.as_mut())?;
    check("source", input.source.as_mut())?;
    check("first_name", input.first_name.as_mut())?;
    check("last_name", input.last_name.as_mut())?;
    check("full_name", input.full_name.as_mut())?;
    check("job_title", input.job_title.as_mut())?;
    check("phone", input.phone.as_mut())?;
    check("email", input.email.as_mut().map(|e| &mut e.0))?;
    let list = |name: &str, len: usize| {
        if len > limits.max_list_items {
            Err(format!(
                "{name} has more than {} items",
                limits.max_list_items
            ))
        } else {
            Ok(())
        }
    };
    list("skills", input.skills.len())?;
    list("history", input.history.len())?;
    for skill in &mut input.skills {
        check("a skill", Some(skill))?;
    }
    if let Some(location) = &mut input.location {
        check("location.country", location.country.as_mut())?;
        check("location.city", location.city.as_mut())?;
        check("location.postcode", location.postcode.as_mut())?;
        check("location.region", location.region.as_mut())?;
    }
    if let Some(company) = &mut input.company {
        check("company.name", company.name.as_mut())?;
        check("company.domain", company.domain.as_mut())?;
        check("company.industry", company.industry.as_mut())?;
        check("company.size", company.size.as_mut())?;
        list("company.aliases", company.aliases.len())?;
        list("company.technologies", company.technologies.len())?;
        for value in company.aliases.iter_mut().chain(&mut company.technologies) {
            check("a company alias or technology", Some(value))?;
        }
    }
    for entry in &mut input.history {
        check("history.company", entry.company.as_mut())?;
        check("history.domain", entry.domain.as_mut())?;
        check("history.title", entry.title.as_mut())?;
        check("history.from", entry.from.as_mut())?;
        check("history.to", entry.to.as_mut())?;
    }
    Ok(())
}

/// Trims the location's parts and checks the country code.
pub(super) fn normalize_location(
    location: &Location,
) -> std::result::Result<LocationRecord, String> {
    let trim = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let country = super::rules::country_code(location.country.as_deref())
        .map_err(|_| "location.country must be an ISO 3166-1 alpha-2 code")?;
    Ok(LocationRecord {
        country,
        city: trim(&location.city),
        postcode: trim(&location.postcode),
        region: trim(&location.region),
    })
}

/// The company a line names, as a record to merge; `None` when it names none.
fn company_record(
    input: &CompanyInput,
    seen_at: i64,
) -> std::result::Result<Option<(CompanyId, CompanyRecord)>, String> {
    let domain = match input
        .domain
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(raw) => {
            Some(domain_from(raw).ok_or_else(|| "company.domain is not a domain".to_owned())?)
        }
        None => None,
    };
    let name = input
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !fold(n).is_empty())
        .map(str::to_owned);
    let (id, name) = match (&domain, name) {
        (Some(domain), name) => (
            CompanyId(xxh3_64(format!("d\0{domain}").as_bytes())),
            name.unwrap_or_else(|| domain.clone()),
        ),
        (None, Some(name)) => (
            CompanyId(xxh3_64(format!("n\0{}", company_key(&name)).as_bytes())),
            name,
        ),
        (None, None) => return Ok(None),
    };
    let clean = |values: &[String]| -> Vec<String> {
        let mut out: Vec<String> = values
            .iter()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect();
        out.dedup();
        out
    };
    Ok(Some((
        id,
        CompanyRecord {
            name,
            domain,
            aliases: clean(&input.aliases),
            industry: input.industry.clone().filter(|v| !v.trim().is_empty()),
            size: input.size.clone().filter(|v| !v.trim().is_empty()),
            employees: input.employees,
            technologies: clean(&input.technologies),
            patterns: Vec::new(),
            last_seen: seen_at,
        },
    )))
}

/// Profiles and companies as this batch leaves them, over what the store holds.
struct Overlay<'a> {
    store: &'a Store,
    profiles: HashMap<ProfileId, (Option<ProfileRecord>, ProfileRecord)>,
    companies: HashMap<CompanyId, CompanyState>,
}

struct CompanyState {
    original: Option<CompanyRecord>,
    current: CompanyRecord,
}

impl Overlay<'_> {
    fn company(&mut self, id: CompanyId) -> Result<Option<&mut CompanyState>> {
        if !self.companies.contains_key(&id) {
            let Some(original) = self.store.company(id)? else {
                return Ok(None);
            };
            self.companies.insert(
                id,
                CompanyState {
                    current: original.clone(),
                    original: Some(original),
                },
            );
        }
        Ok(self.companies.get_mut(&id))
    }
}

/// Merges prepared lines over what the store holds into `writes` (one atomic write),
/// counting what is created and updated.
pub fn apply(
    store: &Store,
    hasher: &EmailHasher,
    prepared: Vec<Prepared>,
    now: i64,
    report: &mut IngestReport,
    writes: &mut WriteSet,
) -> Result<()> {
    let mut overlay = Overlay {
        store,
        profiles: HashMap::new(),
        companies: HashMap::new(),
    };
    let mut observed: HashMap<ProfileId, Vec<EmailKey>> = HashMap::new();
    let suppressions = store.has_suppressions()?;
    for mut line in prepared {
        let email_hash = line.email.as_ref().map(|a| hasher.hash_address(&a.full()));
        if suppressions {
            let mut identifiers = super::privacy::identifier_hashes(
                hasher,
                [line.id, line.name_id],
                line.input.person_key.as_deref(),
                line.input.phone.as_deref(),
            );
            identifiers.extend(email_hash);
            if store.any_suppressed(&identifiers)? {
                report.suppressed += 1;
                continue;
            }
        }
        let company_id = match line.company.take() {
            Some((cid, incoming)) => {
                merge_company(&mut overlay, cid, incoming)?;
                Some(cid)
            }
            None => None,
        };
        if let (Some(address), Some(hash)) = (&line.email, email_hash) {
            let pattern = company_id
                .and_then(|cid| overlay.companies.get_mut(&cid))
                .filter(|state| state.current.domain.as_deref() == Some(address.domain.as_str()))
                .and_then(|state| {
                    email::observe_address(
                        &mut state.current.patterns,
                        &address.local,
                        &line.first_name,
                        &line.last_name,
                    )
                });
            observed.entry(line.id).or_default().push(EmailKey {
                hash,
                pattern: pattern.unwrap_or(OBSERVED),
                observed: true,
            });
        }
        let (original, current) = match overlay.profiles.remove(&line.id) {
            Some((original, current)) => (original, Some(current)),
            None => {
                let original = store.profile(line.id)?;
                (original.clone(), original)
            }
        };
        let created = current.is_none();
        let merged = merge_profile(current, &line, company_id, now)?;
        overlay.profiles.insert(line.id, (original, merged));
        if created {
            report.created += 1;
        } else {
            report.updated += 1;
        }
    }
    finish(store, hasher, overlay, observed, writes)
}

fn merge_company(overlay: &mut Overlay, id: CompanyId, incoming: CompanyRecord) -> Result<()> {
    match overlay.company(id)? {
        None => {
            overlay.companies.insert(
                id,
                CompanyState {
                    original: None,
                    current: incoming,
                },
            );
        }
        Some(state) => {
            let current = &mut state.current;
            // The first real name stays the name (a flip-flopping name would re-index every
            // member on each batch); other spellings become aliases. A real name replaces
            // the domain placeholder of a company first seen by domain alone.
            let placeholder = |c: &CompanyRecord| c.domain.as_deref() == Some(c.name.as_str());
            if placeholder(current) && !placeholder(&incoming) {
                current.name = incoming.name;
            } else if !placeholder(&incoming)
                && company_key(&incoming.name) != company_key(&current.name)
                && !current.aliases.contains(&incoming.name)
                && current.aliases.len() < 20
            {
                current.aliases.push(incoming.name);
            }
            for alias in incoming.aliases {
                if !current.aliases.contains(&alias) && current.aliases.len() < 20 {
                    current.aliases.push(alias);
                }
            }
            for tech in incoming.technologies {
                if !current.technologies.contains(&tech) && current.technologies.len() < 50 {
                    current.technologies.push(tech);
                }
            }
            current.industry = incoming.industry.or(current.industry.take());
            current.size = incoming.size.or(current.size.take());
            current.employees = incoming.employees.or(current.employees);
            current.last_seen = current.last_seen.max(incoming.last_seen);
        }
    }
    Ok(())
}

fn merge_profile(
    existing: Option<ProfileRecord>,
    line: &Prepared,
    company: Option<CompanyId>,
    now: i64,
) -> Result<ProfileRecord> {
    let input = &line.input;
    let mut record = match existing {
        Some(record) => record,
        None => ProfileRecord::new_at(now)?,
    };
    // Field values follow the newest sighting; an older one only fills gaps. A field the
    // subject rectified is theirs: no source overwrites it.
    let newest = line.seen_at >= record.last_seen();
    let replaces = |record: &ProfileRecord, field: &str, empty: bool| {
        !record.is_rectified(field) && (newest || empty)
    };
    let take = |slot: &mut Option<String>, value: &Option<String>, replace: bool| {
        let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty());
        if let Some(value) = value {
            if replace || slot.is_none() {
                *slot = Some(value.to_owned());
            }
        }
    };
    if replaces(&record, "first_name", record.first_name.is_empty()) {
        record.first_name = line.first_name.clone();
    }
    if replaces(&record, "last_name", record.last_name.is_empty()) {
        record.last_name = line.last_name.clone();
    }
    take(&mut record.person_key, &input.person_key, newest);
    if !record.is_rectified("job_title") {
        take(&mut record.job_title, &input.job_title, newest);
    }
    if !record.is_rectified("phone") {
        take(&mut record.phone, &input.phone, newest);
    }
    if !input.skills.is_empty() && replaces(&record, "skills", record.skills.is_empty()) {
        record.skills = input.skills.iter().map(|s| s.trim().to_owned()).collect();
    }
    if line.location.is_some() && replaces(&record, "location", record.location.is_none()) {
        record.location = line.location.clone();
    }
    if !input.history.is_empty() && (newest || record.history.is_empty()) {
        record.history = input.history.iter().map(clean_history).collect();
    }
    if company.is_some() && (newest || record.company.is_none()) {
        record.company = company;
    }
    super::retention::record_sighting(&mut record.sources, &line.source, line.seen_at);
    record.updated_at = now;
    Ok(record)
}

fn clean_history(entry: &HistoryEntry) -> HistoryRecord {
    let trim = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    HistoryRecord {
        company: trim(&entry.company),
        domain: trim(&entry.domain),
        title: trim(&entry.title),
        from: trim(&entry.from),
        to: trim(&entry.to),
    }
}

/// Recomputes email keys where needed and adds every changed record to `writes`.
fn finish(
    store: &Store,
    hasher: &EmailHasher,
    mut overlay: Overlay,
    mut observed: HashMap<ProfileId, Vec<EmailKey>>,
    writes: &mut WriteSet,
) -> Result<()> {
    // Companies whose candidate addresses changed for everyone, and companies whose
    // indexed fields changed for everyone.
    let mut rekey_companies = HashSet::new();
    let mut reindex_companies = HashSet::new();
    for (cid, state) in &overlay.companies {
        if let Some(original) = &state.original {
            if email::active_patterns(&original.patterns)
                != email::active_patterns(&state.current.patterns)
                || original.domain != state.current.domain
            {
                rekey_companies.insert(*cid);
            }
            if original.name != state.current.name
                || original.aliases != state.current.aliases
                || original.industry != state.current.industry
                || original.size != state.current.size
            {
                reindex_companies.insert(*cid);
            }
        }
        writes.put_company(*cid, state.original.as_ref(), &state.current)?;
    }
    // Existing members of changed companies that this batch did not touch.
    for cid in rekey_companies.union(&reindex_companies) {
        for member in store.members(*cid)? {
            if let std::collections::hash_map::Entry::Vacant(slot) = overlay.profiles.entry(member)
            {
                if let Some(record) = store.profile(member)? {
                    slot.insert((Some(record.clone()), record));
                }
            }
        }
    }
    tracing::debug!(
        profiles = overlay.profiles.len(),
        companies = overlay.companies.len(),
        rekeyed_companies = rekey_companies.len(),
        reindexed_companies = reindex_companies.len(),
        "ingest merge"
    );
    for (id, (original, current)) in &mut overlay.profiles {
        let company = current
            .company
            .and_then(|cid| overlay.companies.get(&cid).map(|s| &s.current));
        let company_owned;
        let company = match (company, current.company) {
            (Some(c), _) => Some(c),
            (None, Some(cid)) => {
                company_owned = store.company(cid)?;
                company_owned.as_ref()
            }
            (None, None) => None,
        };
        current.email_keys = email_keys(
            hasher,
            current,
            company,
            observed.remove(id).unwrap_or_default(),
        );
        writes.put_profile(*id, original.as_ref(), current)?;
        let company_reindexed = current
            .company
            .is_some_and(|cid| reindex_companies.contains(&cid));
        if company_reindexed {
            writes.reindex(*id);
        }
    }
    Ok(())
}

/// A profile's email keys: the observed ones it has, the newly `observed`, and the
/// candidates its company's active patterns derive from its name.
pub(super) fn email_keys(
    hasher: &EmailHasher,
    record: &ProfileRecord,
    company: Option<&CompanyRecord>,
    observed: Vec<EmailKey>,
) -> Vec<EmailKey> {
    let mut keys: Vec<EmailKey> = record
        .email_keys
        .iter()
        .filter(|k| k.observed)
        .copied()
        .collect();
    for key in observed {
        if !keys.iter().any(|k| k.hash == key.hash) {
            keys.push(key);
        }
    }
    if let Some((domain, company)) = company.and_then(|c| c.domain.as_deref().map(|d| (d, c))) {
        for pattern in email::active_patterns(&company.patterns) {
            for local in local_parts(pattern, &record.first_name, &record.last_name) {
                let hash = hasher.hash_address(&format!("{local}@{domain}"));
                if !keys.iter().any(|k| k.hash == hash) {
                    keys.push(EmailKey {
                        hash,
                        pattern,
                        observed: false,
                    });
                }
            }
        }
    }
    keys
}
