//! A deterministic, seeded, synthetic Missouri-sized case-level dataset.
//!
//! Real case records are confidential, so demos, tests and benchmarks run on data made up by
//! [`generate`]. At scale 1 it has about 13,000 children in care on any day and about 6,000
//! entries a year over 5 years of history (by default 2020-01-01 to 2024-12-31, ending at
//! [`SynthOptions::as_of`]), in Missouri's 115 counties (114 and the City of St. Louis), 46
//! judicial circuits and 5 regions, served by the Children's Division and 7 contractors in the
//! three contract regions of `002_acb0e5b8f340becc.txt` (St. Louis, Kansas City, Springfield).
//! Rates sit near the Phase I benchmarks of `004_c47e555d576af250.txt` (worker/child visits
//! 95%, HCY exams within 30 days 98%, re-entry 8.1%, maltreatment 9.67 per 100,000 days in care),
//! with a fixed, seeded spread between providers so that scorecards differ.
//!
//! The same options give the same dataset, byte for byte, on every machine: the generator
//! uses its own splitmix64 generator (one independent stream per child), integer arithmetic
//! only, and no clock. County names are real; the county-to-circuit grouping, the provider
//! names and every record are synthetic.
//!
//! [`write_csv`] writes one table as CSV (the columns of [`Table::columns`]); [`to_csv`] gives
//! every table as text; [`bad_rows`] makes invalid rows for the error paths of the loader.
//!
//! # Example
//!
//! ```
//! use cwfinance::metrics::synth::{generate, to_csv, SynthOptions};
//! use cwfinance::metrics::load::{from_csv, LoadOptions};
//! use rust_decimal::Decimal;
//!
//! // A 1% sample: about 130 children in care.
//! let options = SynthOptions::new(42).scale(Decimal::new(1, 2));
//! let ds = generate(&options).unwrap();
//! assert_eq!(ds.counties.len(), 115);
//! assert_eq!(ds.providers.len(), 8);
//!
//! // The CSV text loads back into the same tables (indices of counties and circuits follow
//! // the order they are first met in, so compare through the text).
//! let files = to_csv(&ds);
//! let pairs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
//! let back = from_csv(&pairs, &LoadOptions::default()).unwrap();
//! assert_eq!(to_csv(&back), files);
//! assert_eq!(back.visits.len(), ds.visits.len());
//! ```

use std::io::{self, Write};

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::data::*;
use crate::{Error, Money, Result};

/// Options of [`generate`].
///
/// # Example
///
/// ```
/// use cwfinance::metrics::synth::SynthOptions;
/// use cwfinance::metrics::data::Day;
/// let o = SynthOptions::new(7).scale(rust_decimal::Decimal::TWO).years(3)
///     .as_of(Day::from_ymd(2023, 6, 30).unwrap());
/// assert_eq!(o.first_day(), Day::from_ymd(2020, 7, 1));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SynthOptions {
    /// The seed: the same seed and options give the same data.
    pub seed: u64,
    /// The size relative to Missouri (1 = about 13,000 in care and 6,000 entries a year);
    /// more than 0 and at most 50.
    pub scale: Decimal,
    /// The last day of the data (default 2024-12-31).
    pub as_of: Day,
    /// Years of history before `as_of`, 1..=20 (default 5).
    pub years: u32,
}

impl SynthOptions {
    /// Scale 1, 5 years of history ending 2024-12-31.
    ///
    /// # Example
    ///
    /// ```
    /// let o = cwfinance::metrics::synth::SynthOptions::new(1);
    /// assert_eq!(o.as_of.to_string(), "2024-12-31");
    /// assert_eq!(o.years, 5);
    /// ```
    pub fn new(seed: u64) -> Self {
        SynthOptions {
            seed,
            scale: Decimal::ONE,
            as_of: Day::from_ymd(2024, 12, 31).unwrap_or(Day::UNIX_EPOCH),
            years: 5,
        }
    }

    /// With another scale.
    ///
    /// # Example
    ///
    /// ```
    /// use rust_decimal::Decimal;
    /// assert_eq!(cwfinance::metrics::synth::SynthOptions::new(1).scale(Decimal::TEN).scale, Decimal::TEN);
    /// ```
    pub fn scale(mut self, scale: Decimal) -> Self {
        self.scale = scale;
        self
    }

    /// With another last day.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::{data::Day, synth::SynthOptions};
    /// let d = Day::from_ymd(2023, 9, 30).unwrap();
    /// assert_eq!(SynthOptions::new(1).as_of(d).as_of, d);
    /// ```
    pub fn as_of(mut self, as_of: Day) -> Self {
        self.as_of = as_of;
        self
    }

    /// With another number of years of history.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::metrics::synth::SynthOptions::new(1).years(2).years, 2);
    /// ```
    pub fn years(mut self, years: u32) -> Self {
        self.years = years;
        self
    }

    /// The first day of the history window: `as_of` minus `years` years, plus one day.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// let o = cwfinance::metrics::synth::SynthOptions::new(1);
    /// assert_eq!(o.first_day(), Day::from_ymd(2020, 1, 1));
    /// ```
    pub fn first_day(&self) -> Option<Day> {
        let years = i32::try_from(self.years).ok()?;
        self.as_of.add_years(-years)?.add_days(1)
    }

    fn validate(&self) -> Result<()> {
        if self.scale <= Decimal::ZERO || self.scale > Decimal::from(50) {
            return Err(Error::OutOfRange {
                field: "scale".into(),
                value: self.scale.to_string(),
                rule: "the scale must be more than 0 and at most 50".into(),
            });
        }
        if !(1..=20).contains(&self.years) {
            return Err(Error::OutOfRange {
                field: "years".into(),
                value: self.years.to_string(),
                rule: "the history is 1 to 20 years".into(),
            });
        }
        if !(1980..=2180).contains(&self.as_of.year()) {
            return Err(Error::OutOfRange {
                field: "as_of".into(),
                value: self.as_of.to_string(),
                rule: "the last day must lie in the years 1980 to 2180 (the generator simulates decades before it)".into(),
            });
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Random numbers: splitmix64, integer-only draws
// ---------------------------------------------------------------------------------------------

/// splitmix64 (Steele, Lea and Flood 2014): tiny, fast, and good enough for synthetic data.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    /// An independent stream for `(seed, stream, index)`.
    fn stream(seed: u64, stream: u64, index: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.0 ^= r
            .next()
            .wrapping_add(index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0), by Lemire's multiply-shift.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi` (`lo` when `hi < lo`).
    fn between(&mut self, lo: i32, hi: i32) -> i32 {
        if hi <= lo {
            return lo;
        }
        let span = u64::from((hi - lo) as u32) + 1;
        lo + self.below(span) as i32
    }

    /// True with probability `ppm` per million.
    fn chance(&mut self, ppm: u32) -> bool {
        self.below(1_000_000) < u64::from(ppm)
    }

    /// An index drawn with the given weights (0 when they are all zero).
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        0
    }

    /// A number of days from a histogram of `(weight, lo, hi)` buckets, uniform within one.
    fn days(&mut self, buckets: &[(u32, i32, i32)]) -> i32 {
        let weights: [u32; 8] = std::array::from_fn(|i| buckets.get(i).map_or(0, |b| b.0));
        let (_, lo, hi) = buckets
            .get(self.weighted(&weights))
            .copied()
            .unwrap_or((0, 0, 0));
        self.between(lo, hi)
    }

    /// `base` plus a whole number of `step`s in `-spread..=spread`, clamped to `0..=cap`.
    fn spread(&mut self, base: u32, step: u32, spread: u32, cap: u32) -> u32 {
        let k = self.below(u64::from(2 * spread + 1)) as i64 - i64::from(spread);
        (i64::from(base) + k * i64::from(step)).clamp(0, i64::from(cap)) as u32
    }
}

// ---------------------------------------------------------------------------------------------
// Missouri: regions, counties, circuits, providers
// ---------------------------------------------------------------------------------------------

/// The five regions. The contract regions carry the names `002_acb0e5b8f340becc.txt` uses.
pub const REGIONS: [&str; 5] = [
    "Kansas City",
    "St. Louis",
    "Springfield",
    "Northeast",
    "Southeast",
];

/// Counties by region: (name, weight in children per 10,000 of the state's caseload, own
/// circuit). Each region's circuits are its own-circuit counties plus the rest grouped evenly
/// into the region's remaining circuits ([`CIRCUITS_PER_REGION`]).
const COUNTIES: [&[(&str, u32, bool)]; 5] = [
    &[
        ("Jackson", 1150, true),
        ("Clay", 380, true),
        ("Platte", 160, true),
        ("Cass", 170, false),
        ("Johnson", 90, false),
        ("Lafayette", 55, false),
        ("Ray", 40, false),
        ("Bates", 30, false),
    ],
    &[
        ("St. Louis County", 1250, true),
        ("St. Louis City", 700, true),
        ("St. Charles", 500, true),
        ("Jefferson", 420, true),
        ("Franklin", 170, false),
        ("Lincoln", 90, false),
        ("Warren", 60, false),
    ],
    &[
        ("Greene", 650, true),
        ("Jasper", 260, true),
        ("Christian", 150, true),
        ("Newton", 100, false),
        ("McDonald", 45, false),
        ("Barry", 65, false),
        ("Lawrence", 70, false),
        ("Stone", 55, false),
        ("Taney", 110, false),
        ("Ozark", 20, false),
        ("Douglas", 25, false),
        ("Wright", 35, false),
        ("Texas", 50, false),
        ("Howell", 80, false),
        ("Webster", 70, false),
        ("Dallas", 35, false),
        ("Polk", 60, false),
        ("Laclede", 70, false),
        ("Hickory", 15, false),
        ("St. Clair", 15, false),
        ("Cedar", 25, false),
        ("Dade", 15, false),
        ("Barton", 25, false),
        ("Vernon", 40, false),
    ],
    &[
        ("Boone", 380, true),
        ("Buchanan", 200, true),
        ("Cole", 170, true),
        ("Andrew", 35, false),
        ("DeKalb", 25, false),
        ("Clinton", 45, false),
        ("Caldwell", 20, false),
        ("Daviess", 15, false),
        ("Harrison", 20, false),
        ("Gentry", 15, false),
        ("Worth", 5, false),
        ("Nodaway", 45, false),
        ("Atchison", 10, false),
        ("Holt", 10, false),
        ("Mercer", 10, false),
        ("Grundy", 20, false),
        ("Livingston", 30, false),
        ("Carroll", 20, false),
        ("Chariton", 15, false),
        ("Linn", 25, false),
        ("Sullivan", 10, false),
        ("Putnam", 10, false),
        ("Schuyler", 10, false),
        ("Adair", 55, false),
        ("Macon", 30, false),
        ("Scotland", 10, false),
        ("Clark", 15, false),
        ("Knox", 10, false),
        ("Lewis", 20, false),
        ("Shelby", 15, false),
        ("Marion", 60, false),
        ("Monroe", 15, false),
        ("Ralls", 20, false),
        ("Pike", 35, false),
        ("Randolph", 55, false),
        ("Audrain", 55, false),
        ("Montgomery", 25, false),
        ("Callaway", 95, false),
        ("Howard", 20, false),
        ("Cooper", 35, false),
        ("Saline", 50, false),
        ("Pettis", 95, false),
        ("Henry", 45, false),
        ("Benton", 40, false),
        ("Morgan", 40, false),
        ("Moniteau", 30, false),
        ("Miller", 55, false),
        ("Camden", 90, false),
        ("Osage", 15, false),
        ("Maries", 20, false),
        ("Gasconade", 30, false),
    ],
    &[
        ("Cape Girardeau", 160, true),
        ("St. Francois", 140, true),
        ("Butler", 130, true),
        ("Scott", 90, false),
        ("Mississippi", 35, false),
        ("New Madrid", 45, false),
        ("Pemiscot", 50, false),
        ("Dunklin", 70, false),
        ("Stoddard", 60, false),
        ("Bollinger", 25, false),
        ("Perry", 40, false),
        ("Ste. Genevieve", 35, false),
        ("Madison", 25, false),
        ("Iron", 20, false),
        ("Wayne", 25, false),
        ("Reynolds", 15, false),
        ("Carter", 15, false),
        ("Ripley", 25, false),
        ("Oregon", 20, false),
        ("Shannon", 15, false),
        ("Washington", 55, false),
        ("Dent", 35, false),
        ("Crawford", 50, false),
        ("Phelps", 90, false),
        ("Pulaski", 90, false),
    ],
];

/// Judicial circuits per region (46 in all).
pub const CIRCUITS_PER_REGION: [usize; 5] = [5, 6, 12, 14, 9];

/// The providers: id, name, and the region of the contract (`None` for the division).
pub const PROVIDERS: [(&str, &str, Option<usize>); 8] = [
    ("CD", "Children's Division", None),
    ("FCCM-KC1", "Heartland Kids Consortium", Some(0)),
    ("FCCM-KC2", "Missouri River Family Network", Some(0)),
    ("FCCM-STL1", "Gateway Children's Alliance", Some(1)),
    ("FCCM-STL2", "Confluence Family Partners", Some(1)),
    ("FCCM-STL3", "Arch City Youth Consortium", Some(1)),
    ("FCCM-SGF1", "Ozarks Family Partnership", Some(2)),
    ("FCCM-SGF2", "Queen City Kids Consortium", Some(2)),
];

/// Share of a contract region's entries managed by contractors, per million (the rest stay with
/// the division), split evenly between the region's contractors.
const CONTRACT_SHARE_PPM: u32 = 600_000;

/// Children per case manager, used to size each provider's workforce.
const CASELOAD: u64 = 14;

/// Case managers per supervisor.
const TEAM: usize = 6;

/// First entries per year at scale 1. With re-entries this gives about 6,000 entries a year.
const FIRST_ENTRIES_PER_YEAR: u64 = 5_600;

/// Expected children in care at scale 1 (for workforce sizing only).
const CENSUS: u64 = 13_000;

/// Years simulated before the history window, so that the window starts with a full caseload.
const WARM_UP_YEARS: i32 = 14;

/// How one provider performs: the seeded spread that makes scorecards differ.
#[derive(Debug, Clone, Copy)]
struct Profile {
    /// Worker/child visit per month in care, per million.
    worker_child_ppm: u32,
    /// Worker/parent visit per parent-month, per million.
    worker_parent_ppm: u32,
    /// Parent/child visit per eligible parent-month, per million.
    parent_child_ppm: u32,
    /// HCY exam within 30 days of entry, per million.
    hcy_30_ppm: u32,
    /// Re-entry within 12 months of a permanency exit, per million.
    reentry_ppm: u32,
    /// Substantiated maltreatment in care per 100,000 days, in hundredths (967 = 9.67).
    maltreatment_x100: u32,
    /// Length-of-stay multiplier, per thousand.
    los_permille: u32,
    /// Placement-length multiplier, per thousand (longer placements: fewer moves).
    placement_permille: u32,
    /// Records entered by the 15th of the following month, per million.
    timely_entry_ppm: u32,
    /// Sentinel events reported within a day, per million.
    timely_sentinel_ppm: u32,
    /// Workers completing trauma training, per million.
    trauma_ppm: u32,
    /// Reassignment of a child to another case manager, per month, per million.
    reassign_ppm: u32,
    /// Episodes returned to the division (contractors only), per million.
    return_ppm: u32,
}

impl Profile {
    fn draw(rng: &mut Rng, contractor: bool) -> Profile {
        Profile {
            worker_child_ppm: rng.spread(955_000, 7_000, 4, 995_000),
            worker_parent_ppm: rng.spread(540_000, 25_000, 4, 900_000),
            parent_child_ppm: rng.spread(610_000, 25_000, 4, 900_000),
            hcy_30_ppm: rng.spread(976_000, 5_000, 3, 995_000),
            reentry_ppm: rng.spread(80_000, 9_000, 3, 300_000),
            maltreatment_x100: rng.spread(967, 150, 3, 5_000),
            los_permille: rng.spread(1_220, 70, 3, 2_500),
            placement_permille: rng.spread(1_000, 70, 3, 2_000),
            timely_entry_ppm: rng.spread(930_000, 15_000, 3, 995_000),
            timely_sentinel_ppm: rng.spread(900_000, 30_000, 3, 995_000),
            trauma_ppm: rng.spread(850_000, 40_000, 3, 1_000_000),
            reassign_ppm: rng.spread(20_000, 5_000, 3, 100_000),
            return_ppm: if contractor {
                rng.spread(8_000, 3_000, 2, 100_000)
            } else {
                0
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Workforce
// ---------------------------------------------------------------------------------------------

/// A caseload slot: the case managers who hold it one after another.
struct Slot {
    /// (hire day, leave day or i32::MAX, worker).
    holders: Vec<(i32, i32, WorkerIx)>,
}

impl Slot {
    fn holder_on(&self, day: i32) -> Option<(i32, i32, WorkerIx)> {
        self.holders
            .iter()
            .copied()
            .find(|&(h, l, _)| h <= day && day < l)
    }
}

const TENURE: [(u32, i32, i32); 4] = [
    (30, 60, 365),
    (30, 366, 730),
    (25, 731, 1460),
    (15, 1461, 3650),
];

struct Workforce {
    /// Case-manager slots per provider.
    slots: Vec<Vec<Slot>>,
}

#[derive(Clone, Copy)]
struct Clock {
    sim_start: i32,
    first: i32,
    as_of: i32,
}

fn day(n: i32) -> Option<Day> {
    Day::from_number(n)
}

fn build_workforce(
    ds: &mut Dataset,
    seed: u64,
    clock: &Clock,
    census_by_provider: &[u64],
    profiles: &[Profile],
) -> Workforce {
    let mut slots: Vec<Vec<Slot>> = Vec::new();
    let mut worker_no = 0u64;
    let training_start = Day::from_ymd(2021, 1, 1).map_or(clock.first, Day::number);
    for (p, &census) in census_by_provider.iter().enumerate() {
        let provider = ProviderIx::from_index(p).unwrap_or_default();
        let profile = profiles.get(p).copied();
        let trauma_ppm = profile.map_or(0, |x| x.trauma_ppm);
        let mut rng = Rng::stream(seed, 2, p as u64);
        let n_slots = census.div_ceil(CASELOAD).max(1) as usize;
        let n_teams = n_slots.div_ceil(TEAM);
        // Supervisors first, so that case managers can name them.
        let mut teams: Vec<Slot> = Vec::with_capacity(n_teams);
        let mut hire_chain = |rng: &mut Rng,
                              ds: &mut Dataset,
                              role: WorkerRole,
                              team: Option<&Slot>,
                              tenure_factor: i32|
         -> Slot {
            let mut holders = Vec::new();
            let mut hire = clock.sim_start - rng.between(0, 2000);
            while hire <= clock.as_of {
                let leave = hire + rng.days(&TENURE) * tenure_factor;
                worker_no += 1;
                let trained = if rng.chance(trauma_ppm) {
                    let t = hire.max(training_start) + rng.between(30, 180);
                    (t <= clock.as_of).then(|| day(t)).flatten()
                } else {
                    None
                };
                // A snapshot extract names the latest supervisor: the team's supervisor on the
                // worker's last day (or on the last day of the data).
                let last_day = (leave - 1).min(clock.as_of).max(hire);
                let supervisor = team
                    .and_then(|s| s.holder_on(last_day.max(clock.sim_start)))
                    .map(|(_, _, w)| w);
                let w = ds.workers.push(
                    &format!("W{worker_no:06}"),
                    Worker {
                        provider,
                        role,
                        supervisor,
                        trauma_trained: trained,
                        hired: day(hire),
                        left: if leave <= clock.as_of {
                            day(leave)
                        } else {
                            None
                        },
                    },
                );
                holders.push((
                    hire,
                    if leave <= clock.as_of {
                        leave
                    } else {
                        i32::MAX
                    },
                    w,
                ));
                hire = leave;
            }
            Slot { holders }
        };
        for _ in 0..n_teams {
            let s = hire_chain(&mut rng, ds, WorkerRole::Supervisor, None, 2);
            teams.push(s);
        }
        let mut provider_slots = Vec::with_capacity(n_slots);
        for i in 0..n_slots {
            let team = teams.get(i / TEAM);
            let s = hire_chain(&mut rng, ds, WorkerRole::CaseManager, team, 1);
            provider_slots.push(s);
        }
        slots.push(provider_slots);
    }
    Workforce { slots }
}

// ---------------------------------------------------------------------------------------------
// Children
// ---------------------------------------------------------------------------------------------

/// Age at entry, in days: newborns, 1-5, 6-10, 11-13, 14-17, and a few entries at 18-20 (which
/// the CFSR indicators exclude).
const AGE_AT_ENTRY: [(u32, i32, i32); 6] = [
    (180, 0, 364),
    (300, 365, 2190),
    (210, 2191, 4017),
    (120, 4018, 5112),
    (187, 5113, 6573),
    (3, 6575, 7300),
];

/// Exit reasons by age band (same bands as [`AGE_AT_ENTRY`]): reunification, relative,
/// guardianship, adoption, emancipation, transfer, death, runaway, other.
const EXIT_MIX: [[u32; 9]; 6] = [
    [400, 100, 80, 350, 0, 20, 2, 0, 48],
    [470, 100, 100, 250, 0, 20, 1, 0, 59],
    [500, 100, 150, 150, 0, 40, 1, 0, 59],
    [500, 100, 150, 70, 80, 40, 1, 30, 29],
    [400, 80, 100, 20, 290, 50, 1, 50, 9],
    [100, 0, 0, 0, 800, 50, 0, 0, 50],
];

const EXIT_REASONS: [ExitReason; 9] = [
    ExitReason::Reunification,
    ExitReason::LivingWithRelative,
    ExitReason::Guardianship,
    ExitReason::Adoption,
    ExitReason::Emancipation,
    ExitReason::Transfer,
    ExitReason::Death,
    ExitReason::Runaway,
    ExitReason::Other,
];

/// Length of stay in days by exit reason.
fn los_buckets(reason: ExitReason) -> &'static [(u32, i32, i32)] {
    match reason {
        ExitReason::Reunification => &[
            (8, 0, 7),
            (10, 8, 90),
            (14, 91, 180),
            (24, 181, 365),
            (19, 366, 540),
            (13, 541, 730),
            (8, 731, 1095),
            (4, 1096, 1825),
        ],
        ExitReason::LivingWithRelative => &[
            (20, 30, 180),
            (35, 181, 365),
            (30, 366, 730),
            (15, 731, 1460),
        ],
        ExitReason::Guardianship => &[
            (15, 180, 365),
            (25, 366, 548),
            (25, 549, 730),
            (20, 731, 1095),
            (15, 1096, 2190),
        ],
        ExitReason::Adoption => &[
            (15, 365, 730),
            (35, 731, 1095),
            (25, 1096, 1460),
            (18, 1461, 2190),
            (7, 2191, 3650),
        ],
        _ => &[(40, 14, 365), (40, 366, 1095), (20, 1096, 2190)],
    }
}

/// The whole plan of one episode, before details.
#[derive(Clone, Copy)]
struct EpisodePlan {
    removal: i32,
    /// The exit day (may lie after `as_of`, when the episode is still open at the end).
    exit: i32,
    reason: ExitReason,
    provider: usize,
}

/// Region of each county and its weight, in county order.
struct Geography {
    county_region: Vec<usize>,
    county_weight: Vec<u32>,
}

fn build_geography(ds: &mut Dataset) -> Geography {
    let mut county_region = Vec::new();
    let mut county_weight = Vec::new();
    // Region names first, so that their indices follow REGIONS.
    for name in REGIONS {
        ds.regions.intern(name);
    }
    for (r, counties) in COUNTIES.iter().enumerate() {
        for &(name, weight, _) in counties.iter() {
            ds.counties.intern(name);
            county_region.push(r);
            county_weight.push(weight);
        }
    }
    Geography {
        county_region,
        county_weight,
    }
}

/// The number of circuits in the regions before `r`.
fn circuit_no_base(r: usize) -> usize {
    CIRCUITS_PER_REGION.iter().take(r).sum()
}

/// The circuit of every county (1-based numbers, in county order).
fn county_circuits() -> Vec<usize> {
    let mut out = Vec::new();
    for (r, counties) in COUNTIES.iter().enumerate() {
        let n_circuits = CIRCUITS_PER_REGION.get(r).copied().unwrap_or(1);
        let singles = counties.iter().filter(|c| c.2).count();
        let rest = counties.len() - singles;
        let shared = n_circuits.saturating_sub(singles).max(1);
        let base = circuit_no_base(r);
        let (mut single_i, mut shared_i) = (0usize, 0usize);
        for &(_, _, own) in counties.iter() {
            if own {
                single_i += 1;
                out.push(base + single_i);
            } else {
                out.push(base + singles + shared_i * shared / rest.max(1) + 1);
                shared_i += 1;
            }
        }
    }
    out
}

/// Generate a synthetic dataset.
///
/// Errors: a scale outside `(0, 50]`, years outside `1..=20`, or an `as_of` outside the years
/// 1980..=2180 ([`Error::OutOfRange`]).
///
/// # Example
///
/// ```
/// use cwfinance::metrics::synth::{generate, SynthOptions};
/// use rust_decimal::Decimal;
/// let a = generate(&SynthOptions::new(1).scale(Decimal::new(5, 3))).unwrap();
/// let b = generate(&SynthOptions::new(1).scale(Decimal::new(5, 3))).unwrap();
/// assert_eq!(a, b);
/// assert_eq!(generate(&SynthOptions::new(1).scale(Decimal::ZERO)).unwrap_err().kind(), "out_of_range");
/// ```
pub fn generate(options: &SynthOptions) -> Result<Dataset> {
    options.validate()?;
    let first = options
        .first_day()
        .ok_or_else(|| Error::invalid("as_of", options.as_of.to_string(), "out of range"))?;
    let as_of = options.as_of.number();
    let sim_start = first
        .add_years(-WARM_UP_YEARS)
        .ok_or_else(|| Error::invalid("as_of", options.as_of.to_string(), "out of range"))?
        .number();
    let clock = Clock {
        sim_start,
        first: first.number(),
        as_of,
    };
    let scale_per_million = (options.scale * Decimal::from(1_000_000))
        .round()
        .to_u64()
        .unwrap_or(1)
        .max(1);
    let scaled = |n: u64| (n * scale_per_million).div_ceil(1_000_000);

    let mut ds = Dataset::default();
    let geo = build_geography(&mut ds);
    let circuits = county_circuits();
    for c in 1..=CIRCUITS_PER_REGION.iter().sum::<usize>() {
        ds.circuits.intern(&c.to_string());
    }

    // Providers and their seeded profiles.
    let mut profiles = Vec::new();
    for (i, (id, name, region)) in PROVIDERS.iter().enumerate() {
        let kind = if region.is_some() {
            ProviderKind::Contractor
        } else {
            ProviderKind::Division
        };
        let region_ix = region.and_then(|r| ds.regions.get(REGIONS.get(r).copied().unwrap_or("")));
        ds.providers.push(id, name, kind, region_ix);
        let mut rng = Rng::stream(options.seed, 1, i as u64);
        profiles.push(Profile::draw(&mut rng, region.is_some()));
    }

    // Workforce sized from each provider's expected share of the caseload.
    let total_weight: u64 = geo.county_weight.iter().map(|&w| u64::from(w)).sum();
    let mut region_weight = [0u64; 5];
    for (r, w) in geo.county_region.iter().zip(&geo.county_weight) {
        if let Some(slot) = region_weight.get_mut(*r) {
            *slot += u64::from(*w);
        }
    }
    let census = scaled(CENSUS);
    let mut census_by_provider = vec![0u64; PROVIDERS.len()];
    for (r, &w) in region_weight.iter().enumerate() {
        let region_census = census * w / total_weight.max(1);
        let contractors: Vec<usize> = PROVIDERS
            .iter()
            .enumerate()
            .filter(|(_, p)| p.2 == Some(r))
            .map(|(i, _)| i)
            .collect();
        let contracted = if contractors.is_empty() {
            0
        } else {
            region_census * u64::from(CONTRACT_SHARE_PPM) / 1_000_000
        };
        if let Some(cd) = census_by_provider.get_mut(0) {
            *cd += region_census - contracted;
        }
        for &c in &contractors {
            if let Some(slot) = census_by_provider.get_mut(c) {
                *slot += contracted / contractors.len() as u64;
            }
        }
    }
    let workforce = build_workforce(
        &mut ds,
        options.seed,
        &clock,
        &census_by_provider,
        &profiles,
    );

    // Children: first entries spread uniformly over the simulated years.
    let sim_days = u64::try_from(as_of - sim_start + 1).unwrap_or(0);
    let n_first = scaled(FIRST_ENTRIES_PER_YEAR) * sim_days / 365;
    let mut children = ChildGenerator {
        seed: options.seed,
        clock,
        geo: &geo,
        circuits: &circuits,
        profiles: &profiles,
        workforce: &workforce,
        buffers: Buffers::default(),
        parent_no: 0,
    };
    for k in 0..n_first {
        children.child(&mut ds, k);
    }
    ds.finalize();
    for table in Table::ALL {
        ds.stats.record_read(*table, ds.rows(*table) as u64);
    }
    Ok(ds)
}

#[derive(Default)]
struct Buffers {
    episodes: Vec<EpisodePlan>,
    visits: Vec<Visit>,
    reports: Vec<Report>,
    exams: Vec<HcyExam>,
    goals: Vec<PermanencyGoal>,
    sentinel: Vec<SentinelEvent>,
}

struct ChildGenerator<'a> {
    seed: u64,
    clock: Clock,
    geo: &'a Geography,
    circuits: &'a [usize],
    profiles: &'a [Profile],
    workforce: &'a Workforce,
    buffers: Buffers,
    parent_no: u64,
}

impl ChildGenerator<'_> {
    fn pick_provider(&self, rng: &mut Rng, region: usize) -> usize {
        let contractors: [usize; 3] = {
            let mut c = [usize::MAX; 3];
            let mut n = 0;
            for (i, p) in PROVIDERS.iter().enumerate() {
                if p.2 != Some(region) {
                    continue;
                }
                if let Some(slot) = c.get_mut(n) {
                    *slot = i;
                    n += 1;
                }
            }
            c
        };
        let n = contractors.iter().filter(|&&c| c != usize::MAX).count();
        if n == 0 || !rng.chance(CONTRACT_SHARE_PPM) {
            return 0;
        }
        contractors
            .get(rng.below(n as u64) as usize)
            .copied()
            .unwrap_or(0)
    }

    /// Plan child `k` and, if any of its episodes reaches into the history window, emit it.
    fn child(&mut self, ds: &mut Dataset, k: u64) {
        let c = self.clock;
        let mut rng = Rng::stream(self.seed, 3, k);
        let removal = rng.between(c.sim_start, c.as_of);
        let age_band = rng.weighted(&AGE_AT_ENTRY.map(|b| b.0));
        let (_, lo, hi) = AGE_AT_ENTRY.get(age_band).copied().unwrap_or((0, 0, 0));
        let birth = removal - rng.between(lo, hi);
        let county = rng.weighted(&self.geo.county_weight);
        let region = self.geo.county_region.get(county).copied().unwrap_or(0);
        let eighteen = day(birth)
            .and_then(|b| b.add_years(18))
            .map_or(birth + 6575, Day::number);

        // Episodes, with re-entries after exits home.
        let mut episodes = std::mem::take(&mut self.buffers.episodes);
        episodes.clear();
        let mut entry = removal;
        while entry <= c.as_of && episodes.len() < 4 {
            let age_days = entry - birth;
            let band = AGE_AT_ENTRY
                .iter()
                .position(|b| age_days <= b.2)
                .unwrap_or(AGE_AT_ENTRY.len() - 1);
            let provider = self.pick_provider(&mut rng, region);
            let profile = self.profiles.get(provider).copied();
            let los_permille = profile.map_or(1000, |p| p.los_permille);
            let mix = EXIT_MIX.get(band).copied().unwrap_or([1; 9]);
            let mut reason = EXIT_REASONS
                .get(rng.weighted(&mix))
                .copied()
                .unwrap_or(ExitReason::Other);
            let mut exit = if reason == ExitReason::Emancipation {
                // Most leave on the 18th birthday; some stay in extended care up to 21.
                let extra = if rng.chance(300_000) {
                    rng.between(1, 3 * 365)
                } else {
                    0
                };
                eighteen.max(entry + 30) + extra
            } else {
                let los = rng.days(los_buckets(reason));
                // Very short stays are not stretched: they are the CFSR's "under 8 days".
                let los = if los < 8 {
                    los
                } else {
                    (i64::from(los) * i64::from(los_permille) / 1000) as i32
                };
                entry + los
            };
            if exit > eighteen && reason != ExitReason::Emancipation {
                reason = ExitReason::Emancipation;
                exit = eighteen.max(entry + 1);
            }
            episodes.push(EpisodePlan {
                removal: entry,
                exit,
                reason,
                provider,
            });
            if exit > c.as_of || !reason.is_permanency() || reason == ExitReason::Adoption {
                break;
            }
            let reentry_ppm = profile.map_or(80_000, |p| p.reentry_ppm);
            if rng.chance(reentry_ppm) {
                entry = exit + rng.between(14, 364);
            } else if rng.chance(40_000) {
                entry = exit + rng.between(366, 1460);
            } else {
                break;
            }
            if entry >= eighteen {
                break;
            }
        }
        let kept = episodes.iter().any(|e| e.exit >= c.first);
        if kept {
            self.emit(ds, k, birth, county, region, &episodes);
        }
        self.buffers.episodes = episodes;
    }

    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        ds: &mut Dataset,
        k: u64,
        birth: i32,
        county: usize,
        region: usize,
        episodes: &[EpisodePlan],
    ) {
        let Some(birth_day) = day(birth) else { return };
        let child = ds
            .children
            .push(&format!("C{:07}", ds.children.len() + 1), birth_day);
        let mut rng = Rng::stream(self.seed, 4, k);
        let c = self.clock;
        let county_ix = CountyIx::from_index(county).unwrap_or_default();
        let circuit_ix = self
            .circuits
            .get(county)
            .and_then(|n| CircuitIx::from_index(n.saturating_sub(1)))
            .unwrap_or_default();
        let region_ix = RegionIx::from_index(region).unwrap_or_default();

        // Parents: a mother almost always, a father often; a court may forbid visits.
        let mut parents: [(Option<ParentIx>, bool); 2] = [(None, false); 2];
        for (i, ppm) in [950_000u32, 550_000].into_iter().enumerate() {
            if rng.chance(ppm) {
                self.parent_no += 1;
                let p = ds.parent_ids.intern(&format!("P{:07}", self.parent_no));
                let allowed = rng.chance(880_000);
                ds.parents.push(ParentLink {
                    child,
                    parent: p,
                    visits_allowed: allowed,
                });
                if let Some(slot) = parents.get_mut(i) {
                    *slot = (Some(p), allowed);
                }
            }
        }

        let mut visits = std::mem::take(&mut self.buffers.visits);
        let mut reports = std::mem::take(&mut self.buffers.reports);
        let mut exams = std::mem::take(&mut self.buffers.exams);
        let mut goals = std::mem::take(&mut self.buffers.goals);
        let mut sentinel = std::mem::take(&mut self.buffers.sentinel);
        visits.clear();
        reports.clear();
        exams.clear();
        goals.clear();
        sentinel.clear();

        for e in episodes {
            let profile = self.profiles.get(e.provider).copied().unwrap_or(Profile {
                worker_child_ppm: 0,
                worker_parent_ppm: 0,
                parent_child_ppm: 0,
                hcy_30_ppm: 0,
                reentry_ppm: 0,
                maltreatment_x100: 0,
                los_permille: 1000,
                placement_permille: 1000,
                timely_entry_ppm: 0,
                timely_sentinel_ppm: 0,
                trauma_ppm: 0,
                reassign_ppm: 0,
                return_ppm: 0,
            });
            let open = e.exit > c.as_of;
            // The last day in care that the data can show.
            let last = if open { c.as_of } else { e.exit - 1 };
            let Some(removal_day) = day(e.removal) else {
                continue;
            };
            ds.episodes.push(Episode {
                child,
                removal: removal_day,
                exit: if open { None } else { day(e.exit) },
                exit_reason: if open { None } else { Some(e.reason) },
                county: county_ix,
                circuit: circuit_ix,
                region: region_ix,
            });

            // The report that led to the removal (for the recurrence indicator).
            if rng.chance(900_000) {
                let d = e.removal - rng.between(1, 14);
                if let Some(date) = day(d) {
                    let entered = self.entered(&mut rng, d, &profile);
                    reports.push(Report {
                        child,
                        date,
                        substantiated: true,
                        entered,
                    });
                }
            }

            self.assignments(ds, &mut rng, child, e, &profile, open);
            self.placements(ds, &mut rng, child, e, birth, &profile, open, &mut sentinel);

            // HCY/EPSDT: the first within 30 days of entry as a rule, then yearly.
            if e.exit - e.removal >= 1 {
                let first_exam = if rng.chance(profile.hcy_30_ppm) {
                    Some(e.removal + rng.between(0, 30))
                } else if rng.chance(800_000) {
                    Some(e.removal + rng.between(31, 90))
                } else {
                    None
                };
                let mut next = first_exam;
                while let Some(d) = next {
                    if d > last {
                        break;
                    }
                    if let Some(date) = day(d) {
                        let entered = self.entered(&mut rng, d, &profile);
                        exams.push(HcyExam {
                            child,
                            date,
                            entered,
                        });
                    }
                    next = Some(d + rng.between(330, 400));
                }
            }

            // Court-approved goals: the first within 30 to 60 days, a change for most children
            // who leave to adoption or guardianship.
            let first_goal = e.removal + rng.between(30, 60);
            if first_goal <= last {
                let initial = match e.reason {
                    ExitReason::Adoption | ExitReason::Guardianship if rng.chance(300_000) => {
                        if e.reason == ExitReason::Adoption {
                            Goal::Adoption
                        } else {
                            Goal::Guardianship
                        }
                    }
                    ExitReason::Emancipation if rng.chance(600_000) => Goal::Appla,
                    ExitReason::LivingWithRelative if rng.chance(500_000) => {
                        Goal::LivingWithRelative
                    }
                    _ => Goal::Reunification,
                };
                if let Some(date) = day(first_goal) {
                    goals.push(PermanencyGoal {
                        child,
                        goal: initial,
                        date,
                    });
                }
                let later = match e.reason {
                    ExitReason::Adoption => Some(Goal::Adoption),
                    ExitReason::Guardianship => Some(Goal::Guardianship),
                    ExitReason::LivingWithRelative => Some(Goal::LivingWithRelative),
                    ExitReason::Emancipation => Some(Goal::Appla),
                    _ => None,
                }
                .filter(|g| *g != initial);
                if let Some(goal) = later {
                    let span = (e.exit - first_goal).max(2);
                    let d = first_goal + rng.between(span / 3, span * 2 / 3);
                    if let Some(date) = day(d).filter(|_| d <= last) {
                        goals.push(PermanencyGoal { child, goal, date });
                    }
                }
            }

            // Maltreatment in care, in 30-day blocks: 9.67 per 100,000 days is 3 x 967 ppm
            // per block. Unsubstantiated reports are twice as frequent.
            let mut block = e.removal;
            while block <= last {
                let days_in_block = (last - block + 1).min(30);
                let ppm_sub = profile.maltreatment_x100 * 10 * days_in_block as u32 / 100;
                let ppm_unsub = 2 * ppm_sub;
                for substantiated in [true, false] {
                    let ppm = if substantiated { ppm_sub } else { ppm_unsub };
                    if rng.chance(ppm) {
                        let d = block + rng.between(0, days_in_block - 1);
                        if let Some(date) = day(d) {
                            let entered = self.entered(&mut rng, d, &profile);
                            reports.push(Report {
                                child,
                                date,
                                substantiated,
                                entered,
                            });
                            if substantiated {
                                self.sentinel(
                                    &mut rng,
                                    &mut sentinel,
                                    child,
                                    d,
                                    SentinelKind::AbuseReport,
                                    &profile,
                                );
                            }
                        }
                    }
                }
                // Other sentinel events: about 3% a year.
                if rng.chance(2_500) {
                    let d = block + rng.between(0, days_in_block - 1);
                    let kinds = [
                        SentinelKind::SeriousInjury,
                        SentinelKind::SelfHarm,
                        SentinelKind::Fire,
                        SentinelKind::NearFatality,
                        SentinelKind::Other,
                    ];
                    let kind = kinds
                        .get(rng.weighted(&[400, 300, 30, 20, 250]))
                        .copied()
                        .unwrap_or(SentinelKind::Other);
                    self.sentinel(&mut rng, &mut sentinel, child, d, kind, &profile);
                }
                block += 30;
            }
            if e.reason == ExitReason::Death && !open {
                self.sentinel(
                    &mut rng,
                    &mut sentinel,
                    child,
                    e.exit - 1,
                    SentinelKind::Fatality,
                    &profile,
                );
            }

            // Visits, month by month, inside the history window.
            let from = e.removal.max(c.first);
            if from <= last {
                let (Some(from_day), Some(last_day)) = (day(from), day(last)) else {
                    continue;
                };
                for month in from_day.month_number()..=last_day.month_number() {
                    let Some(month_start) = Day::from_month_number(month) else {
                        continue;
                    };
                    let next_start =
                        Day::from_month_number(month + 1).map_or(i32::MAX, Day::number);
                    let lo = month_start.number().max(from);
                    let hi = (next_start - 1).min(last);
                    if hi < lo {
                        continue;
                    }
                    let visit = |rng: &mut Rng,
                                 kind: VisitKind,
                                 parent: Option<ParentIx>,
                                 visits: &mut Vec<Visit>| {
                        let d = rng.between(lo, hi);
                        if let Some(date) = day(d) {
                            let entered = self.entered(rng, d, &profile);
                            visits.push(Visit {
                                child,
                                date,
                                kind,
                                parent,
                                entered,
                            });
                        }
                    };
                    if rng.chance(profile.worker_child_ppm) {
                        visit(&mut rng, VisitKind::WorkerChild, None, &mut visits);
                        if rng.chance(150_000) {
                            visit(&mut rng, VisitKind::WorkerChild, None, &mut visits);
                        }
                    }
                    for (parent, allowed) in parents {
                        let Some(parent) = parent else { continue };
                        if rng.chance(profile.worker_parent_ppm) {
                            visit(&mut rng, VisitKind::WorkerParent, Some(parent), &mut visits);
                        }
                        if allowed && rng.chance(profile.parent_child_ppm) {
                            visit(&mut rng, VisitKind::ParentChild, Some(parent), &mut visits);
                        }
                    }
                }
            }
        }

        // Per-child rows in date order (stable), so that finalize finds them sorted.
        // Exact duplicates (two visits the same day, entered the same day) are dropped here,
        // as the loader would drop them, so that the CSV loads back row for row.
        visits.sort_by_key(|v| (v.date, v.kind, v.parent, v.entered));
        visits.dedup();
        reports.sort_by_key(|r| r.date);
        exams.sort_by_key(|x| x.date);
        goals.sort_by_key(|g| g.date);
        sentinel.sort_by_key(|s| s.occurred);
        for v in &visits {
            ds.visits.push(*v);
        }
        for r in &reports {
            ds.reports.push(*r);
        }
        for x in &exams {
            ds.hcy_exams.push(*x);
        }
        for g in &goals {
            ds.permanency_goals.push(*g);
        }
        for s in &sentinel {
            ds.sentinel_events.push(*s);
        }
        self.buffers.visits = visits;
        self.buffers.reports = reports;
        self.buffers.exams = exams;
        self.buffers.goals = goals;
        self.buffers.sentinel = sentinel;
    }

    /// A data-entry day: by the 15th of the following month when timely, later otherwise;
    /// never after `as_of` (a record entered later would not be in the extract).
    fn entered(&self, rng: &mut Rng, d: i32, profile: &Profile) -> Option<Day> {
        let event = day(d)?;
        let deadline = Day::from_month_number(event.month_number() + 1)?.number() + 14;
        let e = if rng.chance(profile.timely_entry_ppm) {
            d + rng.between(0, (deadline - d).min(20))
        } else {
            deadline + rng.between(1, 45)
        };
        day(e.min(self.clock.as_of).max(d))
    }

    fn sentinel(
        &self,
        rng: &mut Rng,
        out: &mut Vec<SentinelEvent>,
        child: ChildIx,
        d: i32,
        kind: SentinelKind,
        profile: &Profile,
    ) {
        let Some(occurred) = day(d) else { return };
        if d > self.clock.as_of {
            return;
        }
        let reported = if rng.chance(profile.timely_sentinel_ppm) {
            d + rng.between(0, 1)
        } else if rng.chance(900_000) {
            d + rng.between(2, 10)
        } else {
            i32::MAX
        };
        out.push(SentinelEvent {
            child,
            kind,
            occurred,
            reported: if reported <= self.clock.as_of {
                day(reported)
            } else {
                None
            },
        });
    }

    /// Case-management assignments: a slot of the provider; a new worker when the holder
    /// leaves, when the case is reassigned, or when a contractor returns it to the division.
    fn assignments(
        &self,
        ds: &mut Dataset,
        rng: &mut Rng,
        child: ChildIx,
        e: &EpisodePlan,
        profile: &Profile,
        open: bool,
    ) {
        let end = if open { self.clock.as_of + 1 } else { e.exit };
        let mut provider = e.provider;
        // A return to the division, at a day within the episode.
        let returned = if e.exit - e.removal > 60 && rng.chance(profile.return_ppm) {
            let d = e.removal + rng.between(30, e.exit - e.removal - 1);
            (d < end).then_some(d)
        } else {
            None
        };
        let mut cur = e.removal;
        let mut slot_i = self.pick_slot(rng, provider);
        let mut guard = 0;
        while cur < end && guard < 200 {
            guard += 1;
            let Some(slot) = self
                .workforce
                .slots
                .get(provider)
                .and_then(|s| s.get(slot_i))
            else {
                break;
            };
            let Some((_, leaves, worker)) = slot.holder_on(cur) else {
                break;
            };
            let reassign = if rng.chance(profile.reassign_ppm.saturating_mul(12)) {
                cur + rng.between(30, 365)
            } else {
                i32::MAX
            };
            let ret = returned.filter(|&d| d > cur).unwrap_or(i32::MAX);
            let next = leaves.min(reassign).min(ret).min(end);
            let (Some(start), ds_end) = (day(cur), day(next)) else {
                break;
            };
            ds.assignments.push(Assignment {
                child,
                provider: ProviderIx::from_index(provider).unwrap_or_default(),
                worker,
                start,
                end: if next > self.clock.as_of {
                    None
                } else {
                    ds_end
                },
            });
            if next == ret {
                provider = 0;
                slot_i = self.pick_slot(rng, provider);
                let cost = if rng.chance(600_000) {
                    Some(Money::from_cents(i64::from(
                        rng.between(2_500_000, 40_000_000),
                    )))
                } else {
                    None
                };
                let reason = if cost.is_some() {
                    ReturnReason::CatastrophicCost
                } else {
                    ReturnReason::CourtOrder
                };
                if let Some(date) = day(next) {
                    ds.case_returns.push(CaseReturn {
                        child,
                        provider: ProviderIx::from_index(e.provider).unwrap_or_default(),
                        date,
                        reason,
                        cost,
                    });
                }
            } else if next == reassign {
                slot_i = self.pick_slot(rng, provider);
            }
            cur = next;
        }
    }

    fn pick_slot(&self, rng: &mut Rng, provider: usize) -> usize {
        let n = self.workforce.slots.get(provider).map_or(1, Vec::len) as u64;
        rng.below(n) as usize
    }

    /// Placements: a first setting by age, moves at provider-dependent intervals, a runaway
    /// spell for some teenagers, and a trial home visit before many reunifications.
    #[allow(clippy::too_many_arguments)]
    fn placements(
        &self,
        ds: &mut Dataset,
        rng: &mut Rng,
        child: ChildIx,
        e: &EpisodePlan,
        birth: i32,
        profile: &Profile,
        open: bool,
        sentinel: &mut Vec<SentinelEvent>,
    ) {
        let end = e.exit;
        // A trial home visit closes many reunifications.
        let thv_start =
            if e.reason == ExitReason::Reunification && end - e.removal > 90 && rng.chance(350_000)
            {
                Some(end - rng.between(30, (end - e.removal) / 2).min(180))
            } else {
                None
            };
        let home_from = thv_start.unwrap_or(end);
        let mut cur = e.removal;
        let mut runaway_done = false;
        let mut guard = 0;
        while cur < home_from && guard < 100 {
            guard += 1;
            let age = (cur - birth) / 365;
            let setting = if !runaway_done && age >= 14 && cur > e.removal && rng.chance(100_000) {
                runaway_done = true;
                PlacementSetting::Runaway
            } else {
                let weights: [u32; 5] = if age < 6 {
                    [620, 330, 30, 0, 20]
                } else if age < 12 {
                    [560, 300, 80, 30, 30]
                } else {
                    [380, 250, 100, 150, 120]
                };
                [
                    PlacementSetting::FamilyFoster,
                    PlacementSetting::Relative,
                    PlacementSetting::Therapeutic,
                    PlacementSetting::Residential,
                    PlacementSetting::GroupHome,
                ]
                .get(rng.weighted(&weights))
                .copied()
                .unwrap_or(PlacementSetting::Other)
            };
            let length = if setting == PlacementSetting::Runaway {
                rng.between(3, 30)
            } else {
                let base = rng.days(&[
                    (20, 8, 60),
                    (30, 61, 180),
                    (25, 181, 365),
                    (15, 366, 730),
                    (10, 731, 1460),
                ]);
                (i64::from(base) * i64::from(profile.placement_permille) / 1000) as i32
            };
            let next = (cur + length.max(1)).min(home_from);
            self.push_placement(ds, rng, child, setting, cur, next, open, profile);
            if setting == PlacementSetting::Runaway {
                self.sentinel(rng, sentinel, child, cur, SentinelKind::Elopement, profile);
            }
            cur = next;
        }
        if let Some(t) = thv_start {
            self.push_placement(
                ds,
                rng,
                child,
                PlacementSetting::TrialHomeVisit,
                t,
                end,
                open,
                profile,
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push_placement(
        &self,
        ds: &mut Dataset,
        rng: &mut Rng,
        child: ChildIx,
        setting: PlacementSetting,
        start: i32,
        end: i32,
        open: bool,
        profile: &Profile,
    ) {
        if start > self.clock.as_of {
            return;
        }
        let Some(start_day) = day(start) else { return };
        // An episode still open at the end has no exit, so neither has its last placement.
        let _ = open;
        ds.placements.push(Placement {
            child,
            setting,
            start: start_day,
            end: if end > self.clock.as_of {
                None
            } else {
                day(end)
            },
            entered: self.entered(rng, start, profile),
        });
    }
}

// ---------------------------------------------------------------------------------------------
// CSV output
// ---------------------------------------------------------------------------------------------

/// A field, quoted when it holds a comma, a quote or a line break.
fn put_text(out: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

fn put_day(out: &mut Vec<u8>, d: Option<Day>) {
    let Some(d) = d else { return };
    let date = d.date();
    use chrono::Datelike;
    let (y, m, dd) = (date.year(), date.month(), date.day());
    let y = y.clamp(0, 9999) as u32;
    let digits = [
        b'0' + (y / 1000) as u8,
        b'0' + (y / 100 % 10) as u8,
        b'0' + (y / 10 % 10) as u8,
        b'0' + (y % 10) as u8,
        b'-',
        b'0' + (m / 10) as u8,
        b'0' + (m % 10) as u8,
        b'-',
        b'0' + (dd / 10) as u8,
        b'0' + (dd % 10) as u8,
    ];
    out.extend_from_slice(&digits);
}

fn put_bool(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

/// Write one table as CSV: a header with the columns of [`Table::columns`], then one line per
/// row, in the dataset's (sorted) order. Optional empty cells are written empty.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::{data::*, synth::write_csv};
/// let mut ds = Dataset::default();
/// ds.children.push("C1", Day::from_ymd(2015, 3, 9).unwrap());
/// let mut out = Vec::new();
/// write_csv(&ds, Table::Children, &mut out).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), "child_id,birth_date\nC1,2015-03-09\n");
/// ```
pub fn write_csv<W: Write>(ds: &Dataset, table: Table, out: &mut W) -> io::Result<()> {
    let mut line: Vec<u8> = Vec::with_capacity(128);
    let header: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
    out.write_all(header.join(",").as_bytes())?;
    out.write_all(b"\n")?;
    let child = |c: ChildIx| ds.children.ids.name(c);
    let n = ds.rows(table);
    for i in 0..n {
        line.clear();
        let l = &mut line;
        let ok = match table {
            Table::Providers => {
                let p = ProviderIx::from_index(i).unwrap_or_default();
                put_text(l, ds.providers.ids.name(p));
                l.push(b',');
                put_text(l, ds.providers.name.get(i).map_or("", String::as_str));
                l.push(b',');
                put_text(l, ds.providers.kind.get(i).map_or("", |k| k.as_str()));
                l.push(b',');
                if let Some(Some(r)) = ds.providers.region.get(i) {
                    put_text(l, ds.regions.name(*r));
                }
                true
            }
            Table::Children => {
                let c = ChildIx::from_index(i).unwrap_or_default();
                put_text(l, child(c));
                l.push(b',');
                put_day(l, ds.children.birth.get(i).copied());
                true
            }
            Table::Workers => match ds.workers.get(WorkerIx::from_index(i).unwrap_or_default()) {
                Some(w) => {
                    put_text(
                        l,
                        ds.workers
                            .ids
                            .name(WorkerIx::from_index(i).unwrap_or_default()),
                    );
                    l.push(b',');
                    put_text(l, ds.providers.ids.name(w.provider));
                    l.push(b',');
                    put_text(l, w.role.as_str());
                    l.push(b',');
                    if let Some(s) = w.supervisor {
                        put_text(l, ds.workers.ids.name(s));
                    }
                    l.push(b',');
                    put_day(l, w.trauma_trained);
                    l.push(b',');
                    put_day(l, w.hired);
                    l.push(b',');
                    put_day(l, w.left);
                    true
                }
                None => false,
            },
            Table::Parents => match ds.parents.get(i) {
                Some(p) => {
                    put_text(l, ds.parent_ids.name(p.parent));
                    l.push(b',');
                    put_text(l, child(p.child));
                    l.push(b',');
                    put_bool(l, p.visits_allowed);
                    true
                }
                None => false,
            },
            Table::Episodes => match ds.episodes.get(i) {
                Some(e) => {
                    put_text(l, child(e.child));
                    l.push(b',');
                    put_day(l, Some(e.removal));
                    l.push(b',');
                    put_day(l, e.exit);
                    l.push(b',');
                    if let Some(r) = e.exit_reason {
                        put_text(l, r.as_str());
                    }
                    l.push(b',');
                    put_text(l, ds.counties.name(e.county));
                    l.push(b',');
                    put_text(l, ds.circuits.name(e.circuit));
                    l.push(b',');
                    put_text(l, ds.regions.name(e.region));
                    true
                }
                None => false,
            },
            Table::Assignments => match ds.assignments.get(i) {
                Some(a) => {
                    put_text(l, child(a.child));
                    l.push(b',');
                    put_text(l, ds.providers.ids.name(a.provider));
                    l.push(b',');
                    put_text(l, ds.workers.ids.name(a.worker));
                    l.push(b',');
                    put_day(l, Some(a.start));
                    l.push(b',');
                    put_day(l, a.end);
                    true
                }
                None => false,
            },
            Table::Placements => match ds.placements.get(i) {
                Some(p) => {
                    put_text(l, child(p.child));
                    l.push(b',');
                    put_text(l, p.setting.as_str());
                    l.push(b',');
                    put_day(l, Some(p.start));
                    l.push(b',');
                    put_day(l, p.end);
                    l.push(b',');
                    put_day(l, p.entered);
                    true
                }
                None => false,
            },
            Table::Visits => match ds.visits.get(i) {
                Some(v) => {
                    put_text(l, child(v.child));
                    l.push(b',');
                    put_day(l, Some(v.date));
                    l.push(b',');
                    put_text(l, v.kind.as_str());
                    l.push(b',');
                    if let Some(p) = v.parent {
                        put_text(l, ds.parent_ids.name(p));
                    }
                    l.push(b',');
                    put_day(l, v.entered);
                    true
                }
                None => false,
            },
            Table::HcyExams => match ds.hcy_exams.get(i) {
                Some(x) => {
                    put_text(l, child(x.child));
                    l.push(b',');
                    put_day(l, Some(x.date));
                    l.push(b',');
                    put_day(l, x.entered);
                    true
                }
                None => false,
            },
            Table::Reports => match ds.reports.get(i) {
                Some(r) => {
                    put_text(l, child(r.child));
                    l.push(b',');
                    put_day(l, Some(r.date));
                    l.push(b',');
                    put_bool(l, r.substantiated);
                    l.push(b',');
                    put_day(l, r.entered);
                    true
                }
                None => false,
            },
            Table::PermanencyGoals => match ds.permanency_goals.get(i) {
                Some(g) => {
                    put_text(l, child(g.child));
                    l.push(b',');
                    put_text(l, g.goal.as_str());
                    l.push(b',');
                    put_day(l, Some(g.date));
                    true
                }
                None => false,
            },
            Table::SentinelEvents => match ds.sentinel_events.get(i) {
                Some(s) => {
                    put_text(l, child(s.child));
                    l.push(b',');
                    put_text(l, s.kind.as_str());
                    l.push(b',');
                    put_day(l, Some(s.occurred));
                    l.push(b',');
                    put_day(l, s.reported);
                    true
                }
                None => false,
            },
            Table::CaseReturns => match ds.case_returns.get(i) {
                Some(r) => {
                    put_text(l, child(r.child));
                    l.push(b',');
                    put_text(l, ds.providers.ids.name(r.provider));
                    l.push(b',');
                    put_day(l, Some(r.date));
                    l.push(b',');
                    put_text(l, r.reason.as_str());
                    l.push(b',');
                    if let Some(c) = r.cost {
                        put_text(l, &c.to_string());
                    }
                    true
                }
                None => false,
            },
        };
        if ok {
            line.push(b'\n');
            out.write_all(&line)?;
        }
    }
    Ok(())
}

/// Every table as CSV text: `(file name, text)` in [`Table::ALL`] order. Holds all the text in
/// memory; for large scales write table by table with [`write_csv`].
///
/// # Example
///
/// ```
/// use cwfinance::metrics::{data::Dataset, synth::to_csv};
/// let files = to_csv(&Dataset::default());
/// assert_eq!(files.len(), 13);
/// assert_eq!(files[1], ("children.csv".to_string(), "child_id,birth_date\n".to_string()));
/// ```
pub fn to_csv(ds: &Dataset) -> Vec<(String, String)> {
    Table::ALL
        .iter()
        .map(|t| {
            let mut out = Vec::new();
            // Writing into a Vec cannot fail.
            let _ = write_csv(ds, *t, &mut out);
            (
                t.file_name().to_string(),
                String::from_utf8_lossy(&out).into_owned(),
            )
        })
        .collect()
}

/// An invalid CSV row made on purpose, with the problem code the loader must report for it.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::{synth::{generate, bad_rows, SynthOptions}, data::Table};
/// let ds = generate(&SynthOptions::new(3).scale(rust_decimal::Decimal::new(2, 3))).unwrap();
/// let bad = bad_rows(&ds, 2);
/// assert_eq!(bad[0].table, Table::Children);
/// assert_eq!(bad[0].code, "duplicate_id");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// The table whose CSV the line is appended to.
    pub table: Table,
    /// The CSV line, without its line break.
    pub line: String,
    /// The problem code it triggers (exactly one problem per row).
    pub code: &'static str,
}

/// `count` invalid rows for the loader's error paths, cycling through eleven kinds of problem:
/// `duplicate_id`, `unknown_child`, `unknown_code`, `exit_before_removal`, `invalid_date`,
/// `unknown_provider`, `invalid_bool`, `reported_before_occurred`, `negative_amount`,
/// `overlapping_episodes` and `unknown_parent`. Each triggers exactly one problem when appended
/// to the tables of `ds` (which must have children, episodes and providers). Deterministic.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::synth::*;
/// use cwfinance::metrics::load::{from_csv, LoadOptions};
/// let ds = generate(&SynthOptions::new(5).scale(rust_decimal::Decimal::new(2, 3))).unwrap();
/// let bad = bad_rows(&ds, 11);
/// let mut files = to_csv(&ds);
/// for b in &bad {
///     let f = files.iter_mut().find(|(n, _)| n == b.table.file_name()).unwrap();
///     f.1.push_str(&b.line);
///     f.1.push('\n');
/// }
/// let pairs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
/// let cwfinance::Error::InvalidData { problems } = from_csv(&pairs, &LoadOptions::default()).unwrap_err() else { panic!() };
/// assert_eq!(problems.len(), 11);
/// ```
pub fn bad_rows(ds: &Dataset, count: usize) -> Vec<BadRow> {
    let mut out = Vec::with_capacity(count);
    let n_children = ds.children.len().max(1);
    for i in 0..count {
        // Spread the rows over the children, deterministically.
        let c = ChildIx::from_index((i * 7919) % n_children).unwrap_or_default();
        let id = ds.children.ids.name(c).to_string();
        let birth = ds
            .children
            .birth
            .get(c.index())
            .copied()
            .unwrap_or(Day::UNIX_EPOCH);
        let episode = ds.episodes.rows_of(c).next();
        let geo = episode.map_or(("Boone", "13", "Northeast"), |e| {
            (
                ds.counties.name(e.county),
                ds.circuits.name(e.circuit),
                ds.regions.name(e.region),
            )
        });
        let d = |n: i32| birth.add_days(n).map_or(String::new(), |d| d.to_string());
        let (table, line, code) = match i % 11 {
            0 => (Table::Children, format!("{id},{}", birth), "duplicate_id"),
            1 => (
                Table::Visits,
                format!("X-NO-SUCH-CHILD-{i},{},worker_child,,", d(400)),
                "unknown_child",
            ),
            2 => (
                Table::Visits,
                format!("{id},{},home_visit,,", d(400)),
                "unknown_code",
            ),
            3 => (
                Table::Episodes,
                format!(
                    "{id},{},{},reunification,{},{},{}",
                    d(2),
                    d(1),
                    csv_field(geo.0),
                    csv_field(geo.1),
                    csv_field(geo.2)
                ),
                "exit_before_removal",
            ),
            4 => (
                Table::Placements,
                format!("{id},family_foster,2023-02-30,,"),
                "invalid_date",
            ),
            5 => (
                Table::Assignments,
                format!(
                    "{id},NO-SUCH-PROVIDER-{i},{},{},",
                    ds.workers.ids.name(WorkerIx(0)),
                    d(400)
                ),
                "unknown_provider",
            ),
            6 => (
                Table::Reports,
                format!("{id},{},maybe,", d(400)),
                "invalid_bool",
            ),
            7 => (
                Table::SentinelEvents,
                format!("{id},elopement,{},{}", d(400), d(399)),
                "reported_before_occurred",
            ),
            8 => (
                Table::CaseReturns,
                format!(
                    "{id},{},{},court_order,-5.00",
                    ds.providers.ids.name(ProviderIx(0)),
                    d(400)
                ),
                "negative_amount",
            ),
            9 => {
                // A copy of the child's last episode that has at least one day in care overlaps
                // exactly that episode.
                let last = ds
                    .episodes
                    .rows_of(c)
                    .last()
                    .filter(|e| e.exit.is_none_or(|x| x > e.removal));
                match last {
                    Some(e) => (
                        Table::Episodes,
                        format!(
                            "{id},{},{},{},{},{},{}",
                            e.removal,
                            e.exit.map_or(String::new(), |x| x.to_string()),
                            e.exit_reason.map_or("", |r| r.as_str()),
                            csv_field(ds.counties.name(e.county)),
                            csv_field(ds.circuits.name(e.circuit)),
                            csv_field(ds.regions.name(e.region))
                        ),
                        "overlapping_episodes",
                    ),
                    None => (Table::Children, format!("{id},{birth}"), "duplicate_id"),
                }
            }
            _ => (
                Table::Visits,
                format!("{id},{},parent_child,NO-SUCH-PARENT-{i},", d(400)),
                "unknown_parent",
            ),
        };
        out.push(BadRow { table, line, code });
    }
    out
}

fn csv_field(s: &str) -> String {
    let mut v = Vec::new();
    put_text(&mut v, s);
    String::from_utf8_lossy(&v).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missouri_geography_counts() {
        let n: usize = COUNTIES.iter().map(|r| r.len()).sum();
        assert_eq!(n, 115);
        let mut names: Vec<&str> = COUNTIES
            .iter()
            .flat_map(|r| r.iter().map(|c| c.0))
            .collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 115);
        assert_eq!(CIRCUITS_PER_REGION.iter().sum::<usize>(), 46);
        let mut circuits = county_circuits();
        assert_eq!(circuits.len(), 115);
        circuits.sort();
        circuits.dedup();
        assert_eq!(circuits, (1..=46).collect::<Vec<_>>());
    }

    #[test]
    fn rng_is_uniform_enough_and_stable() {
        let mut r = Rng::stream(1, 2, 3);
        let first = r.next();
        assert_eq!(Rng::stream(1, 2, 3).next(), first);
        let mut counts = [0u32; 10];
        for _ in 0..100_000 {
            counts[r.below(10) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_500..10_500).contains(&c)),
            "{counts:?}"
        );
        assert_eq!(r.between(5, 5), 5);
        assert_eq!(r.below(0), 0);
    }
}
