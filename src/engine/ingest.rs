//! Ingest: validate and normalise input lines (in parallel), then merge them into the
//! store as one atomic write per batch.
//!
//! Identity decides what a line updates: the source's `person_key` when given, else the
//! normalised full name with the company domain, else with the normalised company name,
//! else with the location. Each source's sightings are kept apart (`first_seen`,
//! `last_seen`); field values from a sighting newer than the profile's newest win.

use crate::email::{self, local_parts, normalize_address, Address, EmailHasher, OBSERVED};
use crate::error::{describe_json_error, Result};
use crate::matching::normalize::{company_key, domain_from, fold, split_full_name};
use crate::model::{
    CompanyId, CompanyInput, CompanyRecord, EmailKey, HistoryEntry, IngestReport, Location,
    ProfileId, ProfileInput, ProfileRecord, RejectedLine, Sighting,
};
use crate::store::{email_key, encode, last_seen_key, member_key, Store, TreeName, WriteSet};
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
    pub company: Option<(CompanyId, CompanyRecord)>,
    pub first_name: String,
    pub last_name: String,
    pub seen_at: i64,
    pub source: String,
    pub email: Option<Address>,
    pub input: ProfileInput,
}

/// Parses and validates NDJSON lines; a line's failure is its own.
pub fn prepare_ndjson(
    body: &[u8],
    first_line: u64,
    now: i64,
    limits: &InputLimits,
) -> Vec<std::result::Result<Prepared, RejectedLine>> {
    let lines: Vec<(u64, &[u8])> = body
        .split(|b| *b == b'\n')
        .enumerate()
        .map(|(i, line)| (first_line + i as u64, line))
        .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
        .collect();
    let prepare = |&(line, raw): &(u64, &[u8])| {
        prepare_line(raw, now, limits)
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
    now: i64,
    limits: &InputLimits,
) -> std::result::Result<Prepared, String> {
    if raw.len() > limits.max_line_bytes {
        return Err(format!(
            "line is {} bytes; the limit is {}",
            raw.len(),
            limits.max_line_bytes
        ));
    }
    let input: ProfileInput = serde_json::from_slice(raw)
        .map_err(|err| format!("not a valid profile: {}", describe_json_error(&err)))?;
    prepare(input, now, limits)
}

/// Validates and normalises one input record.
pub fn prepare(
    mut input: ProfileInput,
    now: i64,
    limits: &InputLimits,
) -> std::result::Result<Prepared, String> {
    check_lengths(&input, limits)?;
    let (first_name, last_name) = match (&input.first_name, &input.last_name, &input.full_name) {
        (first, last, _) if first.is_some() || last.is_some() => (
            first.as_deref().unwrap_or("").trim().to_owned(),
            last.as_deref().unwrap_or("").trim().to_owned(),
        ),
        (_, _, Some(full)) => split_full_name(full),
        _ => return Err("a name is required: first_name/last_name or full_name".into()),
    };
    let name_key = fold(&format!("{first_name} {last_name}"));
    if name_key.is_empty() {
        return Err("the name has no letters or digits".into());
    }
    let seen_at = match &input.seen_at {
        None => now,
        Some(text) => crate::clock::parse_rfc3339(text)
            .ok_or_else(|| "seen_at is not an RFC 3339 timestamp".to_owned())?,
    };
    if seen_at > now + limits.max_future_skew_secs {
        return Err("seen_at lies in the future".into());
    }
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
    if let Some(location) = &mut input.location {
        normalize_location(location)?;
    }
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
    let identity = if let Some(key) = input
        .person_key
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        format!("k\0{key}")
    } else if let Some((_, company)) = &company {
        match &company.domain {
            Some(domain) => format!("d\0{name_key}\0{domain}"),
            None => format!("c\0{name_key}\0{}", company_key(&company.name)),
        }
    } else {
        let location = input.location.clone().unwrap_or_default();
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
    };
    input.email = None;
    Ok(Prepared {
        line: 0,
        id: ProfileId(xxh3_64(identity.as_bytes())),
        company,
        first_name,
        last_name,
        seen_at,
        source,
        email,
        input,
    })
}

fn check_lengths(input: &ProfileInput, limits: &InputLimits) -> std::result::Result<(), String> {
    let too_long = |name: &str, value: Option<&String>| match value {
        Some(v) if v.chars().count() > limits.max_field_chars => Err(format!(
            "{name} is longer than {} characters",
            limits.max_field_chars
        )),
        _ => Ok(()),
    };
    too_long("person_key", input.person_key.as_ref())?;
    too_long("source", input.source.as_ref())?;
    too_long("first_name", input.first_name.as_ref())?;
    too_long("last_name", input.last_name.as_ref())?;
    too_long("full_name", input.full_name.as_ref())?;
    too_long("job_title", input.job_title.as_ref())?;
    too_long("phone", input.phone.as_ref())?;
    too_long("email", input.email.as_ref().map(|e| &e.0))?;
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
    for skill in &input.skills {
        too_long("a skill", Some(skill))?;
    }
    if let Some(location) = &input.location {
        too_long("location.country", location.country.as_ref())?;
        too_long("location.city", location.city.as_ref())?;
        too_long("location.postcode", location.postcode.as_ref())?;
        too_long("location.region", location.region.as_ref())?;
    }
    if let Some(company) = &input.company {
        too_long("company.name", company.name.as_ref())?;
        too_long("company.domain", company.domain.as_ref())?;
        too_long("company.industry", company.industry.as_ref())?;
        too_long("company.size", company.size.as_ref())?;
        list("company.aliases", company.aliases.len())?;
        list("company.technologies", company.technologies.len())?;
        for value in company.aliases.iter().chain(&company.technologies) {
            too_long("a company alias or technology", Some(value))?;
        }
    }
    for entry in &input.history {
        too_long("history.company", entry.company.as_ref())?;
        too_long("history.domain", entry.domain.as_ref())?;
        too_long("history.title", entry.title.as_ref())?;
        too_long("history.from", entry.from.as_ref())?;
        too_long("history.to", entry.to.as_ref())?;
    }
    Ok(())
}

fn normalize_location(location: &mut Location) -> std::result::Result<(), String> {
    for value in [
        &mut location.country,
        &mut location.city,
        &mut location.postcode,
        &mut location.region,
    ] {
        if let Some(text) = value {
            let trimmed = text.trim();
            *value = (!trimmed.is_empty()).then(|| trimmed.to_owned());
        }
    }
    if let Some(country) = &mut location.country {
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err("location.country must be an ISO 3166-1 alpha-2 code".into());
        }
        country.make_ascii_uppercase();
    }
    Ok(())
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

/// Merges prepared lines into the store: one atomic write. Returns the counts and the
/// outbox sequence to wait for before the changes are searchable.
pub fn apply(
    store: &Store,
    hasher: &EmailHasher,
    prepared: Vec<Prepared>,
    now: i64,
    report: &mut IngestReport,
) -> Result<u64> {
    let mut overlay = Overlay {
        store,
        profiles: HashMap::new(),
        companies: HashMap::new(),
    };
    let mut observed: HashMap<ProfileId, Vec<EmailKey>> = HashMap::new();
    for mut line in prepared {
        let company_id = match line.company.take() {
            Some((cid, incoming)) => {
                merge_company(&mut overlay, cid, incoming)?;
                Some(cid)
            }
            None => None,
        };
        if let Some(address) = &line.email {
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
                hash: hasher.hash_address(&address.full()),
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
        let merged = merge_profile(current, &line, company_id, now);
        overlay.profiles.insert(line.id, (original, merged));
        if created {
            report.created += 1;
        } else {
            report.updated += 1;
        }
    }
    finish(store, hasher, overlay, observed)
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
) -> ProfileRecord {
    let input = &line.input;
    let mut record = existing.unwrap_or_else(|| ProfileRecord {
        person_key: None,
        first_name: String::new(),
        last_name: String::new(),
        job_title: None,
        skills: Vec::new(),
        phone: None,
        location: None,
        company: None,
        history: Vec::new(),
        sources: Vec::new(),
        email_keys: Vec::new(),
        created_at: now,
        updated_at: now,
    });
    // Field values follow the newest sighting; an older one only fills gaps.
    let newest = line.seen_at >= record.last_seen();
    let take = |slot: &mut Option<String>, value: &Option<String>| {
        let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty());
        if let Some(value) = value {
            if newest || slot.is_none() {
                *slot = Some(value.to_owned());
            }
        }
    };
    if newest || record.first_name.is_empty() {
        record.first_name = line.first_name.clone();
        record.last_name = line.last_name.clone();
    }
    take(&mut record.person_key, &input.person_key);
    take(&mut record.job_title, &input.job_title);
    take(&mut record.phone, &input.phone);
    if !input.skills.is_empty() && (newest || record.skills.is_empty()) {
        record.skills = input.skills.iter().map(|s| s.trim().to_owned()).collect();
    }
    if input.location.is_some() && (newest || record.location.is_none()) {
        record.location = input.location.clone();
    }
    if !input.history.is_empty() && (newest || record.history.is_empty()) {
        record.history = input.history.iter().map(clean_history).collect();
    }
    if company.is_some() && (newest || record.company.is_none()) {
        record.company = company;
    }
    match record.sources.iter_mut().find(|s| s.source == line.source) {
        Some(sighting) => {
            sighting.first_seen = sighting.first_seen.min(line.seen_at);
            sighting.last_seen = sighting.last_seen.max(line.seen_at);
        }
        None => record.sources.push(Sighting {
            source: line.source.clone(),
            first_seen: line.seen_at,
            last_seen: line.seen_at,
        }),
    }
    record.updated_at = now;
    record
}

fn clean_history(entry: &HistoryEntry) -> HistoryEntry {
    let trim = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    HistoryEntry {
        company: trim(&entry.company),
        domain: trim(&entry.domain),
        title: trim(&entry.title),
        from: trim(&entry.from),
        to: trim(&entry.to),
    }
}

/// Recomputes email keys where needed and writes everything in one commit.
fn finish(
    store: &Store,
    hasher: &EmailHasher,
    mut overlay: Overlay,
    mut observed: HashMap<ProfileId, Vec<EmailKey>>,
) -> Result<u64> {
    let mut writes = WriteSet::default();
    // Companies whose candidate addresses changed for everyone, and companies whose
    // indexed fields changed for everyone.
    let mut rekey_companies = HashSet::new();
    let mut reindex_companies = HashSet::new();
    for (cid, state) in &overlay.companies {
        let active_now = email::active_patterns(&state.current.patterns);
        match &state.original {
            None => {
                writes.count_delta.companies += 1;
            }
            Some(original) => {
                if email::active_patterns(&original.patterns) != active_now
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
        }
        if state.original.as_ref() != Some(&state.current) {
            writes.put(TreeName::Companies, cid.to_bytes(), encode(&state.current)?);
        }
    }
    // Existing members of changed companies that this batch did not touch.
    for cid in rekey_companies.union(&reindex_companies) {
        for member in store.company_members(*cid)? {
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
        let mut keys: Vec<EmailKey> = current
            .email_keys
            .iter()
            .filter(|k| k.observed)
            .copied()
            .collect();
        for key in observed.remove(id).unwrap_or_default() {
            if !keys.iter().any(|k| k.hash == key.hash) {
                keys.push(key);
            }
        }
        if let Some((domain, company)) = company.and_then(|c| c.domain.as_deref().map(|d| (d, c))) {
            for pattern in email::active_patterns(&company.patterns) {
                for local in local_parts(pattern, &current.first_name, &current.last_name) {
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
        current.email_keys = keys;
        let changed = original.as_ref() != Some(current);
        let old_keys = original
            .as_ref()
            .map(|o| o.email_keys.as_slice())
            .unwrap_or(&[]);
        for old in old_keys {
            if !current.email_keys.iter().any(|k| k.hash == old.hash) {
                writes.delete(TreeName::EmailHashes, email_key(&old.hash, *id));
            }
        }
        for key in &current.email_keys {
            if !old_keys.contains(key) {
                writes.put(
                    TreeName::EmailHashes,
                    email_key(&key.hash, *id),
                    [key.pattern, u8::from(key.observed)],
                );
            }
        }
        let old_company = original.as_ref().and_then(|o| o.company);
        if old_company != current.company {
            if let Some(old) = old_company {
                writes.delete(TreeName::CompanyMembers, member_key(old, *id));
            }
            if let Some(new) = current.company {
                writes.put(TreeName::CompanyMembers, member_key(new, *id), []);
            }
        }
        let old_seen = original.as_ref().map(ProfileRecord::last_seen);
        if old_seen != Some(current.last_seen()) {
            if let Some(old_seen) = old_seen {
                writes.delete(TreeName::ByLastSeen, last_seen_key(old_seen, *id));
            }
            writes.put(
                TreeName::ByLastSeen,
                last_seen_key(current.last_seen(), *id),
                [],
            );
        }
        if original.is_none() {
            writes.count_delta.profiles += 1;
        }
        let company_reindexed = current
            .company
            .is_some_and(|cid| reindex_companies.contains(&cid));
        if changed {
            writes.put(TreeName::Profiles, id.to_bytes(), encode(current)?);
        }
        if changed || company_reindexed {
            writes.reindex.push(id.0);
        }
    }
    store.commit(writes)
}
