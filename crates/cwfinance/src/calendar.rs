//! Dates, half-open periods, month arithmetic, fiscal years, quarters and proration.
//!
//! Dates are [`chrono::NaiveDate`]. A [`Period`] is half-open: it includes `start` and excludes
//! `end`, so a month is `[2024-07-01, 2024-08-01)` and back-to-back periods never double-count a
//! day. Month arithmetic ([`add_months`]) clamps to the end of a shorter month: one month after
//! January 31 is February 28 (or 29).
//!
//! # Example
//!
//! ```
//! use cwfinance::calendar::add_months;
//! use cwfinance::FiscalYearConvention;
//! use chrono::NaiveDate;
//!
//! let d = |s: &str| s.parse::<NaiveDate>().unwrap();
//! assert_eq!(add_months(d("2024-01-31"), 1), d("2024-02-29"));
//! // Missouri's state fiscal year 2000 runs July 1999 to June 2000.
//! assert_eq!(FiscalYearConvention::MissouriState.fiscal_year(d("1999-07-01")), 2000);
//! ```

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A half-open span of days, `[start, end)`.
///
/// # Example
///
/// ```
/// use cwfinance::Period;
/// use chrono::NaiveDate;
///
/// let d = |s: &str| s.parse::<NaiveDate>().unwrap();
/// let july = Period::new(d("2024-07-01"), d("2024-08-01")).unwrap();
/// assert_eq!(july.days(), 31);
/// assert!(july.contains(d("2024-07-31")));
/// assert!(!july.contains(d("2024-08-01")));
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
pub struct Period {
    /// The first day in the period.
    pub start: NaiveDate,
    /// The first day after the period.
    pub end: NaiveDate,
}

impl Period {
    /// The period `[start, end)`; [`Error::EndBeforeStart`] when `end < start`. An empty period
    /// (`start == end`) is allowed.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::Period;
    /// let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    /// assert_eq!(Period::new(d("2024-02-01"), d("2024-01-01")).unwrap_err().kind(), "end_before_start");
    /// ```
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self> {
        if end < start {
            return Err(Error::EndBeforeStart {
                field: "period".into(),
                start: start.to_string(),
                end: end.to_string(),
            });
        }
        Ok(Period { start, end })
    }

    /// The calendar month containing `date`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::Period;
    /// let p = Period::month_of("2024-02-17".parse().unwrap());
    /// assert_eq!(p.start.to_string(), "2024-02-01");
    /// assert_eq!(p.days(), 29);
    /// ```
    pub fn month_of(date: NaiveDate) -> Self {
        let start = first_of_month(date);
        Period {
            start,
            end: add_months(start, 1),
        }
    }

    /// The number of days in the period.
    ///
    /// # Example
    ///
    /// ```
    /// let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    /// assert_eq!(cwfinance::Period::new(d("2024-01-01"), d("2025-01-01")).unwrap().days(), 366);
    /// ```
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days()
    }

    /// True when `date` lies in `[start, end)`.
    ///
    /// # Example
    ///
    /// ```
    /// let p = cwfinance::Period::month_of("2024-03-05".parse().unwrap());
    /// assert!(p.contains("2024-03-31".parse().unwrap()));
    /// ```
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date < self.end
    }

    /// The overlap of two periods, if any days are shared.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::Period;
    /// let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    /// let a = Period::new(d("2024-01-10"), d("2024-03-01")).unwrap();
    /// let feb = Period::month_of(d("2024-02-01"));
    /// assert_eq!(a.intersect(&feb).unwrap().days(), 29);
    /// ```
    pub fn intersect(&self, other: &Period) -> Option<Period> {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        (start < end).then_some(Period { start, end })
    }

    /// The calendar months this period touches, each with the days of the period inside it.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::Period;
    /// let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    /// let p = Period::new(d("2024-01-20"), d("2024-03-05")).unwrap();
    /// let days: Vec<i64> = p.months().map(|(_, part)| part.days()).collect();
    /// assert_eq!(days, vec![12, 29, 4]);
    /// ```
    pub fn months(&self) -> impl Iterator<Item = (Period, Period)> + '_ {
        let mut cursor = first_of_month(self.start);
        let end = self.end;
        let me = *self;
        std::iter::from_fn(move || {
            if cursor >= end {
                return None;
            }
            let month = Period {
                start: cursor,
                end: add_months(cursor, 1),
            };
            cursor = month.end;
            me.intersect(&month).map(|part| (month, part))
        })
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            start: NaiveDate,
            end: NaiveDate,
        }
        let raw = Raw::deserialize(d)?;
        Period::new(raw.start, raw.end).map_err(|_| {
            serde::de::Error::custom(crate::money::encode_err(
                "end_before_start",
                &raw.end.to_string(),
                &raw.start.to_string(),
            ))
        })
    }
}

/// The first day of the month containing `date`.
///
/// # Example
///
/// ```
/// assert_eq!(cwfinance::calendar::first_of_month("2024-02-29".parse().unwrap()).to_string(), "2024-02-01");
/// ```
pub fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// The number of days in a month (28 to 31); 0 for a month number outside 1..=12.
///
/// # Example
///
/// ```
/// assert_eq!(cwfinance::calendar::days_in_month(2024, 2), 29);
/// assert_eq!(cwfinance::calendar::days_in_month(2023, 2), 28);
/// ```
pub fn days_in_month(year: i32, month: u32) -> u32 {
    let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else {
        return 0;
    };
    let next = add_months(first, 1);
    u32::try_from((next - first).num_days()).unwrap_or(0)
}

/// `date` plus `months` calendar months, clamped to the end of a shorter month.
///
/// January 31 plus one month is February 28 (29 in a leap year). Negative `months` go back. At
/// the edge of chrono's date range the date is returned unchanged.
///
/// # Example
///
/// ```
/// use cwfinance::calendar::add_months;
/// let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
/// assert_eq!(add_months(d("2024-01-31"), 1), d("2024-02-29"));
/// assert_eq!(add_months(d("2024-08-31"), 6), d("2025-02-28"));
/// assert_eq!(add_months(d("1999-03-01"), 9), d("1999-12-01"));
/// ```
pub fn add_months(date: NaiveDate, months: i32) -> NaiveDate {
    // i64 so that no month count, however large, can overflow; out-of-range years fall back below.
    let total = i64::from(date.year()) * 12 + i64::from(date.month0()) + i64::from(months);
    let (Ok(y), Ok(m0)) = (
        i32::try_from(total.div_euclid(12)),
        u32::try_from(total.rem_euclid(12)),
    ) else {
        return date;
    };
    let m = m0 + 1;
    let mut day = date.day();
    while day > 28 {
        if let Some(d) = NaiveDate::from_ymd_opt(y, m, day) {
            return d;
        }
        day -= 1;
    }
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or(date)
}

/// How a fiscal year is laid out.
///
/// # Example
///
/// ```
/// use cwfinance::FiscalYearConvention;
/// let d = "2024-07-01".parse().unwrap();
/// assert_eq!(FiscalYearConvention::MissouriState.fiscal_year(d), 2025);
/// assert_eq!(FiscalYearConvention::Federal.fiscal_year(d), 2024);
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum FiscalYearConvention {
    /// Missouri state fiscal year: July 1 to June 30, named for the year it ends (FY2025 starts
    /// 2024-07-01).
    #[default]
    MissouriState,
    /// US federal fiscal year: October 1 to September 30, named for the year it ends.
    Federal,
    /// The calendar year.
    Calendar,
}

impl FiscalYearConvention {
    /// The month (1..=12) a fiscal year starts in.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::FiscalYearConvention::Federal.start_month(), 10);
    /// ```
    pub fn start_month(self) -> u32 {
        match self {
            FiscalYearConvention::MissouriState => 7,
            FiscalYearConvention::Federal => 10,
            FiscalYearConvention::Calendar => 1,
        }
    }

    /// The fiscal year containing `date`, named for the calendar year it ends in.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::FiscalYearConvention;
    /// assert_eq!(FiscalYearConvention::Federal.fiscal_year("2023-10-01".parse().unwrap()), 2024);
    /// ```
    pub fn fiscal_year(self, date: NaiveDate) -> i32 {
        let start = self.start_month();
        if start == 1 || date.month() < start {
            date.year()
        } else {
            date.year() + 1
        }
    }

    /// The days of fiscal year `fy`.
    ///
    /// # Example
    ///
    /// ```
    /// let p = cwfinance::FiscalYearConvention::MissouriState.period(2000);
    /// assert_eq!(p.start.to_string(), "1999-07-01");
    /// assert_eq!(p.end.to_string(), "2000-07-01");
    /// ```
    pub fn period(self, fy: i32) -> Period {
        let start_month = self.start_month();
        let start_year = if start_month == 1 { fy } else { fy - 1 };
        let start = NaiveDate::from_ymd_opt(start_year, start_month, 1).unwrap_or_default();
        Period {
            start,
            end: add_months(start, 12),
        }
    }

    /// The fiscal quarter (1..=4) containing `date`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::FiscalYearConvention;
    /// assert_eq!(FiscalYearConvention::MissouriState.fiscal_quarter("2024-09-30".parse().unwrap()), 1);
    /// assert_eq!(FiscalYearConvention::Federal.fiscal_quarter("2024-09-30".parse().unwrap()), 4);
    /// ```
    pub fn fiscal_quarter(self, date: NaiveDate) -> u32 {
        let offset = (date.month() + 12 - self.start_month()) % 12;
        offset / 3 + 1
    }
}

/// A calendar quarter such as `2024Q3` (July to September 2024).
///
/// # Example
///
/// ```
/// use cwfinance::Quarter;
/// let q: Quarter = "2024Q3".parse().unwrap();
/// assert_eq!(q.period().start.to_string(), "2024-07-01");
/// assert_eq!(q.period().end.to_string(), "2024-10-01");
/// assert_eq!(q.to_string(), "2024Q3");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    /// The calendar year.
    pub year: i32,
    /// The quarter, 1..=4.
    pub quarter: u32,
}

impl Quarter {
    /// The quarter containing `date`.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::Quarter::of("2024-08-15".parse().unwrap()).to_string(), "2024Q3");
    /// ```
    pub fn of(date: NaiveDate) -> Quarter {
        Quarter {
            year: date.year(),
            quarter: date.month0() / 3 + 1,
        }
    }

    /// The days of the quarter.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!("2024Q1".parse::<cwfinance::Quarter>().unwrap().period().days(), 91);
    /// ```
    pub fn period(self) -> Period {
        let start =
            NaiveDate::from_ymd_opt(self.year, (self.quarter - 1) * 3 + 1, 1).unwrap_or_default();
        Period {
            start,
            end: add_months(start, 3),
        }
    }

    /// The quarter `n` quarters later (earlier when negative).
    ///
    /// # Example
    ///
    /// ```
    /// let q: cwfinance::Quarter = "2024Q4".parse().unwrap();
    /// assert_eq!(q.offset(1).to_string(), "2025Q1");
    /// assert_eq!(q.offset(-4).to_string(), "2023Q4");
    /// ```
    pub fn offset(self, n: i32) -> Quarter {
        let idx = i64::from(self.year) * 4 + i64::from(self.quarter) - 1 + i64::from(n);
        Quarter {
            year: i32::try_from(idx.div_euclid(4)).unwrap_or(self.year),
            quarter: u32::try_from(idx.rem_euclid(4)).unwrap_or(0) + 1,
        }
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}Q{}", self.year, self.quarter)
    }
}

impl std::str::FromStr for Quarter {
    type Err = Error;
    fn from_str(s: &str) -> Result<Quarter> {
        let bad = || {
            Error::invalid(
                "quarter",
                s,
                "a quarter is written YYYYQn with n from 1 to 4, such as 2024Q3",
            )
        };
        let (y, q) = s.trim().split_once(['Q', 'q']).ok_or_else(bad)?;
        let year: i32 = y.parse().map_err(|_| bad())?;
        let quarter: u32 = q.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&quarter) || !(1000..=9999).contains(&year) {
            return Err(bad());
        }
        Ok(Quarter { year, quarter })
    }
}

impl Serialize for Quarter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quarter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(|_| {
            serde::de::Error::custom(crate::money::encode_err(
                "invalid_request",
                &s,
                "a quarter is written YYYYQn with n from 1 to 4, such as 2024Q3",
            ))
        })
    }
}

impl schemars::JsonSchema for Quarter {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Quarter".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "pattern": "^[0-9]{4}[Qq][1-4]$"})
    }
}

/// How a partial month of service is paid.
///
/// # Example
///
/// ```
/// use cwfinance::ProrationConvention;
/// use rust_decimal::Decimal;
/// let d = "2024-02-01".parse().unwrap();
/// // 10 days of a 29-day February:
/// assert_eq!(ProrationConvention::ActualDays.fraction(d, 10).round_dp(6).to_string(), "0.344828");
/// assert_eq!(ProrationConvention::ThirtyDayMonth.fraction(d, 10).round_dp(4).to_string(), "0.3333");
/// assert_eq!(ProrationConvention::WholeMonthIfAnyDay.fraction(d, 1), Decimal::ONE);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProrationConvention {
    /// Days enrolled over the days in that calendar month. The default: it matches a case rate
    /// "that begins when a child is enrolled" (`000_b605dc6c8d05d2b7.txt`), pays the same daily
    /// amount within a month, and pays a whole month exactly when every day is enrolled.
    #[default]
    ActualDays,
    /// Every month counts as 30 days (days enrolled / 30, at most one month); the practice of
    /// contracts that quote a daily rate as the monthly rate / 30. A whole calendar month pays
    /// exactly one month.
    ThirtyDayMonth,
    /// Any enrolled day earns the whole month; the practice of contracts that pay a "per child
    /// per month" slot whenever the child was served in the month.
    WholeMonthIfAnyDay,
}

impl ProrationConvention {
    /// The fraction of a month earned by `days` enrolled days in the month starting `month_start`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::ProrationConvention;
    /// let jan = "2024-01-01".parse().unwrap();
    /// assert_eq!(ProrationConvention::ActualDays.fraction(jan, 31).to_string(), "1");
    /// assert_eq!(ProrationConvention::ThirtyDayMonth.fraction(jan, 31).to_string(), "1");
    /// ```
    pub fn fraction(self, month_start: NaiveDate, days: i64) -> Decimal {
        let month_days = i64::from(days_in_month(month_start.year(), month_start.month()));
        if days <= 0 || month_days == 0 {
            return Decimal::ZERO;
        }
        if days >= month_days {
            return Decimal::ONE;
        }
        match self {
            ProrationConvention::ActualDays => Decimal::from(days) / Decimal::from(month_days),
            ProrationConvention::ThirtyDayMonth => {
                (Decimal::from(days) / Decimal::from(30)).min(Decimal::ONE)
            }
            ProrationConvention::WholeMonthIfAnyDay => Decimal::ONE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn months_of_a_period_add_up_to_its_days() {
        let p = Period {
            start: d("1999-03-01"),
            end: d("1999-12-01"),
        };
        let total: i64 = p.months().map(|(_, part)| part.days()).sum();
        assert_eq!(total, p.days());
        assert_eq!(p.months().count(), 9);
    }

    #[test]
    fn fiscal_periods() {
        assert_eq!(
            FiscalYearConvention::Federal.period(2024).start,
            d("2023-10-01")
        );
        assert_eq!(
            FiscalYearConvention::Calendar.fiscal_year(d("2024-12-31")),
            2024
        );
        assert_eq!(
            FiscalYearConvention::MissouriState.fiscal_quarter(d("2025-06-30")),
            4
        );
    }

    #[test]
    fn quarter_parse_errors() {
        for bad in ["2024Q5", "2024", "Q3", "abcdQ1", "2024Q0"] {
            assert!(bad.parse::<Quarter>().is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn add_months_round_trips_on_days_up_to_28(y in 1900i32..2200, m in 1u32..=12, day in 1u32..=28, n in -240i32..240) {
            let date = NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
            prop_assert_eq!(add_months(add_months(date, n), -n), date);
        }

        #[test]
        fn add_months_never_overshoots_the_month(y in 1900i32..2200, m in 1u32..=12, day in 1u32..=31, n in -240i32..240) {
            if let Some(date) = NaiveDate::from_ymd_opt(y, m, day) {
                let r = add_months(date, n);
                let months = (r.year() - y) * 12 + r.month() as i32 - m as i32;
                prop_assert_eq!(months, n);
                prop_assert!(r.day() <= day);
            }
        }

        #[test]
        fn add_months_never_panics(y in 1900i32..2200, m in 1u32..=12, n in any::<i32>()) {
            let date = NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default();
            let _ = add_months(date, n);
        }

        #[test]
        fn fractions_lie_in_unit_interval(y in 1990i32..2040, m in 1u32..=12, days in -5i64..40) {
            let start = NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default();
            for c in [ProrationConvention::ActualDays, ProrationConvention::ThirtyDayMonth, ProrationConvention::WholeMonthIfAnyDay] {
                let f = c.fraction(start, days);
                prop_assert!(f >= Decimal::ZERO && f <= Decimal::ONE);
            }
        }
    }
}
