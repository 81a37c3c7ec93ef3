//! Deterministic, realistic sample data: business profiles and the companies they work at.
//!
//! The demo (`profiled serve --sample`), the tests, the matching-quality evaluation and the
//! benchmarks all need data that behaves like the real thing, because matching quality and
//! index performance depend on its shape: common names are very common and collide (two
//! "Jan de Vries" at one big employer), a long tail of surnames is shared by few, names carry
//! diacritics and particles, a few companies are huge while most are small, and each company
//! follows one email pattern — mostly.
//!
//! Every profile is a pure function of `(seed, count, now, index)`: each one gets its own
//! generator seeded from a splitmix64 mix of the seed and its index, and every company it
//! references is itself a pure function of `(seed, count, company index)`. So generation
//! parallelises without changing a byte, and any single profile can be regenerated on its own
//! (e.g. to build a labelled evaluation set next to a loaded data set).
//!
//! Company domains identify companies in the daemon, so two companies must never share one.
//! Rather than rejecting collisions (which would need the whole universe), a company's name is
//! built from a dense per-country, per-style index through a bijection, so distinct companies
//! get distinct name components and hence distinct domains by construction.

use crate::email::PATTERNS;
use crate::model::{CompanyInput, EmailInput, HistoryEntry, Location, ProfileInput};
use fastrand::Rng;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashSet;
use std::io::Write;
use std::sync::OnceLock;

use tables::*;

/// Options of a generation run.
#[derive(Clone, Debug)]
pub struct GenOptions {
    /// How many profiles the data set has.
    pub count: u64,
    /// Selects the data set; the same seed always gives the same data.
    pub seed: u64,
    /// Unix seconds; sightings fall in the 180 days before it.
    pub now: i64,
}

/// A company of the generated universe, with everything profiles say about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenCompany {
    /// Legal name with suffix, e.g. "Vandermeer Logistiek B.V.".
    pub name: String,
    /// Web and email domain; unique within a data set.
    pub domain: String,
    /// Other names the company goes by: short name, acronym, brand.
    pub aliases: Vec<String>,
    /// One of the industry labels.
    pub industry: String,
    /// Size band consistent with `employees`, e.g. "51-200".
    pub size: String,
    /// Head count.
    pub employees: u32,
    /// Software the company is known to use.
    pub technologies: Vec<String>,
    /// ISO 3166-1 alpha-2 country of the headquarters.
    pub country: String,
    /// Headquarters city.
    pub city: String,
    /// Headquarters postcode in the country's format.
    pub postcode: String,
    /// Index into the project's email pattern table.
    pub email_pattern: u8,
}

/// How often companies use each pattern, by index into [`PATTERNS`]: first.last dominates.
const PATTERN_WEIGHTS: &[u32] = &[40, 14, 7, 6, 8, 3, 2, 2, 2, 1, 3, 2, 1, 1, 1, 1, 1, 1];

/// Size bands with their inclusive upper bounds.
const SIZE_BANDS: &[(u32, &str)] = &[
    (10, "1-10"),
    (50, "11-50"),
    (200, "51-200"),
    (500, "201-500"),
    (1000, "501-1000"),
    (5000, "1001-5000"),
    (10000, "5001-10000"),
    (u32::MAX, "10001+"),
];

/// Where sightings come from: (source, weight in percent).
const SOURCES: &[(&str, u32)] = &[("public-web", 60), ("company-site", 25), ("press", 15)];

/// Share of people whose surname comes from the rare, composed tail rather than the table.
const RARE_SURNAME_PCT: u32 = 40;
/// Share of people who live in their employer's country.
const HOME_LOCALE_PCT: u32 = 80;
/// Share of observed emails that do not follow the company's own pattern.
const OFF_PATTERN_PCT: u32 = 3;
/// Offset of the company Zipf law: keeps the largest company at well under 1% of profiles.
const COMPANY_ZIPF_OFFSET: f64 = 20.0;
/// At most this many companies are precomputed by [`write_ndjson`]; the Zipf head covers
/// nearly all picks, the rest are generated on demand so memory stays bounded.
const COMPANY_CACHE: u64 = 1 << 20;
/// Profiles per parallel work item.
const CHUNK: u64 = 1024;
/// Profiles generated before they are written: bounds memory at some 50 MB.
const BATCH: u64 = 64 * CHUNK;
const DAY: i64 = 86_400;
const WINDOW_DAYS: i64 = 180;
/// Keeps the company stream independent of the profile stream for the same seed.
const COMPANY_STREAM: u64 = 0x636f_6d70_616e_7921;
/// A prime larger than every name table, so it divides no name-space size (a product of
/// table sizes) and multiplying by it permutes every space.
const PERMUTE_MULT: u128 = 1_000_003;

/// How many companies the data set `(seed, count)` has.
pub fn company_count(opts: &GenOptions) -> u64 {
    (opts.count / 25).max(20)
}

/// The company universe used by a data set, by index; pure. Low indices are the big ones.
pub fn company(opts: &GenOptions, company_index: u64) -> GenCompany {
    let ci = company_index;
    let mut rng = Rng::with_seed(mix(opts.seed ^ COMPANY_STREAM, ci));
    let (li, in_country) = spread(ci, LOCALES.iter().map(|l| l.weight), 37, opts.seed % 100);
    let loc = &LOCALES[li];
    let (si, in_style) = spread(
        in_country,
        STYLES.iter().map(|s| s.1),
        7,
        (opts.seed >> 7) % 20,
    );
    let style = STYLES[si].0;
    let space = style_space(li, style);
    let overflow = in_style / space;
    let key = mix(opts.seed, (li * STYLES.len() + si) as u64);
    let j = permute(in_style % space, space, key);
    let (mut parts, industry, brand) = name_parts(li, style, j, &mut rng);

    let employees = employees(opts, ci, &mut rng);
    let hq = &loc.cities[zipf(&mut rng, loc.cities.len() as u64, 1.0, 1.5) as usize];
    if overflow > 0 {
        // Only very large data sets exhaust a style's name space; a branch city keeps the
        // repeated name apart for readers, the numbered domain keeps it apart for the daemon.
        parts.push(Part::shown(hq.name));
    }
    let short = join_parts(&parts);
    let legal = if employees >= 2000 && rng.u32(0..100) < 70 {
        weighted(&mut rng, loc.legal_big)
    } else {
        weighted(&mut rng, loc.legal_small)
    };
    // Firms spell their own name in the domain more carefully than people do their address:
    // most German and Nordic ones write ü, ø, å as ue, oe, aa.
    let alt = rng.u32(0..100) < loc.alt_translit_pct * 3;
    let sep = if rng.u32(0..100) < 30 { "-" } else { "" };
    let mut domain = parts
        .iter()
        .filter(|p| p.in_domain)
        .map(|p| fold(&p.text, alt))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(sep);
    if overflow > 0 {
        domain.push_str(&(overflow + 1).to_string());
    }
    domain.push('.');
    domain.push_str(loc.tld);

    let aliases = aliases(&parts, &short, brand, &mut rng);
    let technologies = technologies(loc, industry, employees, &mut rng);
    let mut pattern_weights = PATTERN_WEIGHTS.to_vec();
    if employees <= 50 {
        // Small firms often just use first names.
        pattern_weights[2] *= 2;
    }
    let email_pattern = pick(&mut rng, &pattern_weights) as u8;
    GenCompany {
        name: format!("{short} {legal}"),
        domain,
        aliases,
        industry: INDUSTRIES[industry].name.to_string(),
        size: size_band(employees).to_string(),
        employees,
        technologies,
        country: loc.country.to_string(),
        city: hq.name.to_string(),
        postcode: postcode(&mut rng, loc.country, hq),
        email_pattern,
    }
}

/// The profile at `index` of the data set `(seed, count)`; pure function of its arguments.
pub fn profile(opts: &GenOptions, index: u64) -> ProfileInput {
    build_profile(opts, index, |ci| Cow::Owned(company(opts, ci)))
}

/// Writes `count` NDJSON lines (one `ProfileInput` each) in index order; returns bytes written.
///
/// Profiles are generated in parallel in chunks and written sequentially, so the output is
/// byte-identical whatever the thread count.
pub fn write_ndjson<W: Write>(opts: &GenOptions, mut out: W) -> std::io::Result<u64> {
    let cached: Vec<GenCompany> = (0..company_count(opts).min(COMPANY_CACHE))
        .into_par_iter()
        .map(|ci| company(opts, ci))
        .collect();
    let company_of = |ci: u64| match cached.get(ci as usize) {
        Some(c) => Cow::Borrowed(c),
        None => Cow::Owned(company(opts, ci)),
    };
    let mut written = 0u64;
    let mut start = 0u64;
    while start < opts.count {
        let end = (start + BATCH).min(opts.count);
        let buffers: Vec<Vec<u8>> = (0..(end - start).div_ceil(CHUNK))
            .into_par_iter()
            .map(|chunk| {
                let lo = start + chunk * CHUNK;
                let hi = (lo + CHUNK).min(end);
                let mut buf = Vec::with_capacity(((hi - lo) * 700) as usize);
                for index in lo..hi {
                    let p = build_profile(opts, index, company_of);
                    serde_json::to_writer(&mut buf, &p)
                        .expect("a ProfileInput holds only strings and numbers");
                    buf.push(b'\n');
                }
                buf
            })
            .collect();
        for buf in &buffers {
            out.write_all(buf)?;
            written += buf.len() as u64;
        }
        start = end;
    }
    out.flush()?;
    Ok(written)
}

// ---- profiles ---------------------------------------------------------------------------

/// The profile at `index`, taking its companies from `company_of` (a cache or [`company`]).
fn build_profile<'a>(
    opts: &GenOptions,
    index: u64,
    company_of: impl Fn(u64) -> Cow<'a, GenCompany>,
) -> ProfileInput {
    let mut rng = Rng::with_seed(mix(opts.seed, index));
    let companies = company_count(opts);
    let ci = pick_company(&mut rng, companies);
    let comp = company_of(ci);
    let cli = locale_of(&comp.country);
    let comp_loc = &LOCALES[cli];
    let li = if rng.u32(0..100) < HOME_LOCALE_PCT {
        cli
    } else {
        pick_iter(&mut rng, LOCALES.iter().map(|l| l.weight))
    };
    let loc = &LOCALES[li];
    let female = rng.bool();
    let first = first_name(&mut rng, loc, female);
    let last = surname(&mut rng, li, female);
    let source = *weighted(&mut rng, SOURCES);
    let seen = opts.now - rng.i64(0..WINDOW_DAYS * DAY);
    let industry = INDUSTRIES
        .iter()
        .position(|i| i.name == comp.industry)
        .unwrap_or(0);
    let native = li == cli;
    let (title, family) = job_title(&mut rng, comp_loc, native, female, industry, comp.employees);

    // Company pages list contact details, press mentions rarely do: overall about 30% of
    // profiles carry an email and half a phone number.
    let (email_pct, phone_pct) = match source {
        "company-site" => (50, 80),
        "public-web" => (25, 40),
        _ => (15, 25),
    };
    let skill_count = match source {
        "public-web" => *weighted(
            &mut rng,
            &[(0, 2), (1, 1), (2, 2), (3, 3), (4, 3), (5, 2), (6, 1)],
        ),
        "company-site" => rng.usize(0..=2),
        _ => 0,
    };
    let skills = skills(&mut rng, family, skill_count);

    let hq = comp_loc
        .cities
        .iter()
        .find(|c| c.name == comp.city)
        .unwrap_or(&comp_loc.cities[0]);
    let (office, office_postcode) = if rng.u32(0..100) < 70 {
        (hq, comp.postcode.clone())
    } else {
        let c = &comp_loc.cities[zipf(&mut rng, comp_loc.cities.len() as u64, 1.0, 1.5) as usize];
        (c, postcode(&mut rng, comp_loc.country, c))
    };
    let location = if source != "press" {
        Some(Location {
            country: Some(comp_loc.country.to_string()),
            city: Some(office.name.to_string()),
            postcode: Some(office_postcode),
            region: Some(office.region.to_string()),
        })
    } else if rng.u32(0..100) < 60 {
        Some(Location {
            country: Some(comp_loc.country.to_string()),
            city: Some(office.name.to_string()),
            postcode: None,
            region: None,
        })
    } else {
        None
    };
    let phone = (rng.u32(0..100) < phone_pct).then(|| phone(&mut rng, comp_loc.country, office));
    let email = (rng.u32(0..100) < email_pct).then(|| {
        let mut pattern = comp.email_pattern as usize;
        if rng.u32(0..100) < OFF_PATTERN_PCT {
            pattern = (pattern + rng.usize(1..PATTERNS.len())) % PATTERNS.len();
        }
        let alt = rng.u32(0..100) < loc.alt_translit_pct;
        let local = render_pattern(PATTERNS[pattern], &fold(&first, alt), &fold(&last, alt));
        EmailInput(format!("{local}@{}", comp.domain))
    });
    let history = match source {
        "public-web" => *weighted(&mut rng, &[(0, 25), (1, 35), (2, 25), (3, 15)]),
        "company-site" => *weighted(&mut rng, &[(0, 70), (1, 20), (2, 10)]),
        _ => 0,
    };
    let history = history_entries(&mut rng, opts, ci, companies, history, family, &company_of);
    let person_key = (rng.u32(0..100) < 60).then(|| {
        format!(
            "https://profiles.example/in/{}-{}",
            slug(&format!("{first} {last}")),
            base36(index)
        )
    });
    let company = company_input(&mut rng, &comp, source);
    let job_title = (source != "press" || rng.u32(0..100) < 95).then(|| title.to_string());

    ProfileInput {
        person_key,
        source: Some(source.to_string()),
        seen_at: Some(rfc3339(seen)),
        first_name: Some(first),
        last_name: Some(last),
        full_name: None,
        job_title,
        skills,
        email,
        phone,
        location,
        company: Some(company),
        history,
    }
}

/// What a source says about the company: company pages tell everything, people pages the
/// basics, press mentions little more than the name.
fn company_input(rng: &mut Rng, comp: &GenCompany, source: &str) -> CompanyInput {
    let name = if rng.u32(0..100) < 75 {
        comp.name.clone()
    } else {
        comp.aliases[0].clone()
    };
    let full = source == "company-site" || (source == "public-web" && rng.u32(0..100) < 30);
    let basic = source != "press";
    CompanyInput {
        name: Some(name),
        domain: Some(comp.domain.clone()),
        industry: basic.then(|| comp.industry.clone()),
        size: basic.then(|| comp.size.clone()),
        employees: full.then_some(comp.employees),
        technologies: if full {
            comp.technologies.clone()
        } else {
            Vec::new()
        },
        aliases: if full || (source == "press" && rng.bool()) {
            comp.aliases.clone()
        } else {
            Vec::new()
        },
    }
}

/// Earlier positions, oldest first, each ending before the next one starts.
fn history_entries<'a>(
    rng: &mut Rng,
    opts: &GenOptions,
    current: u64,
    companies: u64,
    count: usize,
    family: Family,
    company_of: &impl Fn(u64) -> Cow<'a, GenCompany>,
) -> Vec<HistoryEntry> {
    let days = opts.now.div_euclid(DAY);
    let (y, m, _) = civil_from_days(days);
    let mut start = y * 12 + i64::from(m) - 1 - rng.i64(1..=96);
    let mut used = vec![current];
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        let mut ci = pick_company(rng, companies);
        while used.contains(&ci) {
            ci = (ci + 1) % companies;
        }
        used.push(ci);
        let comp = company_of(ci);
        let to = start - rng.i64(0..=3);
        let from = to - rng.i64(6..=60);
        start = from;
        let (title, _) = if rng.u32(0..100) < 60 {
            title_of_family(rng, family)
        } else {
            any_title(rng)
        };
        entries.push(HistoryEntry {
            company: Some(if rng.bool() {
                comp.name.clone()
            } else {
                comp.aliases[0].clone()
            }),
            domain: (rng.u32(0..100) < 70).then(|| comp.domain.clone()),
            title: Some(title.to_string()),
            from: Some(month(from)),
            to: Some(month(to)),
        });
    }
    entries.reverse();
    entries
}

fn pick_company(rng: &mut Rng, companies: u64) -> u64 {
    zipf(rng, companies, 1.0, COMPANY_ZIPF_OFFSET)
}

fn first_name(rng: &mut Rng, loc: &Locale, female: bool) -> String {
    let (simple, compound) = if female {
        (loc.female, loc.compound_female)
    } else {
        (loc.male, loc.compound_male)
    };
    if !compound.is_empty() && rng.u32(0..100) < loc.compound_pct {
        return compound[zipf(rng, compound.len() as u64, 0.8, 2.0) as usize].to_string();
    }
    simple[zipf(rng, simple.len() as u64, 0.7, 3.0) as usize].to_string()
}

fn surname(rng: &mut Rng, li: usize, female: bool) -> String {
    let loc = &LOCALES[li];
    let mut name = surname_part(rng, li, female);
    if rng.u32(0..100) < loc.double_pct {
        let sep = if loc.double_space && rng.u32(0..100) >= 15 {
            " "
        } else {
            "-"
        };
        let second = surname_part(rng, li, female);
        if second != name {
            name.push_str(sep);
            name.push_str(&second);
        }
    }
    name
}

fn surname_part(rng: &mut Rng, li: usize, female: bool) -> String {
    let loc = &LOCALES[li];
    let mut name = if rng.u32(0..100) < RARE_SURNAME_PCT {
        rare_surname(rng, li)
    } else {
        loc.surnames[zipf(rng, loc.surnames.len() as u64, 0.7, 4.0) as usize].to_string()
    };
    if female && loc.country == "PL" {
        // Polish adjectival surnames agree with the bearer: Kowalski, Kowalska.
        for (masc, fem) in [("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")] {
            if let Some(stem) = name.strip_suffix(masc) {
                name = format!("{stem}{fem}");
                break;
            }
        }
    }
    name
}

/// A surname from locale morphemes ("Ver" + "hoeven", "Wein" + "berger"): there are thousands
/// per locale, so each is shared by few people. Some come from elsewhere, as people move.
fn rare_surname(rng: &mut Rng, li: usize) -> String {
    let loc = &LOCALES[li];
    if rng.u32(0..100) < loc.foreign_pct {
        let other = pick_iter(rng, LOCALES.iter().map(|l| l.weight));
        if other != li {
            let name = rare_surname(rng, other);
            return if loc.fold_foreign {
                capitalise(&fold(&name, false))
            } else {
                capitalise(&name)
            };
        }
    }
    let combos = rare_combos(li);
    let (name, t) = rare_combo(li, rng.usize(0..combos.len()));
    if t < loc.rare_places && !loc.particles.is_empty() && rng.u32(0..100) < loc.particle_pct {
        let particle = loc.particles[rng.usize(0..loc.particles.len())];
        return format!("{particle}{name}");
    }
    name
}

fn job_title(
    rng: &mut Rng,
    comp_loc: &Locale,
    native: bool,
    female: bool,
    industry: usize,
    employees: u32,
) -> (String, Family) {
    let boost = if employees <= 50 && rng.u32(0..100) < 15 {
        Some(Family::Executive)
    } else if rng.u32(0..100) < 35 {
        Some(INDUSTRIES[industry].family)
    } else {
        None
    };
    let (title, family) = match boost {
        Some(f) => title_of_family(rng, f),
        None => any_title(rng),
    };
    // Titles are in the company's language, and only natives tend to use the local form.
    if native && rng.u32(0..100) < 20 {
        let local: Vec<&LocalTitle> = comp_loc.titles.iter().filter(|t| t.2 == family).collect();
        if !local.is_empty() {
            let t = local[rng.usize(0..local.len())];
            return ((if female { t.1 } else { t.0 }).to_string(), family);
        }
    }
    (title.to_string(), family)
}

fn any_title(rng: &mut Rng) -> (&'static str, Family) {
    let t = &TITLES[pick_iter(rng, TITLES.iter().map(|t| t.2))];
    (t.0, t.1)
}

fn title_of_family(rng: &mut Rng, family: Family) -> (&'static str, Family) {
    let weights = TITLES.iter().map(|t| if t.1 == family { t.2 } else { 0 });
    let t = &TITLES[pick_iter(rng, weights)];
    (t.0, t.1)
}

fn skills(rng: &mut Rng, family: Family, n: usize) -> Vec<String> {
    let own = family_skills(family);
    let mut out: Vec<String> = Vec::with_capacity(n);
    let mut tries = 0;
    while out.len() < n && tries < 4 * n {
        tries += 1;
        let s = if rng.u32(0..100) < 80 {
            own[zipf(rng, own.len() as u64, 0.8, 1.0) as usize]
        } else {
            GENERIC_SKILLS[rng.usize(0..GENERIC_SKILLS.len())]
        };
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
}

// ---- companies --------------------------------------------------------------------------

/// One component of a company name; optional words stay out of the domain so that the
/// domain depends only on the components chosen injectively.
struct Part {
    text: String,
    in_domain: bool,
}

impl Part {
    fn named(text: impl Into<String>) -> Self {
        Part {
            text: text.into(),
            in_domain: true,
        }
    }
    fn shown(text: impl Into<String>) -> Self {
        Part {
            text: text.into(),
            in_domain: false,
        }
    }
}

fn join_parts(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn style_space(li: usize, style: Style) -> u64 {
    let loc = &LOCALES[li];
    let industries = INDUSTRIES.len() as u64;
    let partners = loc.surnames.len().min(PARTNER_SURNAMES) as u64;
    match style {
        Style::CommonSurname => loc.surnames.len() as u64 * industries,
        Style::RareSurname => rare_combos(li).len() as u64 * industries,
        Style::Partners => partners * partners,
        Style::Place => loc.places.len() as u64 * industries * 3,
        Style::Brand => brand_space(2) + brand_space(3),
        Style::Descriptive => (ADJECTIVES.len() * NOUNS.len()) as u64 * industries,
    }
}

/// Decodes the name-space index `j` of `style` into name components, an industry and the
/// distinctive part people use alone (the brand alias), if any.
fn name_parts(
    li: usize,
    style: Style,
    j: u64,
    rng: &mut Rng,
) -> (Vec<Part>, usize, Option<String>) {
    let loc = &LOCALES[li];
    let industries = INDUSTRIES.len() as u64;
    let lang = loc.lang as usize;
    match style {
        Style::CommonSurname | Style::RareSurname => {
            let industry = (j % industries) as usize;
            let k = (j / industries) as usize;
            let mut surname = if style == Style::CommonSurname {
                capitalise(loc.surnames[k])
            } else {
                rare_combo(li, k).0
            };
            if surname.contains(' ') && loc.glue_particles && rng.u32(0..100) < 30 {
                // "Van der Meer" → "Vandermeer", as many Dutch firms write it.
                surname = capitalise(&surname.replace(' ', "").to_lowercase());
            }
            let english = rng.u32(0..100) < 30;
            let sector = INDUSTRIES[industry].words[if english { 0 } else { lang }];
            let parts = if loc.sector_first && !english {
                vec![Part::named(sector), Part::named(surname.clone())]
            } else {
                vec![Part::named(surname.clone()), Part::named(sector)]
            };
            (parts, industry, Some(surname))
        }
        Style::Partners => {
            let n = loc.surnames.len().min(PARTNER_SURNAMES) as u64;
            let a = capitalise(loc.surnames[(j / n) as usize]);
            let b = loc.surnames[(j % n) as usize];
            let industry = PARTNER_INDUSTRIES[rng.usize(0..PARTNER_INDUSTRIES.len())];
            let mut parts = vec![Part::named(a.clone()), Part::shown("&"), Part::named(b)];
            if rng.bool() {
                parts.push(Part::shown(INDUSTRIES[industry].words[lang]));
            }
            (parts, industry, Some(a))
        }
        Style::Place => {
            let variant = j % 3;
            let industry = ((j / 3) % industries) as usize;
            let place = loc.places[(j / 3 / industries) as usize];
            let sector = INDUSTRIES[industry].words[lang];
            let group = GROUP_WORDS[lang];
            let parts = match variant {
                0 => vec![Part::named(place), Part::named(sector)],
                1 if loc.sector_first => {
                    vec![Part::named(group), Part::named(place), Part::named(sector)]
                }
                1 => vec![Part::named(place), Part::named(sector), Part::named(group)],
                _ => vec![
                    Part::named(place),
                    Part::named(sector),
                    Part::named("Holding"),
                ],
            };
            (parts, industry, Some(place.to_string()))
        }
        Style::Brand => {
            let brand = brand_name(j);
            let industry = rng.usize(0..INDUSTRIES.len());
            let mut parts = vec![Part::named(brand.clone())];
            match BRAND_DESCRIPTORS[rng.usize(0..BRAND_DESCRIPTORS.len())] {
                "" => {}
                "*" => parts.push(Part::shown(INDUSTRIES[industry].words[0])),
                d => parts.push(Part::shown(d)),
            }
            (parts, industry, Some(brand))
        }
        Style::Descriptive => {
            let industry = (j % industries) as usize;
            let rest = j / industries;
            let adjective = ADJECTIVES[(rest / NOUNS.len() as u64) as usize];
            let noun = NOUNS[(rest % NOUNS.len() as u64) as usize];
            let parts = vec![
                Part::named(adjective),
                Part::named(noun),
                Part::named(INDUSTRIES[industry].words[0]),
            ];
            (parts, industry, Some(format!("{adjective} {noun}")))
        }
    }
}

fn brand_space(syllables: u32) -> u64 {
    let s = (BRAND_CONSONANTS.len() * BRAND_VOWELS.len()) as u64;
    s.pow(syllables) * BRAND_ENDINGS.len() as u64
}

/// An invented brand such as "Velorant": consonant-vowel syllables and a consonant-only
/// ending, so the string decodes back to its index and distinct indices give distinct brands.
fn brand_name(j: u64) -> String {
    let (mut k, syllables) = if j < brand_space(2) {
        (j, 2)
    } else {
        (j - brand_space(2), 3)
    };
    let endings = BRAND_ENDINGS.len() as u64;
    let ending = BRAND_ENDINGS[(k % endings) as usize];
    k /= endings;
    let mut out = String::new();
    for _ in 0..syllables {
        let s = (k % (BRAND_CONSONANTS.len() * BRAND_VOWELS.len()) as u64) as usize;
        k /= (BRAND_CONSONANTS.len() * BRAND_VOWELS.len()) as u64;
        out.push(char::from(BRAND_CONSONANTS[s / BRAND_VOWELS.len()]));
        out.push(char::from(BRAND_VOWELS[s % BRAND_VOWELS.len()]));
    }
    out.push_str(ending);
    capitalise(&out)
}

fn aliases(parts: &[Part], short: &str, brand: Option<String>, rng: &mut Rng) -> Vec<String> {
    let mut out = vec![short.to_string()];
    // Initials of the identifying words only: "Blue Harbor Analytics" → "BHA", but no
    // "NT" for "Nexora Technologies".
    let capitals: String = parts
        .iter()
        .filter(|p| p.in_domain)
        .flat_map(|p| p.text.split(' '))
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_uppercase())
        .collect();
    let acronym_pct = match capitals.chars().count() {
        0 | 1 => 0,
        2 => 30,
        _ => 60,
    };
    if rng.u32(0..100) < acronym_pct {
        out.push(fold(&capitals, false).to_uppercase());
    }
    // The distinctive part alone, as people say "Nexora" for "Nexora Labs".
    if let Some(brand) = brand.filter(|b| b.chars().count() >= 4 && b != short) {
        if rng.u32(0..100) < 35 {
            out.push(brand);
        }
    }
    out
}

fn technologies(loc: &Locale, industry: usize, employees: u32, rng: &mut Rng) -> Vec<String> {
    let n = (2 + employees.max(1).ilog10() as usize + rng.usize(0..2)).min(7);
    let mut out: Vec<String> = Vec::with_capacity(n);
    let mut tries = 0;
    while out.len() < n && tries < 4 * n {
        tries += 1;
        let roll = rng.u32(0..100);
        let t = if roll < 20 {
            loc.tech[rng.usize(0..loc.tech.len())]
        } else if roll < 35
            && matches!(
                INDUSTRIES[industry].family,
                Family::Engineering | Family::It
            )
        {
            DEV_TECH[rng.usize(0..DEV_TECH.len())]
        } else {
            TECH[zipf(rng, TECH.len() as u64, 1.0, 2.0) as usize]
        };
        if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    out
}

/// Head count: falls with rank, but never below what the profiles that pick this company
/// suggest (a data set covers only part of a workforce).
fn employees(opts: &GenOptions, ci: u64, rng: &mut Rng) -> u32 {
    let companies = company_count(opts) as f64;
    let q = COMPANY_ZIPF_OFFSET;
    let i = ci as f64;
    let share = ((i + 1.0 + q) / (i + q)).ln() / ((companies + q) / q).ln();
    let expected = opts.count as f64 * share;
    let by_rank = 250_000.0 / (i + 1.0).powf(1.15) * (0.6 + rng.f64());
    let floor = 1.0 + 8.0 * rng.f64();
    by_rank
        .max(expected * 2.5)
        .max(floor)
        .round()
        .min(400_000.0) as u32
}

fn size_band(employees: u32) -> &'static str {
    SIZE_BANDS
        .iter()
        .find(|(max, _)| employees <= *max)
        .map_or("10001+", |b| b.1)
}

fn locale_of(country: &str) -> usize {
    LOCALES
        .iter()
        .position(|l| l.country == country)
        .unwrap_or(0)
}

/// The distinct rare surnames of each locale as (head, tail) index pairs. Combinations that
/// spell a common surname or repeat an earlier one are left out, so rare names stay rare and
/// company names built from them stay unique; so are ones that double a vowel at the seam.
fn rare_combos(li: usize) -> &'static [(u16, u16)] {
    static COMBOS: OnceLock<Vec<Vec<(u16, u16)>>> = OnceLock::new();
    let all = COMBOS.get_or_init(|| {
        LOCALES
            .iter()
            .map(|loc| {
                let mut seen: HashSet<String> = HashSet::new();
                for s in loc.surnames {
                    seen.insert(fold(s, false));
                    seen.insert(fold(s, true));
                }
                let mut out = Vec::new();
                for (h, head) in loc.rare_head.iter().enumerate() {
                    for (t, tail) in loc.rare_tail.iter().enumerate() {
                        // "Salva" + "alba" or "Mon" + "rrama" read as typos, not names.
                        let last = head.chars().last().unwrap_or(' ');
                        let vowel = "aeiou".contains(last);
                        if (vowel && tail.starts_with(last)) || (!vowel && tail.starts_with("rr")) {
                            continue;
                        }
                        let name = format!("{head}{tail}");
                        let (plain, alt) = (fold(&name, false), fold(&name, true));
                        if !seen.contains(&plain) && !seen.contains(&alt) {
                            seen.insert(plain);
                            seen.insert(alt);
                            out.push((h as u16, t as u16));
                        }
                    }
                }
                out
            })
            .collect()
    });
    &all[li]
}

fn rare_combo(li: usize, k: usize) -> (String, usize) {
    let loc = &LOCALES[li];
    let (h, t) = rare_combos(li)[k];
    let (h, t) = (usize::from(h), usize::from(t));
    (format!("{}{}", loc.rare_head[h], loc.rare_tail[t]), t)
}

// ---- formats ----------------------------------------------------------------------------

fn postcode(rng: &mut Rng, country: &str, city: &City) -> String {
    let n = city.lo + city.step * rng.u32(0..=(city.hi - city.lo) / city.step);
    let letter = |rng: &mut Rng, set: &[u8]| char::from(set[rng.usize(0..set.len())]);
    match country {
        "NL" => {
            // Dutch postcodes skip letters that could be confused (F, I, O, Q, U, Y).
            let set = b"ABCEGHJKLMNPRSTVWXZ";
            format!("{n:04} {}{}", letter(rng, set), letter(rng, set))
        }
        "PL" => format!("{:02}-{:03}", n / 1000, n % 1000),
        "SE" => format!("{:03} {:02}", n / 100, n % 100),
        "DK" | "NO" => format!("{n:04}"),
        "GB" => {
            let areas: Vec<&str> = city.area.split('|').collect();
            let area = areas[rng.usize(0..areas.len())];
            let set = b"ABDEFGHJLNPQRSTUWXYZ";
            let (a, b) = (letter(rng, set), letter(rng, set));
            format!("{area}{n} {}{a}{b}", rng.u32(1..10))
        }
        _ => format!("{n:05}"),
    }
}

/// A business number in the country's written form. UK and US numbers come from the ranges
/// reserved for fiction, so sample data can never ring a real line there.
fn phone(rng: &mut Rng, country: &str, city: &City) -> String {
    let mut digits =
        |n: usize| -> String { (0..n).map(|_| char::from(b'0' + rng.u8(0..10))).collect() };
    let dial = city.dial;
    match country {
        "NL" => {
            let rest = digits(9 - dial.len());
            format!("+31 {dial} {} {}", &rest[..3], &rest[3..])
        }
        "DE" => format!("+49 {dial} {}", digits(10 - dial.len())),
        "FR" => {
            let r = digits(8);
            format!(
                "+33 {dial} {} {} {} {}",
                &r[..2],
                &r[2..4],
                &r[4..6],
                &r[6..]
            )
        }
        "ES" => {
            let n = format!("{dial}{}", digits(9 - dial.len()));
            format!("+34 {} {} {}", &n[..3], &n[3..6], &n[6..])
        }
        "IT" => {
            let r = digits(10 - dial.len());
            let cut = r.len() - 4;
            format!("+39 {dial} {} {}", &r[..cut], &r[cut..])
        }
        "PL" => {
            let r = digits(7);
            format!("+48 {dial} {} {} {}", &r[..3], &r[3..5], &r[5..])
        }
        "SE" => {
            let r = digits(9 - dial.len());
            if r.len() == 8 {
                format!("+46 {dial} {} {} {}", &r[..3], &r[3..6], &r[6..])
            } else {
                format!("+46 {dial} {} {} {}", &r[..3], &r[3..5], &r[5..])
            }
        }
        "DK" | "NO" => {
            let r = digits(6);
            let cc = if country == "DK" { 45 } else { 47 };
            format!("+{cc} {dial} {} {} {}", &r[..2], &r[2..4], &r[4..])
        }
        "GB" => match dial.len() {
            2 if dial == "20" => format!("+44 20 7946 0{}", digits(3)),
            3 => format!("+44 {dial} 496 0{}", digits(3)),
            _ => format!("+44 1632 960{}", digits(3)),
        },
        _ => format!("+1 {dial}-555-01{}", digits(2)),
    }
}

/// Renders an email pattern with already folded name parts.
fn render_pattern(pattern: &str, first: &str, last: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + first.len() + last.len());
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(len) = rest[open..].find('}') else {
            break;
        };
        out.push_str(match &rest[open + 1..open + len] {
            "first" => first,
            "last" => last,
            "f" => first.get(..1).unwrap_or(""),
            "l" => last.get(..1).unwrap_or(""),
            _ => "",
        });
        rest = &rest[open + len + 1..];
    }
    out.push_str(rest);
    out
}

/// Lower-case ASCII letters and digits of `text`; everything else (spaces, particles'
/// gaps, hyphens, apostrophes) is glued away. Deliberately independent of
/// `matching::normalize` and `email::local_parts`: generated addresses are how real
/// people write them, so tests and evaluations check the matcher against another
/// implementation, not against itself. `alt` picks the German/Nordic transliteration
/// (ü → ue, ø → oe, å → aa) over the plain one (ü → u).
fn fold(text: &str, alt: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars().flat_map(char::to_lowercase) {
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
            continue;
        }
        out.push_str(match ch {
            'ä' if alt => "ae",
            'ö' | 'ø' if alt => "oe",
            'ü' if alt => "ue",
            'å' if alt => "aa",
            'æ' => "ae",
            'œ' => "oe",
            'ß' => "ss",
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' => "a",
            'ç' | 'ć' | 'č' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'ę' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'ı' => "i",
            'ł' => "l",
            'ñ' | 'ń' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
            'ś' | 'š' => "s",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            _ => "",
        });
    }
    out
}

/// `text` folded to ASCII with words joined by single hyphens, for URLs.
fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split([' ', '-', '\'']) {
        let folded = fold(word, false);
        if !folded.is_empty() {
            if !out.is_empty() {
                out.push('-');
            }
            out.push_str(&folded);
        }
    }
    out
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn base36(mut n: u64) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().map(|&d| char::from(d)).collect()
}

/// RFC 3339 in UTC, e.g. "2026-05-01T00:00:00Z". Written by hand: `format!` padding was a
/// visible share of generation time.
fn rfc3339(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(DAY));
    let s = secs.rem_euclid(DAY);
    let mut out = String::with_capacity(20);
    push_padded(&mut out, y, 4);
    out.push('-');
    push_padded(&mut out, i64::from(m), 2);
    out.push('-');
    push_padded(&mut out, i64::from(d), 2);
    out.push('T');
    push_padded(&mut out, s / 3600, 2);
    out.push(':');
    push_padded(&mut out, s / 60 % 60, 2);
    out.push(':');
    push_padded(&mut out, s % 60, 2);
    out.push('Z');
    out
}

/// "YYYY-MM" of a month counted from year 0.
fn month(index: i64) -> String {
    let mut out = String::with_capacity(7);
    push_padded(&mut out, index.div_euclid(12), 4);
    out.push('-');
    push_padded(&mut out, index.rem_euclid(12) + 1, 2);
    out
}

/// Appends `n` (non-negative) with at least `width` digits.
fn push_padded(out: &mut String, n: i64, width: u32) {
    let mut div = 10i64.pow(width - 1);
    while div * 10 <= n {
        div *= 10;
    }
    while div > 0 {
        out.push(char::from(b'0' + (n / div % 10) as u8));
        div /= 10;
    }
}

/// Proleptic Gregorian (year, month, day) of days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

// ---- randomness -------------------------------------------------------------------------

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Seed of the generator for `index` of the stream `seed`: neighbouring indices get
/// unrelated generators.
fn mix(seed: u64, index: u64) -> u64 {
    splitmix64(seed ^ splitmix64(index))
}

/// An index in `0..n`, drawn with weight ∝ (i + q)^-s: Zipf's law, flattened at the head by
/// `q`. Inverts the continuous distribution, so it costs the same for any `n`.
fn zipf(rng: &mut Rng, n: u64, s: f64, q: f64) -> u64 {
    let u = rng.f64();
    let top = n as f64 + q;
    let x = if (s - 1.0).abs() < 1e-9 {
        q * (top / q).powf(u)
    } else {
        let a = 1.0 - s;
        (q.powf(a) + u * (top.powf(a) - q.powf(a))).powf(1.0 / a)
    };
    ((x - q).max(0.0) as u64).min(n.saturating_sub(1))
}

/// An index into `weights`, drawn proportionally.
fn pick(rng: &mut Rng, weights: &[u32]) -> usize {
    pick_iter(rng, weights.iter().copied())
}

/// An index into the sequence `weights`, drawn proportionally, without collecting it.
fn pick_iter(rng: &mut Rng, weights: impl Iterator<Item = u32> + Clone) -> usize {
    let total: u32 = weights.clone().sum();
    let mut roll = rng.u32(0..total.max(1));
    let mut last = 0;
    for (i, w) in weights.enumerate() {
        if roll < w {
            return i;
        }
        roll -= w;
        last = i;
    }
    last
}

fn weighted<'t, T>(rng: &mut Rng, items: &'t [(T, u32)]) -> &'t T {
    &items[pick_iter(rng, items.iter().map(|i| i.1))].0
}

/// Deals `i` to a class in proportion to `weights` and returns the class with `i`'s dense
/// index among the members of that class. Injective: two indices in one class never share a
/// dense index. `stride` must be coprime to the weights' sum, which it permutes.
fn spread(
    i: u64,
    weights: impl Iterator<Item = u32> + Clone,
    stride: u64,
    offset: u64,
) -> (usize, u64) {
    let total: u64 = weights.clone().map(u64::from).sum();
    let (block, pos) = (i / total, i % total);
    let mut slot = (pos * stride + offset) % total;
    let mut last = (0, 0);
    for (class, w) in weights.enumerate() {
        let w = u64::from(w);
        if slot < w {
            return (class, block * w + slot);
        }
        slot -= w;
        last = (class, w);
    }
    (last.0, block * last.1 + slot)
}

/// A bijection on `0..space` (affine map with a multiplier coprime to `space`).
fn permute(j: u64, space: u64, key: u64) -> u64 {
    ((u128::from(j) * PERMUTE_MULT + u128::from(key)) % u128::from(space)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    const NOW: i64 = 1_777_593_600; // 2026-05-01T00:00:00Z

    fn opts(count: u64) -> GenOptions {
        GenOptions {
            count,
            seed: 7,
            now: NOW,
        }
    }

    fn ndjson(opts: &GenOptions) -> Vec<u8> {
        let mut out = Vec::new();
        let written = write_ndjson(opts, &mut out).unwrap();
        assert_eq!(written, out.len() as u64);
        out
    }

    fn profiles(count: u64) -> Vec<ProfileInput> {
        let o = opts(count);
        (0..count).into_par_iter().map(|i| profile(&o, i)).collect()
    }

    /// Unix seconds of an RFC 3339 UTC timestamp as [`rfc3339`] writes it.
    fn parse_rfc3339(text: &str) -> i64 {
        let num = |r: std::ops::Range<usize>| text[r].parse::<i64>().unwrap();
        let (y, m, d) = (num(0..4), num(5..7), num(8..10));
        let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * m + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        assert!(text.ends_with('Z'));
        days * DAY + num(11..13) * 3600 + num(14..16) * 60 + num(17..19)
    }

    #[test]
    fn same_options_give_the_same_bytes_at_any_thread_count() {
        let o = opts(3000);
        let default = ndjson(&o);
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            assert!(
                pool.install(|| ndjson(&o)) == default,
                "{threads} threads differ"
            );
        }
        assert!(ndjson(&GenOptions { seed: 8, ..o }) != default);
    }

    #[test]
    fn a_profile_generated_alone_equals_its_line() {
        let o = opts(2500);
        let out = ndjson(&o);
        let lines: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
        assert_eq!(lines.len(), 2500);
        for i in [0, 1, 17, 1023, 1024, 2048, 2499] {
            assert_eq!(
                serde_json::to_string(&profile(&o, i)).unwrap(),
                lines[i as usize]
            );
        }
    }

    #[test]
    fn every_line_parses_back_into_a_profile_input() {
        let out = ndjson(&opts(2000));
        for line in std::str::from_utf8(&out).unwrap().lines() {
            let p: ProfileInput = serde_json::from_str(line).unwrap();
            assert!(p.first_name.is_some() && p.last_name.is_some() && p.company.is_some());
            assert!(["public-web", "company-site", "press"].contains(&p.source.as_deref().unwrap()));
        }
    }

    #[test]
    fn names_carry_diacritics_particles_and_compounds() {
        let ps = profiles(10_000);
        let names: Vec<(&str, &str)> = ps
            .iter()
            .map(|p| {
                (
                    p.first_name.as_deref().unwrap(),
                    p.last_name.as_deref().unwrap(),
                )
            })
            .collect();
        let any = |f: &dyn Fn(&str, &str) -> bool| names.iter().filter(|(a, b)| f(a, b)).count();
        for letters in ["üöä", "łśżąę", "éèç", "øåæ", "ñáíó"] {
            let n = any(&|a, b| a.chars().chain(b.chars()).any(|c| letters.contains(c)));
            assert!(n > 10, "only {n} names with one of {letters}");
        }
        for particle in [
            "van ", "van der ", "de ", "von ", "Di ", "De ", "del ", "de la ", "Le ",
        ] {
            let n = any(&|_, b| b.starts_with(particle));
            assert!(n > 0, "no surname starts with {particle:?}");
        }
        assert!(any(&|a, _| a.contains('-')) > 20, "compound first names");
        assert!(
            any(&|_, b| b.contains('-')) > 20,
            "double-barrelled surnames"
        );
        assert!(
            any(&|_, b| b.ends_with("ska")) > 5,
            "Polish feminine surnames"
        );
        let distinct: HashSet<&str> = names.iter().map(|n| n.1).collect();
        assert!(
            distinct.len() > 3000,
            "{} distinct surnames",
            distinct.len()
        );
    }

    #[test]
    fn about_30_percent_have_emails_at_the_company_domain_mostly_in_its_pattern() {
        let o = opts(10_000);
        let patterns: HashMap<String, u8> = (0..company_count(&o))
            .map(|ci| company(&o, ci))
            .map(|c| (c.domain, c.email_pattern))
            .collect();
        let ps = profiles(10_000);
        let mut with_email = 0;
        let mut in_pattern = 0;
        for p in &ps {
            let Some(EmailInput(email)) = &p.email else {
                continue;
            };
            with_email += 1;
            let c = p.company.as_ref().unwrap();
            let (local, domain) = email.split_once('@').unwrap();
            assert_eq!(Some(domain), c.domain.as_deref());
            assert!(
                local
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)),
                "{email}"
            );
            let pattern = PATTERNS[usize::from(patterns[domain])];
            let (f, l) = (
                p.first_name.as_deref().unwrap(),
                p.last_name.as_deref().unwrap(),
            );
            if [false, true]
                .iter()
                .any(|&alt| render_pattern(pattern, &fold(f, alt), &fold(l, alt)) == local)
            {
                in_pattern += 1;
            }
        }
        let rate = f64::from(with_email) / ps.len() as f64;
        assert!((0.25..0.35).contains(&rate), "email rate {rate}");
        let share = f64::from(in_pattern) / f64::from(with_email);
        assert!(
            (0.93..1.0).contains(&share),
            "share in the company pattern {share}"
        );
    }

    #[test]
    fn size_band_is_consistent_with_employees() {
        let o = opts(100_000);
        for ci in 0..company_count(&o) {
            let c = company(&o, ci);
            let (lo, hi) = match c.size.as_str() {
                "1-10" => (1, 10),
                "11-50" => (11, 50),
                "51-200" => (51, 200),
                "201-500" => (201, 500),
                "501-1000" => (501, 1000),
                "1001-5000" => (1001, 5000),
                "5001-10000" => (5001, 10_000),
                "10001+" => (10_001, u32::MAX),
                other => panic!("unknown band {other}"),
            };
            assert!(
                (lo..=hi).contains(&c.employees),
                "{} has {} in {}",
                c.name,
                c.employees,
                c.size
            );
        }
        for p in profiles(2000) {
            let c = p.company.unwrap();
            if let (Some(e), Some(size)) = (c.employees, c.size) {
                assert_eq!(size_band(e), size);
            }
        }
    }

    #[test]
    fn sightings_fall_in_the_180_days_before_now_and_history_is_ordered() {
        for p in profiles(5000) {
            let seen = parse_rfc3339(p.seen_at.as_deref().unwrap());
            assert!(seen <= NOW && seen > NOW - 180 * DAY, "{seen}");
            let mut previous_to = String::new();
            for h in &p.history {
                let (from, to) = (h.from.clone().unwrap(), h.to.clone().unwrap());
                assert!(from <= to && previous_to <= from, "{:?}", p.history);
                assert!(to.as_str() < "2026-05");
                previous_to = to;
            }
        }
    }

    #[test]
    fn company_domains_are_unique_and_company_sizes_skewed() {
        let o = opts(1_000_000);
        let companies: Vec<GenCompany> = (0..company_count(&o))
            .into_par_iter()
            .map(|ci| company(&o, ci))
            .collect();
        let mut seen = HashSet::new();
        for c in &companies {
            assert!(seen.insert(c.domain.as_str()), "{} is used twice", c.domain);
            assert!(c
                .domain
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b".-".contains(&b)));
            assert!(c.name.starts_with(&format!("{} ", c.aliases[0])), "{c:?}");
        }
        assert!(companies[0].employees > 100 * companies[30_000].employees);
        let countries: HashSet<&str> = companies.iter().map(|c| c.country.as_str()).collect();
        assert_eq!(countries.len(), LOCALES.len());
    }

    #[test]
    fn profiles_spread_over_companies_with_a_heavy_head() {
        let mut per_company: HashMap<String, u32> = HashMap::new();
        for p in profiles(20_000) {
            *per_company
                .entry(p.company.unwrap().domain.unwrap())
                .or_default() += 1;
        }
        let mut counts: Vec<u32> = per_company.into_values().collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        assert!(
            counts[0] > 20 * counts[counts.len() / 2],
            "{:?}",
            &counts[..5]
        );
        assert!(counts[0] < 20_000 / 20);
    }

    #[test]
    fn name_tables_keep_company_names_injective() {
        for loc in LOCALES {
            let folded: HashSet<String> = loc.surnames.iter().map(|s| fold(s, false)).collect();
            assert_eq!(
                folded.len(),
                loc.surnames.len(),
                "{} surnames fold together",
                loc.country
            );
            let places: HashSet<&str> = loc.places.iter().copied().collect();
            assert_eq!(places.len(), loc.places.len(), "{} places", loc.country);
            // Styles must not produce each other's components, or their domains could meet.
            for place in loc.places {
                assert!(
                    !folded.contains(&fold(place, false)),
                    "{place} is also a surname"
                );
                for adjective in ADJECTIVES {
                    assert!(
                        !NOUNS.iter().any(|n| format!("{adjective} {n}") == *place),
                        "{place}"
                    );
                }
            }
            assert!(loc.rare_places <= loc.rare_tail.len());
            assert!(loc.surnames.len() >= PARTNER_SURNAMES);
        }
        assert_eq!(LOCALES.iter().map(|l| l.weight).sum::<u32>(), 100);
        assert_eq!(STYLES.iter().map(|s| s.1).sum::<u32>(), 20);
        let names: Vec<&str> = PARTNER_INDUSTRIES
            .iter()
            .map(|&i| INDUSTRIES[i].name)
            .collect();
        assert_eq!(
            names,
            [
                "Consulting",
                "Legal Services",
                "Financial Services",
                "Real Estate",
                "Marketing & Advertising"
            ]
        );
        let brands: HashSet<String> = (0..brand_space(2) + 5000).map(brand_name).collect();
        assert_eq!(brands.len() as u64, brand_space(2) + 5000);
        let dealt: HashSet<(usize, u64)> = (0..10_000)
            .map(|i| spread(i, LOCALES.iter().map(|l| l.weight), 37, 11))
            .collect();
        assert_eq!(dealt.len(), 10_000);
        let permuted: HashSet<u64> = (0..1000).map(|j| permute(j, 1000, 99)).collect();
        assert_eq!(permuted.len(), 1000);
    }

    #[test]
    fn person_keys_are_distinct_urls() {
        let ps = profiles(10_000);
        let keys: Vec<&str> = ps.iter().filter_map(|p| p.person_key.as_deref()).collect();
        assert!((5500..6500).contains(&keys.len()));
        assert_eq!(keys.iter().collect::<HashSet<_>>().len(), keys.len());
        assert!(keys
            .iter()
            .all(|k| k.starts_with("https://profiles.example/in/") && k.is_ascii()));
    }

    #[test]
    fn formats() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(NOW), "2026-05-01T00:00:00Z");
        assert_eq!(rfc3339(951_868_799), "2000-02-29T23:59:59Z");
        assert_eq!(parse_rfc3339("2000-02-29T23:59:59Z"), 951_868_799);
        assert_eq!(month(2026 * 12), "2026-01");
        assert_eq!(fold("Müller", false), "muller");
        assert_eq!(fold("Müller", true), "mueller");
        assert_eq!(fold("Łukasz Wróbel-Ørsted", false), "lukaszwrobelorsted");
        assert_eq!(
            render_pattern(
                "{f}.{last}",
                &fold("Jürgen", false),
                &fold("van der Berg", false)
            ),
            "j.vanderberg"
        );
        assert_eq!(render_pattern("{last}{f}{l}", "anna", "smit"), "smitas");
        assert_eq!(slug("José Luis de la Fuente"), "jose-luis-de-la-fuente");
        assert_eq!(base36(36 * 36 + 35), "10z");
        assert_eq!(size_band(10), "1-10");
        assert_eq!(size_band(10_001), "10001+");
    }
}

// ---- table types ------------------------------------------------------------------------

/// Column of a language in [`Industry::words`] and [`GROUP_WORDS`].
#[derive(Clone, Copy)]
enum Lang {
    En,
    Nl,
    De,
    Fr,
    Es,
    It,
    Pl,
    Sv,
    Da,
    No,
}

/// Job families: they tie titles to skills and industries to typical roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Executive,
    Sales,
    Marketing,
    Engineering,
    Technical,
    Data,
    Product,
    Design,
    Finance,
    Hr,
    Operations,
    Customer,
    Legal,
    It,
    Consulting,
}

/// How a company name is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    /// "Bakker Logistiek", "Transports Dupont".
    CommonSurname,
    /// "Westerveld Bouw".
    RareSurname,
    /// "Jansen & de Vries Advocaten".
    Partners,
    /// "Rijnmond Logistiek Groep".
    Place,
    /// "Velorant Technologies".
    Brand,
    /// "Blue Harbor Analytics".
    Descriptive,
}

struct Industry {
    name: &'static str,
    /// The sector word per [`Lang`].
    words: [&'static str; 10],
    /// The family most staff of such a company belong to.
    family: Family,
}

/// A city with its region, dialling code (without trunk prefix, except in Italy, where it
/// is part of the number), UK postcode areas (`|`-separated) and postcode range.
struct City {
    name: &'static str,
    region: &'static str,
    dial: &'static str,
    area: &'static str,
    lo: u32,
    hi: u32,
    step: u32,
}

/// A title in the local language: (male form, female form, family).
type LocalTitle = (&'static str, &'static str, Family);

/// Everything locale-specific: names, places, legal forms and formats.
struct Locale {
    /// ISO 3166-1 alpha-2.
    country: &'static str,
    tld: &'static str,
    lang: Lang,
    /// Share of companies (percent; all locales sum to 100).
    weight: u32,
    /// First names, most frequent first.
    male: &'static [&'static str],
    female: &'static [&'static str],
    compound_male: &'static [&'static str],
    compound_female: &'static [&'static str],
    /// Percent of people with a compound first name.
    compound_pct: u32,
    /// Surnames, most frequent first.
    surnames: &'static [&'static str],
    /// Morphemes of rare surnames: head + tail.
    rare_head: &'static [&'static str],
    rare_tail: &'static [&'static str],
    /// The first `rare_places` tails make place names, which may take a particle.
    rare_places: usize,
    particles: &'static [&'static str],
    particle_pct: u32,
    /// Percent of people with two surnames (Spanish apellidos, married names).
    double_pct: u32,
    /// Whether the two surnames are mostly written with a space (Spanish style).
    double_space: bool,
    /// Whether firms glue surname particles ("Vandermeer").
    glue_particles: bool,
    /// Whether the sector word precedes the name ("Transports Dupont").
    sector_first: bool,
    /// Percent of people whose email uses the alternative transliteration (ü → ue).
    alt_translit_pct: u32,
    /// Percent of rare surnames that come from another locale (immigration).
    foreign_pct: u32,
    /// Whether such surnames lose their diacritics here (Wisniewski in Chicago).
    fold_foreign: bool,
    cities: &'static [City],
    /// Regions, rivers and landmarks used in company names.
    places: &'static [&'static str],
    legal_small: &'static [(&'static str, u32)],
    legal_big: &'static [(&'static str, u32)],
    titles: &'static [LocalTitle],
    /// Locally popular software.
    tech: &'static [&'static str],
}

const fn city(
    name: &'static str,
    region: &'static str,
    dial: &'static str,
    lo: u32,
    hi: u32,
) -> City {
    City {
        name,
        region,
        dial,
        area: "",
        lo,
        hi,
        step: 1,
    }
}

fn family_skills(family: Family) -> &'static [&'static str] {
    match family {
        Family::Executive => SKILLS_EXECUTIVE,
        Family::Sales => SKILLS_SALES,
        Family::Marketing => SKILLS_MARKETING,
        Family::Engineering => SKILLS_ENGINEERING,
        Family::Technical => SKILLS_TECHNICAL,
        Family::Data => SKILLS_DATA,
        Family::Product => SKILLS_PRODUCT,
        Family::Design => SKILLS_DESIGN,
        Family::Finance => SKILLS_FINANCE,
        Family::Hr => SKILLS_HR,
        Family::Operations => SKILLS_OPERATIONS,
        Family::Customer => SKILLS_CUSTOMER,
        Family::Legal => SKILLS_LEGAL,
        Family::It => SKILLS_IT,
        Family::Consulting => SKILLS_CONSULTING,
    }
}

// ---- tables -----------------------------------------------------------------------------

/// The data. Kept compact by hand: one table per line group reads better than one word per
/// line.
#[rustfmt::skip]
mod tables {
    use super::{city, City, Family, Industry, Lang, LocalTitle, Locale, Style};
    use Family::*;

    /// Name styles with their weights (sum 20: `spread` deals them with stride 7).
    pub(super) const STYLES: &[(Style, u32)] = &[
        (Style::CommonSurname, 3), (Style::RareSurname, 4), (Style::Partners, 2),
        (Style::Place, 3), (Style::Brand, 5), (Style::Descriptive, 3),
    ];

    /// Partner firms take their names from this many of the most common surnames.
    pub(super) const PARTNER_SURNAMES: usize = 60;
    /// Industries of partner firms: Consulting, Legal, Financial Services, Real Estate, Marketing.
    pub(super) const PARTNER_INDUSTRIES: &[usize] = &[14, 15, 5, 17, 16];

    /// Columns: en, nl, de, fr, es, it, pl, sv, da, no.
    pub(super) const INDUSTRIES: &[Industry] = &[
        Industry { name: "Software", family: Engineering, words: ["Software", "Software", "Software", "Logiciels", "Software", "Software", "Software", "Mjukvara", "Software", "Programvare"] },
        Industry { name: "IT Services", family: It, words: ["IT Solutions", "ICT", "IT-Systeme", "Informatique", "Sistemas", "Informatica", "Informatyka", "IT-Konsult", "IT", "IT-Tjenester"] },
        Industry { name: "Logistics", family: Operations, words: ["Logistics", "Logistiek", "Logistik", "Logistique", "Logística", "Logistica", "Logistyka", "Logistik", "Logistik", "Logistikk"] },
        Industry { name: "Manufacturing", family: Technical, words: ["Manufacturing", "Productie", "Maschinenbau", "Industrie", "Industrias", "Meccanica", "Produkcja", "Industri", "Industri", "Industri"] },
        Industry { name: "Construction", family: Operations, words: ["Construction", "Bouw", "Bau", "Construction", "Construcciones", "Costruzioni", "Budownictwo", "Bygg", "Byg", "Bygg"] },
        Industry { name: "Financial Services", family: Finance, words: ["Capital", "Finance", "Finanz", "Finance", "Finanzas", "Finanziaria", "Finanse", "Finans", "Finans", "Finans"] },
        Industry { name: "Insurance", family: Finance, words: ["Insurance", "Verzekeringen", "Versicherungen", "Assurances", "Seguros", "Assicurazioni", "Ubezpieczenia", "Försäkring", "Forsikring", "Forsikring"] },
        Industry { name: "Healthcare", family: Operations, words: ["Health", "Zorg", "Gesundheit", "Santé", "Salud", "Salute", "Medica", "Vård", "Sundhed", "Helse"] },
        Industry { name: "Pharmaceuticals", family: Technical, words: ["Pharma", "Pharma", "Pharma", "Pharma", "Farma", "Farmaceutici", "Farmacja", "Pharma", "Pharma", "Farma"] },
        Industry { name: "Retail", family: Sales, words: ["Retail", "Handel", "Handel", "Distribution", "Comercial", "Commerciale", "Handel", "Handel", "Handel", "Handel"] },
        Industry { name: "Energy", family: Technical, words: ["Energy", "Energie", "Energie", "Énergie", "Energía", "Energia", "Energia", "Energi", "Energi", "Energi"] },
        Industry { name: "Telecommunications", family: Engineering, words: ["Telecom", "Telecom", "Telekom", "Télécom", "Telecomunicaciones", "Telecomunicazioni", "Telekomunikacja", "Telekom", "Telekom", "Telekom"] },
        Industry { name: "Automotive", family: Technical, words: ["Automotive", "Automotive", "Automobil", "Automobile", "Automoción", "Automotive", "Motoryzacja", "Fordon", "Auto", "Bil"] },
        Industry { name: "Food & Beverage", family: Operations, words: ["Foods", "Voeding", "Lebensmittel", "Alimentaire", "Alimentación", "Alimentari", "Żywność", "Livsmedel", "Fødevarer", "Mat"] },
        Industry { name: "Consulting", family: Consulting, words: ["Consulting", "Advies", "Beratung", "Conseil", "Consultores", "Consulenza", "Doradztwo", "Konsult", "Rådgivning", "Rådgivning"] },
        Industry { name: "Legal Services", family: Legal, words: ["Legal", "Advocaten", "Rechtsanwälte", "Avocats", "Abogados", "Avvocati", "Kancelaria", "Advokatbyrå", "Advokater", "Advokatfirma"] },
        Industry { name: "Marketing & Advertising", family: Marketing, words: ["Media", "Media", "Kommunikation", "Communication", "Comunicación", "Comunicazione", "Media", "Kommunikation", "Kommunikation", "Kommunikasjon"] },
        Industry { name: "Real Estate", family: Sales, words: ["Properties", "Vastgoed", "Immobilien", "Immobilier", "Inmobiliaria", "Immobiliare", "Nieruchomości", "Fastigheter", "Ejendomme", "Eiendom"] },
        Industry { name: "Education", family: Customer, words: ["Learning", "Opleidingen", "Bildung", "Formation", "Formación", "Formazione", "Edukacja", "Utbildning", "Uddannelse", "Utdanning"] },
        Industry { name: "Engineering", family: Technical, words: ["Engineering", "Ingenieurs", "Ingenieure", "Ingénierie", "Ingeniería", "Ingegneria", "Inżynieria", "Teknik", "Teknik", "Teknikk"] },
    ];

    /// "Group" per language.
    pub(super) const GROUP_WORDS: [&str; 10] = ["Group", "Groep", "Gruppe", "Groupe", "Grupo", "Gruppo", "Grupa", "Gruppen", "Gruppen", "Gruppen"];

    /// What follows an invented brand; `*` stands for the industry's English word.
    pub(super) const BRAND_DESCRIPTORS: &[&str] = &["", "", "", "Technologies", "Systems", "Group", "Solutions", "Labs", "Partners", "*", "*"];
    pub(super) const BRAND_CONSONANTS: &[u8] = b"bcdfgklmnprstvz";
    pub(super) const BRAND_VOWELS: &[u8] = b"aeiou";
    /// Consonant-only, so a brand's vowels count its syllables and it decodes uniquely.
    pub(super) const BRAND_ENDINGS: &[&str] = &["", "n", "x", "s", "r", "l", "m", "t", "nt", "rd", "st", "rk"];

    pub(super) const ADJECTIVES: &[&str] = &[
        "Blue", "Red", "Green", "North", "South", "East", "West", "Silver", "Golden", "Bright",
        "Clear", "Swift", "True", "Prime", "Bold", "Open", "Noble", "Iron", "Summit", "Pioneer",
        "Evergreen", "Crystal", "Royal", "Grand", "Urban", "Global", "Smart", "Agile", "First", "Next",
    ];
    pub(super) const NOUNS: &[&str] = &[
        "Harbor", "Bridge", "River", "Stone", "Oak", "Peak", "Field", "Wave", "Star", "Point",
        "Path", "Lake", "Ridge", "Forge", "Beacon", "Arrow", "Circle", "Gate", "Tower", "Light",
        "Wing", "Crest", "Haven", "Rock", "Line", "Grove", "Shore", "Spring", "Hill", "Vale",
    ];

    /// English titles: (title, family, weight).
    pub(super) const TITLES: &[(&str, Family, u32)] = &[
        ("CEO", Executive, 3), ("Managing Director", Executive, 3), ("Founder", Executive, 2), ("Co-Founder", Executive, 1),
        ("CFO", Executive, 1), ("CTO", Executive, 1), ("COO", Executive, 1), ("Chief Marketing Officer", Executive, 1),
        ("Account Executive", Sales, 6), ("Senior Account Executive", Sales, 3), ("Account Manager", Sales, 7),
        ("Key Account Manager", Sales, 4), ("Sales Manager", Sales, 5), ("Head of Sales", Sales, 2), ("Sales Director", Sales, 2),
        ("VP Sales", Sales, 1), ("Business Development Manager", Sales, 4), ("Sales Development Representative", Sales, 3),
        ("Marketing Manager", Marketing, 5), ("Head of Marketing", Marketing, 2), ("Content Marketing Manager", Marketing, 2),
        ("Digital Marketing Specialist", Marketing, 3), ("Product Marketing Manager", Marketing, 2), ("Marketing Coordinator", Marketing, 2),
        ("Brand Manager", Marketing, 1),
        ("Software Engineer", Engineering, 8), ("Senior Software Engineer", Engineering, 6), ("Lead Software Engineer", Engineering, 2),
        ("Engineering Manager", Engineering, 2), ("VP of Engineering", Engineering, 1), ("Frontend Developer", Engineering, 3),
        ("Backend Developer", Engineering, 3), ("Full Stack Developer", Engineering, 3), ("DevOps Engineer", Engineering, 3),
        ("QA Engineer", Engineering, 2), ("Solutions Architect", Engineering, 2),
        ("Mechanical Engineer", Technical, 3), ("Electrical Engineer", Technical, 2), ("Process Engineer", Technical, 2),
        ("Quality Manager", Technical, 2), ("Production Manager", Technical, 2), ("Maintenance Engineer", Technical, 1),
        ("Data Scientist", Data, 3), ("Data Engineer", Data, 3), ("Data Analyst", Data, 4),
        ("Business Intelligence Analyst", Data, 2), ("Machine Learning Engineer", Data, 1), ("Head of Data", Data, 1),
        ("Product Manager", Product, 4), ("Senior Product Manager", Product, 2), ("Product Owner", Product, 3),
        ("UX Designer", Design, 2), ("Graphic Designer", Design, 2),
        ("Financial Controller", Finance, 3), ("Accountant", Finance, 4), ("Finance Manager", Finance, 3),
        ("Financial Analyst", Finance, 2), ("Head of Finance", Finance, 1),
        ("HR Business Partner", Hr, 3), ("HR Manager", Hr, 3), ("Recruiter", Hr, 3),
        ("Talent Acquisition Specialist", Hr, 2), ("Head of People", Hr, 1),
        ("Operations Manager", Operations, 4), ("Supply Chain Manager", Operations, 2), ("Logistics Coordinator", Operations, 2),
        ("Procurement Manager", Operations, 2), ("Buyer", Operations, 2), ("Project Manager", Operations, 5), ("Office Manager", Operations, 2),
        ("Customer Success Manager", Customer, 3), ("Customer Service Representative", Customer, 3), ("Support Engineer", Customer, 2),
        ("Legal Counsel", Legal, 2), ("General Counsel", Legal, 1), ("Compliance Officer", Legal, 2), ("Lawyer", Legal, 1),
        ("IT Manager", It, 2), ("System Administrator", It, 2), ("IT Support Specialist", It, 2), ("Information Security Officer", It, 1),
        ("Consultant", Consulting, 4), ("Senior Consultant", Consulting, 3), ("Management Consultant", Consulting, 2),
        ("Business Analyst", Consulting, 3), ("Partner", Consulting, 1),
    ];

    pub(super) const GENERIC_SKILLS: &[&str] = &["Microsoft Office", "Project Management", "Leadership", "Communication", "Team Management", "Problem Solving", "Microsoft Excel", "Presentation Skills"];
    pub(super) const SKILLS_EXECUTIVE: &[&str] = &["Leadership", "Strategy", "General Management", "P&L Management", "Business Strategy", "Team Leadership", "Mergers & Acquisitions", "Fundraising", "Board Relations"];
    pub(super) const SKILLS_SALES: &[&str] = &["Sales", "B2B Sales", "Negotiation", "Account Management", "CRM", "Salesforce", "Lead Generation", "Business Development", "Key Account Management", "Cold Calling", "SaaS", "Solution Selling"];
    pub(super) const SKILLS_MARKETING: &[&str] = &["Digital Marketing", "SEO", "Content Marketing", "Social Media Marketing", "Google Analytics", "HubSpot", "Marketing Automation", "Branding", "Copywriting", "Email Marketing", "SEA", "Market Research"];
    pub(super) const SKILLS_ENGINEERING: &[&str] = &["Java", "Python", "JavaScript", "TypeScript", "SQL", "React", "Docker", "Kubernetes", "AWS", "C#", ".NET", "Node.js", "Go", "Git", "CI/CD", "Microservices", "Linux", "Rust"];
    pub(super) const SKILLS_TECHNICAL: &[&str] = &["AutoCAD", "SolidWorks", "Lean Manufacturing", "Six Sigma", "Quality Management", "PLC Programming", "ISO 9001", "FMEA", "Root Cause Analysis", "CAD", "Siemens NX"];
    pub(super) const SKILLS_DATA: &[&str] = &["Python", "SQL", "Machine Learning", "Statistics", "Power BI", "Tableau", "R", "Pandas", "Apache Spark", "Data Visualization", "dbt", "ETL", "Deep Learning", "Data Modeling"];
    pub(super) const SKILLS_PRODUCT: &[&str] = &["Product Management", "Agile", "Scrum", "User Research", "Roadmapping", "Jira", "Stakeholder Management", "A/B Testing", "Product Strategy"];
    pub(super) const SKILLS_DESIGN: &[&str] = &["Figma", "UX Design", "UI Design", "Adobe Photoshop", "Adobe Illustrator", "Prototyping", "Design Systems", "User Research", "Adobe InDesign"];
    pub(super) const SKILLS_FINANCE: &[&str] = &["Financial Reporting", "Accounting", "Excel", "IFRS", "Budgeting", "Forecasting", "Controlling", "SAP FI", "Tax", "Audit", "Financial Modeling", "Treasury"];
    pub(super) const SKILLS_HR: &[&str] = &["Recruitment", "Talent Acquisition", "Employee Relations", "Onboarding", "Payroll", "HRIS", "Workday", "Labour Law", "Compensation & Benefits", "Performance Management", "Employer Branding"];
    pub(super) const SKILLS_OPERATIONS: &[&str] = &["Project Management", "Supply Chain Management", "Logistics", "Procurement", "Lean", "ERP", "Inventory Management", "Vendor Management", "Process Improvement", "PRINCE2", "PMP"];
    pub(super) const SKILLS_CUSTOMER: &[&str] = &["Customer Service", "Customer Success", "Zendesk", "Onboarding", "Account Management", "Customer Retention", "Troubleshooting", "Communication"];
    pub(super) const SKILLS_LEGAL: &[&str] = &["Contract Law", "Corporate Law", "GDPR", "Compliance", "Commercial Contracts", "Litigation", "Employment Law", "Mergers & Acquisitions", "Due Diligence", "Intellectual Property"];
    pub(super) const SKILLS_IT: &[&str] = &["Microsoft 365", "Active Directory", "ITIL", "Networking", "Windows Server", "Linux", "Cybersecurity", "VMware", "Azure", "ISO 27001", "Firewalls"];
    pub(super) const SKILLS_CONSULTING: &[&str] = &["Management Consulting", "Strategy", "Business Analysis", "Stakeholder Management", "Change Management", "Project Management", "Process Improvement", "Digital Transformation", "PowerPoint"];

    /// Software companies use, most common first.
    pub(super) const TECH: &[&str] = &[
        "Microsoft 365", "Google Workspace", "Salesforce", "HubSpot", "Slack", "Zoom", "Jira", "SAP", "AWS",
        "Microsoft Azure", "Confluence", "Power BI", "Tableau", "Zendesk", "Workday", "ServiceNow", "Oracle",
        "Shopify", "WordPress", "Dynamics 365", "Magento", "Google Cloud", "Snowflake", "Okta", "Stripe",
        "Adyen", "Twilio", "Mailchimp", "Marketo", "Intercom", "Pipedrive", "Monday.com", "Asana", "Notion", "Freshdesk",
    ];
    /// Extra tools of software and IT firms.
    pub(super) const DEV_TECH: &[&str] = &["GitHub", "GitLab", "Kubernetes", "Docker", "Datadog", "Terraform", "AWS", "Sentry", "PostgreSQL", "Elasticsearch"];

    // ---- Netherlands ----
    const NL_MALE: &[&str] = &[
        "Jan", "Peter", "Mark", "Thomas", "Kees", "Dennis", "Michel", "Martin", "Hans", "Marco", "Robert", "Paul",
        "Erik", "Bas", "Daan", "Tim", "Jeroen", "Sander", "Ruben", "Rob", "Richard", "Maarten", "Wouter", "Niels",
        "Bart", "Joost", "Arjan", "Frank", "Ronald", "Stefan", "Edwin", "Patrick", "Rick", "Jasper", "Sven", "Lars",
        "Kevin", "Roy", "Willem", "Pieter", "Gerard", "Henk", "Wim", "Joris", "Koen", "Thijs", "Bram", "Jelle",
        "Stijn", "Rutger", "Menno", "Gijs", "Erwin", "Hendrik", "Sjoerd", "Teun", "Luuk", "Jesse", "Mees", "Johannes",
    ];
    const NL_FEMALE: &[&str] = &[
        "Maria", "Anna", "Linda", "Sandra", "Marieke", "Petra", "Monique", "Esther", "Anouk", "Lisa", "Sanne", "Femke",
        "Lotte", "Eva", "Iris", "Laura", "Manon", "Nicole", "Wendy", "Ingrid", "Karin", "Marloes", "Inge", "Ellen",
        "Mirjam", "Annemieke", "Janneke", "Sophie", "Fleur", "Emma", "Julia", "Kim", "Marjolein", "Renée", "Chantal", "Daniëlle",
        "Ilse", "Joyce", "Jolanda", "Yvonne", "Nienke", "Roos", "Floor", "Noor", "Sara", "Charlotte", "Anne", "Saskia",
        "Bregje", "Lieke", "Merel", "Tessa", "Maaike", "Hanneke", "Elke", "Astrid", "Margriet", "Ingeborg", "Loes", "Geertje",
    ];
    const NL_COMPOUND_MALE: &[&str] = &["Jan-Willem", "Jan-Peter", "Jan-Pieter", "Willem-Jan", "Jan-Hein"];
    const NL_COMPOUND_FEMALE: &[&str] = &["Anne-Marie", "Marie-José", "Anne-Fleur", "Anne-Wil", "Marie-Louise"];
    const NL_SURNAMES: &[&str] = &[
        "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer",
        "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer",
        "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen",
        "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn", "de Bruin", "van der Heijden", "Schouten", "van Beek", "Willems", "van Vliet",
        "van de Ven", "Hoekstra", "Maas", "Verhoeven", "Koster", "van Dam", "van der Wal", "Prins", "Blom", "Huisman",
        "Peeters", "de Jonge", "Kuipers", "van Veen", "Post", "Kuiper", "Veenstra", "Kramer", "van den Brink", "Scholten",
        "van Wijk", "Postma", "Martens", "Vink", "de Ruiter", "Timmermans", "Groen", "Gerritsen", "Jonker", "van Loon",
        "Boer", "van der Velde", "Willemsen", "Smeets", "de Lange", "de Vos", "Bosch", "van Dongen", "Schipper", "de Koning",
        "van der Laan", "Koning", "van der Velden", "Driessen", "van Doorn", "Hermans", "Evers", "van den Bosch", "van der Meulen", "Hofman",
        "Bosman", "Wolters", "Sanders", "van der Horst", "Mol", "Kuijpers", "Molenaar", "van de Pol", "de Leeuw", "Verbeek",
    ];
    const NL_RARE_HEAD: &[&str] = &[
        "Ver", "Hoog", "Wester", "Ooster", "Noorder", "Zuider", "Brink", "Groot", "Klein", "Hout", "Mol", "Berg",
        "Wijn", "Kool", "Dijk", "Bos", "Veen", "Ham", "Steen", "Hof", "Linde", "Rade", "Bloem", "Vlier", "Haver",
        "Kamp", "Brouw", "Ever", "Zand", "Meer", "Beek", "Wouter", "Hendrik", "Roode", "Witte", "Zwart", "Smit",
        "Mulder", "Kort", "Lang", "Oud", "Nieuw", "Heuvel", "Wind", "Laar", "Pol", "Mars", "Ros", "Spaan", "Boek",
        "Eek", "Elzen", "Essen", "Gras", "Haan", "Hazel", "Heer", "Hekke", "Holt", "Hooge", "Kerk", "Koe", "Kruis",
        "Leeuw", "Maat", "Mos", "Noord", "Oost", "Put", "Riet", "Rozen", "Schaap", "Sluis", "Stok", "Tuin", "Vink",
        "Vos", "Wel", "Wijk", "Ten",
    ];
    const NL_RARE_TAIL: &[&str] = &[
        "veld", "dijk", "horst", "beek", "broek", "hof", "berg", "land", "voort", "wijk", "hout", "molen", "vaart",
        "laan", "dam", "loo", "akker", "bergen", "kamp", "zijl", "rode", "donk", "bosch", "hoven",
        "hoeven", "man", "mans", "ink", "huis", "stra", "ma", "inga", "meijer", "boer", "sma", "ker", "link", "ing",
        "stein", "kes", "sen", "ens", "graaf", "werf", "haar", "heim", "kuil", "steeg", "endonk", "schoten", "velde",
        "wal", "gaard", "mer", "kink", "sing", "boom", "jes", "kens", "mink",
    ];
    const NL_CITIES: &[City] = &[
        city("Amsterdam", "Noord-Holland", "20", 1011, 1109), city("Rotterdam", "Zuid-Holland", "10", 3011, 3089),
        city("Den Haag", "Zuid-Holland", "70", 2491, 2597), city("Utrecht", "Utrecht", "30", 3511, 3585),
        city("Eindhoven", "Noord-Brabant", "40", 5611, 5658), city("Groningen", "Groningen", "50", 9711, 9747),
        city("Tilburg", "Noord-Brabant", "13", 5011, 5049), city("Almere", "Flevoland", "36", 1311, 1364),
        city("Breda", "Noord-Brabant", "76", 4811, 4839), city("Nijmegen", "Gelderland", "24", 6511, 6546),
        city("Arnhem", "Gelderland", "26", 6811, 6846), city("Haarlem", "Noord-Holland", "23", 2011, 2037),
        city("Zwolle", "Overijssel", "38", 8011, 8043), city("Amersfoort", "Utrecht", "33", 3811, 3829),
        city("'s-Hertogenbosch", "Noord-Brabant", "73", 5211, 5237), city("Maastricht", "Limburg", "43", 6211, 6229),
        city("Leiden", "Zuid-Holland", "71", 2311, 2334), city("Enschede", "Overijssel", "53", 7511, 7548),
        city("Delft", "Zuid-Holland", "15", 2611, 2629),
    ];
    const NL_PLACES: &[&str] = &[
        "Rijnmond", "Holland", "Brabant", "Twente", "Zeeland", "Veluwe", "Friesland", "Delta", "Noordzee", "Maasdelta",
        "Rijn", "IJssel", "Amstel", "Kennemer", "Gooi", "Achterhoek", "Drenthe", "Limburg", "Polder", "Duin",
        "Kempen", "Betuwe", "Westland", "Waddenzee", "Hanze",
    ];
    const NL_TITLES: &[LocalTitle] = &[
        ("Directeur", "Directeur", Executive), ("Algemeen Directeur", "Algemeen Directeur", Executive),
        ("Commercieel Directeur", "Commercieel Directeur", Sales), ("Accountmanager", "Accountmanager", Sales),
        ("Projectleider", "Projectleider", Operations), ("Inkoper", "Inkoper", Operations),
        ("Controller", "Controller", Finance), ("Medewerker Klantenservice", "Medewerker Klantenservice", Customer),
        ("Salarisadministrateur", "Salarisadministrateur", Hr), ("Softwareontwikkelaar", "Softwareontwikkelaar", Engineering),
        ("Bedrijfsjurist", "Bedrijfsjurist", Legal), ("Marketeer", "Marketeer", Marketing),
    ];

    // ---- Germany ----
    const DE_MALE: &[&str] = &[
        "Thomas", "Michael", "Andreas", "Stefan", "Christian", "Markus", "Frank", "Jürgen", "Peter", "Alexander",
        "Matthias", "Sebastian", "Daniel", "Tobias", "Jan", "Martin", "Florian", "Klaus", "Wolfgang", "Uwe",
        "Ralf", "Dirk", "Sven", "Tim", "Jens", "Oliver", "Philipp", "Lukas", "Maximilian", "Dominik",
        "Marco", "Patrick", "Hans", "Dieter", "Bernd", "Holger", "Torsten", "Kai", "Björn", "Jörg",
        "Günter", "Manfred", "Benjamin", "Felix", "Julian", "Moritz", "Niklas", "Simon", "Fabian", "Marcel",
        "Dennis", "Rainer", "Heiko", "Volker", "Carsten", "Lars", "Jonas", "Leon", "Paul", "Timo",
    ];
    const DE_FEMALE: &[&str] = &[
        "Sabine", "Claudia", "Andrea", "Stefanie", "Nicole", "Susanne", "Julia", "Anna", "Katharina", "Christina",
        "Sandra", "Petra", "Birgit", "Kerstin", "Monika", "Melanie", "Laura", "Lisa", "Sarah", "Jessica",
        "Jennifer", "Katrin", "Anja", "Heike", "Martina", "Ursula", "Karin", "Tanja", "Daniela", "Nadine",
        "Simone", "Christiane", "Franziska", "Lena", "Lea", "Hannah", "Sophie", "Marie", "Johanna", "Carolin",
        "Vanessa", "Janina", "Miriam", "Silke", "Ines", "Britta", "Manuela", "Gabriele", "Jutta", "Renate",
        "Elke", "Ute", "Doris", "Bärbel", "Jana", "Svenja", "Annika", "Luisa", "Theresa", "Jülide",
    ];
    const DE_COMPOUND_MALE: &[&str] = &["Karl-Heinz", "Hans-Peter", "Hans-Jürgen", "Klaus-Dieter", "Jan-Hendrik", "Franz-Josef"];
    const DE_COMPOUND_FEMALE: &[&str] = &["Anna-Lena", "Eva-Maria", "Marie-Luise", "Ann-Kathrin", "Lea-Sophie", "Anne-Kathrin"];
    const DE_SURNAMES: &[&str] = &[
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
        "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
        "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier",
        "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber",
        "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert",
        "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz",
        "Baumann", "Franke", "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus", "Martin",
        "Schumacher", "Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß", "Seidel", "Heinrich",
        "Brandt", "Haas", "Schreiber", "Graf", "Schulte", "Dietrich", "Ziegler", "Kuhn", "Seifert", "Pohl",
        "Engel", "Horn", "Busch", "Bergmann", "Thomas", "Voigt", "Sauer", "Arnold", "Wolff", "Pfeiffer",
        "Yılmaz", "Kaya", "von Berg", "von der Heide",
    ];
    const DE_RARE_HEAD: &[&str] = &[
        "Wein", "Stein", "Rosen", "Lichten", "Schön", "Grün", "Hoch", "Alten", "Neu", "Kirch", "Eichen", "Linden",
        "Mühl", "Brunn", "Feld", "Wald", "Berg", "Hassel", "Reich", "Kalten", "Heil", "Sonnen", "Holz", "Bach",
        "Lang", "Kreuz", "Blum", "Dorn", "Eisen", "Falken", "Gold", "Hagen", "Hirsch", "Kessel", "Löwen", "Mitter",
        "Ober", "Unter", "Rot", "Sieben", "Stern", "Tann", "Wiesen", "Wolfs", "Buch", "Brück", "Ellen", "Fried",
        "Herz", "Hasen", "Acker", "Adler", "Apfel", "Bären", "Birken", "Ehren", "Erlen", "Esch", "Fichten", "Fels",
        "Frauen", "Hohen", "Kirsch", "Klee", "Kron", "Lerchen", "Moos", "Nuss", "Rau", "Ried", "Ringel", "Sand",
        "Schwan", "See", "Silber", "Spitz", "Stock", "Tauben", "Teich", "Wasser",
    ];
    const DE_RARE_TAIL: &[&str] = &[
        "berg", "bach", "feld", "stein", "thal", "burg", "hausen", "heim", "born", "dorf", "wald", "brunn", "au",
        "berger", "mann", "hofer", "meier", "huber", "inger", "er", "ner", "müller", "brink", "egger", "hammer",
        "hardt", "kamp", "kötter", "lechner", "mayr", "reiter", "rieder", "schläger", "schmidt", "sperger",
        "stätter", "wieser", "wirth", "baum", "blatt", "beck", "brunner", "bauer", "gruber", "hauser", "rath",
        "scheid", "thaler", "steiner", "ecker", "lehner", "wimmer", "maier", "bacher", "felder", "burger", "heimer",
        "dorfer", "auer", "walder", "bühl", "lein", "ling", "meister", "hoff", "kircher", "reuther",
    ];
    const DE_CITIES: &[City] = &[
        city("Berlin", "Berlin", "30", 10115, 14199), city("Hamburg", "Hamburg", "40", 20095, 22769),
        city("München", "Bayern", "89", 80331, 81929), city("Köln", "Nordrhein-Westfalen", "221", 50667, 51149),
        city("Frankfurt am Main", "Hessen", "69", 60306, 60599), city("Stuttgart", "Baden-Württemberg", "711", 70173, 70629),
        city("Düsseldorf", "Nordrhein-Westfalen", "211", 40210, 40629), city("Leipzig", "Sachsen", "341", 4103, 4357),
        city("Dortmund", "Nordrhein-Westfalen", "231", 44135, 44388), city("Essen", "Nordrhein-Westfalen", "201", 45127, 45359),
        city("Bremen", "Bremen", "421", 28195, 28779), city("Dresden", "Sachsen", "351", 1067, 1328),
        city("Hannover", "Niedersachsen", "511", 30159, 30659), city("Nürnberg", "Bayern", "911", 90402, 90491),
        city("Karlsruhe", "Baden-Württemberg", "721", 76131, 76229), city("Mannheim", "Baden-Württemberg", "621", 68159, 68309),
        city("Bonn", "Nordrhein-Westfalen", "228", 53111, 53229), city("Münster", "Nordrhein-Westfalen", "251", 48143, 48167),
    ];
    const DE_PLACES: &[&str] = &[
        "Rhein", "Main", "Elbe", "Donau", "Weser", "Alpen", "Bayern", "Schwaben", "Franken", "Harz", "Eifel",
        "Taunus", "Allgäu", "Ruhr", "Nordsee", "Ostsee", "Spree", "Neckar", "Hanse", "Sachsen", "Mosel", "Oder",
        "Isar", "Schwarzwald", "Bodensee",
    ];
    const DE_TITLES: &[LocalTitle] = &[
        ("Geschäftsführer", "Geschäftsführerin", Executive), ("Prokurist", "Prokuristin", Executive),
        ("Vertriebsleiter", "Vertriebsleiterin", Sales), ("Kundenberater", "Kundenberaterin", Customer),
        ("Softwareentwickler", "Softwareentwicklerin", Engineering), ("Personalreferent", "Personalreferentin", Hr),
        ("Leiter Marketing", "Leiterin Marketing", Marketing), ("Projektleiter", "Projektleiterin", Operations),
        ("Einkäufer", "Einkäuferin", Operations), ("Buchhalter", "Buchhalterin", Finance),
        ("Syndikusrechtsanwalt", "Syndikusrechtsanwältin", Legal), ("Maschinenbauingenieur", "Maschinenbauingenieurin", Technical),
    ];

    // ---- France ----
    const FR_MALE: &[&str] = &[
        "Jean", "Pierre", "Michel", "Philippe", "Alain", "Nicolas", "Christophe", "Patrick", "Laurent", "Frédéric",
        "Stéphane", "Sébastien", "Julien", "David", "Olivier", "Thomas", "Éric", "Pascal", "Daniel", "Bernard",
        "François", "Antoine", "Alexandre", "Maxime", "Guillaume", "Romain", "Vincent", "Mathieu", "Jérôme", "Thierry",
        "Benoît", "Cédric", "Fabrice", "Hervé", "Bruno", "Lucas", "Hugo", "Louis", "Arthur", "Théo",
        "Quentin", "Florian", "Kévin", "Damien", "Grégoire", "Rémi", "Yann", "Loïc", "Gaël", "Clément",
        "Adrien", "Baptiste", "Mathis", "Raphaël", "Gilles", "Didier", "Xavier", "Emmanuel", "Jacques", "André",
    ];
    const FR_FEMALE: &[&str] = &[
        "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Françoise", "Christine", "Sandrine", "Valérie", "Véronique",
        "Sophie", "Céline", "Stéphanie", "Julie", "Aurélie", "Camille", "Émilie", "Claire", "Anne", "Caroline",
        "Laure", "Élodie", "Mélanie", "Virginie", "Hélène", "Martine", "Monique", "Chantal", "Brigitte", "Léa",
        "Manon", "Chloé", "Emma", "Inès", "Pauline", "Clémence", "Margaux", "Océane", "Charlotte", "Juliette",
        "Agnès", "Delphine", "Florence", "Géraldine", "Corinne", "Patricia", "Laetitia", "Audrey", "Mathilde", "Lucie",
        "Anaïs", "Noémie", "Justine", "Amélie", "Solène", "Maëlle", "Gaëlle", "Éloïse", "Margot", "Zoé",
    ];
    const FR_COMPOUND_MALE: &[&str] = &["Jean-Luc", "Jean-Pierre", "Jean-François", "Jean-Baptiste", "Jean-Michel", "Pierre-Yves", "Jean-Marc", "Jean-Claude"];
    const FR_COMPOUND_FEMALE: &[&str] = &["Marie-Claire", "Anne-Sophie", "Marie-Christine", "Marie-Laure", "Anne-Laure", "Marie-Hélène", "Marie-Pierre"];
    const FR_SURNAMES: &[&str] = &[
        "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
        "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
        "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "André",
        "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia",
        "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson",
        "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier",
        "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud",
        "Martinez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron",
        "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe",
        "Bourgeois", "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume", "Lecomte",
        "Le Gall", "Le Goff", "Le Bihan", "Le Corre", "de Villiers", "Du Plessis",
    ];
    const FR_RARE_HEAD: &[&str] = &[
        "Beau", "Bel", "Mont", "Ville", "Roche", "Fon", "Chastel", "Bon", "Mal", "Clair", "Char", "Champ", "Pré",
        "Val", "Bois", "Mar", "Lon", "Cour", "Fleur", "Grand", "Haut", "Noir", "Blanc", "Ri", "Ver", "Bourg",
        "Châtel", "Ros", "Dam", "Sau", "Puy", "Font", "Mor", "Mas", "Ger", "Lau", "Bré", "Fau", "Cha", "Gre",
        "Ar", "Bar", "Bou", "Cas", "Del", "Dor", "Fer", "Gal", "Gil", "Jou", "Lar", "Mau", "Mir", "Pel", "Per",
        "Rou", "Tour", "Vau", "Vil", "Lan",
    ];
    const FR_RARE_TAIL: &[&str] = &[
        "mont", "court", "fort", "champ", "lieu", "val", "ville", "pré", "bois", "roche", "lac", "fond",
        "ard", "et", "ot", "in", "eau", "ier", "ac", "ay", "ais", "ault", "el", "erie", "on", "oux", "ieu",
        "ès", "ange", "enne", "essac", "at", "eix", "aud", "ain", "ine", "elle", "ignac", "ouin", "ereau",
        "ien", "eux", "ois", "and", "ent", "eret", "illon", "ouard", "ichon", "ollet", "ade", "ère", "eil", "oin",
        "agne", "igny", "ancourt", "ebois", "emont", "inet",
    ];
    const FR_CITIES: &[City] = &[
        City { name: "Paris", region: "Île-de-France", dial: "1", area: "", lo: 75001, hi: 75020, step: 1 },
        City { name: "Lyon", region: "Auvergne-Rhône-Alpes", dial: "4", area: "", lo: 69001, hi: 69009, step: 1 },
        City { name: "Marseille", region: "Provence-Alpes-Côte d'Azur", dial: "4", area: "", lo: 13001, hi: 13016, step: 1 },
        City { name: "Toulouse", region: "Occitanie", dial: "5", area: "", lo: 31000, hi: 31500, step: 100 },
        City { name: "Nice", region: "Provence-Alpes-Côte d'Azur", dial: "4", area: "", lo: 6000, hi: 6300, step: 100 },
        City { name: "Nantes", region: "Pays de la Loire", dial: "2", area: "", lo: 44000, hi: 44300, step: 100 },
        City { name: "Strasbourg", region: "Grand Est", dial: "3", area: "", lo: 67000, hi: 67200, step: 100 },
        City { name: "Montpellier", region: "Occitanie", dial: "4", area: "", lo: 34000, hi: 34090, step: 10 },
        City { name: "Bordeaux", region: "Nouvelle-Aquitaine", dial: "5", area: "", lo: 33000, hi: 33800, step: 100 },
        City { name: "Lille", region: "Hauts-de-France", dial: "3", area: "", lo: 59000, hi: 59800, step: 100 },
        City { name: "Rennes", region: "Bretagne", dial: "2", area: "", lo: 35000, hi: 35700, step: 100 },
        City { name: "Grenoble", region: "Auvergne-Rhône-Alpes", dial: "4", area: "", lo: 38000, hi: 38100, step: 100 },
        City { name: "Boulogne-Billancourt", region: "Île-de-France", dial: "1", area: "", lo: 92100, hi: 92100, step: 1 },
        City { name: "Nanterre", region: "Île-de-France", dial: "1", area: "", lo: 92000, hi: 92000, step: 1 },
    ];
    const FR_PLACES: &[&str] = &[
        "Atlantique", "Provence", "Bretagne", "Alsace", "Loire", "Rhône", "Seine", "Garonne", "Alpes", "Pyrénées",
        "Normandie", "Bourgogne", "Aquitaine", "Méditerranée", "Azur", "Vendée", "Savoie", "Lorraine", "Champagne",
        "Auvergne", "Jura", "Vosges", "Cévennes", "Picardie", "Touraine",
    ];
    const FR_TITLES: &[LocalTitle] = &[
        ("Directeur Général", "Directrice Générale", Executive), ("Directeur Commercial", "Directrice Commerciale", Sales),
        ("Chargé de Clientèle", "Chargée de Clientèle", Customer), ("Chef de Projet", "Cheffe de Projet", Operations),
        ("Ingénieur Logiciel", "Ingénieure Logiciel", Engineering), ("Développeur Full Stack", "Développeuse Full Stack", Engineering),
        ("Responsable Marketing", "Responsable Marketing", Marketing), ("Chargé de Recrutement", "Chargée de Recrutement", Hr),
        ("Responsable des Ressources Humaines", "Responsable des Ressources Humaines", Hr), ("Comptable", "Comptable", Finance),
        ("Juriste", "Juriste", Legal), ("Ingénieur Qualité", "Ingénieure Qualité", Technical),
    ];

    // ---- Spain ----
    const ES_MALE: &[&str] = &[
        "Antonio", "José", "Manuel", "Francisco", "David", "Juan", "Javier", "Daniel", "Carlos", "Jesús",
        "Alejandro", "Miguel", "Rafael", "Pablo", "Pedro", "Ángel", "Sergio", "Fernando", "Jorge", "Luis",
        "Alberto", "Álvaro", "Adrián", "Diego", "Raúl", "Iván", "Enrique", "Rubén", "Ramón", "Óscar",
        "Andrés", "Vicente", "Joaquín", "Santiago", "Víctor", "Eduardo", "Mario", "Roberto", "Jaime", "Ignacio",
        "Marcos", "Alfonso", "Jordi", "Hugo", "Gonzalo", "Guillermo", "Salvador", "Mateo", "Iker", "Emilio",
        "Julián", "Tomás", "Agustín", "Nicolás", "Gabriel", "Cristian", "Martín", "Lucas", "Héctor", "Xavier",
    ];
    const ES_FEMALE: &[&str] = &[
        "María", "Carmen", "Ana", "Isabel", "Laura", "Cristina", "Marta", "Lucía", "Francisca", "Pilar",
        "Dolores", "Elena", "Paula", "Raquel", "Sara", "Rosa", "Manuela", "Mercedes", "Silvia", "Julia",
        "Beatriz", "Patricia", "Nuria", "Irene", "Andrea", "Rocío", "Alba", "Sonia", "Montserrat", "Inmaculada",
        "Teresa", "Alicia", "Marina", "Rosario", "Encarnación", "Sofía", "Claudia", "Eva", "Natalia", "Verónica",
        "Ángela", "Lorena", "Noelia", "Susana", "Yolanda", "Esther", "Gloria", "Inés", "Carla", "Nerea",
        "Ainhoa", "Begoña", "Consuelo", "Amparo", "Miriam", "Lidia", "Celia", "Olga", "Alejandra", "Daniela",
    ];
    const ES_COMPOUND_MALE: &[&str] = &["José Luis", "Juan Carlos", "José Antonio", "Juan Manuel", "Francisco Javier", "Miguel Ángel", "José Manuel"];
    const ES_COMPOUND_FEMALE: &[&str] = &["María José", "María del Carmen", "Ana Belén", "María Luisa", "María Teresa", "María Ángeles"];
    const ES_SURNAMES: &[&str] = &[
        "García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín",
        "Jiménez", "Hernández", "Ruiz", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Gutiérrez", "Alonso",
        "Navarro", "Torres", "Domínguez", "Ramos", "Vázquez", "Gil", "Serrano", "Ramírez", "Blanco", "Molina",
        "Morales", "Suárez", "Ortega", "Delgado", "Castro", "Ortiz", "Rubio", "Marín", "Sanz", "Núñez",
        "Iglesias", "Medina", "Garrido", "Cortés", "Castillo", "Santos", "Lozano", "Guerrero", "Cano", "Prieto",
        "Méndez", "Cruz", "Calvo", "Gallego", "Herrera", "Márquez", "León", "Peña", "Flores", "Cabrera",
        "Campos", "Vega", "Fuentes", "Carrasco", "Díez", "Reyes", "Caballero", "Nieto", "Aguilar", "Pascual",
        "Santana", "Herrero", "Montero", "Lorenzo", "Hidalgo", "Giménez", "Ibáñez", "Ferrer", "Durán", "Santiago",
        "Benítez", "Vargas", "Mora", "Vicente", "Arias", "Carmona", "Crespo", "Román", "Pastor", "Soto",
        "Sáez", "Velasco", "Moya", "Soler", "Parra", "Esteban", "Bravo", "Gallardo", "Rojas", "Etxeberria",
        "de la Fuente", "del Río", "de la Cruz", "de León", "del Castillo",
    ];
    const ES_RARE_HEAD: &[&str] = &[
        "Villa", "Monte", "Torre", "Valde", "Castel", "Fuente", "Casa", "Peña", "Campo", "Vega", "Sierra", "Alta",
        "Vila", "Puerto", "Mira", "Roca", "Salva", "Llano", "Mata", "Santa", "Bella", "Buena", "Costa", "Cuesta",
        "Olmo", "Pozo", "Río", "Sala", "Ribera", "Agua", "Alba", "Barri", "Bena", "Cala", "Cañada", "Espina",
        "Guada", "Hoya", "Loma", "Mon", "Navas", "Oliva", "Palo", "Prado", "Rivas", "Salas", "Soto", "Valle",
        "Zarza", "Lagun",
    ];
    const ES_RARE_TAIL: &[&str] = &[
        "nueva", "verde", "blanca", "alba", "mar", "real", "llano", "seca", "rubia", "franca", "sol", "mayor",
        "longa", "flor", "rosa", "negro", "grande", "nova", "fría", "hermosa", "vieja", "bona", "luz", "alta",
        "miranda", "santa", "marina", "lobos", "rrama", "lba", "nal", "rejo", "lar", "dero", "jal", "zal",
        "lejo", "rrubia", "pardo", "cedo",
    ];
    const ES_CITIES: &[City] = &[
        city("Madrid", "Comunidad de Madrid", "91", 28001, 28055), city("Barcelona", "Cataluña", "93", 8001, 8042),
        city("Valencia", "Comunidad Valenciana", "96", 46001, 46026), city("Sevilla", "Andalucía", "95", 41001, 41020),
        city("Zaragoza", "Aragón", "976", 50001, 50018), city("Málaga", "Andalucía", "95", 29001, 29018),
        city("Bilbao", "País Vasco", "94", 48001, 48015), city("Alicante", "Comunidad Valenciana", "96", 3001, 3016),
        city("Valladolid", "Castilla y León", "983", 47001, 47016), city("Palma", "Islas Baleares", "971", 7001, 7015),
        city("Las Palmas de Gran Canaria", "Canarias", "928", 35001, 35019), city("Murcia", "Región de Murcia", "968", 30001, 30012),
        city("A Coruña", "Galicia", "981", 15001, 15011), city("San Sebastián", "País Vasco", "943", 20001, 20018),
    ];
    const ES_PLACES: &[&str] = &[
        "Ibérica", "Atlántico", "Mediterráneo", "Levante", "Cantábrico", "Castilla", "Galicia", "Navarra", "Aragón",
        "Ebro", "Tajo", "Duero", "Guadalquivir", "Meseta", "Pirineo", "Sierra Nevada", "Costa Brava", "Montserrat",
        "Teide", "Gredos", "Moncayo", "Rioja", "Asturias", "Cantabria", "Alhambra",
    ];
    const ES_TITLES: &[LocalTitle] = &[
        ("Director General", "Directora General", Executive), ("Director Comercial", "Directora Comercial", Sales),
        ("Jefe de Proyecto", "Jefa de Proyecto", Operations), ("Jefe de Compras", "Jefa de Compras", Operations),
        ("Ingeniero de Software", "Ingeniera de Software", Engineering), ("Responsable de Marketing", "Responsable de Marketing", Marketing),
        ("Contable", "Contable", Finance), ("Técnico de Recursos Humanos", "Técnica de Recursos Humanos", Hr),
        ("Abogado", "Abogada", Legal), ("Ingeniero Industrial", "Ingeniera Industrial", Technical),
    ];

    // ---- Italy ----
    const IT_MALE: &[&str] = &[
        "Giuseppe", "Giovanni", "Antonio", "Mario", "Luigi", "Francesco", "Angelo", "Vincenzo", "Pietro", "Salvatore",
        "Carlo", "Franco", "Domenico", "Bruno", "Paolo", "Michele", "Giorgio", "Aldo", "Sergio", "Luciano",
        "Marco", "Alessandro", "Andrea", "Luca", "Matteo", "Lorenzo", "Stefano", "Roberto", "Davide", "Simone",
        "Federico", "Riccardo", "Fabio", "Massimo", "Claudio", "Daniele", "Emanuele", "Gabriele", "Nicola", "Alberto",
        "Giacomo", "Tommaso", "Enrico", "Filippo", "Maurizio", "Fabrizio", "Gianluca", "Leonardo", "Edoardo", "Cristian",
        "Diego", "Raffaele", "Pasquale", "Gennaro", "Alessio", "Mattia", "Emilio", "Silvio", "Ettore", "Niccolò",
    ];
    const IT_FEMALE: &[&str] = &[
        "Maria", "Anna", "Giuseppina", "Rosa", "Angela", "Giovanna", "Teresa", "Lucia", "Carmela", "Caterina",
        "Francesca", "Chiara", "Giulia", "Sara", "Valentina", "Federica", "Alessandra", "Silvia", "Elena", "Martina",
        "Laura", "Paola", "Roberta", "Simona", "Barbara", "Cristina", "Monica", "Daniela", "Elisa", "Serena",
        "Ilaria", "Michela", "Manuela", "Stefania", "Claudia", "Sofia", "Aurora", "Alice", "Ginevra", "Beatrice",
        "Emma", "Greta", "Giorgia", "Noemi", "Arianna", "Camilla", "Eleonora", "Veronica", "Marta", "Irene",
        "Antonella", "Patrizia", "Rita", "Luisa", "Nicoletta", "Debora", "Erika", "Letizia", "Benedetta", "Licia",
    ];
    const IT_COMPOUND_MALE: &[&str] = &["Gian Marco", "Pier Luigi", "Gian Paolo", "Gian Luca"];
    const IT_COMPOUND_FEMALE: &[&str] = &["Maria Grazia", "Anna Maria", "Maria Teresa", "Maria Rosa"];
    const IT_SURNAMES: &[&str] = &[
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
        "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti",
        "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone",
        "Longo", "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti",
        "Parisi", "Villa", "Conte", "Ferraro", "Ferri", "Fabbri", "Bianco", "Marini", "Grasso", "Valentini",
        "Messina", "Sala", "De Angelis", "Gatti", "Pellegrini", "Palumbo", "Sanna", "Farina", "Rizzi", "Monti",
        "Cattaneo", "Morelli", "Amato", "Silvestri", "Mazza", "Testa", "Grassi", "Pellegrino", "Carbone", "Giuliani",
        "Benedetti", "Barone", "Rossetti", "Caputo", "Montanari", "Guerra", "Palmieri", "Bernardi", "Martino", "Fiore",
        "De Rosa", "Ferretti", "Bellini", "Basile", "Riva", "Donati", "Piras", "Vitali", "Battaglia", "Sartori",
        "Neri", "Costantini", "Milani", "Pagano", "Ruggiero", "Sorrentino", "D'Amico", "Orlando", "Di Stefano", "Di Marco",
        "Della Valle", "Della Rocca", "Di Pietro", "Lo Presti",
    ];
    const IT_RARE_HEAD: &[&str] = &[
        "Bell", "Bert", "Car", "Fer", "Gal", "Mar", "Pel", "Ross", "Ser", "Tor", "Vit", "Cecch", "Mart", "Gian",
        "Lomb", "Ric", "Sant", "Ven", "Bald", "Pagan", "Bon", "Bran", "Cap", "Dal", "Fior", "Guid", "Lan", "Mazz",
        "Nard", "Ors", "Pier", "Rug", "Tam", "Zan", "Cas", "Fran", "Mor", "Pes", "Giac", "Pasqu", "Ang", "Barb",
        "Bass", "Bianch", "Cost", "Dam", "Donat", "Fabbr", "Gent", "Grass", "Leon", "Mancin", "Pagl", "Parr",
        "Rin", "Sorr", "Trev", "Valent", "Zamb", "Tess",
    ];
    const IT_RARE_TAIL: &[&str] = &[
        "elli", "etti", "ini", "oni", "acci", "ucci", "otti", "ardi", "ieri", "ato", "ello", "ino", "one", "aro",
        "esi", "ari", "ella", "otto", "uzzi", "azzo", "izzi", "ani", "eri", "oli", "assi", "illo", "alli", "ucchi",
        "ardo", "ese", "iello", "icchio", "azzi", "erio", "ante", "esco", "iti", "asso", "enzi", "olin",
    ];
    const IT_CITIES: &[City] = &[
        city("Milano", "Lombardia", "02", 20121, 20162), city("Roma", "Lazio", "06", 118, 199),
        city("Torino", "Piemonte", "011", 10121, 10156), city("Napoli", "Campania", "081", 80121, 80147),
        city("Bologna", "Emilia-Romagna", "051", 40121, 40141), city("Firenze", "Toscana", "055", 50121, 50145),
        city("Genova", "Liguria", "010", 16121, 16167), city("Verona", "Veneto", "045", 37121, 37142),
        city("Padova", "Veneto", "049", 35121, 35143), city("Bari", "Puglia", "080", 70121, 70132),
        city("Brescia", "Lombardia", "030", 25121, 25136), city("Bergamo", "Lombardia", "035", 24121, 24129),
        city("Palermo", "Sicilia", "091", 90121, 90151), city("Trieste", "Friuli-Venezia Giulia", "040", 34121, 34151),
    ];
    const IT_PLACES: &[&str] = &[
        "Adriatica", "Tirrena", "Alpina", "Padana", "Dolomiti", "Appennino", "Lario", "Ticino", "Arno", "Tevere",
        "Vesuvio", "Etna", "Garda", "Brenta", "Piave", "Sila", "Gargano", "Langhe", "Chianti", "Maremma",
        "Salento", "Brianza", "Cadore", "Valtellina", "Monviso",
    ];
    const IT_TITLES: &[LocalTitle] = &[
        ("Amministratore Delegato", "Amministratrice Delegata", Executive), ("Direttore Commerciale", "Direttrice Commerciale", Sales),
        ("Responsabile Marketing", "Responsabile Marketing", Marketing), ("Sviluppatore Software", "Sviluppatrice Software", Engineering),
        ("Responsabile Risorse Umane", "Responsabile Risorse Umane", Hr), ("Impiegato Amministrativo", "Impiegata Amministrativa", Finance),
        ("Responsabile Acquisti", "Responsabile Acquisti", Operations), ("Capo Progetto", "Capo Progetto", Operations),
        ("Ingegnere Meccanico", "Ingegnera Meccanica", Technical), ("Avvocato", "Avvocata", Legal),
    ];

    // ---- Poland ----
    const PL_MALE: &[&str] = &[
        "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Michał", "Marcin", "Jan", "Marek", "Grzegorz",
        "Łukasz", "Adam", "Zbigniew", "Jerzy", "Tadeusz", "Mateusz", "Dariusz", "Mariusz", "Wojciech", "Ryszard",
        "Jakub", "Henryk", "Robert", "Kazimierz", "Jacek", "Maciej", "Kamil", "Janusz", "Mirosław", "Józef",
        "Rafał", "Artur", "Damian", "Sławomir", "Przemysław", "Bartosz", "Dawid", "Sebastian", "Szymon", "Wiesław",
        "Roman", "Daniel", "Karol", "Kacper", "Filip", "Patryk", "Hubert", "Igor", "Wiktor", "Adrian",
        "Konrad", "Leszek", "Bogdan", "Waldemar", "Zdzisław", "Arkadiusz", "Radosław", "Bartłomiej", "Dominik", "Norbert",
    ];
    const PL_FEMALE: &[&str] = &[
        "Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Krystyna", "Elżbieta", "Magdalena",
        "Joanna", "Zofia", "Aleksandra", "Monika", "Teresa", "Danuta", "Natalia", "Karolina", "Marta", "Beata",
        "Dorota", "Halina", "Jadwiga", "Janina", "Grażyna", "Iwona", "Paulina", "Justyna", "Jolanta", "Alicja",
        "Zuzanna", "Urszula", "Renata", "Agata", "Sylwia", "Irena", "Helena", "Patrycja", "Julia", "Izabela",
        "Weronika", "Wiktoria", "Marianna", "Emilia", "Martyna", "Kinga", "Ewelina", "Dominika", "Edyta", "Bożena",
        "Wanda", "Gabriela", "Klaudia", "Oliwia", "Łucja", "Kamila", "Anita", "Mirosława", "Hanna", "Żaneta",
    ];
    const PL_SURNAMES: &[&str] = &[
        "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Woźniak",
        "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Wojciechowski", "Kwiatkowski", "Krawczyk", "Kaczmarek", "Piotrowski", "Grabowski",
        "Zając", "Pawłowski", "Michalski", "Król", "Wieczorek", "Jabłoński", "Wróbel", "Nowakowski", "Majewski", "Olszewski",
        "Stępień", "Malinowski", "Jaworski", "Adamczyk", "Dudek", "Nowicki", "Pawlak", "Górski", "Witkowski", "Walczak",
        "Sikora", "Baran", "Rutkowski", "Michalak", "Szewczyk", "Ostrowski", "Tomaszewski", "Pietrzak", "Zalewski", "Wróblewski",
        "Marciniak", "Jasiński", "Zawadzki", "Bąk", "Jakubowski", "Sadowski", "Duda", "Włodarczyk", "Wilk", "Chmielewski",
        "Borkowski", "Sokołowski", "Szczepański", "Sawicki", "Lis", "Kucharski", "Kalinowski", "Wysocki", "Mazurek", "Kubiak",
        "Maciejewski", "Czarnecki", "Kołodziej", "Urbański", "Kaczmarczyk", "Laskowski", "Sobczak", "Głowacki", "Zakrzewski", "Krajewski",
        "Czerwiński", "Adamski", "Kołodziejczyk", "Ziółkowski", "Gajewski", "Szulc", "Mróz", "Baranowski", "Brzeziński", "Kaczor",
        "Cieślak", "Szymczak", "Makowski", "Kowalewski", "Przybylski", "Kurek", "Gołębiowski",
    ];
    const PL_RARE_HEAD: &[&str] = &[
        "Brzez", "Dąb", "Grab", "Jabłon", "Kamien", "Kras", "Lip", "Mał", "Olsz", "Ostrow", "Podgór", "Przyby",
        "Rud", "Sosn", "Wierzb", "Zawad", "Bork", "Cies", "Dobr", "Gór", "Jaros", "Koz", "Lesz", "Marcin", "Niem",
        "Pias", "Rogal", "Sien", "Trzcin", "Wilcz", "Żuraw", "Bab", "Chmiel", "Dzik", "Grzyb", "Jezior", "Kopc",
        "Krzyż", "Mich", "Stas", "Bart", "Biał", "Czarn", "Dud", "Gaw", "Głow", "Jan", "Kos", "Kul", "Lub", "Mar",
        "Nad", "Pawl", "Rad", "Sob", "Szyd", "Tom", "Wit", "Zaj", "Wrzos",
    ];
    const PL_RARE_TAIL: &[&str] = &[
        "owski", "ewski", "iński", "ecki", "ak", "ek", "ik", "czak", "czyk", "owicz", "ewicz", "ała", "uch", "ala",
        "iak", "usz", "oszek", "asz", "yk", "uk", "isz", "czuk", "owiak", "ko", "ucki",
    ];
    const PL_CITIES: &[City] = &[
        city("Warszawa", "mazowieckie", "22", 1, 4999), city("Kraków", "małopolskie", "12", 30001, 31999),
        city("Wrocław", "dolnośląskie", "71", 50001, 54999), city("Łódź", "łódzkie", "42", 90001, 94999),
        city("Poznań", "wielkopolskie", "61", 60001, 61999), city("Gdańsk", "pomorskie", "58", 80001, 80999),
        city("Katowice", "śląskie", "32", 40001, 40999), city("Szczecin", "zachodniopomorskie", "91", 70001, 71999),
        city("Lublin", "lubelskie", "81", 20001, 20999), city("Bydgoszcz", "kujawsko-pomorskie", "52", 85001, 85999),
        city("Gdynia", "pomorskie", "58", 81001, 81999), city("Białystok", "podlaskie", "85", 15001, 15999),
    ];
    const PL_PLACES: &[&str] = &[
        "Bałtyk", "Wisła", "Odra", "Warta", "Tatry", "Mazowsze", "Mazury", "Pomorze", "Śląsk", "Podhale", "Karpaty",
        "Sudety", "Kaszuby", "Wielkopolska", "Małopolska", "Bieszczady", "Roztocze", "Kujawy", "Warmia", "Podlasie",
        "Narew", "Beskid", "Bursztyn", "Giewont", "Jantar",
    ];
    const PL_TITLES: &[LocalTitle] = &[
        ("Prezes Zarządu", "Prezes Zarządu", Executive), ("Dyrektor Sprzedaży", "Dyrektor Sprzedaży", Sales),
        ("Przedstawiciel Handlowy", "Przedstawicielka Handlowa", Sales), ("Kierownik Projektu", "Kierowniczka Projektu", Operations),
        ("Programista", "Programistka", Engineering), ("Księgowy", "Księgowa", Finance),
        ("Specjalista ds. Marketingu", "Specjalistka ds. Marketingu", Marketing), ("Specjalista ds. Kadr", "Specjalistka ds. Kadr", Hr),
        ("Radca Prawny", "Radca Prawny", Legal), ("Inżynier Produkcji", "Inżynier Produkcji", Technical),
    ];

    // ---- Sweden ----
    const SE_MALE: &[&str] = &[
        "Lars", "Anders", "Johan", "Erik", "Per", "Karl", "Peter", "Mikael", "Jan", "Thomas", "Hans", "Daniel",
        "Fredrik", "Stefan", "Andreas", "Magnus", "Mats", "Jonas", "Martin", "Mattias", "Niklas", "Marcus", "Björn",
        "Ulf", "Bengt", "Göran", "Henrik", "Oskar", "Gustav", "Viktor", "Emil", "Alexander", "Johannes", "Sebastian",
        "Simon", "Filip", "Olof", "Leif", "Sven", "Åke", "Kristoffer", "Patrik", "Joakim", "Tobias", "Robin",
        "Rasmus", "Linus", "Hugo", "Axel", "Elias",
    ];
    const SE_FEMALE: &[&str] = &[
        "Anna", "Eva", "Maria", "Karin", "Sara", "Kristina", "Lena", "Emma", "Kerstin", "Ingrid", "Marie", "Malin",
        "Jenny", "Hanna", "Linda", "Annika", "Susanne", "Elin", "Sofia", "Ida", "Johanna", "Camilla", "Elisabeth",
        "Birgitta", "Ulla", "Helena", "Monica", "Louise", "Matilda", "Julia", "Amanda", "Therese", "Caroline",
        "Frida", "Åsa", "Lisa", "Sandra", "Josefin", "Emelie", "Märta", "Linnéa", "Maja", "Ebba", "Alva", "Moa",
        "Agneta", "Katarina", "Gunilla", "Pia", "Sanna",
    ];
    const SE_COMPOUND_MALE: &[&str] = &["Per-Olof", "Karl-Johan", "Lars-Erik", "Jan-Erik", "Nils-Åke"];
    const SE_COMPOUND_FEMALE: &[&str] = &["Anna-Karin", "Eva-Lena", "Ann-Sofie", "Anna-Lena", "Ann-Christin"];
    const SE_SURNAMES: &[&str] = &[
        "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson",
        "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Sjögren", "Lindberg", "Jakobsson", "Magnusson", "Olofsson",
        "Lindström", "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren", "Lundqvist",
        "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg", "Sjöberg", "Wallin", "Engström", "Eklund",
        "Danielsson", "Lundin", "Håkansson", "Björk", "Bergman", "Gunnarsson", "Holm", "Wikström", "Samuelsson", "Isaksson",
        "Fransson", "Bergqvist", "Nyström", "Holmberg", "Arvidsson", "Löfgren", "Söderberg", "Nyberg", "Blomqvist", "Claesson",
        "Nordström", "Mårtensson", "Lundström", "Viklund", "Björklund", "Eliasson", "Pålsson", "Berggren", "Sandström", "Lund",
        "Nordin", "Ström", "Åberg", "Hermansson", "Ekström", "Holmgren", "Sundberg", "Hedlund", "Dahlberg", "Hellström",
    ];
    const SE_RARE_HEAD: &[&str] = &[
        "Berg", "Lind", "Sjö", "Ek", "Ström", "Holm", "Sand", "Dahl", "Ny", "Fors", "Hag", "Lund", "Ljung", "Björk",
        "Gran", "Wall", "Åker", "Öst", "Väst", "Nord", "Malm", "Sten", "Al", "Ros", "Hed", "Löv", "Strand", "Wester",
        "Norr", "Sunde", "Ahl", "Rosen", "Lilje", "Hall", "Eng", "Blom", "Ark", "Bro", "Ed", "Fager", "Gull",
        "Hassel", "Kull", "Lager", "Mos", "Palm", "Rune", "Söder", "Tall", "Svan",
    ];
    const SE_RARE_TAIL: &[&str] = &[
        "berg", "lund", "ström", "gren", "qvist", "kvist", "dahl", "holm", "man", "sten", "blad", "mark", "by",
        "fors", "ling", "ell", "ius", "bäck", "vall", "näs", "stedt", "bom", "hage", "feldt", "borg", "fält", "in",
        "ros", "löf", "e", "stam", "hed", "ek", "skog", "ås", "lind", "vik", "myr", "sjö", "rud",
    ];
    const SE_CITIES: &[City] = &[
        city("Stockholm", "Stockholms län", "8", 11120, 11899), city("Göteborg", "Västra Götalands län", "31", 41101, 41879),
        city("Malmö", "Skåne län", "40", 21111, 21777), city("Uppsala", "Uppsala län", "18", 75220, 75757),
        city("Linköping", "Östergötlands län", "13", 58183, 58758), city("Västerås", "Västmanlands län", "21", 72210, 72481),
        city("Örebro", "Örebro län", "19", 70210, 70385), city("Lund", "Skåne län", "46", 22100, 22739),
        city("Helsingborg", "Skåne län", "42", 25220, 25669), city("Umeå", "Västerbottens län", "90", 90302, 90751),
        city("Jönköping", "Jönköpings län", "36", 55302, 55633),
    ];
    const SE_PLACES: &[&str] = &[
        "Norrland", "Svea", "Göta", "Skandia", "Vänern", "Mälar", "Öresund", "Bohus", "Dala", "Halland", "Värmland",
        "Roslagen", "Gotland", "Kalmar", "Lappland", "Vättern", "Saltsjö", "Siljan", "Kolmården", "Österlen",
        "Tornedal", "Jämt", "Sörmland", "Småland", "Kullen",
    ];
    const SE_TITLES: &[LocalTitle] = &[
        ("VD", "VD", Executive), ("Försäljningschef", "Försäljningschef", Sales), ("Systemutvecklare", "Systemutvecklare", Engineering),
        ("Ekonomichef", "Ekonomichef", Finance), ("Redovisningsekonom", "Redovisningsekonom", Finance),
        ("Projektledare", "Projektledare", Operations), ("Inköpare", "Inköpare", Operations), ("Marknadschef", "Marknadschef", Marketing),
        ("HR-chef", "HR-chef", Hr), ("Bolagsjurist", "Bolagsjurist", Legal),
    ];

    // ---- Denmark ----
    const DK_MALE: &[&str] = &[
        "Peter", "Jens", "Lars", "Michael", "Henrik", "Thomas", "Søren", "Jan", "Niels", "Anders", "Christian",
        "Martin", "Jesper", "Morten", "Rasmus", "Mads", "Hans", "Jørgen", "Kim", "Ole", "Per", "Poul", "Frederik",
        "Mikkel", "Kasper", "Jakob", "Nikolaj", "Simon", "Mathias", "Emil", "Bo", "Jonas", "Kristian", "Steen",
        "Torben", "Claus", "Kenneth", "Brian", "Carsten", "Bjarne", "Flemming", "Allan", "Lasse", "Magnus",
        "Oliver", "William", "Lucas", "Esben", "Troels", "Asger",
    ];
    const DK_FEMALE: &[&str] = &[
        "Anne", "Kirsten", "Hanne", "Mette", "Anna", "Helle", "Susanne", "Lene", "Maria", "Marianne", "Lone",
        "Camilla", "Louise", "Charlotte", "Pia", "Tina", "Gitte", "Inge", "Bente", "Karen", "Julie", "Ida", "Sofie",
        "Emma", "Laura", "Cecilie", "Maja", "Signe", "Line", "Trine", "Rikke", "Malene", "Heidi", "Birgitte",
        "Dorthe", "Jette", "Lise", "Else", "Katrine", "Mathilde", "Freja", "Astrid", "Stine", "Maiken", "Sanne",
        "Nanna", "Christina", "Josefine", "Karina", "Tove",
    ];
    const DK_COMPOUND_MALE: &[&str] = &["Hans-Henrik", "Jens-Peter", "Niels-Erik"];
    const DK_COMPOUND_FEMALE: &[&str] = &["Anne-Mette", "Lise-Lotte", "Anne-Sofie"];
    const DK_SURNAMES: &[&str] = &[
        "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen", "Jørgensen",
        "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen",
        "Knudsen", "Jakobsen", "Jacobsen", "Mikkelsen", "Olesen", "Frederiksen", "Laursen", "Henriksen", "Lund", "Schmidt",
        "Eriksen", "Holm", "Kristiansen", "Clausen", "Simonsen", "Svendsen", "Andreasen", "Iversen", "Jeppesen", "Mogensen",
        "Jespersen", "Nissen", "Lauridsen", "Frandsen", "Østergaard", "Jepsen", "Kjær", "Carlsen", "Vestergaard", "Jessen",
        "Nørgaard", "Dahl", "Christoffersen", "Skov", "Søndergaard", "Bertelsen", "Bruun", "Lassen", "Bach", "Gregersen",
        "Friis", "Johnsen", "Steffensen", "Kjeldsen", "Bech", "Krogh", "Lauritsen", "Danielsen", "Mathiasen", "Andresen",
        "Brandt", "Winther", "Toft", "Ravn", "Mathiesen", "Dam", "Holst", "Nilsson", "Schou", "Overgaard",
        "Ørsted", "Bjerre", "Hedegaard", "Damgaard", "Thygesen", "Kirkegaard",
    ];
    const DK_RARE_HEAD: &[&str] = &[
        "Bjerg", "Skov", "Lund", "Dal", "Holm", "Krog", "Bach", "Kjær", "Møl", "Dam", "Høj", "Vester", "Nør",
        "Sønder", "Øster", "Engel", "Fugl", "Ny", "Munk", "Strand", "Ege", "Lyng", "Hede", "Bro", "Mark", "Sand",
        "Vind", "Ask", "Elm", "Birk", "Sø", "Lille", "Store", "Gammel", "Rosen", "Lange", "Kirke", "Fjeld",
        "Ravn", "Ulv",
    ];
    const DK_RARE_TAIL: &[&str] = &[
        "gaard", "holm", "bjerg", "sted", "lund", "skov", "strup", "rup", "borg", "mann", "feldt", "dahl", "ager",
        "by", "bæk", "høj", "toft", "vang", "kær", "vad", "løv", "ris", "hus", "bo", "bjerre", "gård", "kilde",
        "hoved", "næs", "dal",
    ];
    const DK_CITIES: &[City] = &[
        city("København", "Region Hovedstaden", "33", 1050, 2450), city("Aarhus", "Region Midtjylland", "86", 8000, 8270),
        city("Odense", "Region Syddanmark", "66", 5000, 5270), city("Aalborg", "Region Nordjylland", "98", 9000, 9220),
        city("Esbjerg", "Region Syddanmark", "75", 6700, 6715), city("Kolding", "Region Syddanmark", "75", 6000, 6000),
        city("Vejle", "Region Syddanmark", "75", 7100, 7100), city("Horsens", "Region Midtjylland", "75", 8700, 8700),
        city("Randers", "Region Midtjylland", "86", 8900, 8960), city("Roskilde", "Region Sjælland", "46", 4000, 4000),
        city("Herning", "Region Midtjylland", "97", 7400, 7400), city("Kongens Lyngby", "Region Hovedstaden", "45", 2800, 2800),
    ];
    const DK_PLACES: &[&str] = &[
        "Nordsø", "Øresund", "Kattegat", "Limfjord", "Jylland", "Fyn", "Sjælland", "Bornholm", "Himmerland",
        "Vendsyssel", "Gudenå", "Mols", "Skagen", "Thy", "Djurs", "Lolland", "Falster", "Møn", "Salling",
        "Lillebælt", "Storebælt", "Vadehav", "Odsherred", "Stevns", "Hanherred",
    ];
    const DK_TITLES: &[LocalTitle] = &[
        ("Administrerende direktør", "Administrerende direktør", Executive), ("Salgschef", "Salgschef", Sales),
        ("Softwareudvikler", "Softwareudvikler", Engineering), ("Økonomichef", "Økonomichef", Finance), ("Bogholder", "Bogholder", Finance),
        ("Projektleder", "Projektleder", Operations), ("Indkøber", "Indkøber", Operations), ("Marketingchef", "Marketingchef", Marketing),
        ("HR-chef", "HR-chef", Hr), ("Advokat", "Advokat", Legal),
    ];

    // ---- Norway ----
    const NO_MALE: &[&str] = &[
        "Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Arne", "Svein", "Thomas", "Hans", "Geir", "Tor",
        "Morten", "Terje", "Odd", "Erik", "Martin", "Andreas", "John", "Anders", "Rune", "Trond", "Jon", "Tore",
        "Harald", "Kristian", "Espen", "Magnus", "Stian", "Eirik", "Øyvind", "Håkon", "Sindre", "Jørgen", "Henrik",
        "Fredrik", "Sander", "Jonas", "Emil", "Mathias", "Sigurd", "Torbjørn", "Vegard", "Ståle", "Audun", "Einar",
        "Gunnar", "Petter", "Aksel",
    ];
    const NO_FEMALE: &[&str] = &[
        "Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg", "Hilde", "Anna",
        "Solveig", "Marianne", "Randi", "Ida", "Nina", "Maria", "Elisabeth", "Kristin", "Bente", "Heidi", "Silje",
        "Hanne", "Gro", "Camilla", "Tone", "Line", "Ingeborg", "Kristine", "Marte", "Ragnhild", "Siri", "Tuva",
        "Nora", "Emma", "Sara", "Thea", "Ingvild", "Guro", "Karoline", "Synnøve", "Åse", "Sigrid", "Vilde",
        "Julie", "Malin", "Mari", "Frida", "Eli",
    ];
    const NO_COMPOUND_MALE: &[&str] = &["Per-Olav", "Tor-Erik", "Jan-Erik", "Ole-Martin", "Bjørn-Erik"];
    const NO_COMPOUND_FEMALE: &[&str] = &["Anne-Lise", "Kari-Anne", "Ann-Kristin", "Anne-Grethe"];
    const NO_SURNAMES: &[&str] = &[
        "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen", "Karlsen",
        "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen", "Andreassen", "Jacobsen", "Dahl",
        "Jørgensen", "Halvorsen", "Henriksen", "Lund", "Sørensen", "Jakobsen", "Moen", "Gundersen", "Iversen", "Strand",
        "Solberg", "Svendsen", "Eide", "Knutsen", "Martinsen", "Paulsen", "Bakken", "Kristoffersen", "Mathisen", "Lie",
        "Amundsen", "Nguyen", "Rasmussen", "Ali", "Moe", "Kristensen", "Lunde", "Solheim", "Berge", "Bakke",
        "Antonsen", "Nygård", "Ellingsen", "Hauge", "Tveit", "Myhre", "Aas", "Sæther", "Haugland", "Fredriksen",
        "Thorsen", "Hovland", "Knudsen", "Ødegård", "Brekke", "Nyland", "Ruud", "Sandvik", "Vik", "Aune",
        "Sunde", "Mikkelsen", "Holm", "Tangen", "Fjeld", "Birkeland", "Aasen", "Strøm", "Engen", "Edvardsen",
        "Hoel", "Danielsen", "Stene", "Helland", "Nordby", "Myklebust", "Rønning",
    ];
    const NO_RARE_HEAD: &[&str] = &[
        "Berg", "Strand", "Haug", "Dal", "Bakke", "Lie", "Moe", "Vik", "Nord", "Sol", "Øde", "Fjell", "Hol", "Aas",
        "Bjør", "Sæt", "Lang", "Hov", "Myr", "Sand", "Bre", "Skog", "Tveit", "Nes", "Ås", "Rød", "Stor", "Øst",
        "Vest", "Li", "Ulv", "Bjørk", "Furu", "Gran", "Kval", "Lyng", "Rosen", "Sjø", "Vass", "Elv",
    ];
    const NO_RARE_TAIL: &[&str] = &[
        "heim", "vik", "dal", "land", "rud", "stad", "set", "lie", "haug", "nes", "bø", "by", "vold", "seth", "aas",
        "berg", "hagen", "eng", "li", "sæter", "bakk", "strand", "mo", "gård", "fjell", "vang", "hei", "rød",
        "stø", "holm",
    ];
    const NO_CITIES: &[City] = &[
        city("Oslo", "Oslo", "22", 150, 1295), city("Bergen", "Vestland", "55", 5003, 5099),
        city("Trondheim", "Trøndelag", "73", 7010, 7099), city("Stavanger", "Rogaland", "51", 4001, 4099),
        city("Drammen", "Buskerud", "32", 3001, 3048), city("Kristiansand", "Agder", "38", 4601, 4639),
        city("Tromsø", "Troms", "77", 9006, 9024), city("Fredrikstad", "Østfold", "69", 1601, 1639),
        city("Sandnes", "Rogaland", "51", 4301, 4329), city("Bodø", "Nordland", "75", 8001, 8028),
        city("Ålesund", "Møre og Romsdal", "70", 6001, 6018),
    ];
    const NO_PLACES: &[&str] = &[
        "Nordlys", "Fjord", "Vestland", "Viking", "Polar", "Nordkapp", "Lofoten", "Hardanger", "Sogn", "Romsdal",
        "Trøndelag", "Finnmark", "Telemark", "Hallingdal", "Gudbrandsdal", "Jotun", "Dovre", "Rogaland", "Agder",
        "Oslofjord", "Senja", "Helgeland", "Valdres", "Ryfylke", "Hedmark",
    ];
    const NO_TITLES: &[LocalTitle] = &[
        ("Daglig leder", "Daglig leder", Executive), ("Salgssjef", "Salgssjef", Sales), ("Systemutvikler", "Systemutvikler", Engineering),
        ("Økonomisjef", "Økonomisjef", Finance), ("Regnskapsfører", "Regnskapsfører", Finance),
        ("Prosjektleder", "Prosjektleder", Operations), ("Innkjøper", "Innkjøper", Operations), ("Markedssjef", "Markedssjef", Marketing),
        ("HR-sjef", "HR-sjef", Hr), ("Advokat", "Advokat", Legal),
    ];

    // ---- United Kingdom ----
    const GB_MALE: &[&str] = &[
        "David", "John", "Paul", "Mark", "James", "Andrew", "Michael", "Peter", "Robert", "Richard", "Stephen",
        "Christopher", "Ian", "Simon", "Matthew", "Daniel", "Thomas", "William", "Gary", "Steven", "Martin",
        "Anthony", "Neil", "Jonathan", "Alan", "Graham", "Kevin", "Nicholas", "Philip", "Timothy", "Stuart", "Adam",
        "Lee", "Benjamin", "Samuel", "Oliver", "Jack", "Harry", "George", "Charlie", "Joshua", "Luke", "Ryan",
        "Craig", "Jamie", "Liam", "Callum", "Alexander", "Edward", "Mohammed",
    ];
    const GB_FEMALE: &[&str] = &[
        "Sarah", "Susan", "Elizabeth", "Margaret", "Helen", "Claire", "Emma", "Karen", "Julie", "Jane", "Nicola",
        "Rachel", "Catherine", "Louise", "Joanne", "Lisa", "Amanda", "Victoria", "Rebecca", "Laura", "Jennifer",
        "Hannah", "Charlotte", "Lucy", "Sophie", "Emily", "Jessica", "Amy", "Katie", "Olivia", "Amelia", "Alice",
        "Chloe", "Lauren", "Gemma", "Kirsty", "Fiona", "Alison", "Deborah", "Angela", "Tracey", "Michelle",
        "Samantha", "Natalie", "Zoe", "Eleanor", "Grace", "Megan", "Holly", "Siobhan",
    ];
    const GB_COMPOUND_MALE: &[&str] = &["John-Paul"];
    const GB_COMPOUND_FEMALE: &[&str] = &["Sarah-Jane", "Anne-Marie", "Mary-Ellen", "Jo-Anne"];
    const GB_SURNAMES: &[&str] = &[
        "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
        "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
        "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill",
        "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen",
        "James", "Scott", "Phillips", "Watson", "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths",
        "Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy",
        "Miller", "Cox", "Richards", "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh",
        "Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali",
        "Hunt", "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight",
        "Lloyd", "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey",
        "O'Brien", "MacDonald", "McLean", "Fitzgerald",
    ];
    const GB_RARE_HEAD: &[&str] = &[
        "Ash", "Brad", "Brook", "Chester", "Col", "Dun", "Fair", "Hart", "Holl", "Kings", "Mid", "Mor", "Pen",
        "Rad", "Stan", "Thorn", "Wat", "Well", "Whit", "Wood", "Lang", "Black", "Hal", "Hay", "Brom", "Cran",
        "Crom", "Dar", "East", "Ells", "Farn", "Gold", "Hather", "Mel", "North", "Rush", "Shel", "Sher", "Stam",
        "Stock", "Wake", "Wal", "West", "Win", "Ather", "Alder", "Bar", "Bed", "Bran", "Brid", "Car", "Chal",
        "Clif", "Dray", "Elm", "Fox", "Gar", "Grim", "Kel", "Kirk", "Lam", "Lin", "Mans", "Nor", "Oak", "Pem",
        "Ran", "Red", "Sand", "Sax", "Shep", "Sut", "Tarr", "Wy", "Ack", "Bur", "Cad", "Hen", "Ing", "Ox",
    ];
    const GB_RARE_TAIL: &[&str] = &[
        "ford", "ley", "ton", "field", "wood", "worth", "by", "ham", "well", "brook", "combe", "hurst", "more",
        "stead", "wick", "bury", "thorpe", "den", "dale", "ridge", "bridge", "cliffe", "land", "stone", "ington",
        "shaw", "cott", "hall", "gate", "holme", "lock", "mere", "minster", "ney", "over", "sall", "side", "son",
        "ward", "way", "win", "borough", "church", "fold", "garth", "man",
    ];
    const GB_CITIES: &[City] = &[
        City { name: "London", region: "Greater London", dial: "20", area: "EC|WC|E|N|NW|SE|SW|W", lo: 1, hi: 14, step: 1 },
        City { name: "Manchester", region: "Greater Manchester", dial: "161", area: "M", lo: 1, hi: 40, step: 1 },
        City { name: "Birmingham", region: "West Midlands", dial: "121", area: "B", lo: 1, hi: 45, step: 1 },
        City { name: "Leeds", region: "West Yorkshire", dial: "113", area: "LS", lo: 1, hi: 29, step: 1 },
        City { name: "Glasgow", region: "Scotland", dial: "141", area: "G", lo: 1, hi: 46, step: 1 },
        City { name: "Edinburgh", region: "Scotland", dial: "131", area: "EH", lo: 1, hi: 17, step: 1 },
        City { name: "Bristol", region: "Bristol", dial: "117", area: "BS", lo: 1, hi: 16, step: 1 },
        City { name: "Liverpool", region: "Merseyside", dial: "151", area: "L", lo: 1, hi: 37, step: 1 },
        City { name: "Cambridge", region: "Cambridgeshire", dial: "", area: "CB", lo: 1, hi: 5, step: 1 },
        City { name: "Oxford", region: "Oxfordshire", dial: "", area: "OX", lo: 1, hi: 4, step: 1 },
        City { name: "Reading", region: "Berkshire", dial: "118", area: "RG", lo: 1, hi: 31, step: 1 },
        City { name: "Newcastle upon Tyne", region: "Tyne and Wear", dial: "191", area: "NE", lo: 1, hi: 15, step: 1 },
        City { name: "Cardiff", region: "Wales", dial: "", area: "CF", lo: 10, hi: 24, step: 1 },
        City { name: "Belfast", region: "Northern Ireland", dial: "", area: "BT", lo: 1, hi: 17, step: 1 },
        City { name: "Sheffield", region: "South Yorkshire", dial: "114", area: "S", lo: 1, hi: 14, step: 1 },
        City { name: "Milton Keynes", region: "Buckinghamshire", dial: "", area: "MK", lo: 1, hi: 19, step: 1 },
    ];
    const GB_PLACES: &[&str] = &[
        "Thames", "Pennine", "Northern", "Cotswold", "Highland", "Mersey", "Severn", "Tyne", "Clyde", "Solent",
        "Chiltern", "Mendip", "Wessex", "Mercia", "Albion", "Cambrian", "Lakeland", "Dales", "Fenland", "Kentish",
        "Brunel", "Trent", "Humber", "Avon", "Cheviot",
    ];

    // ---- United States ----
    const US_MALE: &[&str] = &[
        "James", "Michael", "John", "Robert", "David", "William", "Richard", "Joseph", "Thomas", "Christopher",
        "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Steven", "Donald", "Andrew", "Joshua", "Paul", "Kevin",
        "Brian", "Kenneth", "Ryan", "Jason", "Eric", "Jacob", "Nicholas", "Jonathan", "Justin", "Brandon", "Tyler",
        "Scott", "Gregory", "Benjamin", "Samuel", "Patrick", "Alexander", "Jose", "Carlos", "Luis", "Juan",
        "Nathan", "Zachary", "Aaron", "Adam", "Ethan", "Kyle", "Sean", "Wei",
    ];
    const US_FEMALE: &[&str] = &[
        "Mary", "Jennifer", "Jessica", "Sarah", "Elizabeth", "Linda", "Patricia", "Susan", "Karen", "Lisa", "Nancy",
        "Ashley", "Emily", "Michelle", "Amanda", "Melissa", "Stephanie", "Rebecca", "Laura", "Kimberly", "Amy",
        "Angela", "Heather", "Nicole", "Rachel", "Megan", "Lauren", "Samantha", "Christina", "Brittany", "Kelly",
        "Hannah", "Madison", "Olivia", "Emma", "Sophia", "Abigail", "Taylor", "Alexis", "Andrea", "Maria", "Ana",
        "Jasmine", "Danielle", "Erin", "Katherine", "Courtney", "Kayla", "Chloe", "Priya",
    ];
    const US_COMPOUND_FEMALE: &[&str] = &["Mary-Kate", "Mary-Beth", "Anne-Marie"];
    const US_SURNAMES: &[&str] = &[
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
        "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
        "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
        "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
        "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
        "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper",
        "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
        "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes",
        "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
        "O'Connor", "McCarthy", "Schmidt", "Kowalski", "Russo", "Cohen", "Chen", "Wang", "Singh",
    ];
    const US_CITIES: &[City] = &[
        city("New York", "NY", "212", 10001, 10282), city("San Francisco", "CA", "415", 94102, 94134),
        city("Los Angeles", "CA", "213", 90001, 90089), city("Chicago", "IL", "312", 60601, 60661),
        city("Boston", "MA", "617", 2108, 2137), city("Seattle", "WA", "206", 98101, 98199),
        city("Austin", "TX", "512", 78701, 78759), city("Houston", "TX", "713", 77001, 77099),
        city("Dallas", "TX", "214", 75201, 75254), city("Atlanta", "GA", "404", 30303, 30363),
        city("Denver", "CO", "303", 80202, 80239), city("Miami", "FL", "305", 33125, 33199),
        city("Philadelphia", "PA", "215", 19102, 19154), city("San Jose", "CA", "408", 95110, 95139),
        city("Washington", "DC", "202", 20001, 20037), city("Minneapolis", "MN", "612", 55401, 55488),
    ];
    const US_PLACES: &[&str] = &[
        "Pacific", "Atlantic", "Midwest", "Hudson", "Lone Star", "Bay Area", "Presidio", "Great Lakes",
        "Rocky Mountain", "Appalachian", "Gulf Coast", "Sierra", "Cascade", "Liberty", "Keystone", "Empire",
        "Prairie", "Mesa", "Sunbelt", "New England", "Heartland", "Patriot", "Evergreen State", "Ozark", "Shenandoah",
    ];

    /// Locales in a fixed order; `weight` is the share of companies per country.
    pub(super) const LOCALES: &[Locale] = &[
        Locale {
            country: "NL", tld: "nl", lang: Lang::Nl, weight: 13,
            male: NL_MALE, female: NL_FEMALE, compound_male: NL_COMPOUND_MALE, compound_female: NL_COMPOUND_FEMALE, compound_pct: 2,
            surnames: NL_SURNAMES, rare_head: NL_RARE_HEAD, rare_tail: NL_RARE_TAIL, rare_places: 24,
            particles: &["van ", "van de ", "van den ", "van der ", "ter "], particle_pct: 25,
            double_pct: 2, double_space: false, glue_particles: true, sector_first: false, alt_translit_pct: 0, foreign_pct: 15, fold_foreign: false,
            cities: NL_CITIES, places: NL_PLACES,
            legal_small: &[("B.V.", 1)], legal_big: &[("N.V.", 2), ("B.V.", 1)],
            titles: NL_TITLES, tech: &["Exact Online", "AFAS", "Visma", "Mollie", "Topdesk"],
        },
        Locale {
            country: "DE", tld: "de", lang: Lang::De, weight: 18,
            male: DE_MALE, female: DE_FEMALE, compound_male: DE_COMPOUND_MALE, compound_female: DE_COMPOUND_FEMALE, compound_pct: 4,
            surnames: DE_SURNAMES, rare_head: DE_RARE_HEAD, rare_tail: DE_RARE_TAIL, rare_places: 13,
            particles: &["von ", "von der "], particle_pct: 4,
            double_pct: 3, double_space: false, glue_particles: false, sector_first: false, alt_translit_pct: 20, foreign_pct: 15, fold_foreign: false,
            cities: DE_CITIES, places: DE_PLACES,
            legal_small: &[("GmbH", 75), ("GmbH & Co. KG", 22), ("UG (haftungsbeschränkt)", 3)], legal_big: &[("AG", 3), ("SE", 1), ("GmbH", 1)],
            titles: DE_TITLES, tech: &["DATEV", "Personio", "SAP", "Xentral", "lexoffice"],
        },
        Locale {
            country: "FR", tld: "fr", lang: Lang::Fr, weight: 12,
            male: FR_MALE, female: FR_FEMALE, compound_male: FR_COMPOUND_MALE, compound_female: FR_COMPOUND_FEMALE, compound_pct: 7,
            surnames: FR_SURNAMES, rare_head: FR_RARE_HEAD, rare_tail: FR_RARE_TAIL, rare_places: 12,
            particles: &["de ", "du "], particle_pct: 8,
            double_pct: 2, double_space: false, glue_particles: false, sector_first: true, alt_translit_pct: 0, foreign_pct: 15, fold_foreign: false,
            cities: FR_CITIES, places: FR_PLACES,
            legal_small: &[("S.A.S.", 50), ("SARL", 35), ("SASU", 15)], legal_big: &[("S.A.", 3), ("S.A.S.", 1)],
            titles: FR_TITLES, tech: &["Sage", "Cegid", "Lucca", "Pennylane", "Qonto"],
        },
        Locale {
            country: "ES", tld: "es", lang: Lang::Es, weight: 8,
            male: ES_MALE, female: ES_FEMALE, compound_male: ES_COMPOUND_MALE, compound_female: ES_COMPOUND_FEMALE, compound_pct: 8,
            surnames: ES_SURNAMES, rare_head: ES_RARE_HEAD, rare_tail: ES_RARE_TAIL, rare_places: 40,
            particles: &["de "], particle_pct: 5,
            double_pct: 35, double_space: true, glue_particles: false, sector_first: true, alt_translit_pct: 0, foreign_pct: 8, fold_foreign: false,
            cities: ES_CITIES, places: ES_PLACES,
            legal_small: &[("S.L.", 1)], legal_big: &[("S.A.", 1)],
            titles: ES_TITLES, tech: &["Holded", "Sage", "A3 Software", "Factorial", "Odoo"],
        },
        Locale {
            country: "IT", tld: "it", lang: Lang::It, weight: 8,
            male: IT_MALE, female: IT_FEMALE, compound_male: IT_COMPOUND_MALE, compound_female: IT_COMPOUND_FEMALE, compound_pct: 3,
            surnames: IT_SURNAMES, rare_head: IT_RARE_HEAD, rare_tail: IT_RARE_TAIL, rare_places: 0,
            particles: &[], particle_pct: 0,
            double_pct: 1, double_space: false, glue_particles: false, sector_first: true, alt_translit_pct: 0, foreign_pct: 5, fold_foreign: false,
            cities: IT_CITIES, places: IT_PLACES,
            legal_small: &[("S.r.l.", 85), ("S.n.c.", 10), ("S.a.s.", 5)], legal_big: &[("S.p.A.", 1)],
            titles: IT_TITLES, tech: &["TeamSystem", "Zucchetti", "Fatture in Cloud", "Danea"],
        },
        Locale {
            country: "PL", tld: "pl", lang: Lang::Pl, weight: 6,
            male: PL_MALE, female: PL_FEMALE, compound_male: &[], compound_female: &[], compound_pct: 0,
            surnames: PL_SURNAMES, rare_head: PL_RARE_HEAD, rare_tail: PL_RARE_TAIL, rare_places: 0,
            particles: &[], particle_pct: 0,
            double_pct: 3, double_space: false, glue_particles: false, sector_first: true, alt_translit_pct: 0, foreign_pct: 2, fold_foreign: false,
            cities: PL_CITIES, places: PL_PLACES,
            legal_small: &[("Sp. z o.o.", 85), ("Sp. k.", 10), ("S.A.", 5)], legal_big: &[("S.A.", 3), ("Sp. z o.o.", 1)],
            titles: PL_TITLES, tech: &["Comarch ERP", "enova365", "Symfonia", "inFakt"],
        },
        Locale {
            country: "SE", tld: "se", lang: Lang::Sv, weight: 5,
            male: SE_MALE, female: SE_FEMALE, compound_male: SE_COMPOUND_MALE, compound_female: SE_COMPOUND_FEMALE, compound_pct: 3,
            surnames: SE_SURNAMES, rare_head: SE_RARE_HEAD, rare_tail: SE_RARE_TAIL, rare_places: 0,
            particles: &[], particle_pct: 0,
            double_pct: 1, double_space: false, glue_particles: false, sector_first: false, alt_translit_pct: 10, foreign_pct: 15, fold_foreign: false,
            cities: SE_CITIES, places: SE_PLACES,
            legal_small: &[("AB", 1)], legal_big: &[("AB (publ)", 2), ("AB", 1)],
            titles: SE_TITLES, tech: &["Fortnox", "Visma", "Klarna", "Hogia"],
        },
        Locale {
            country: "DK", tld: "dk", lang: Lang::Da, weight: 3,
            male: DK_MALE, female: DK_FEMALE, compound_male: DK_COMPOUND_MALE, compound_female: DK_COMPOUND_FEMALE, compound_pct: 2,
            surnames: DK_SURNAMES, rare_head: DK_RARE_HEAD, rare_tail: DK_RARE_TAIL, rare_places: 0,
            particles: &[], particle_pct: 0,
            double_pct: 2, double_space: false, glue_particles: false, sector_first: false, alt_translit_pct: 20, foreign_pct: 10, fold_foreign: false,
            cities: DK_CITIES, places: DK_PLACES,
            legal_small: &[("ApS", 55), ("A/S", 45)], legal_big: &[("A/S", 1)],
            titles: DK_TITLES, tech: &["e-conomic", "Dinero", "Uniconta", "Pleo"],
        },
        Locale {
            country: "NO", tld: "no", lang: Lang::No, weight: 3,
            male: NO_MALE, female: NO_FEMALE, compound_male: NO_COMPOUND_MALE, compound_female: NO_COMPOUND_FEMALE, compound_pct: 3,
            surnames: NO_SURNAMES, rare_head: NO_RARE_HEAD, rare_tail: NO_RARE_TAIL, rare_places: 0,
            particles: &[], particle_pct: 0,
            double_pct: 2, double_space: false, glue_particles: false, sector_first: false, alt_translit_pct: 20, foreign_pct: 12, fold_foreign: false,
            cities: NO_CITIES, places: NO_PLACES,
            legal_small: &[("AS", 1)], legal_big: &[("ASA", 2), ("AS", 1)],
            titles: NO_TITLES, tech: &["Tripletex", "Visma", "Fiken", "Vipps"],
        },
        Locale {
            country: "GB", tld: "co.uk", lang: Lang::En, weight: 12,
            male: GB_MALE, female: GB_FEMALE, compound_male: GB_COMPOUND_MALE, compound_female: GB_COMPOUND_FEMALE, compound_pct: 1,
            surnames: GB_SURNAMES, rare_head: GB_RARE_HEAD, rare_tail: GB_RARE_TAIL, rare_places: 0,
            particles: &[], particle_pct: 0,
            double_pct: 2, double_space: false, glue_particles: false, sector_first: false, alt_translit_pct: 0, foreign_pct: 25, fold_foreign: true,
            cities: GB_CITIES, places: GB_PLACES,
            legal_small: &[("Ltd", 85), ("Limited", 10), ("LLP", 5)], legal_big: &[("PLC", 2), ("Ltd", 1)],
            titles: &[], tech: &["Xero", "Sage", "BrightHR", "GoCardless"],
        },
        Locale {
            country: "US", tld: "com", lang: Lang::En, weight: 12,
            male: US_MALE, female: US_FEMALE, compound_male: &[], compound_female: US_COMPOUND_FEMALE, compound_pct: 1,
            surnames: US_SURNAMES, rare_head: GB_RARE_HEAD, rare_tail: GB_RARE_TAIL, rare_places: 0,
            particles: &[], particle_pct: 0,
            double_pct: 1, double_space: false, glue_particles: false, sector_first: false, alt_translit_pct: 0, foreign_pct: 50, fold_foreign: true,
            cities: US_CITIES, places: US_PLACES,
            legal_small: &[("Inc.", 50), ("LLC", 38), ("Corp.", 12)], legal_big: &[("Inc.", 3), ("Corp.", 1)],
            titles: &[], tech: &["QuickBooks", "Gusto", "NetSuite", "Rippling", "Brex"],
        },
    ];
}
