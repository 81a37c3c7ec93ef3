//! The access export (Art. 15 GDPR, the CCPA right to know): everything held about one
//! person, with where each field came from and who received it, as JSON and as a plain
//! text a privacy officer can send as it is.

use super::{view, Engine};
use crate::audit;
use crate::clock::format_rfc3339;
use crate::email::{pattern_name, OBSERVED};
use crate::error::Result;
use crate::model::{
    AccessExport, DisclosureView, FieldProvenance, HeldData, HeldEmailHash, PrivacyOutcome,
    Processing, ProfileId, RequestKind, Subject,
};
use crate::store::record::ProfileRecord;
use std::fmt::Write;
use std::sync::Arc;

/// The rights a subject has here, and how each is exercised.
const RIGHTS: &[&str] = &[
    "access (Art. 15 GDPR; CCPA right to know): this export",
    "rectification (Art. 16 GDPR; CCPA right to correct): corrected fields are kept over what sources show",
    "erasure (Art. 17 GDPR; CCPA deletion): the profile is deleted and you are not collected again",
    "restriction (Art. 18 GDPR) and opting out of sale or sharing (CCPA): the profile is kept but shown to no one",
    "objection to direct marketing (Art. 21(2) GDPR): carried out as erasure",
    "recipients are told of every erasure, rectification and restriction (Art. 19 GDPR)",
    "a complaint to a supervisory authority (Art. 77 GDPR) or the California Privacy Protection Agency",
];

/// The fields a profile record holds, by wire name, and whether this one holds each.
fn held_fields(record: &ProfileRecord) -> Vec<&'static str> {
    [
        ("first_name", !record.first_name.is_empty()),
        ("last_name", !record.last_name.is_empty()),
        ("person_key", record.person_key.is_some()),
        ("job_title", record.job_title.is_some()),
        ("skills", !record.skills.is_empty()),
        ("phone", record.phone.is_some()),
        ("location", record.location.is_some()),
        ("company", record.company.is_some()),
        ("history", !record.history.is_empty()),
    ]
    .into_iter()
    .filter(|(_, held)| *held)
    .map(|(field, _)| field)
    .collect()
}

impl Engine {
    /// Everything held about the person a subject identifies, for the privacy desk key
    /// `recipient` (the export itself is a disclosure, and is logged as one).
    pub fn access(&self, subject: &Subject, recipient: &Arc<str>) -> Result<AccessExport> {
        let mut held = None;
        let (receipt, _) = self.carry_out(
            RequestKind::Access,
            subject,
            recipient,
            |store, _, id, record, _| {
                let company = match record.company {
                    Some(cid) => store.company(cid)?,
                    None => None,
                };
                held = Some((id, record.clone(), company));
                Ok(PrivacyOutcome::Disclosed)
            },
        )?;
        let data = match held {
            Some((id, record, company)) => {
                Some(self.held_data(id, &record, company.as_ref(), recipient)?)
            }
            None => None,
        };
        let mut export = AccessExport {
            receipt,
            generated: format_rfc3339(self.clock().now()),
            data,
            text: String::new(),
        };
        export.text = render_text(&export);
        Ok(export)
    }

    fn held_data(
        &self,
        id: ProfileId,
        record: &ProfileRecord,
        company: Option<&crate::store::record::CompanyRecord>,
        recipient: &Arc<str>,
    ) -> Result<HeldData> {
        let profile = view::profile(id, record, company, self.hasher());
        // Field values follow the newest sighting (see ingest): that source is each
        // field's provenance, unless the subject rectified it.
        let newest = record.sources.iter().max_by_key(|s| s.last_seen);
        let provenance = held_fields(record)
            .into_iter()
            .map(|field| match (record.is_rectified(field), newest) {
                (false, Some(source)) => FieldProvenance {
                    field: field.into(),
                    source: source.source.clone(),
                    first_seen: Some(format_rfc3339(source.first_seen)),
                    last_seen: Some(format_rfc3339(source.last_seen)),
                },
                _ => FieldProvenance {
                    field: field.into(),
                    source: "subject".into(),
                    first_seen: None,
                    last_seen: None,
                },
            })
            .collect();
        let email_hashes = record
            .email_keys
            .iter()
            .map(|key| HeldEmailHash {
                hash: hex::encode(key.hash),
                pattern: if key.pattern == OBSERVED {
                    "observed".into()
                } else {
                    pattern_name(key.pattern).into()
                },
                observed: key.observed,
            })
            .collect();
        let disclosures = self
            .disclosures
            .find(&audit::reference(&record.reference_salt, id))?
            .into_iter()
            .map(|found| DisclosureView {
                recipient: found.recipient,
                at: format_rfc3339(found.at),
                operation: found.operation,
                fields: found.fields,
            })
            .collect();
        self.disclose(recipient, "access", vec![view::disclosed(id, &profile)])?;
        Ok(HeldData {
            profile,
            provenance,
            email_hashes,
            restricted_since: record.restricted_at.map(format_rfc3339),
            rectified: record.rectified.clone(),
            processing: Processing {
                controller: self.privacy.controller.clone(),
                contact: self.privacy.contact.clone(),
                purposes: self.privacy.purposes.clone(),
                legal_basis: self.privacy.legal_basis.clone(),
                retention_days: self.retention().window_secs / 86_400,
                disclosure_log_retention_days: self.privacy.audit_retention_days,
                source_category: "publicly available professional information (company websites, public profiles, press)".into(),
                rights: RIGHTS.iter().map(|r| (*r).to_owned()).collect(),
            },
            disclosures,
        })
    }
}

/// The export as plain text, in the order a letter to the subject would give it.
fn render_text(export: &AccessExport) -> String {
    let mut out = String::new();
    let receipt = &export.receipt;
    let _ = writeln!(out, "Access request {}", receipt.request_id);
    let _ = writeln!(
        out,
        "Received {}; answered {}.",
        receipt.received, export.generated
    );
    let Some(data) = &export.data else {
        let _ = writeln!(
            out,
            "\nWe hold no profile that the identification given fits{}.",
            if receipt.outcome == PrivacyOutcome::Ambiguous {
                " uniquely (several fit; the request names them by id)"
            } else {
                ""
            }
        );
        return out;
    };
    let p = &data.profile;
    let _ = writeln!(out, "\nWHAT WE HOLD ABOUT YOU\n");
    let line = |out: &mut String, label: &str, value: &str| {
        let _ = writeln!(out, "  {label:<14} {value}");
    };
    line(&mut out, "Name", &p.full_name);
    if let Some(title) = &p.job_title {
        line(&mut out, "Job title", title);
    }
    if let Some(company) = &p.company {
        line(&mut out, "Company", &company.name);
        if let Some(domain) = &company.domain {
            line(&mut out, "Company domain", domain);
        }
    }
    if let Some(location) = &p.location {
        let parts: Vec<&str> = [
            &location.city,
            &location.postcode,
            &location.region,
            &location.country,
        ]
        .into_iter()
        .filter_map(|v| v.as_deref())
        .collect();
        line(&mut out, "Location", &parts.join(", "));
    }
    if let Some(phone) = &p.phone {
        line(&mut out, "Phone", phone);
    }
    if !p.skills.is_empty() {
        line(&mut out, "Skills", &p.skills.join(", "));
    }
    for entry in &p.history {
        let what = [&entry.title, &entry.company]
            .into_iter()
            .filter_map(|v| v.as_deref())
            .collect::<Vec<_>>()
            .join(" at ");
        let when = format!(
            "{}–{}",
            entry.from.as_deref().unwrap_or("?"),
            entry.to.as_deref().unwrap_or("now")
        );
        line(&mut out, "Position", &format!("{what} ({when})"));
    }
    if let Some(email) = &p.email {
        line(
            &mut out,
            "Email (guess)",
            &format!(
                "{} — built from your company's address pattern when asked, not stored (confidence {:.2})",
                email.suggested, email.confidence
            ),
        );
    }
    let _ = writeln!(
        out,
        "  We keep {} keyed hash(es) of email addresses (no address itself).",
        data.email_hashes.len()
    );
    if let Some(since) = &data.restricted_since {
        let _ = writeln!(
            out,
            "  Processing is restricted since {since}: no one is shown this profile."
        );
    }
    if !data.rectified.is_empty() {
        let _ = writeln!(
            out,
            "  Fields you corrected: {}.",
            data.rectified.join(", ")
        );
    }
    let _ = writeln!(out, "\nWHERE IT CAME FROM\n");
    for source in &p.sources {
        let _ = writeln!(
            out,
            "  {} — first seen {}, last seen {}",
            source.name, source.first_seen, source.last_seen
        );
    }
    for field in &data.provenance {
        let _ = writeln!(out, "  {:<14} from {}", field.field, field.source);
    }
    let _ = writeln!(out, "\nWHO RECEIVED IT\n");
    if data.disclosures.is_empty() {
        let _ = writeln!(out, "  No one.");
    }
    for d in &data.disclosures {
        let _ = writeln!(
            out,
            "  {} — {} by {} ({})",
            d.at,
            d.recipient,
            d.operation,
            d.fields.join(", ")
        );
    }
    let processing = &data.processing;
    let _ = writeln!(out, "\nWHY AND FOR HOW LONG\n");
    let _ = writeln!(
        out,
        "  Controller: {} ({})",
        processing.controller, processing.contact
    );
    let _ = writeln!(out, "  Source: {}", processing.source_category);
    for purpose in &processing.purposes {
        let _ = writeln!(out, "  Purpose: {purpose}");
    }
    let _ = writeln!(out, "  Legal basis: {}", processing.legal_basis);
    let _ = writeln!(
        out,
        "  Retention: deleted {} days after no source shows it any more; disclosure records kept {} days.",
        processing.retention_days, processing.disclosure_log_retention_days
    );
    let _ = writeln!(out, "\nYOUR RIGHTS\n");
    for right in &processing.rights {
        let _ = writeln!(out, "  - {right}");
    }
    out
}
