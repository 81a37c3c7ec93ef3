//! Stored records → the `Profile` clients see, including the email suggestion that is
//! derived on the fly from the company's pattern and never stored.

use crate::audit::Disclosed;
use crate::clock::format_rfc3339;
use crate::email::{self, local_part, local_parts, pattern_name, EmailHasher, PATTERNS};
use crate::model::{
    Candidate, CompanyView, EmailSuggestion, HistoryEntry, Location, Profile, ProfileId, SourceView,
};
use crate::store::record::{CompanyRecord, HistoryRecord, LocationRecord, ProfileRecord};

/// Confidence of an address re-rendered from a pattern the person's own address followed.
const OBSERVED_PATTERN_CONFIDENCE: f64 = 0.99;

pub fn profile(
    id: ProfileId,
    record: &ProfileRecord,
    company: Option<&CompanyRecord>,
    hasher: &EmailHasher,
) -> Profile {
    Profile {
        id: id.to_string(),
        person_key: record.person_key.clone(),
        full_name: record.full_name(),
        first_name: record.first_name.clone(),
        last_name: record.last_name.clone(),
        job_title: record.job_title.clone(),
        skills: record.skills.clone(),
        location: record.location.as_ref().map(location),
        phone: record.phone.clone(),
        company: record.company.zip(company).map(|(cid, c)| CompanyView {
            id: cid.to_string(),
            name: c.name.clone(),
            domain: c.domain.clone(),
            aliases: c.aliases.clone(),
            industry: c.industry.clone(),
            size: c.size.clone(),
            employees: c.employees,
            technologies: c.technologies.clone(),
        }),
        history: record.history.iter().map(history).collect(),
        email: company.and_then(|c| email_suggestion(record, c, hasher)),
        sources: record
            .sources
            .iter()
            .map(|s| SourceView {
                name: s.source.clone(),
                first_seen: format_rfc3339(s.first_seen),
                last_seen: format_rfc3339(s.last_seen),
            })
            .collect(),
        created_at: format_rfc3339(record.created_at),
        updated_at: format_rfc3339(record.updated_at),
    }
}

fn location(stored: &LocationRecord) -> Location {
    Location {
        country: stored.country.clone(),
        city: stored.city.clone(),
        postcode: stored.postcode.clone(),
        region: stored.region.clone(),
    }
}

fn history(stored: &HistoryRecord) -> HistoryEntry {
    HistoryEntry {
        company: stored.company.clone(),
        domain: stored.domain.clone(),
        title: stored.title.clone(),
        from: stored.from.clone(),
        to: stored.to.clone(),
    }
}

/// The most likely address: the pattern the person's observed address followed, else the
/// company's most probable pattern. A name with letters such as ü has two spellings
/// ("muller", "mueller"): the person's own observed address tells which; else the domain's
/// observed addresses do, and the confidence is the pattern's times the spelling's.
pub fn email_suggestion(
    record: &ProfileRecord,
    company: &CompanyRecord,
    hasher: &EmailHasher,
) -> Option<EmailSuggestion> {
    let domain = company.domain.as_deref()?;
    let (first, last) = (record.first_name.as_str(), record.last_name.as_str());
    let observed = record
        .email_keys
        .iter()
        .find(|k| k.observed && usize::from(k.pattern) < PATTERNS.len())
        .map(|k| k.pattern);
    let (pattern, confidence) = match observed {
        Some(pattern) => (pattern, OBSERVED_PATTERN_CONFIDENCE),
        None => (0..PATTERNS.len() as u8)
            .map(|p| (p, email::pattern_probability(&company.patterns, p)))
            .max_by(|a, b| a.1.total_cmp(&b.1))?,
    };
    let parts = local_parts(pattern, first, last);
    let (local, confidence) = match parts.as_slice() {
        [] => return None,
        [only] => (only.clone(), confidence),
        _ => {
            // The person's own address among the spellings: its keyed hash is stored.
            let own = observed.and_then(|_| {
                parts.iter().find(|part| {
                    let hash = hasher.hash_address(&format!("{part}@{domain}"));
                    record
                        .email_keys
                        .iter()
                        .any(|k| k.observed && k.hash == hash)
                })
            });
            match own {
                Some(part) => (part.clone(), confidence),
                None => {
                    let spelling = email::likely_spelling(&company.patterns);
                    let local = local_part(pattern, first, last, spelling)?;
                    let share = email::spelling_probability(&company.patterns, spelling);
                    (local, confidence * share)
                }
            }
        }
    };
    Some(EmailSuggestion {
        suggested: format!("{local}@{domain}"),
        pattern: pattern_name(pattern).to_owned(),
        confidence: round3(confidence),
    })
}

/// Confidences are shown with three decimals.
pub fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// The personal fields a client receives with a profile (what the disclosure log
/// records; ids and timestamps are not personal data about the subject).
pub fn disclosed(id: ProfileId, profile: &Profile) -> Disclosed {
    let present = [
        ("person_key", profile.person_key.is_some()),
        ("name", !profile.full_name.is_empty()),
        ("job_title", profile.job_title.is_some()),
        ("skills", !profile.skills.is_empty()),
        ("location", profile.location.is_some()),
        ("phone", profile.phone.is_some()),
        ("company", profile.company.is_some()),
        ("history", !profile.history.is_empty()),
        ("email", profile.email.is_some()),
        ("sources", !profile.sources.is_empty()),
    ];
    Disclosed {
        profile: id,
        fields: present
            .into_iter()
            .filter(|(_, present)| *present)
            .map(|(field, _)| field)
            .collect(),
    }
}

/// What a lookup answer discloses: its profile, and each candidate's name and company.
pub fn disclosed_by_answer(profile: &Option<Profile>, candidates: &[Candidate]) -> Vec<Disclosed> {
    let mut items = Vec::with_capacity(1 + candidates.len());
    if let Some(profile) = profile {
        if let Some(id) = ProfileId::parse(&profile.id) {
            items.push(disclosed(id, profile));
        }
    }
    for candidate in candidates {
        if let Some(id) = ProfileId::parse(&candidate.id) {
            let mut fields = vec!["name"];
            if candidate.company.is_some() {
                fields.push("company");
            }
            items.push(Disclosed {
                profile: id,
                fields,
            });
        }
    }
    items
}
