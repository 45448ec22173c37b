//! Case-level data for HB 1414 measurement: typed, columnar, compact tables.
//!
//! The tables are the ones 13 CSR 35-35.100 and the Children's Division HB 1414 page need to
//! compute the Phase I and Phase II metrics (`004_c47e555d576af250.txt`) and the rest of
//! 13 CSR 35-35.100(3)(E) (`003_d493ecb4a837036e.txt`): children, removal episodes,
//! case-management assignments, placements, visits, parents, HCY/EPSDT exams, abuse/neglect
//! reports, court-approved permanency goals, workers, sentinel events and cases returned to the
//! division. `docs/data.md` is the data dictionary (every column, type, requirement and code).
//!
//! # Layout
//!
//! Every table is stored **column by column** ([`Episodes::removal`], [`Episodes::exit`], ...).
//! Ids are interned into [`Dictionary`]s and stored as `u32` index newtypes ([`ChildIx`],
//! [`ProviderIx`], ...). Dates are [`Day`]s (4 bytes; `Option<Day>` is also 4 bytes). Codes are
//! one-byte enums. Per-child tables are sorted by child, then by their date, and carry an
//! [`Offsets`] index so that `table.of(child)` is the contiguous row range of one child: a metric
//! walks children in order and reads each child's rows with no lookup and no allocation.
//!
//! A [`Dataset`] holds every table, the dictionaries of counties, circuits, regions and parents,
//! and the [`LoadStats`] (rows read, used, and excluded per reason per table). Datasets come from
//! [`crate::metrics::load`] (CSV text or inline JSON) or [`crate::metrics::synth`]; they can also
//! be built row by row with the tables' `push` methods followed by [`Dataset::finalize`].
//!
//! # Example
//!
//! ```
//! use cwfinance::metrics::data::*;
//!
//! let mut ds = Dataset::default();
//! let cd = ds.providers.push("CD", "Children's Division", ProviderKind::Division, None);
//! let c1 = ds.children.push("C1", Day::from_ymd(2012, 3, 4).unwrap());
//! let greene = ds.counties.intern("Greene");
//! let circuit = ds.circuits.intern("31");
//! let region = ds.regions.intern("Springfield");
//! ds.episodes.push(Episode {
//!     child: c1,
//!     removal: Day::from_ymd(2023, 1, 10).unwrap(),
//!     exit: Day::from_ymd(2023, 9, 1),
//!     exit_reason: Some(ExitReason::Reunification),
//!     county: greene,
//!     circuit,
//!     region,
//! });
//! ds.finalize();
//! let eps: Vec<Episode> = ds.episodes.rows_of(c1).collect();
//! assert_eq!(eps.len(), 1);
//! assert_eq!(eps[0].exit.unwrap().days_since(eps[0].removal), 234);
//! assert_eq!(ds.providers.ids.name(cd), "CD");
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::marker::PhantomData;
use std::num::NonZeroI32;
use std::ops::Range;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Error, Money};

// ---------------------------------------------------------------------------------------------
// Day
// ---------------------------------------------------------------------------------------------

/// A calendar date stored as a 4-byte day number, so that `Option<Day>` is also 4 bytes.
///
/// The number is chrono's `num_days_from_ce` (0001-01-01 is day 1), which is never zero for the
/// dates the data may hold ([`Day::EARLIEST_YEAR`]..=[`Day::LATEST_YEAR`]). Differences of day
/// numbers are differences in days, so lengths of stay are one subtraction. Text form is ISO
/// `YYYY-MM-DD`, in CSV and in JSON.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::data::Day;
///
/// let removal: Day = "2024-01-31".parse().unwrap();
/// let exit = Day::from_ymd(2024, 3, 1).unwrap();
/// assert_eq!(exit.days_since(removal), 30);
/// assert_eq!(removal.add_months(1).unwrap().to_string(), "2024-02-29");
/// assert_eq!(std::mem::size_of::<Option<Day>>(), 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(NonZeroI32);

impl Day {
    /// The earliest year a [`Day`] may hold (birth dates of the oldest records).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// assert!(Day::from_ymd(Day::EARLIEST_YEAR - 1, 12, 31).is_none());
    /// ```
    pub const EARLIEST_YEAR: i32 = 1900;

    /// The latest year a [`Day`] may hold.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// assert!(Day::from_ymd(Day::LATEST_YEAR, 12, 31).is_some());
    /// assert!(Day::from_ymd(Day::LATEST_YEAR + 1, 1, 1).is_none());
    /// ```
    pub const LATEST_YEAR: i32 = 2199;

    /// 1970-01-01, a fixed valid day (for defaults and fallbacks).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// assert_eq!(Day::UNIX_EPOCH.to_string(), "1970-01-01");
    /// ```
    pub const UNIX_EPOCH: Day = match NonZeroI32::new(719_163) {
        Some(n) => Day(n),
        None => Day(NonZeroI32::MIN),
    };

    /// The day for a year, month and day of month, if it is a real date within range.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// assert!(Day::from_ymd(2024, 2, 29).is_some());
    /// assert!(Day::from_ymd(2023, 2, 29).is_none());
    /// ```
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Day> {
        NaiveDate::from_ymd_opt(year, month, day).and_then(Day::from_date)
    }

    /// The day of a chrono date, if within range.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// let d = chrono::NaiveDate::from_ymd_opt(2022, 10, 1).unwrap();
    /// assert_eq!(Day::from_date(d).unwrap().date(), d);
    /// ```
    pub fn from_date(date: NaiveDate) -> Option<Day> {
        if !(Self::EARLIEST_YEAR..=Self::LATEST_YEAR).contains(&date.year()) {
            return None;
        }
        NonZeroI32::new(date.num_days_from_ce()).map(Day)
    }

    /// The day with chrono day number `number` (0001-01-01 is 1), if within range.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// let d = Day::from_ymd(2020, 1, 1).unwrap();
    /// assert_eq!(Day::from_number(d.number() + 1), Day::from_ymd(2020, 1, 2));
    /// ```
    pub fn from_number(number: i32) -> Option<Day> {
        if (Self::FIRST_NUMBER..=Self::LAST_NUMBER).contains(&number) {
            NonZeroI32::new(number).map(Day)
        } else {
            None
        }
    }

    /// 1900-01-01 and 2199-12-31 as day numbers (0001-01-01 is 1).
    const FIRST_NUMBER: i32 = 693_596;
    const LAST_NUMBER: i32 = 803_168;

    /// The day `days` days after 1970-01-01 (Arrow's `date32`, NumPy's `datetime64[D]`), if
    /// within range.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// assert_eq!(Day::from_unix_days(0), Some(Day::UNIX_EPOCH));
    /// assert_eq!(Day::from_unix_days(19_723), Day::from_ymd(2024, 1, 1));
    /// assert_eq!(Day::from_unix_days(i32::MAX), None);
    /// ```
    pub fn from_unix_days(days: i32) -> Option<Day> {
        Day::from_number(days.checked_add(Self::UNIX_EPOCH.0.get())?)
    }

    /// Parse strict ISO `YYYY-MM-DD` (ten characters; surrounding spaces are allowed).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// assert_eq!(Day::parse(" 2023-10-01 "), Day::from_ymd(2023, 10, 1));
    /// assert_eq!(Day::parse("2023-1-5"), None);
    /// assert_eq!(Day::parse("10/01/2023"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Day> {
        let b = text.trim().as_bytes();
        if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        let num = |r: Range<usize>| -> Option<u32> {
            let mut v = 0u32;
            for &c in b.get(r)? {
                if !c.is_ascii_digit() {
                    return None;
                }
                v = v * 10 + u32::from(c - b'0');
            }
            Some(v)
        };
        let year = i32::try_from(num(0..4)?).ok()?;
        Day::from_ymd(year, num(5..7)?, num(8..10)?)
    }

    /// The chrono date.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// assert_eq!(Day::from_ymd(2024, 7, 4).unwrap().date().to_string(), "2024-07-04");
    /// ```
    pub fn date(self) -> NaiveDate {
        // Days are only built from valid in-range dates, so the fallback is unreachable.
        NaiveDate::from_num_days_from_ce_opt(self.0.get()).unwrap_or_default()
    }

    /// The day number (0001-01-01 is 1); differences are numbers of days.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// assert_eq!(Day::from_ymd(1900, 1, 1).unwrap().number(), 693_596);
    /// ```
    pub fn number(self) -> i32 {
        self.0.get()
    }

    /// Days from `earlier` to `self` (negative when `self` is before `earlier`).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// let a = Day::from_ymd(2024, 1, 1).unwrap();
    /// let b = Day::from_ymd(2024, 12, 31).unwrap();
    /// assert_eq!(b.days_since(a), 365);
    /// assert_eq!(a.days_since(b), -365);
    /// ```
    pub fn days_since(self, earlier: Day) -> i32 {
        // Both lie in 1900..=2199, so the difference cannot overflow.
        self.0.get() - earlier.0.get()
    }

    /// The day `n` days later (earlier when negative), if within range.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// let d = Day::from_ymd(2024, 2, 28).unwrap();
    /// assert_eq!(d.add_days(1), Day::from_ymd(2024, 2, 29));
    /// assert_eq!(d.add_days(i32::MAX), None);
    /// ```
    pub fn add_days(self, n: i32) -> Option<Day> {
        self.0.get().checked_add(n).and_then(Day::from_number)
    }

    /// The same day of the month `n` months later, clamped to the month's end
    /// ([`crate::calendar::add_months`]); `None` when out of range.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// let exit = Day::from_ymd(2023, 8, 31).unwrap();
    /// assert_eq!(exit.add_months(12), Day::from_ymd(2024, 8, 31));
    /// assert_eq!(exit.add_months(6), Day::from_ymd(2024, 2, 29));
    /// ```
    pub fn add_months(self, n: i32) -> Option<Day> {
        if n.unsigned_abs() > 12 * 400 {
            return None;
        }
        Day::from_date(crate::calendar::add_months(self.date(), n))
    }

    /// The date `years` years later on the same month and day; February 29 becomes March 1 in a
    /// common year (so a child born on February 29 turns 18 on March 1).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// let born = Day::from_ymd(2008, 2, 29).unwrap();
    /// assert_eq!(born.add_years(18), Day::from_ymd(2026, 3, 1));
    /// assert_eq!(born.add_years(16), Day::from_ymd(2024, 2, 29));
    /// ```
    pub fn add_years(self, years: i32) -> Option<Day> {
        let d = self.date();
        let y = d.year().checked_add(years)?;
        Day::from_ymd(y, d.month(), d.day()).or_else(|| Day::from_ymd(y, 3, 1))
    }

    /// The year.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::metrics::data::Day::from_ymd(2022, 10, 1).unwrap().year(), 2022);
    /// ```
    pub fn year(self) -> i32 {
        self.ymd().0
    }

    /// The month, 1..=12.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::metrics::data::Day::from_ymd(2022, 10, 1).unwrap().month(), 10);
    /// ```
    pub fn month(self) -> u32 {
        self.ymd().1
    }

    /// The year, month (1..=12) and day of the month, by integer arithmetic (the days-to-civil
    /// algorithm of Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms"): the hot
    /// paths of measurement bucket millions of dates by month.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// assert_eq!(Day::from_ymd(2024, 2, 29).unwrap().ymd(), (2024, 2, 29));
    /// assert_eq!(Day::from_ymd(1900, 3, 1).unwrap().ymd(), (1900, 3, 1));
    /// ```
    pub fn ymd(self) -> (i32, u32, u32) {
        // Days since 0000-03-01 (0001-01-01 is day 1 of the common era; it is 306 days later).
        let z = self.0.get() + 305;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i32::from(month <= 2);
        // Within range every part is positive and small: the conversions cannot fail.
        (
            year,
            u32::try_from(month).unwrap_or(1),
            u32::try_from(day).unwrap_or(1),
        )
    }

    /// A month number, `year * 12 + month - 1`: consecutive months are consecutive integers,
    /// which makes per-month bucketing one subtraction.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// let dec = Day::from_ymd(2023, 12, 31).unwrap().month_number();
    /// let jan = Day::from_ymd(2024, 1, 1).unwrap().month_number();
    /// assert_eq!(jan - dec, 1);
    /// assert_eq!(jan, 2024 * 12);
    /// ```
    pub fn month_number(self) -> i32 {
        let (y, m, _) = self.ymd();
        y * 12 + m as i32 - 1
    }

    /// The first day of this day's month.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// assert_eq!(Day::from_ymd(2024, 2, 17).unwrap().first_of_month(), Day::from_ymd(2024, 2, 1).unwrap());
    /// ```
    pub fn first_of_month(self) -> Day {
        let (_, _, d) = self.ymd();
        self.add_days(1 - d as i32).unwrap_or(self)
    }

    /// The first day of the month with [`Day::month_number`] `number`, if within range.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Day;
    /// assert_eq!(Day::from_month_number(2024 * 12 + 1), Day::from_ymd(2024, 2, 1));
    /// ```
    pub fn from_month_number(number: i32) -> Option<Day> {
        let m0 = u32::try_from(number.rem_euclid(12)).ok()?;
        Day::from_ymd(number.div_euclid(12), m0 + 1, 1)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl FromStr for Day {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Day::parse(s).ok_or_else(|| Error::InvalidDate {
            field: String::new(),
            value: s.to_string(),
        })
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Day::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{s:?} is not an ISO date (YYYY-MM-DD) in {}..={}",
                Day::EARLIEST_YEAR,
                Day::LATEST_YEAR
            ))
        })
    }
}

impl schemars::JsonSchema for Day {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Day".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date",
            "description": "An ISO date YYYY-MM-DD between 1900-01-01 and 2199-12-31."
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Index newtypes and dictionaries
// ---------------------------------------------------------------------------------------------

/// An index type of a [`Dictionary`]: a `u32` position.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::data::{ChildIx, DictIndex};
/// assert_eq!(ChildIx::from_u32(3).to_u32(), 3);
/// ```
pub trait DictIndex: Copy {
    /// The index at position `v`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{CountyIx, DictIndex};
    /// assert_eq!(CountyIx::from_u32(7), CountyIx(7));
    /// ```
    fn from_u32(v: u32) -> Self;
    /// The position.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{CountyIx, DictIndex};
    /// assert_eq!(CountyIx(7).to_u32(), 7);
    /// ```
    fn to_u32(self) -> u32;
}

macro_rules! index_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub u32);

        impl $name {
            #[doc = concat!("The position as a `usize`, for indexing arrays kept per entity.\n\n# Example\n\n```\nuse cwfinance::metrics::data::", stringify!($name), ";\nassert_eq!(", stringify!($name), "(5).index(), 5);\n```")]
            pub fn index(self) -> usize {
                self.0 as usize
            }

            #[doc = concat!("The index at `position`, if it fits in `u32`.\n\n# Example\n\n```\nuse cwfinance::metrics::data::", stringify!($name), ";\nassert_eq!(", stringify!($name), "::from_index(5), Some(", stringify!($name), "(5)));\n```")]
            pub fn from_index(position: usize) -> Option<Self> {
                u32::try_from(position).ok().map($name)
            }
        }

        impl DictIndex for $name {
            fn from_u32(v: u32) -> Self {
                $name(v)
            }
            fn to_u32(self) -> u32 {
                self.0
            }
        }
    };
}

index_type!(
    /// A child: the position of its id in [`Children::ids`] (and in every per-child array).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let mut ds = Dataset::default();
    /// let c = ds.children.push("C9", Day::from_ymd(2015, 1, 1).unwrap());
    /// assert_eq!(c, ChildIx(0));
    /// assert_eq!(ds.children.ids.get("C9"), Some(c));
    /// ```
    ChildIx
);
index_type!(
    /// A provider (the Children's Division or a contractor): position in [`Providers::ids`].
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let mut ds = Dataset::default();
    /// let p = ds.providers.push("FCCM1", "Contractor One", ProviderKind::Contractor, None);
    /// assert_eq!(p, ProviderIx(0));
    /// ```
    ProviderIx
);
index_type!(
    /// A worker (case manager, supervisor, ...): position in [`Workers::ids`].
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let mut ds = Dataset::default();
    /// let p = ds.providers.push("CD", "Children's Division", ProviderKind::Division, None);
    /// let w = ds.workers.push("W1", Worker { provider: p, role: WorkerRole::CaseManager, supervisor: None, trauma_trained: None, hired: None, left: None });
    /// assert_eq!(w, WorkerIx(0));
    /// ```
    WorkerIx
);
index_type!(
    /// A parent (a person): position in [`Dataset::parent_ids`].
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let mut ds = Dataset::default();
    /// assert_eq!(ds.parent_ids.intern("P1"), ParentIx(0));
    /// ```
    ParentIx
);
index_type!(
    /// A county (or the City of St. Louis): position in [`Dataset::counties`].
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let mut ds = Dataset::default();
    /// assert_eq!(ds.counties.intern("Greene"), CountyIx(0));
    /// ```
    CountyIx
);
index_type!(
    /// A judicial circuit: position in [`Dataset::circuits`].
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let mut ds = Dataset::default();
    /// assert_eq!(ds.circuits.intern("22"), CircuitIx(0));
    /// ```
    CircuitIx
);
index_type!(
    /// A Children's Division region: position in [`Dataset::regions`].
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let mut ds = Dataset::default();
    /// assert_eq!(ds.regions.intern("St. Louis"), RegionIx(0));
    /// ```
    RegionIx
);

/// A fast, deterministic hasher for interning short id strings (FxHash's multiply-rotate per
/// 8-byte word, then a murmur3 finalizer).
///
/// Ids are not attacker-chosen in a way that matters here (a slow lookup, not a wrong result),
/// and SipHash would dominate loading time at scale 10.
#[derive(Default, Clone, Copy)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        // The multiply only carries entropy upwards; ids such as C0000001 differ in their last
        // bytes, so without this avalanche (murmur3's fmix64) the table's low bits would collide.
        let mut z = self.0;
        z = (z ^ (z >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        z = (z ^ (z >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        z ^ (z >> 33)
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            for (dst, src) in word.iter_mut().zip(chunk) {
                *dst = *src;
            }
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
    }
}

/// Interned ids: a name for every index and an index for every name.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::data::{Dictionary, CountyIx};
///
/// let mut counties: Dictionary<CountyIx> = Dictionary::default();
/// let greene = counties.intern("Greene");
/// assert_eq!(counties.intern("Greene"), greene);
/// assert_eq!(counties.get("Jackson"), None);
/// assert_eq!(counties.name(greene), "Greene");
/// assert_eq!(counties.len(), 1);
/// ```
#[derive(Clone)]
pub struct Dictionary<I> {
    names: Vec<String>,
    lookup: HashMap<String, u32, BuildHasherDefault<IdHasher>>,
    ix: PhantomData<I>,
}

impl<I> Default for Dictionary<I> {
    fn default() -> Self {
        Dictionary {
            names: Vec::new(),
            lookup: HashMap::default(),
            ix: PhantomData,
        }
    }
}

impl<I> fmt::Debug for Dictionary<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.names.iter()).finish()
    }
}

impl<I> PartialEq for Dictionary<I> {
    fn eq(&self, other: &Self) -> bool {
        self.names == other.names
    }
}

impl<I: DictIndex> Dictionary<I> {
    /// The index of `name`, adding it if new.
    ///
    /// More than `u32::MAX` distinct names are not representable; the last index is reused
    /// (no input of the sizes this crate accepts gets near it).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{Dictionary, RegionIx};
    /// let mut d: Dictionary<RegionIx> = Dictionary::default();
    /// assert_eq!(d.intern("Kansas City"), RegionIx(0));
    /// assert_eq!(d.intern("St. Louis"), RegionIx(1));
    /// ```
    pub fn intern(&mut self, name: &str) -> I {
        if let Some(&v) = self.lookup.get(name) {
            return I::from_u32(v);
        }
        let v = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(name.to_string());
        self.lookup.insert(name.to_string(), v);
        I::from_u32(v)
    }

    /// The index of `name`, if known.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{Dictionary, RegionIx};
    /// let mut d: Dictionary<RegionIx> = Dictionary::default();
    /// d.intern("Northeast");
    /// assert_eq!(d.get("Northeast"), Some(RegionIx(0)));
    /// assert_eq!(d.get("northeast"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<I> {
        self.lookup.get(name).map(|&v| I::from_u32(v))
    }

    /// The name of `ix` (empty for an index that is not in the dictionary).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{Dictionary, CircuitIx};
    /// let mut d: Dictionary<CircuitIx> = Dictionary::default();
    /// let c = d.intern("16");
    /// assert_eq!(d.name(c), "16");
    /// assert_eq!(d.name(CircuitIx(99)), "");
    /// ```
    pub fn name(&self, ix: I) -> &str {
        self.names
            .get(ix.to_u32() as usize)
            .map(String::as_str)
            .unwrap_or("")
    }

    /// How many names.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{Dictionary, CircuitIx};
    /// assert_eq!(Dictionary::<CircuitIx>::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no names.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{Dictionary, CircuitIx};
    /// assert!(Dictionary::<CircuitIx>::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Every index, in order.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{Dictionary, CountyIx};
    /// let mut d: Dictionary<CountyIx> = Dictionary::default();
    /// d.intern("Boone");
    /// d.intern("Cole");
    /// assert_eq!(d.ixs().collect::<Vec<_>>(), vec![CountyIx(0), CountyIx(1)]);
    /// ```
    pub fn ixs(&self) -> impl Iterator<Item = I> + '_ {
        (0..self.names.len()).map(|i| I::from_u32(u32::try_from(i).unwrap_or(u32::MAX)))
    }

    /// Every (index, name), in order.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{Dictionary, CountyIx};
    /// let mut d: Dictionary<CountyIx> = Dictionary::default();
    /// d.intern("Boone");
    /// assert_eq!(d.iter().collect::<Vec<_>>(), vec![(CountyIx(0), "Boone")]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (I, &str)> + '_ {
        self.ixs().zip(self.names.iter().map(String::as_str))
    }

    /// Every name, in index order.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{Dictionary, CountyIx};
    /// let mut d: Dictionary<CountyIx> = Dictionary::default();
    /// d.intern("Boone");
    /// assert_eq!(d.names(), ["Boone".to_string()]);
    /// ```
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

// ---------------------------------------------------------------------------------------------
// Codes
// ---------------------------------------------------------------------------------------------

macro_rules! code_enum {
    (
        $(#[$m:meta])* $name:ident {
            $(#[$fvm:meta])* $first:ident = $first_code:literal
            $(, $(#[$vm:meta])* $variant:ident = $code:literal)* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
        pub enum $name {
            $(#[$fvm])*
            #[serde(rename = $first_code)]
            $first,
            $( $(#[$vm])* #[serde(rename = $code)] $variant, )*
        }

        impl $name {
            #[doc = concat!("Every code, in order.\n\n# Example\n\n```\nuse cwfinance::metrics::data::", stringify!($name), ";\nassert_eq!(", stringify!($name), "::ALL[0], ", stringify!($name), "::", stringify!($first), ");\n```")]
            pub const ALL: &'static [$name] = &[$name::$first $(, $name::$variant)*];

            #[doc = concat!("Every code as text, in order.\n\n# Example\n\n```\nuse cwfinance::metrics::data::", stringify!($name), ";\nassert_eq!(", stringify!($name), "::CODES[0], \"", $first_code, "\");\n```")]
            pub const CODES: &'static [&'static str] = &[$first_code $(, $code)*];

            #[doc = concat!("The snake_case code, as written in CSV and JSON.\n\n# Example\n\n```\nuse cwfinance::metrics::data::", stringify!($name), ";\nassert_eq!(", stringify!($name), "::", stringify!($first), ".as_str(), \"", $first_code, "\");\n```")]
            pub fn as_str(self) -> &'static str {
                match self {
                    $name::$first => $first_code,
                    $( $name::$variant => $code, )*
                }
            }

            #[doc = concat!("The value of a code (exact snake_case; surrounding spaces ignored).\n\n# Example\n\n```\nuse cwfinance::metrics::data::", stringify!($name), ";\nassert_eq!(", stringify!($name), "::parse(\"", $first_code, "\"), Some(", stringify!($name), "::", stringify!($first), "));\nassert_eq!(", stringify!($name), "::parse(\"no such code\"), None);\n```")]
            pub fn parse(code: &str) -> Option<Self> {
                match code.trim() {
                    $first_code => Some($name::$first),
                    $( $code => Some($name::$variant), )*
                    _ => None,
                }
            }

            #[doc = concat!("Every code, comma-separated (for error messages and docs).\n\n# Example\n\n```\nuse cwfinance::metrics::data::", stringify!($name), ";\nassert!(", stringify!($name), "::codes().starts_with(\"", $first_code, "\"));\n```")]
            pub fn codes() -> String {
                Self::CODES.join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                $name::parse(s).ok_or_else(|| Error::UnknownId {
                    field: String::new(),
                    value: s.to_string(),
                    what: stringify!($name).to_string(),
                    known: $name::codes(),
                })
            }
        }
    };
}

code_enum!(
    /// Why a removal episode ended (the AFCARS discharge reasons, as listed in issue 3).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::ExitReason;
    /// let r: ExitReason = "guardianship".parse().unwrap();
    /// assert!(r.is_permanency());
    /// assert!(!ExitReason::Runaway.is_permanency());
    /// ```
    ExitReason {
        /// Returned to the parents or primary caretakers.
        Reunification = "reunification",
        /// Went to live with a relative (discharge to relatives).
        LivingWithRelative = "living_with_relative",
        /// Legal guardianship.
        Guardianship = "guardianship",
        /// Adoption finalized.
        Adoption = "adoption",
        /// Aged out or emancipated.
        Emancipation = "emancipation",
        /// Transferred to another agency (such as juvenile justice or another state).
        Transfer = "transfer",
        /// The child died.
        Death = "death",
        /// The child ran away and the episode was closed.
        Runaway = "runaway",
        /// Any other reason.
        Other = "other",
    }
);

impl ExitReason {
    /// Whether the exit is to permanency in the federal CFSR sense: reunification, living with a
    /// relative, guardianship or adoption.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::ExitReason;
    /// assert!(ExitReason::Reunification.is_permanency());
    /// assert!(ExitReason::LivingWithRelative.is_permanency());
    /// assert!(!ExitReason::Emancipation.is_permanency());
    /// ```
    pub fn is_permanency(self) -> bool {
        matches!(
            self,
            ExitReason::Reunification
                | ExitReason::LivingWithRelative
                | ExitReason::Guardianship
                | ExitReason::Adoption
        )
    }
}

code_enum!(
    /// The kind of setting a child is placed in.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::PlacementSetting;
    /// assert_eq!(PlacementSetting::TrialHomeVisit.as_str(), "trial_home_visit");
    /// assert!(PlacementSetting::Residential.is_congregate());
    /// ```
    PlacementSetting {
        /// A licensed non-relative foster family home.
        FamilyFoster = "family_foster",
        /// A relative or kinship home.
        Relative = "relative",
        /// A therapeutic (treatment) foster home.
        Therapeutic = "therapeutic",
        /// A residential treatment facility or other institution.
        Residential = "residential",
        /// A group home.
        GroupHome = "group_home",
        /// A trial home visit: back with the parents while still in custody.
        TrialHomeVisit = "trial_home_visit",
        /// Runaway status: the child is absent from the placement.
        Runaway = "runaway",
        /// Any other setting.
        Other = "other",
    }
);

impl PlacementSetting {
    /// Whether the setting is congregate care (residential/institutional or group home).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::PlacementSetting;
    /// assert!(PlacementSetting::GroupHome.is_congregate());
    /// assert!(!PlacementSetting::Relative.is_congregate());
    /// ```
    pub fn is_congregate(self) -> bool {
        matches!(
            self,
            PlacementSetting::Residential | PlacementSetting::GroupHome
        )
    }
}

code_enum!(
    /// The kind of a visit.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::VisitKind;
    /// assert_eq!(VisitKind::parse("worker_parent"), Some(VisitKind::WorkerParent));
    /// assert!(VisitKind::ParentChild.needs_parent());
    /// assert!(!VisitKind::WorkerChild.needs_parent());
    /// ```
    VisitKind {
        /// The case manager sees the child.
        WorkerChild = "worker_child",
        /// The case manager sees a parent.
        WorkerParent = "worker_parent",
        /// A parent visits the child.
        ParentChild = "parent_child",
    }
);

impl VisitKind {
    /// Whether a visit of this kind must name a parent.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::VisitKind;
    /// assert!(VisitKind::WorkerParent.needs_parent());
    /// ```
    pub fn needs_parent(self) -> bool {
        !matches!(self, VisitKind::WorkerChild)
    }
}

code_enum!(
    /// A court-approved permanency goal.
    ///
    /// `004_c47e555d576af250.txt`, Phase II, Permanency Domain, Timely Achievement: benchmarks
    /// exist for reunification (12 months), guardianship (18) and adoption (24).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Goal;
    /// assert_eq!(Goal::Adoption.to_string(), "adoption");
    /// ```
    Goal {
        /// Return home.
        Reunification = "reunification",
        /// Legal guardianship.
        Guardianship = "guardianship",
        /// Adoption.
        Adoption = "adoption",
        /// Permanent placement with a relative.
        LivingWithRelative = "living_with_relative",
        /// Another planned permanent living arrangement.
        Appla = "appla",
    }
);

code_enum!(
    /// The kind of a provider (13 CSR 35-35.100(2)(J): the division and FCCMs).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::ProviderKind;
    /// assert_eq!(ProviderKind::parse("contractor"), Some(ProviderKind::Contractor));
    /// ```
    ProviderKind {
        /// The Children's Division's own case management.
        Division = "division",
        /// A Foster Care Case Management contractor (FCCM).
        Contractor = "contractor",
    }
);

code_enum!(
    /// A worker's role.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::WorkerRole;
    /// assert_eq!(WorkerRole::Supervisor.as_str(), "supervisor");
    /// ```
    WorkerRole {
        /// A case manager carrying children.
        CaseManager = "case_manager",
        /// A supervisor of case managers.
        Supervisor = "supervisor",
        /// Any other role.
        Other = "other",
    }
);

code_enum!(
    /// The kind of a sentinel event, 13 CSR 35-35.100(2)(L) (`003_d493ecb4a837036e.txt`).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::SentinelKind;
    /// assert_eq!(SentinelKind::parse("elopement"), Some(SentinelKind::Elopement));
    /// ```
    SentinelKind {
        /// A child fatality, (2)(L)1.
        Fatality = "fatality",
        /// A near fatality, (2)(L)1 and (2)(I).
        NearFatality = "near_fatality",
        /// Serious emotional harm or serious bodily injury, (2)(L)2.
        SeriousInjury = "serious_injury",
        /// The child elopes from the placement, (2)(L)3.
        Elopement = "elopement",
        /// A fire requiring the fire department, (2)(L)4.
        Fire = "fire",
        /// A report of abuse or neglect, (2)(L)5.
        AbuseReport = "abuse_report",
        /// An attempt to harm self or others, (2)(L)6.
        SelfHarm = "self_harm",
        /// A critical incident or unusual event of another kind.
        Other = "other",
    }
);

code_enum!(
    /// Why a contractor returned a case to the division, 13 CSR 35-35.100(3)(E)4.D.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::ReturnReason;
    /// assert_eq!(ReturnReason::CatastrophicCost.as_str(), "catastrophic_cost");
    /// ```
    ReturnReason {
        /// Catastrophic costs.
        CatastrophicCost = "catastrophic_cost",
        /// A court order for case management by the division.
        CourtOrder = "court_order",
    }
);

// ---------------------------------------------------------------------------------------------
// Table catalogue
// ---------------------------------------------------------------------------------------------

code_enum!(
    /// The tables of a dataset. The code is the table name; CSV files are `<code>.csv`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Table;
    /// assert_eq!(Table::Episodes.file_name(), "episodes.csv");
    /// assert_eq!(Table::from_file_name("data/visits.csv"), Some(Table::Visits));
    /// assert!(Table::Children.is_required());
    /// ```
    Table {
        /// Providers: the division and the contractors.
        Providers = "providers",
        /// Children and their dates of birth.
        Children = "children",
        /// Workers.
        Workers = "workers",
        /// Parents of children, with visit eligibility.
        Parents = "parents",
        /// Removal episodes.
        Episodes = "episodes",
        /// Case-management assignments.
        Assignments = "assignments",
        /// Placements.
        Placements = "placements",
        /// Visits.
        Visits = "visits",
        /// HCY/EPSDT exams.
        HcyExams = "hcy_exams",
        /// Abuse/neglect reports.
        Reports = "reports",
        /// Court-approved permanency goals.
        PermanencyGoals = "permanency_goals",
        /// Sentinel events.
        SentinelEvents = "sentinel_events",
        /// Cases returned to the division.
        CaseReturns = "case_returns",
    }
);

/// The type of a column.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::data::{ColumnType, Table};
/// assert_eq!(ColumnType::Date.describe(), "date (YYYY-MM-DD)");
/// assert_eq!(ColumnType::Ref(Table::Children).describe(), "id of a row in children");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// The table's own id: unique, non-empty text.
    Id,
    /// The id of a row in another table.
    Ref(Table),
    /// Free non-empty text naming a group (county, circuit, region); interned.
    Name,
    /// Free text.
    Text,
    /// An ISO date.
    Date,
    /// `true`/`false` (also `yes`/`no`, `1`/`0`, `y`/`n`, any case).
    Bool,
    /// A decimal amount of dollars ([`Money`]).
    Money,
    /// One of the codes of an enum.
    Code(&'static [&'static str]),
}

impl ColumnType {
    /// The type in words, as in `docs/data.md`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::ColumnType;
    /// assert_eq!(ColumnType::Bool.describe(), "boolean (true/false)");
    /// ```
    pub fn describe(&self) -> String {
        match self {
            ColumnType::Id => "id (unique text)".into(),
            ColumnType::Ref(t) => format!("id of a row in {}", t.as_str()),
            ColumnType::Name => "name (text)".into(),
            ColumnType::Text => "text".into(),
            ColumnType::Date => "date (YYYY-MM-DD)".into(),
            ColumnType::Bool => "boolean (true/false)".into(),
            ColumnType::Money => "decimal dollars".into(),
            ColumnType::Code(codes) => format!("code: {}", codes.join(", ")),
        }
    }
}

/// One column of a table: its header name, type, and whether it is required.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::data::Table;
/// let cols = Table::Children.columns();
/// assert_eq!(cols[0].name, "child_id");
/// assert!(cols[0].required);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The header name (snake_case).
    pub name: &'static str,
    /// The type.
    pub ty: ColumnType,
    /// Whether the header must be present and every value non-empty.
    pub required: bool,
    /// What the column means.
    pub description: &'static str,
}

const fn col(
    name: &'static str,
    ty: ColumnType,
    required: bool,
    description: &'static str,
) -> Column {
    Column {
        name,
        ty,
        required,
        description,
    }
}

const PROVIDERS_COLUMNS: &[Column] = &[
    col(
        "provider_id",
        ColumnType::Id,
        true,
        "Short id of the provider, used by assignments, workers and case returns.",
    ),
    col(
        "name",
        ColumnType::Text,
        false,
        "Display name (defaults to the id).",
    ),
    col(
        "kind",
        ColumnType::Code(ProviderKind::CODES),
        true,
        "The division or a contractor (FCCM).",
    ),
    col(
        "region",
        ColumnType::Name,
        false,
        "The region whose contract the provider holds (empty for the division, which serves all).",
    ),
];

const CHILDREN_COLUMNS: &[Column] = &[
    col("child_id", ColumnType::Id, true, "Id of the child."),
    col("birth_date", ColumnType::Date, true, "Date of birth."),
];

const WORKERS_COLUMNS: &[Column] = &[
    col("worker_id", ColumnType::Id, true, "Id of the worker."),
    col(
        "provider_id",
        ColumnType::Ref(Table::Providers),
        true,
        "The employing provider.",
    ),
    col(
        "role",
        ColumnType::Code(WorkerRole::CODES),
        true,
        "Case manager, supervisor or other.",
    ),
    col(
        "supervisor_id",
        ColumnType::Ref(Table::Workers),
        false,
        "The worker's supervisor (another row of workers).",
    ),
    col(
        "trauma_training_date",
        ColumnType::Date,
        false,
        "When the Trauma Toolkit training was completed; empty if not completed.",
    ),
    col(
        "hire_date",
        ColumnType::Date,
        false,
        "First day in the role; empty if before the data starts.",
    ),
    col(
        "end_date",
        ColumnType::Date,
        false,
        "First day no longer in the role; empty if still employed.",
    ),
];

const PARENTS_COLUMNS: &[Column] = &[
    col(
        "parent_id",
        ColumnType::Id,
        true,
        "Id of the parent (a person; the same parent may appear once per child).",
    ),
    col(
        "child_id",
        ColumnType::Ref(Table::Children),
        true,
        "The child of this parent.",
    ),
    col(
        "visits_allowed",
        ColumnType::Bool,
        true,
        "Whether the parent is eligible for visits (false when a court order forbids them).",
    ),
];

const EPISODES_COLUMNS: &[Column] = &[
    col(
        "child_id",
        ColumnType::Ref(Table::Children),
        true,
        "The child removed.",
    ),
    col(
        "removal_date",
        ColumnType::Date,
        true,
        "Date of removal (entry into care).",
    ),
    col(
        "exit_date",
        ColumnType::Date,
        false,
        "Date of discharge; empty while in care.",
    ),
    col(
        "exit_reason",
        ColumnType::Code(ExitReason::CODES),
        false,
        "Why care ended; required when exit_date is given.",
    ),
    col("county", ColumnType::Name, true, "County of jurisdiction."),
    col("circuit", ColumnType::Name, true, "Judicial circuit."),
    col(
        "region",
        ColumnType::Name,
        true,
        "Children's Division region.",
    ),
];

const ASSIGNMENTS_COLUMNS: &[Column] = &[
    col(
        "child_id",
        ColumnType::Ref(Table::Children),
        true,
        "The child.",
    ),
    col(
        "provider_id",
        ColumnType::Ref(Table::Providers),
        true,
        "The case-management provider.",
    ),
    col(
        "worker_id",
        ColumnType::Ref(Table::Workers),
        true,
        "The assigned case manager.",
    ),
    col(
        "start_date",
        ColumnType::Date,
        true,
        "First day of the assignment.",
    ),
    col(
        "end_date",
        ColumnType::Date,
        false,
        "First day after the assignment; empty while open.",
    ),
];

const PLACEMENTS_COLUMNS: &[Column] = &[
    col(
        "child_id",
        ColumnType::Ref(Table::Children),
        true,
        "The child.",
    ),
    col(
        "setting",
        ColumnType::Code(PlacementSetting::CODES),
        true,
        "The kind of setting.",
    ),
    col(
        "start_date",
        ColumnType::Date,
        true,
        "First day in the setting.",
    ),
    col(
        "end_date",
        ColumnType::Date,
        false,
        "First day after the setting; empty while open.",
    ),
    col(
        "entered_date",
        ColumnType::Date,
        false,
        "When the record was entered into the information system.",
    ),
];

const VISITS_COLUMNS: &[Column] = &[
    col(
        "child_id",
        ColumnType::Ref(Table::Children),
        true,
        "The child the visit is about.",
    ),
    col("visit_date", ColumnType::Date, true, "Date of the visit."),
    col(
        "kind",
        ColumnType::Code(VisitKind::CODES),
        true,
        "Worker/child, worker/parent or parent/child.",
    ),
    col(
        "parent_id",
        ColumnType::Ref(Table::Parents),
        false,
        "The parent; required for worker_parent and parent_child visits.",
    ),
    col(
        "entered_date",
        ColumnType::Date,
        false,
        "When the visit was entered into the information system.",
    ),
];

const HCY_EXAMS_COLUMNS: &[Column] = &[
    col(
        "child_id",
        ColumnType::Ref(Table::Children),
        true,
        "The child examined.",
    ),
    col(
        "exam_date",
        ColumnType::Date,
        true,
        "Date of the Healthy Children and Youth (EPSDT) exam.",
    ),
    col(
        "entered_date",
        ColumnType::Date,
        false,
        "When the exam was entered into the information system.",
    ),
];

const REPORTS_COLUMNS: &[Column] = &[
    col(
        "child_id",
        ColumnType::Ref(Table::Children),
        true,
        "The alleged victim.",
    ),
    col(
        "report_date",
        ColumnType::Date,
        true,
        "Date the report of abuse or neglect was received.",
    ),
    col(
        "substantiated",
        ColumnType::Bool,
        true,
        "Whether the report was substantiated.",
    ),
    col(
        "entered_date",
        ColumnType::Date,
        false,
        "When the report was entered into the information system.",
    ),
];

const PERMANENCY_GOALS_COLUMNS: &[Column] = &[
    col(
        "child_id",
        ColumnType::Ref(Table::Children),
        true,
        "The child.",
    ),
    col(
        "goal",
        ColumnType::Code(Goal::CODES),
        true,
        "The court-approved permanency goal.",
    ),
    col(
        "approved_date",
        ColumnType::Date,
        true,
        "Date the court approved the goal; a later row replaces an earlier one.",
    ),
];

const SENTINEL_EVENTS_COLUMNS: &[Column] = &[
    col(
        "child_id",
        ColumnType::Ref(Table::Children),
        true,
        "The child involved.",
    ),
    col(
        "kind",
        ColumnType::Code(SentinelKind::CODES),
        true,
        "The kind of event, 13 CSR 35-35.100(2)(L).",
    ),
    col(
        "occurred_date",
        ColumnType::Date,
        true,
        "When the event occurred.",
    ),
    col(
        "reported_date",
        ColumnType::Date,
        false,
        "When it was reported; empty if not (yet) reported.",
    ),
];

const CASE_RETURNS_COLUMNS: &[Column] = &[
    col(
        "child_id",
        ColumnType::Ref(Table::Children),
        true,
        "The child whose case was returned.",
    ),
    col(
        "provider_id",
        ColumnType::Ref(Table::Providers),
        true,
        "The contractor that returned the case.",
    ),
    col(
        "return_date",
        ColumnType::Date,
        true,
        "Date the case was returned to the division.",
    ),
    col(
        "reason",
        ColumnType::Code(ReturnReason::CODES),
        true,
        "Catastrophic cost or court order.",
    ),
    col(
        "cost",
        ColumnType::Money,
        false,
        "The cost associated with the returned case, in dollars.",
    ),
];

impl Table {
    /// The CSV file name, `<table>.csv`.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::metrics::data::Table::HcyExams.file_name(), "hcy_exams.csv");
    /// ```
    pub fn file_name(self) -> &'static str {
        match self {
            Table::Providers => "providers.csv",
            Table::Children => "children.csv",
            Table::Workers => "workers.csv",
            Table::Parents => "parents.csv",
            Table::Episodes => "episodes.csv",
            Table::Assignments => "assignments.csv",
            Table::Placements => "placements.csv",
            Table::Visits => "visits.csv",
            Table::HcyExams => "hcy_exams.csv",
            Table::Reports => "reports.csv",
            Table::PermanencyGoals => "permanency_goals.csv",
            Table::SentinelEvents => "sentinel_events.csv",
            Table::CaseReturns => "case_returns.csv",
        }
    }

    /// The table a file name stands for: the last path component, with or without `.csv`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Table;
    /// assert_eq!(Table::from_file_name("episodes"), Some(Table::Episodes));
    /// assert_eq!(Table::from_file_name("/tmp/x/children.csv"), Some(Table::Children));
    /// assert_eq!(Table::from_file_name("README.md"), None);
    /// ```
    pub fn from_file_name(name: &str) -> Option<Table> {
        let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
        Table::parse(last.strip_suffix(".csv").unwrap_or(last))
    }

    /// Whether every dataset must have this table (children and episodes); the others may be
    /// absent, and are then empty.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Table;
    /// assert!(Table::Episodes.is_required());
    /// assert!(!Table::Visits.is_required());
    /// ```
    pub fn is_required(self) -> bool {
        matches!(self, Table::Children | Table::Episodes)
    }

    /// The columns, in their canonical order (the order CSV output uses).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::Table;
    /// let names: Vec<_> = Table::Visits.columns().iter().map(|c| c.name).collect();
    /// assert_eq!(names, ["child_id", "visit_date", "kind", "parent_id", "entered_date"]);
    /// ```
    pub fn columns(self) -> &'static [Column] {
        match self {
            Table::Providers => PROVIDERS_COLUMNS,
            Table::Children => CHILDREN_COLUMNS,
            Table::Workers => WORKERS_COLUMNS,
            Table::Parents => PARENTS_COLUMNS,
            Table::Episodes => EPISODES_COLUMNS,
            Table::Assignments => ASSIGNMENTS_COLUMNS,
            Table::Placements => PLACEMENTS_COLUMNS,
            Table::Visits => VISITS_COLUMNS,
            Table::HcyExams => HCY_EXAMS_COLUMNS,
            Table::Reports => REPORTS_COLUMNS,
            Table::PermanencyGoals => PERMANENCY_GOALS_COLUMNS,
            Table::SentinelEvents => SENTINEL_EVENTS_COLUMNS,
            Table::CaseReturns => CASE_RETURNS_COLUMNS,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Per-child offsets
// ---------------------------------------------------------------------------------------------

/// Where each child's rows start in a table sorted by child: `starts[c]..starts[c + 1]`.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::data::{Offsets, ChildIx};
/// let offsets = Offsets::build(&[ChildIx(0), ChildIx(0), ChildIx(2)], 3);
/// assert_eq!(offsets.range(ChildIx(0)), 0..2);
/// assert_eq!(offsets.range(ChildIx(1)), 2..2);
/// assert_eq!(offsets.range(ChildIx(2)), 2..3);
/// assert_eq!(offsets.range(ChildIx(7)), 0..0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Offsets {
    starts: Vec<u32>,
}

impl Offsets {
    /// Build from a child column sorted by child, for `n_children` children. Rows of children
    /// outside `0..n_children` are not reachable through the offsets.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{Offsets, ChildIx};
    /// let o = Offsets::build(&[ChildIx(1)], 2);
    /// assert_eq!(o.range(ChildIx(1)), 0..1);
    /// ```
    pub fn build(sorted_children: &[ChildIx], n_children: usize) -> Offsets {
        let mut starts = vec![0u32; n_children + 1];
        for c in sorted_children {
            if let Some(slot) = starts.get_mut(c.index() + 1) {
                *slot = slot.saturating_add(1);
            }
        }
        let mut running = 0u32;
        for s in starts.iter_mut() {
            running = running.saturating_add(*s);
            *s = running;
        }
        Offsets { starts }
    }

    /// The row range of `child` (empty for a child with no rows or an unknown child).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{Offsets, ChildIx};
    /// assert_eq!(Offsets::default().range(ChildIx(0)), 0..0);
    /// ```
    pub fn range(&self, child: ChildIx) -> Range<usize> {
        let i = child.index();
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) if a <= b => a as usize..b as usize,
            _ => 0..0,
        }
    }

    /// How many children the offsets cover.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{Offsets, ChildIx};
    /// assert_eq!(Offsets::build(&[], 4).children(), 4);
    /// ```
    pub fn children(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }
}

/// Reorder `column` by `perm` (a permutation of its positions).
fn permute<T: Copy>(column: &mut Vec<T>, perm: &[u32]) {
    let reordered: Vec<T> = perm
        .iter()
        .filter_map(|&i| column.get(i as usize).copied())
        .collect();
    *column = reordered;
}

// ---------------------------------------------------------------------------------------------
// Per-child tables
// ---------------------------------------------------------------------------------------------

macro_rules! child_table {
    (
        $(#[$tm:meta])* table $table:ident in $dsfield:ident sorted by $sortkey:ident;
        $(#[$rm:meta])* row $row:ident {
            $( $(#[$fm:meta])* $field:ident : $ty:ty ),+ $(,)?
        }
    ) => {
        $(#[$rm])*
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct $row {
            $( $(#[$fm])* pub $field: $ty, )+
        }

        $(#[$tm])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $table {
            $( $(#[$fm])* pub $field: Vec<$ty>, )+
            /// Row ranges per child; valid after [`Dataset::finalize`].
            pub by_child: Offsets,
        }

        impl $table {
            #[doc = concat!("How many rows.\n\n# Example\n\n```\nlet ds = cwfinance::metrics::data::Dataset::default();\nassert_eq!(ds.", stringify!($dsfield), ".len(), 0);\n```")]
            pub fn len(&self) -> usize {
                self.child.len()
            }

            #[doc = concat!("Whether there are no rows.\n\n# Example\n\n```\nlet ds = cwfinance::metrics::data::Dataset::default();\nassert!(ds.", stringify!($dsfield), ".is_empty());\n```")]
            pub fn is_empty(&self) -> bool {
                self.child.is_empty()
            }

            #[doc = concat!("Append a row (call [`Dataset::finalize`] after the last push).\n\n# Example\n\n```\nlet mut ds = cwfinance::metrics::data::Dataset::default();\nlet before = ds.", stringify!($dsfield), ".len();\nif let Some(row) = ds.", stringify!($dsfield), ".get(0) { ds.", stringify!($dsfield), ".push(row); }\nassert_eq!(ds.", stringify!($dsfield), ".len(), before);\n```")]
            pub fn push(&mut self, row: $row) {
                $( self.$field.push(row.$field); )+
            }

            #[doc = concat!("Row `i`, if it exists.\n\n# Example\n\n```\nlet ds = cwfinance::metrics::data::Dataset::default();\nassert!(ds.", stringify!($dsfield), ".get(0).is_none());\n```")]
            pub fn get(&self, i: usize) -> Option<$row> {
                Some($row { $( $field: *self.$field.get(i)?, )+ })
            }

            #[doc = concat!("Every row, in order (by child, then date).\n\n# Example\n\n```\nlet ds = cwfinance::metrics::data::Dataset::default();\nassert_eq!(ds.", stringify!($dsfield), ".iter().count(), 0);\n```")]
            pub fn iter(&self) -> impl Iterator<Item = $row> + '_ {
                (0..self.len()).filter_map(move |i| self.get(i))
            }

            #[doc = concat!("The row range of `child`.\n\n# Example\n\n```\nuse cwfinance::metrics::data::*;\nlet ds = Dataset::default();\nassert_eq!(ds.", stringify!($dsfield), ".of(ChildIx(0)), 0..0);\n```")]
            pub fn of(&self, child: ChildIx) -> Range<usize> {
                self.by_child.range(child)
            }

            #[doc = concat!("The rows of `child`, in date order.\n\n# Example\n\n```\nuse cwfinance::metrics::data::*;\nlet ds = Dataset::default();\nassert_eq!(ds.", stringify!($dsfield), ".rows_of(ChildIx(0)).count(), 0);\n```")]
            pub fn rows_of(&self, child: ChildIx) -> impl Iterator<Item = $row> + '_ {
                self.of(child).filter_map(move |i| self.get(i))
            }

            #[doc = concat!("Remove rows identical in every column to an earlier row, and return how many were removed. The table must be sorted ([`Dataset::finalize`]); the offsets are rebuilt.\n\n# Example\n\n```\nlet mut ds = cwfinance::metrics::data::Dataset::default();\nassert_eq!(ds.", stringify!($dsfield), ".remove_exact_duplicates(), 0);\n```")]
            pub fn remove_exact_duplicates(&mut self) -> u64 {
                let n = self.len();
                let mut keep = vec![true; n];
                let mut removed = 0u64;
                for i in 1..n {
                    let Some(row) = self.get(i) else { continue };
                    let mut j = i;
                    while j > 0 {
                        j -= 1;
                        let Some(earlier) = self.get(j) else { break };
                        if earlier.child != row.child || earlier.$sortkey != row.$sortkey {
                            break;
                        }
                        if earlier == row {
                            if let Some(k) = keep.get_mut(i) {
                                *k = false;
                            }
                            removed += 1;
                            break;
                        }
                    }
                }
                if removed > 0 {
                    $(
                        let mut k = 0usize;
                        self.$field.retain(|_| {
                            let kept = keep.get(k).copied().unwrap_or(true);
                            k += 1;
                            kept
                        });
                    )+
                    self.by_child = Offsets::build(&self.child, self.by_child.children());
                }
                removed
            }

            /// Sort by child then date (stable: ties keep their input order) and rebuild the
            /// per-child offsets.
            fn sort_and_index(&mut self, n_children: usize) {
                let sorted = self
                    .child
                    .iter()
                    .zip(self.$sortkey.iter())
                    .zip(self.child.iter().skip(1).zip(self.$sortkey.iter().skip(1)))
                    .all(|(a, b)| a <= b);
                if !sorted {
                    let mut perm: Vec<u32> =
                        (0..u32::try_from(self.len()).unwrap_or(u32::MAX)).collect();
                    perm.sort_by_key(|&i| {
                        (
                            self.child.get(i as usize).copied(),
                            self.$sortkey.get(i as usize).copied(),
                        )
                    });
                    $( permute(&mut self.$field, &perm); )+
                }
                self.by_child = Offsets::build(&self.child, n_children);
            }
        }
    };
}

child_table!(
    /// Removal episodes (columns; see [`Episode`] for one row). Sorted by child, then removal date.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let ds = Dataset::default();
    /// assert!(ds.episodes.removal.is_empty());
    /// ```
    table Episodes in episodes sorted by removal;
    /// One removal episode: a continuous stay in care.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let e = Episode { child: ChildIx(0), removal: Day::from_ymd(2024, 1, 1).unwrap(), exit: None,
    ///     exit_reason: None, county: CountyIx(0), circuit: CircuitIx(0), region: RegionIx(0) };
    /// assert!(e.exit.is_none());
    /// ```
    row Episode {
        /// The child.
        child: ChildIx,
        /// Date of removal (entry into care).
        removal: Day,
        /// Date of discharge; `None` while in care. The child is in care on days
        /// `removal..exit` (the exit day itself is not a day in care).
        exit: Option<Day>,
        /// Why care ended (present whenever `exit` is).
        exit_reason: Option<ExitReason>,
        /// County of jurisdiction.
        county: CountyIx,
        /// Judicial circuit.
        circuit: CircuitIx,
        /// Children's Division region.
        region: RegionIx,
    }
);

child_table!(
    /// Case-management assignments (columns). Sorted by child, then start date.
    ///
    /// # Example
    ///
    /// ```
    /// let ds = cwfinance::metrics::data::Dataset::default();
    /// assert!(ds.assignments.worker.is_empty());
    /// ```
    table Assignments in assignments sorted by start;
    /// One case-management assignment: which provider and worker manage a child's case.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let a = Assignment { child: ChildIx(0), provider: ProviderIx(0), worker: WorkerIx(0),
    ///     start: Day::from_ymd(2024, 1, 1).unwrap(), end: None };
    /// assert_eq!(a.provider, ProviderIx(0));
    /// ```
    row Assignment {
        /// The child.
        child: ChildIx,
        /// The case-management provider.
        provider: ProviderIx,
        /// The case manager.
        worker: WorkerIx,
        /// First day.
        start: Day,
        /// First day after the assignment; `None` while open.
        end: Option<Day>,
    }
);

child_table!(
    /// Placements (columns). Sorted by child, then start date.
    ///
    /// # Example
    ///
    /// ```
    /// let ds = cwfinance::metrics::data::Dataset::default();
    /// assert!(ds.placements.setting.is_empty());
    /// ```
    table Placements in placements sorted by start;
    /// One placement: where the child lives, and since when.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let p = Placement { child: ChildIx(0), setting: PlacementSetting::Relative,
    ///     start: Day::from_ymd(2024, 1, 1).unwrap(), end: None, entered: None };
    /// assert!(!p.setting.is_congregate());
    /// ```
    row Placement {
        /// The child.
        child: ChildIx,
        /// The kind of setting.
        setting: PlacementSetting,
        /// First day.
        start: Day,
        /// First day after the placement; `None` while open.
        end: Option<Day>,
        /// When the record was entered, if known.
        entered: Option<Day>,
    }
);

child_table!(
    /// Visits (columns). Sorted by child, then visit date.
    ///
    /// # Example
    ///
    /// ```
    /// let ds = cwfinance::metrics::data::Dataset::default();
    /// assert!(ds.visits.kind.is_empty());
    /// ```
    table Visits in visits sorted by date;
    /// One visit.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let v = Visit { child: ChildIx(0), date: Day::from_ymd(2024, 1, 9).unwrap(),
    ///     kind: VisitKind::WorkerChild, parent: None, entered: None };
    /// assert!(!v.kind.needs_parent());
    /// ```
    row Visit {
        /// The child the visit is about.
        child: ChildIx,
        /// Date of the visit.
        date: Day,
        /// Worker/child, worker/parent or parent/child.
        kind: VisitKind,
        /// The parent (always present for worker/parent and parent/child visits).
        parent: Option<ParentIx>,
        /// When the visit was entered, if known.
        entered: Option<Day>,
    }
);

child_table!(
    /// Parent-child links with visit eligibility (columns). Sorted by child, then parent.
    ///
    /// # Example
    ///
    /// ```
    /// let ds = cwfinance::metrics::data::Dataset::default();
    /// assert!(ds.parents.visits_allowed.is_empty());
    /// ```
    table ParentLinks in parents sorted by parent;
    /// One parent of one child.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let p = ParentLink { child: ChildIx(0), parent: ParentIx(0), visits_allowed: false };
    /// assert!(!p.visits_allowed);
    /// ```
    row ParentLink {
        /// The child.
        child: ChildIx,
        /// The parent.
        parent: ParentIx,
        /// Whether the parent is eligible for visits (a court order may forbid them).
        visits_allowed: bool,
    }
);

child_table!(
    /// HCY/EPSDT exams (columns). Sorted by child, then exam date.
    ///
    /// # Example
    ///
    /// ```
    /// let ds = cwfinance::metrics::data::Dataset::default();
    /// assert!(ds.hcy_exams.date.is_empty());
    /// ```
    table HcyExams in hcy_exams sorted by date;
    /// One Healthy Children and Youth (EPSDT) exam.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let e = HcyExam { child: ChildIx(0), date: Day::from_ymd(2024, 1, 20).unwrap(), entered: None };
    /// assert_eq!(e.date.month(), 1);
    /// ```
    row HcyExam {
        /// The child.
        child: ChildIx,
        /// Date of the exam.
        date: Day,
        /// When the exam was entered, if known.
        entered: Option<Day>,
    }
);

child_table!(
    /// Abuse/neglect reports (columns). Sorted by child, then report date.
    ///
    /// # Example
    ///
    /// ```
    /// let ds = cwfinance::metrics::data::Dataset::default();
    /// assert!(ds.reports.substantiated.is_empty());
    /// ```
    table Reports in reports sorted by date;
    /// One report of abuse or neglect about a child.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let r = Report { child: ChildIx(0), date: Day::from_ymd(2024, 5, 2).unwrap(), substantiated: true, entered: None };
    /// assert!(r.substantiated);
    /// ```
    row Report {
        /// The alleged victim.
        child: ChildIx,
        /// Date the report was received.
        date: Day,
        /// Whether it was substantiated.
        substantiated: bool,
        /// When the report was entered, if known.
        entered: Option<Day>,
    }
);

child_table!(
    /// Court-approved permanency goals (columns). Sorted by child, then approval date.
    ///
    /// # Example
    ///
    /// ```
    /// let ds = cwfinance::metrics::data::Dataset::default();
    /// assert!(ds.permanency_goals.goal.is_empty());
    /// ```
    table PermanencyGoals in permanency_goals sorted by date;
    /// One court approval of a permanency goal; a later approval replaces an earlier one.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let g = PermanencyGoal { child: ChildIx(0), goal: Goal::Adoption, date: Day::from_ymd(2024, 3, 1).unwrap() };
    /// assert_eq!(g.goal.as_str(), "adoption");
    /// ```
    row PermanencyGoal {
        /// The child.
        child: ChildIx,
        /// The goal.
        goal: Goal,
        /// Date the court approved it.
        date: Day,
    }
);

child_table!(
    /// Sentinel events (columns). Sorted by child, then occurrence date.
    ///
    /// # Example
    ///
    /// ```
    /// let ds = cwfinance::metrics::data::Dataset::default();
    /// assert!(ds.sentinel_events.occurred.is_empty());
    /// ```
    table SentinelEvents in sentinel_events sorted by occurred;
    /// One sentinel event, 13 CSR 35-35.100(2)(L).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let e = SentinelEvent { child: ChildIx(0), kind: SentinelKind::Elopement,
    ///     occurred: Day::from_ymd(2024, 5, 1).unwrap(), reported: Day::from_ymd(2024, 5, 2) };
    /// assert_eq!(e.reported.unwrap().days_since(e.occurred), 1);
    /// ```
    row SentinelEvent {
        /// The child involved.
        child: ChildIx,
        /// The kind of event.
        kind: SentinelKind,
        /// When it occurred.
        occurred: Day,
        /// When it was reported; `None` if not reported.
        reported: Option<Day>,
    }
);

child_table!(
    /// Cases returned to the division (columns). Sorted by child, then return date.
    ///
    /// # Example
    ///
    /// ```
    /// let ds = cwfinance::metrics::data::Dataset::default();
    /// assert!(ds.case_returns.cost.is_empty());
    /// ```
    table CaseReturns in case_returns sorted by date;
    /// One case returned by a contractor to the division, 13 CSR 35-35.100(3)(E)4.D.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let r = CaseReturn { child: ChildIx(0), provider: ProviderIx(1), date: Day::from_ymd(2024, 5, 1).unwrap(),
    ///     reason: ReturnReason::CatastrophicCost, cost: Some(cwfinance::Money::from_cents(2_500_000)) };
    /// assert_eq!(r.cost.unwrap().to_string(), "25000.00");
    /// ```
    row CaseReturn {
        /// The child.
        child: ChildIx,
        /// The contractor that returned the case.
        provider: ProviderIx,
        /// Date of the return.
        date: Day,
        /// Catastrophic cost or court order.
        reason: ReturnReason,
        /// The cost associated with the case, if reported.
        cost: Option<Money>,
    }
);

// ---------------------------------------------------------------------------------------------
// Entity tables
// ---------------------------------------------------------------------------------------------

/// Providers (columns, indexed by [`ProviderIx`]).
///
/// # Example
///
/// ```
/// use cwfinance::metrics::data::*;
/// let mut ds = Dataset::default();
/// let ks = ds.regions.intern("Kansas City");
/// let p = ds.providers.push("FCCM-KC", "KC Consortium", ProviderKind::Contractor, Some(ks));
/// assert_eq!(ds.providers.kind[p.index()], ProviderKind::Contractor);
/// assert_eq!(ds.providers.contractors().count(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Providers {
    /// Provider ids.
    pub ids: Dictionary<ProviderIx>,
    /// Display names.
    pub name: Vec<String>,
    /// Division or contractor.
    pub kind: Vec<ProviderKind>,
    /// The region of the contract, if any.
    pub region: Vec<Option<RegionIx>>,
}

impl Providers {
    /// Add a provider (or return the existing one with this id, unchanged).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let mut p = Providers::default();
    /// let cd = p.push("CD", "Children's Division", ProviderKind::Division, None);
    /// assert_eq!(p.push("CD", "again", ProviderKind::Contractor, None), cd);
    /// assert_eq!(p.len(), 1);
    /// ```
    pub fn push(
        &mut self,
        id: &str,
        name: &str,
        kind: ProviderKind,
        region: Option<RegionIx>,
    ) -> ProviderIx {
        if let Some(p) = self.ids.get(id) {
            return p;
        }
        let p = self.ids.intern(id);
        self.name.push(name.to_string());
        self.kind.push(kind);
        self.region.push(region);
        p
    }

    /// How many providers.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::metrics::data::Providers::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(cwfinance::metrics::data::Providers::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The contractors (FCCMs), in index order.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let mut p = Providers::default();
    /// p.push("CD", "Children's Division", ProviderKind::Division, None);
    /// assert_eq!(p.contractors().count(), 0);
    /// ```
    pub fn contractors(&self) -> impl Iterator<Item = ProviderIx> + '_ {
        self.ids
            .ixs()
            .filter(|p| self.kind.get(p.index()) == Some(&ProviderKind::Contractor))
    }
}

/// Children (columns, indexed by [`ChildIx`]).
///
/// # Example
///
/// ```
/// use cwfinance::metrics::data::*;
/// let mut c = Children::default();
/// let kid = c.push("C1", Day::from_ymd(2006, 6, 1).unwrap());
/// assert_eq!(c.age_on(kid, Day::from_ymd(2024, 5, 31).unwrap()), Some(17));
/// assert_eq!(c.age_on(kid, Day::from_ymd(2024, 6, 1).unwrap()), Some(18));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Children {
    /// Child ids.
    pub ids: Dictionary<ChildIx>,
    /// Dates of birth.
    pub birth: Vec<Day>,
}

impl Children {
    /// Add a child (or return the existing one with this id, unchanged).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let mut c = Children::default();
    /// let a = c.push("C1", Day::from_ymd(2010, 1, 1).unwrap());
    /// assert_eq!(c.push("C1", Day::from_ymd(2011, 1, 1).unwrap()), a);
    /// assert_eq!(c.birth[0], Day::from_ymd(2010, 1, 1).unwrap());
    /// ```
    pub fn push(&mut self, id: &str, birth: Day) -> ChildIx {
        if let Some(c) = self.ids.get(id) {
            return c;
        }
        let c = self.ids.intern(id);
        self.birth.push(birth);
        c
    }

    /// How many children.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::metrics::data::Children::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(cwfinance::metrics::data::Children::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Every child index, in order.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let mut c = Children::default();
    /// c.push("C1", Day::from_ymd(2010, 1, 1).unwrap());
    /// assert_eq!(c.ixs().collect::<Vec<_>>(), vec![ChildIx(0)]);
    /// ```
    pub fn ixs(&self) -> impl Iterator<Item = ChildIx> + '_ {
        self.ids.ixs()
    }

    /// Age in whole years on `day` (the birthday counts: a child born 2006-06-01 is 18 on
    /// 2024-06-01). `None` for an unknown child.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let mut c = Children::default();
    /// let kid = c.push("C1", Day::from_ymd(2008, 2, 29).unwrap());
    /// assert_eq!(c.age_on(kid, Day::from_ymd(2026, 2, 28).unwrap()), Some(17));
    /// assert_eq!(c.age_on(kid, Day::from_ymd(2026, 3, 1).unwrap()), Some(18));
    /// ```
    pub fn age_on(&self, child: ChildIx, day: Day) -> Option<i32> {
        let born = self.birth.get(child.index())?.date();
        let on = day.date();
        let mut age = on.year() - born.year();
        if (on.month(), on.day()) < (born.month(), born.day()) {
            age -= 1;
        }
        Some(age)
    }

    /// The day the child turns `years` old (see [`Day::add_years`] for February 29).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let mut c = Children::default();
    /// let kid = c.push("C1", Day::from_ymd(2006, 6, 1).unwrap());
    /// assert_eq!(c.birthday(kid, 18), Day::from_ymd(2024, 6, 1));
    /// ```
    pub fn birthday(&self, child: ChildIx, years: i32) -> Option<Day> {
        self.birth.get(child.index())?.add_years(years)
    }
}

/// Workers (columns, indexed by [`WorkerIx`]).
///
/// # Example
///
/// ```
/// use cwfinance::metrics::data::*;
/// let mut ds = Dataset::default();
/// let cd = ds.providers.push("CD", "Children's Division", ProviderKind::Division, None);
/// let sup = ds.workers.push("S1", Worker { provider: cd, role: WorkerRole::Supervisor, supervisor: None,
///     trauma_trained: Day::from_ymd(2023, 1, 5), hired: None, left: None });
/// let cm = ds.workers.push("W1", Worker { provider: cd, role: WorkerRole::CaseManager, supervisor: Some(sup),
///     trauma_trained: None, hired: None, left: None });
/// assert_eq!(ds.workers.get(cm).unwrap().supervisor, Some(sup));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Workers {
    /// Worker ids.
    pub ids: Dictionary<WorkerIx>,
    /// Employing provider.
    pub provider: Vec<ProviderIx>,
    /// Role.
    pub role: Vec<WorkerRole>,
    /// Supervisor, if any.
    pub supervisor: Vec<Option<WorkerIx>>,
    /// Trauma Toolkit training completion date, if completed.
    pub trauma_trained: Vec<Option<Day>>,
    /// First day in the role, if known.
    pub hired: Vec<Option<Day>>,
    /// First day no longer in the role, if left.
    pub left: Vec<Option<Day>>,
}

/// One worker (the columns of [`Workers`] other than the id).
///
/// # Example
///
/// ```
/// use cwfinance::metrics::data::*;
/// let w = Worker { provider: ProviderIx(0), role: WorkerRole::CaseManager, supervisor: None,
///     trauma_trained: None, hired: None, left: None };
/// assert!(w.active_on(Day::from_ymd(2024, 1, 1).unwrap()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Worker {
    /// Employing provider.
    pub provider: ProviderIx,
    /// Role.
    pub role: WorkerRole,
    /// Supervisor, if any.
    pub supervisor: Option<WorkerIx>,
    /// Trauma Toolkit training completion date, if completed.
    pub trauma_trained: Option<Day>,
    /// First day in the role, if known.
    pub hired: Option<Day>,
    /// First day no longer in the role, if left.
    pub left: Option<Day>,
}

impl Worker {
    /// Whether the worker is in the role on `day` (`hired <= day < left`, open ends unbounded).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let w = Worker { provider: ProviderIx(0), role: WorkerRole::CaseManager, supervisor: None,
    ///     trauma_trained: None, hired: Day::from_ymd(2023, 1, 1), left: Day::from_ymd(2024, 1, 1) };
    /// assert!(w.active_on(Day::from_ymd(2023, 12, 31).unwrap()));
    /// assert!(!w.active_on(Day::from_ymd(2024, 1, 1).unwrap()));
    /// ```
    pub fn active_on(&self, day: Day) -> bool {
        self.hired.is_none_or(|h| h <= day) && self.left.is_none_or(|l| day < l)
    }
}

impl Workers {
    /// Add a worker (or return the existing one with this id, unchanged).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let mut w = Workers::default();
    /// let row = Worker { provider: ProviderIx(0), role: WorkerRole::Other, supervisor: None,
    ///     trauma_trained: None, hired: None, left: None };
    /// assert_eq!(w.push("W1", row), WorkerIx(0));
    /// assert_eq!(w.push("W1", row), WorkerIx(0));
    /// ```
    pub fn push(&mut self, id: &str, worker: Worker) -> WorkerIx {
        if let Some(w) = self.ids.get(id) {
            return w;
        }
        let w = self.ids.intern(id);
        self.provider.push(worker.provider);
        self.role.push(worker.role);
        self.supervisor.push(worker.supervisor);
        self.trauma_trained.push(worker.trauma_trained);
        self.hired.push(worker.hired);
        self.left.push(worker.left);
        w
    }

    /// Worker `w`'s row, if it exists.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// assert!(Workers::default().get(WorkerIx(0)).is_none());
    /// ```
    pub fn get(&self, w: WorkerIx) -> Option<Worker> {
        let i = w.index();
        Some(Worker {
            provider: *self.provider.get(i)?,
            role: *self.role.get(i)?,
            supervisor: *self.supervisor.get(i)?,
            trauma_trained: *self.trauma_trained.get(i)?,
            hired: *self.hired.get(i)?,
            left: *self.left.get(i)?,
        })
    }

    /// How many workers.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::metrics::data::Workers::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(cwfinance::metrics::data::Workers::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

// ---------------------------------------------------------------------------------------------
// Load statistics
// ---------------------------------------------------------------------------------------------

/// Row counts of one table: read, used, and excluded per reason (`read = used + Σ excluded`).
///
/// # Example
///
/// ```
/// use cwfinance::metrics::data::TableStats;
/// let s = TableStats { read: 10, used: 8, excluded: [("stay_under_8_days".to_string(), 2)].into() };
/// assert_eq!(s.excluded_total(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TableStats {
    /// Data rows in the input.
    pub read: u64,
    /// Rows used: read minus every exclusion.
    pub used: u64,
    /// Rows set aside by a rule, per reason code (such as `duplicate_row`, `stay_under_8_days`).
    pub excluded: BTreeMap<String, u64>,
}

impl TableStats {
    /// The sum of the exclusions.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::metrics::data::TableStats::default().excluded_total(), 0);
    /// ```
    pub fn excluded_total(&self) -> u64 {
        self.excluded
            .values()
            .fold(0u64, |a, &b| a.saturating_add(b))
    }
}

/// Row counts of every table: rows read, used, and excluded by a rule per reason.
///
/// The loader records what it read and what it excluded itself (exact duplicate rows, code
/// `duplicate_row`). Metrics add their own exclusions with [`LoadStats::exclude`] (for example
/// `stay_under_8_days` on episodes), on a clone when an exclusion is specific to one metric.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::data::{LoadStats, Table};
/// let mut stats = LoadStats::default();
/// stats.record_read(Table::Episodes, 100);
/// stats.exclude(Table::Episodes, "stay_under_8_days", 7);
/// stats.exclude(Table::Episodes, "entered_at_18_or_older", 2);
/// assert_eq!(stats.read(Table::Episodes), 100);
/// assert_eq!(stats.used(Table::Episodes), 91);
/// assert_eq!(stats.excluded(Table::Episodes, "stay_under_8_days"), 7);
/// assert_eq!(stats.table(Table::Visits).read, 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LoadStats {
    /// Per table name (`episodes`, `visits`, ...).
    pub tables: BTreeMap<String, TableStats>,
}

impl LoadStats {
    /// Record `rows` more rows read (and, until excluded, used).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{LoadStats, Table};
    /// let mut s = LoadStats::default();
    /// s.record_read(Table::Visits, 3);
    /// s.record_read(Table::Visits, 2);
    /// assert_eq!(s.used(Table::Visits), 5);
    /// ```
    pub fn record_read(&mut self, table: Table, rows: u64) {
        let t = self.tables.entry(table.as_str().to_string()).or_default();
        t.read = t.read.saturating_add(rows);
        t.used = t.used.saturating_add(rows);
    }

    /// Move `rows` rows of `table` from used to excluded under `reason` (at most the rows still
    /// used, so counts never go negative).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{LoadStats, Table};
    /// let mut s = LoadStats::default();
    /// s.record_read(Table::Episodes, 1);
    /// s.exclude(Table::Episodes, "stay_under_8_days", 5);
    /// assert_eq!(s.used(Table::Episodes), 0);
    /// assert_eq!(s.excluded(Table::Episodes, "stay_under_8_days"), 1);
    /// ```
    pub fn exclude(&mut self, table: Table, reason: &str, rows: u64) {
        let t = self.tables.entry(table.as_str().to_string()).or_default();
        let n = rows.min(t.used);
        t.used -= n;
        let e = t.excluded.entry(reason.to_string()).or_insert(0);
        *e = e.saturating_add(n);
    }

    /// The counts of `table` (zeros if nothing was recorded).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{LoadStats, Table};
    /// assert_eq!(LoadStats::default().table(Table::Children).used, 0);
    /// ```
    pub fn table(&self, table: Table) -> TableStats {
        self.tables.get(table.as_str()).cloned().unwrap_or_default()
    }

    /// Rows read from `table`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{LoadStats, Table};
    /// assert_eq!(LoadStats::default().read(Table::Children), 0);
    /// ```
    pub fn read(&self, table: Table) -> u64 {
        self.tables.get(table.as_str()).map_or(0, |t| t.read)
    }

    /// Rows of `table` used.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{LoadStats, Table};
    /// assert_eq!(LoadStats::default().used(Table::Children), 0);
    /// ```
    pub fn used(&self, table: Table) -> u64 {
        self.tables.get(table.as_str()).map_or(0, |t| t.used)
    }

    /// Rows of `table` excluded for `reason`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::{LoadStats, Table};
    /// assert_eq!(LoadStats::default().excluded(Table::Visits, "duplicate_row"), 0);
    /// ```
    pub fn excluded(&self, table: Table, reason: &str) -> u64 {
        self.tables
            .get(table.as_str())
            .and_then(|t| t.excluded.get(reason))
            .copied()
            .unwrap_or(0)
    }
}

// ---------------------------------------------------------------------------------------------
// Dataset
// ---------------------------------------------------------------------------------------------

/// Every table of a case-level dataset, with its dictionaries and load statistics.
///
/// After [`Dataset::finalize`], every per-child table is sorted by child then date and indexed
/// by child, so `ds.visits.of(child)` is a contiguous row range.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::data::*;
///
/// let mut ds = Dataset::default();
/// let c = ds.children.push("C1", Day::from_ymd(2015, 1, 1).unwrap());
/// let d = |m, day| Day::from_ymd(2024, m, day).unwrap();
/// // Pushed out of order; finalize sorts.
/// for date in [d(3, 5), d(1, 5), d(2, 5)] {
///     ds.visits.push(Visit { child: c, date, kind: VisitKind::WorkerChild, parent: None, entered: None });
/// }
/// ds.finalize();
/// let months: Vec<u32> = ds.visits.rows_of(c).map(|v| v.date.month()).collect();
/// assert_eq!(months, [1, 2, 3]);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    /// Providers.
    pub providers: Providers,
    /// Children.
    pub children: Children,
    /// Workers.
    pub workers: Workers,
    /// Parent-child links (the `parents` table).
    pub parents: ParentLinks,
    /// Removal episodes.
    pub episodes: Episodes,
    /// Case-management assignments.
    pub assignments: Assignments,
    /// Placements.
    pub placements: Placements,
    /// Visits.
    pub visits: Visits,
    /// HCY/EPSDT exams.
    pub hcy_exams: HcyExams,
    /// Abuse/neglect reports.
    pub reports: Reports,
    /// Court-approved permanency goals.
    pub permanency_goals: PermanencyGoals,
    /// Sentinel events.
    pub sentinel_events: SentinelEvents,
    /// Cases returned to the division.
    pub case_returns: CaseReturns,
    /// Parent ids (people).
    pub parent_ids: Dictionary<ParentIx>,
    /// County names.
    pub counties: Dictionary<CountyIx>,
    /// Judicial circuit names.
    pub circuits: Dictionary<CircuitIx>,
    /// Region names.
    pub regions: Dictionary<RegionIx>,
    /// Rows read, used and excluded per table.
    pub stats: LoadStats,
}

impl Dataset {
    /// Sort every per-child table by child then date and rebuild the per-child offsets. Call it
    /// after pushing rows; loaders and the generator already do.
    ///
    /// # Example
    ///
    /// ```
    /// let mut ds = cwfinance::metrics::data::Dataset::default();
    /// ds.finalize();
    /// assert!(ds.episodes.is_empty());
    /// ```
    pub fn finalize(&mut self) {
        let n = self.children.len();
        self.parents.sort_and_index(n);
        self.episodes.sort_and_index(n);
        self.assignments.sort_and_index(n);
        self.placements.sort_and_index(n);
        self.visits.sort_and_index(n);
        self.hcy_exams.sort_and_index(n);
        self.reports.sort_and_index(n);
        self.permanency_goals.sort_and_index(n);
        self.sentinel_events.sort_and_index(n);
        self.case_returns.sort_and_index(n);
    }

    /// The number of rows of `table`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let mut ds = Dataset::default();
    /// ds.children.push("C1", Day::from_ymd(2015, 1, 1).unwrap());
    /// assert_eq!(ds.rows(Table::Children), 1);
    /// assert_eq!(ds.rows(Table::Visits), 0);
    /// ```
    pub fn rows(&self, table: Table) -> usize {
        match table {
            Table::Providers => self.providers.len(),
            Table::Children => self.children.len(),
            Table::Workers => self.workers.len(),
            Table::Parents => self.parents.len(),
            Table::Episodes => self.episodes.len(),
            Table::Assignments => self.assignments.len(),
            Table::Placements => self.placements.len(),
            Table::Visits => self.visits.len(),
            Table::HcyExams => self.hcy_exams.len(),
            Table::Reports => self.reports.len(),
            Table::PermanencyGoals => self.permanency_goals.len(),
            Table::SentinelEvents => self.sentinel_events.len(),
            Table::CaseReturns => self.case_returns.len(),
        }
    }

    /// The episode that has `child` in care on `day` (`removal <= day < exit`), if any.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let mut ds = Dataset::default();
    /// let c = ds.children.push("C1", Day::from_ymd(2015, 1, 1).unwrap());
    /// let (county, circuit, region) = (ds.counties.intern("Boone"), ds.circuits.intern("13"), ds.regions.intern("Northeast"));
    /// ds.episodes.push(Episode { child: c, removal: Day::from_ymd(2024, 1, 1).unwrap(),
    ///     exit: Day::from_ymd(2024, 2, 1), exit_reason: Some(ExitReason::Adoption), county, circuit, region });
    /// ds.finalize();
    /// assert_eq!(ds.episode_on(c, Day::from_ymd(2024, 1, 31).unwrap()), Some(0));
    /// assert_eq!(ds.episode_on(c, Day::from_ymd(2024, 2, 1).unwrap()), None);
    /// ```
    pub fn episode_on(&self, child: ChildIx, day: Day) -> Option<usize> {
        self.episodes.of(child).find(|&i| {
            self.episodes.removal.get(i).is_some_and(|&r| r <= day)
                && self
                    .episodes
                    .exit
                    .get(i)
                    .is_some_and(|e| e.is_none_or(|e| day < e))
        })
    }

    /// The provider whose assignment covers `child` on `day` (`start <= day < end`); when
    /// assignments overlap, the latest-starting one.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::data::*;
    /// let mut ds = Dataset::default();
    /// let c = ds.children.push("C1", Day::from_ymd(2015, 1, 1).unwrap());
    /// let cd = ds.providers.push("CD", "Children's Division", ProviderKind::Division, None);
    /// let w = ds.workers.push("W1", Worker { provider: cd, role: WorkerRole::CaseManager,
    ///     supervisor: None, trauma_trained: None, hired: None, left: None });
    /// ds.assignments.push(Assignment { child: c, provider: cd, worker: w,
    ///     start: Day::from_ymd(2024, 1, 1).unwrap(), end: None });
    /// ds.finalize();
    /// assert_eq!(ds.provider_on(c, Day::from_ymd(2024, 6, 1).unwrap()), Some(cd));
    /// assert_eq!(ds.provider_on(c, Day::from_ymd(2023, 6, 1).unwrap()), None);
    /// ```
    pub fn provider_on(&self, child: ChildIx, day: Day) -> Option<ProviderIx> {
        self.assignments.of(child).rev().find_map(|i| {
            let a = self.assignments.get(i)?;
            (a.start <= day && a.end.is_none_or(|e| day < e)).then_some(a.provider)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn option_day_is_four_bytes() {
        assert_eq!(std::mem::size_of::<Option<Day>>(), 4);
    }

    /// The integer calendar arithmetic agrees with chrono on every day in range.
    #[test]
    fn every_day_in_range_has_chronos_year_month_and_day() {
        let first = Day::from_ymd(Day::EARLIEST_YEAR, 1, 1).unwrap();
        let last = Day::from_ymd(Day::LATEST_YEAR, 12, 31).unwrap();
        assert_eq!(Day::from_number(first.number() - 1), None);
        assert_eq!(Day::from_number(last.number() + 1), None);
        for n in first.number()..=last.number() {
            let day = Day::from_number(n).unwrap();
            let d = NaiveDate::from_num_days_from_ce_opt(n).unwrap();
            assert_eq!(day.ymd(), (d.year(), d.month(), d.day()), "{d}");
            assert_eq!(day.month_number(), d.year() * 12 + d.month0() as i32);
            assert_eq!(day.first_of_month().date(), d.with_day(1).unwrap());
            assert_eq!(day.to_string(), d.to_string());
        }
    }

    #[test]
    fn day_range_edges() {
        assert!(Day::from_ymd(1900, 1, 1).is_some());
        assert!(Day::from_ymd(1899, 12, 31).is_none());
        assert!(Day::from_ymd(2199, 12, 31).is_some());
        assert!(Day::parse("2200-01-01").is_none());
        assert!(Day::parse("2024-02-30").is_none());
        assert!(Day::parse("2024-0a-01").is_none());
        assert!(Day::parse("+024-01-01").is_none());
    }

    #[test]
    fn code_round_trips() {
        for r in ExitReason::ALL {
            assert_eq!(ExitReason::parse(r.as_str()), Some(*r));
            let json = serde_json::to_string(r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
        for t in Table::ALL {
            assert_eq!(Table::from_file_name(t.file_name()), Some(*t));
        }
    }

    #[test]
    fn sort_and_offsets() {
        let mut v = Visits::default();
        let d = |n| Day::from_ymd(2024, 1, n).unwrap();
        for (c, day) in [(2, 3), (0, 9), (2, 1), (0, 1)] {
            v.push(Visit {
                child: ChildIx(c),
                date: d(day),
                kind: VisitKind::WorkerChild,
                parent: None,
                entered: None,
            });
        }
        v.sort_and_index(3);
        assert_eq!(v.child, [ChildIx(0), ChildIx(0), ChildIx(2), ChildIx(2)]);
        assert_eq!(v.date, [d(1), d(9), d(1), d(3)]);
        assert_eq!(v.of(ChildIx(1)), 2..2);
        assert_eq!(v.of(ChildIx(2)), 2..4);
    }

    proptest! {
        #[test]
        fn day_text_round_trips(n in 693_596i32..803_533) {
            if let Some(d) = Day::from_number(n) {
                prop_assert_eq!(Day::parse(&d.to_string()), Some(d));
                prop_assert_eq!(Day::from_month_number(d.month_number()), Some(d.first_of_month()));
            }
        }

        #[test]
        fn day_parse_never_panics(s in ".{0,12}") {
            let _ = Day::parse(&s);
        }
    }
}
