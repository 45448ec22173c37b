//! Risk corridors and savings distribution: who bears the difference between actual cost and a
//! target.
//!
//! A **corridor** is a list of [`Band`]s of the difference `actual − target`, measured as a
//! percentage of the target. Each band gives the provider's share of losses (costs above the
//! target) and of gains (costs below it); the payer takes the rest. What happens beyond the last
//! band is the parameter [`BeyondLastBand`] (by default the payer bears or keeps all of it).
//! A corridor may be **phased in** by date ([`PhaseIn`]): Massachusetts Commonworks' lead
//! agencies assumed "a 1% risk in the first four months, a 2% risk in the second four months, and
//! a 3% risk in the third four months" (`001_f8713068464777ee.txt, Case Rates, Massachusetts
//! Commonworks`).
//!
//! # Sign convention
//!
//! `provider_share` and `payer_share` are each party's part of the **difference**
//! `actual − target`, so that, exactly,
//!
//! ```text
//! provider_share + payer_share = actual − target
//! ```
//!
//! A positive `provider_share` is a loss the provider bears out of its own resources; a negative
//! one is savings it keeps. A positive `payer_share` is the payer's reconciliation payment to the
//! provider; a negative one is a recoupment. [`Settlement::provider_gain`] is the provider's result
//! with the everyday sign (`−provider_share`: positive = retained gain, negative = borne loss), and
//! [`Settlement::payer_total`] is what the payer pays in all (`target + payer_share`).
//!
//! # Rounding
//!
//! Band edges in dollars (`target × edge`) and each band's provider share are rounded to cents
//! with the corridor's named [`Rounding`]; the payer's share of a band is the band's amount minus
//! the provider's, so the shares add up exactly.
//!
//! **Savings distribution** ([`SavingsRule`]): Commonworks lets the project retain "a total of
//! 5% of the payments", the lead agency 3% and the regional DSS "the remaining 2%".
//!
//! # Example
//!
//! ```
//! use cwfinance::corridor::{Band, Corridor};
//! use cwfinance::{Money, Percent};
//!
//! // The Commonworks 3% stage: the lead agency bears costs up to 3% above the payments and keeps
//! // savings up to 3%; beyond that the payer (DSS) bears or keeps the rest.
//! let pct = |s: &str| s.parse::<Percent>().unwrap();
//! let corridor = Corridor::new(vec![Band::symmetric(Some(pct("3%")), pct("100%"))]);
//! let s = corridor.settle(Money::from_cents(10_000_000), Money::from_cents(10_500_000), None).unwrap();
//! assert_eq!(s.provider_share.to_string(), "3000.00"); // borne by the lead agency
//! assert_eq!(s.payer_share.to_string(), "2000.00"); // DSS's reconciliation payment
//! assert_eq!(s.provider_gain.to_string(), "-3000.00");
//! ```

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::calendar::add_months;
use crate::document::Context;
use crate::error::{Error, Result};
use crate::money::{Money, Percent, Rounding};
use crate::trace::{Trace, TraceStep};

/// The source of the Commonworks corridor and savings rules.
///
/// # Example
///
/// ```
/// assert_eq!(
///     cwfinance::corridor::COMMONWORKS_SOURCE,
///     "001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks"
/// );
/// ```
pub const COMMONWORKS_SOURCE: &str =
    "001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks";

/// The longest phase accepted, in months (a century); longer ones are typos.
///
/// # Example
///
/// ```
/// assert_eq!(cwfinance::corridor::MAX_PHASE_MONTHS, 100 * 12);
/// ```
pub const MAX_PHASE_MONTHS: u32 = 1200;

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/// One band of a corridor: the part of `|actual − target|` from the previous band's edge (0% for
/// the first band) up to `up_to`, as a percentage of the target.
///
/// # Example
///
/// ```
/// use cwfinance::corridor::Band;
/// use cwfinance::Percent;
///
/// // ACA section 1342, second band: the issuer keeps or bears 50% between 3% and 8%.
/// let band = Band::symmetric(Some("8%".parse().unwrap()), "50%".parse().unwrap());
/// assert_eq!(band.provider_share_of_losses, band.provider_share_of_gains);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// The band's upper edge: `|actual − target|` as a percentage of the target. Absent on the
    /// last band only, meaning the band has no upper edge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_to: Option<Percent>,
    /// The provider's share of costs above the target that fall in this band (0% to 100%).
    pub provider_share_of_losses: Percent,
    /// The provider's share of savings below the target that fall in this band (0% to 100%).
    pub provider_share_of_gains: Percent,
}

impl Band {
    /// A band up to `up_to` (or unbounded when `None`) with separate shares of losses and gains.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::corridor::Band;
    /// let p = |s: &str| s.parse::<cwfinance::Percent>().unwrap();
    /// let band = Band::new(Some(p("3%")), p("100%"), p("50%"));
    /// assert_eq!(band.provider_share_of_gains.to_string(), "50%");
    /// ```
    pub fn new(up_to: Option<Percent>, of_losses: Percent, of_gains: Percent) -> Band {
        Band {
            up_to,
            provider_share_of_losses: of_losses,
            provider_share_of_gains: of_gains,
        }
    }

    /// A band whose provider share is the same for losses and gains.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::corridor::Band;
    /// let band = Band::symmetric(None, "20%".parse().unwrap());
    /// assert_eq!(band.up_to, None);
    /// ```
    pub fn symmetric(up_to: Option<Percent>, provider_share: Percent) -> Band {
        Band::new(up_to, provider_share, provider_share)
    }

    fn provider_rate(&self, side: Side) -> Percent {
        match side {
            Side::Loss => self.provider_share_of_losses,
            Side::Gain => self.provider_share_of_gains,
        }
    }
}

/// Who bears (or keeps) the difference beyond the last band's upper edge.
///
/// The default is [`BeyondLastBand::Payer`]: Commonworks' lead agency "is responsible for
/// covering costs up to 3% above that amount ($103,000)" and "can also retain savings up to
/// $3,000" (`001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks`), so its exposure
/// stops at the edge and the payer bears the loss, or keeps the savings, beyond it.
///
/// # Example
///
/// ```
/// use cwfinance::corridor::BeyondLastBand;
/// assert_eq!(BeyondLastBand::default(), BeyondLastBand::Payer);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum BeyondLastBand {
    /// The payer bears all losses and keeps all savings beyond the last band (the provider's
    /// share there is 0%).
    #[default]
    Payer,
    /// The provider bears all losses and keeps all savings beyond the last band (its share there
    /// is 100%): a provider "fully at risk" past the corridor.
    Provider,
}

impl BeyondLastBand {
    fn provider_rate(self) -> Percent {
        match self {
            BeyondLastBand::Payer => Percent::ZERO,
            BeyondLastBand::Provider => Percent::ONE_HUNDRED,
        }
    }
}

/// One phase of a [`PhaseIn`]: its length and its bands.
///
/// # Example
///
/// ```
/// use cwfinance::corridor::{Band, Phase};
/// let p = |s: &str| s.parse::<cwfinance::Percent>().unwrap();
/// let first = Phase::new(Some(4), vec![Band::symmetric(Some(p("1%")), p("100%"))]).named("1% risk");
/// assert_eq!(first.name.as_deref(), Some("1% risk"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// A label for reports, such as `"3% risk"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How many months the phase lasts. Absent on the last phase only, meaning it stays in
    /// force from its start on. A whole number, or a string holding one (as cited values in
    /// program files are strings).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "months_from_number_or_string"
    )]
    pub months: Option<u32>,
    /// The corridor's bands during the phase.
    pub bands: Vec<Band>,
}

/// Cited values in program files are strings (`{"value": "4", ...}`), requests may use numbers.
fn months_from_number_or_string<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<u32>, D::Error> {
    struct MonthsVisitor;
    impl serde::de::Visitor<'_> for MonthsVisitor {
        type Value = Option<u32>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "a whole number of months, such as 4 or \"4\"")
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
            u32::try_from(v)
                .map(Some)
                .map_err(|_| E::custom(format!("{v} months is too many")))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
            u32::try_from(v)
                .map(Some)
                .map_err(|_| E::custom(format!("{v} is not a whole number of months")))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
            v.trim()
                .parse::<u32>()
                .map(Some)
                .map_err(|_| E::custom(format!("{v:?} is not a whole number of months")))
        }
        fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(MonthsVisitor)
}

impl Phase {
    /// A phase of `months` months (or open-ended when `None`) with `bands`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::corridor::{Band, Phase};
    /// let phase = Phase::new(None, vec![Band::symmetric(None, "100%".parse().unwrap())]);
    /// assert_eq!(phase.months, None);
    /// ```
    pub fn new(months: Option<u32>, bands: Vec<Band>) -> Phase {
        Phase {
            name: None,
            months,
            bands,
        }
    }

    /// The same phase with a name.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::corridor::Phase;
    /// assert_eq!(Phase::new(Some(4), vec![]).named("x").name.as_deref(), Some("x"));
    /// ```
    pub fn named(mut self, name: impl Into<String>) -> Phase {
        self.name = Some(name.into());
        self
    }
}

/// A corridor that changes by date: successive phases from `start`.
///
/// Phase `k` runs from `start` plus the months of the phases before it (month arithmetic clamps
/// to the month's end, see [`add_months`]) until the next phase starts; the last phase may be
/// open-ended. A date before `start`, or after a closed last phase, has no corridor and is an
/// [`Error::OutOfRange`] on `as_of`.
///
/// # Example
///
/// ```
/// use cwfinance::corridor::{Band, Phase, PhaseIn};
/// let p = |s: &str| s.parse::<cwfinance::Percent>().unwrap();
/// let phase_in = PhaseIn::new("1998-10-01".parse().unwrap(), vec![
///     Phase::new(Some(4), vec![Band::symmetric(Some(p("1%")), p("100%"))]),
///     Phase::new(None, vec![Band::symmetric(Some(p("2%")), p("100%"))]),
/// ]);
/// let (number, _) = phase_in.phase_on("1999-02-01".parse().unwrap()).unwrap();
/// assert_eq!(number.number, 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseIn {
    /// The day the first phase starts.
    pub start: NaiveDate,
    /// The phases, in order.
    pub phases: Vec<Phase>,
}

impl PhaseIn {
    /// Phases from `start`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::corridor::PhaseIn;
    /// assert!(PhaseIn::new("1998-10-01".parse().unwrap(), vec![]).phases.is_empty());
    /// ```
    pub fn new(start: NaiveDate, phases: Vec<Phase>) -> PhaseIn {
        PhaseIn { start, phases }
    }

    /// The phase in force on `as_of`, with its dates; [`Error::OutOfRange`] on `as_of` when no
    /// phase is.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::corridor::{Band, Phase, PhaseIn};
    /// let phase_in = PhaseIn::new("1998-10-01".parse().unwrap(), vec![
    ///     Phase::new(Some(4), vec![Band::symmetric(None, "100%".parse().unwrap())]),
    /// ]);
    /// let (used, _) = phase_in.phase_on("1998-10-01".parse().unwrap()).unwrap();
    /// assert_eq!(used.end.map(|d| d.to_string()).as_deref(), Some("1999-02-01"));
    /// let err = phase_in.phase_on("1999-02-01".parse().unwrap()).unwrap_err();
    /// assert_eq!(err.field(), "as_of");
    /// ```
    pub fn phase_on(&self, as_of: NaiveDate) -> Result<(PhaseUsed, &Phase)> {
        if as_of < self.start {
            return Err(Error::OutOfRange {
                field: "as_of".into(),
                value: as_of.to_string(),
                rule: format!(
                    "the corridor's first phase starts on {}; there is no corridor before it",
                    self.start
                ),
            });
        }
        let mut elapsed: u32 = 0;
        let mut phase_start = self.start;
        for (i, phase) in self.phases.iter().enumerate() {
            let end = match phase.months {
                None => None,
                Some(m) => {
                    elapsed = elapsed.saturating_add(m);
                    let months = i32::try_from(elapsed).map_err(|_| Error::OutOfRange {
                        field: format!("phase_in.phases[{i}].months"),
                        value: m.to_string(),
                        rule: "the phases are too long".into(),
                    })?;
                    Some(add_months(self.start, months))
                }
            };
            if end.is_none_or(|e| as_of < e) {
                let used = PhaseUsed {
                    number: u32::try_from(i).unwrap_or(u32::MAX).saturating_add(1),
                    name: phase.name.clone(),
                    start: phase_start,
                    end,
                };
                return Ok((used, phase));
            }
            if let Some(e) = end {
                phase_start = e;
            }
        }
        Err(Error::OutOfRange {
            field: "as_of".into(),
            value: as_of.to_string(),
            rule: format!("the corridor's last phase ended on {phase_start}"),
        })
    }
}

/// A risk corridor: fixed [`Band`]s, or a [`PhaseIn`] of them by date, plus what happens beyond
/// the last band and the rounding.
///
/// Exactly one of `bands` and `phase_in` is given.
///
/// # Example
///
/// ```
/// use cwfinance::corridor::{Band, BeyondLastBand, Corridor};
/// use cwfinance::{Money, Percent, Rounding};
/// let p = |s: &str| s.parse::<Percent>().unwrap();
///
/// // ACA section 1342: 100% to 3%, 50% from 3% to 8%, 20% beyond 8%.
/// let aca = Corridor::new(vec![
///     Band::symmetric(Some(p("3%")), p("100%")),
///     Band::symmetric(Some(p("8%")), p("50%")),
///     Band::symmetric(None, p("20%")),
/// ]).rounding(Rounding::HalfUp);
/// let s = aca.settle(Money::from_cents(100_000_000), Money::from_cents(110_000_000), None).unwrap();
/// assert_eq!(s.payer_share.to_string(), "41000.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Corridor {
    /// The bands, when the corridor does not change by date.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<Band>,
    /// The phases by date, when the corridor is phased in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase_in: Option<PhaseIn>,
    /// Who bears or keeps the difference beyond the last band's edge (default `payer`).
    #[serde(default)]
    pub beyond_last_band: BeyondLastBand,
    /// How band edges and provider shares are rounded to cents (default `half_up`).
    #[serde(default)]
    pub rounding: Rounding,
}

impl Corridor {
    /// A corridor with fixed bands, the payer beyond the last band, and half-up rounding.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::corridor::{Band, Corridor};
    /// let c = Corridor::new(vec![Band::symmetric(None, "100%".parse().unwrap())]);
    /// assert!(c.validate().is_ok());
    /// ```
    pub fn new(bands: Vec<Band>) -> Corridor {
        Corridor {
            bands,
            phase_in: None,
            beyond_last_band: BeyondLastBand::Payer,
            rounding: Rounding::HalfUp,
        }
    }

    /// A corridor phased in by date.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::corridor::{Band, Corridor, Phase, PhaseIn};
    /// let c = Corridor::phased(PhaseIn::new("1998-10-01".parse().unwrap(), vec![
    ///     Phase::new(None, vec![Band::symmetric(Some("3%".parse().unwrap()), "100%".parse().unwrap())]),
    /// ]));
    /// assert!(c.validate().is_ok());
    /// ```
    pub fn phased(phase_in: PhaseIn) -> Corridor {
        Corridor {
            bands: Vec::new(),
            phase_in: Some(phase_in),
            beyond_last_band: BeyondLastBand::Payer,
            rounding: Rounding::HalfUp,
        }
    }

    /// The Commonworks corridor as the source describes it: 1%, 2% and 3% of the payments in
    /// successive four-month phases from `start`, the lead agency bearing all losses and keeping
    /// all savings inside the band, the payer beyond it (`001_f8713068464777ee.txt, Case Rates,
    /// Massachusetts Commonworks`). The last phase stays in force. The source does not date the
    /// first phase; its "beginning June, 1999" for the 3% stage gives `1998-10-01`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{corridor::Corridor, Money};
    /// let c = Corridor::commonworks("1998-10-01".parse().unwrap());
    /// let s = c.settle(Money::from_cents(10_000_000), Money::from_cents(10_300_000), Some("1999-06-01".parse().unwrap())).unwrap();
    /// assert_eq!(s.provider_share.to_string(), "3000.00");
    /// ```
    pub fn commonworks(start: NaiveDate) -> Corridor {
        let full = Percent::ONE_HUNDRED;
        let stage = |pct: i64, months: Option<u32>| Phase {
            name: Some(format!("{pct}% risk")),
            months,
            bands: vec![Band::symmetric(
                Some(Percent::from_percent(Decimal::from(pct))),
                full,
            )],
        };
        Corridor::phased(PhaseIn::new(
            start,
            vec![stage(1, Some(4)), stage(2, Some(4)), stage(3, None)],
        ))
    }

    /// The same corridor with `beyond` deciding who bears the difference past the last band.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::corridor::{Band, BeyondLastBand, Corridor};
    /// let c = Corridor::new(vec![]).beyond_last_band(BeyondLastBand::Provider);
    /// assert_eq!(c.beyond_last_band, BeyondLastBand::Provider);
    /// ```
    pub fn beyond_last_band(mut self, beyond: BeyondLastBand) -> Corridor {
        self.beyond_last_band = beyond;
        self
    }

    /// The same corridor with another rounding mode.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{corridor::Corridor, Rounding};
    /// assert_eq!(Corridor::new(vec![]).rounding(Rounding::HalfEven).rounding, Rounding::HalfEven);
    /// ```
    pub fn rounding(mut self, rounding: Rounding) -> Corridor {
        self.rounding = rounding;
        self
    }

    /// Check the corridor: exactly one of `bands` and `phase_in`; every band list non-empty, with
    /// edges above 0% and strictly increasing, only the last band open-ended, and shares from
    /// 0% to 100%; every phase but the last of 1 to [`MAX_PHASE_MONTHS`] months. Error fields
    /// are paths inside the corridor (`phase_in.phases[1].bands[0].up_to`).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::corridor::{Band, Corridor};
    /// let p = |s: &str| s.parse::<cwfinance::Percent>().unwrap();
    /// let c = Corridor::new(vec![Band::symmetric(Some(p("3%")), p("120%"))]);
    /// let err = c.validate().unwrap_err();
    /// assert_eq!((err.kind(), err.field()), ("out_of_range", "bands[0].provider_share_of_losses"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        match (&self.phase_in, self.bands.is_empty()) {
            (None, true) => Err(Error::MissingField {
                field: "bands".into(),
            }),
            (Some(_), false) => Err(Error::invalid(
                "phase_in",
                "",
                "give either bands or phase_in, not both",
            )),
            (None, false) => validate_bands(&self.bands, &|| "bands".to_string()),
            (Some(phase_in), true) => {
                if phase_in.phases.is_empty() {
                    return Err(Error::MissingField {
                        field: "phase_in.phases".into(),
                    });
                }
                let last = phase_in.phases.len().saturating_sub(1);
                for (i, phase) in phase_in.phases.iter().enumerate() {
                    let at = || format!("phase_in.phases[{i}]");
                    match phase.months {
                        None if i != last => {
                            return Err(Error::MissingField {
                                field: format!("{}.months", at()),
                            });
                        }
                        Some(m) if m == 0 || m > MAX_PHASE_MONTHS => {
                            return Err(Error::OutOfRange {
                                field: format!("{}.months", at()),
                                value: m.to_string(),
                                rule: format!("a phase lasts 1 to {MAX_PHASE_MONTHS} months"),
                            });
                        }
                        _ => {}
                    }
                    validate_bands(&phase.bands, &|| format!("{}.bands", at()))?;
                }
                Ok(())
            }
        }
    }

    /// The bands in force on `as_of`, and the phase when the corridor is phased in.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::corridor::Corridor;
    /// let c = Corridor::commonworks("1998-10-01".parse().unwrap());
    /// let (phase, bands) = c.bands_on(Some("1999-01-31".parse().unwrap())).unwrap();
    /// assert_eq!(phase.map(|p| p.number), Some(1));
    /// assert_eq!(bands[0].up_to.map(|p| p.to_string()).as_deref(), Some("1%"));
    /// ```
    pub fn bands_on(&self, as_of: Option<NaiveDate>) -> Result<(Option<PhaseUsed>, &[Band])> {
        match &self.phase_in {
            None => Ok((None, &self.bands)),
            Some(phase_in) => {
                let as_of = as_of.ok_or_else(|| Error::MissingParameter {
                    field: "as_of".into(),
                    rule: "the corridor is phased in by date; give the date the settlement is for"
                        .into(),
                })?;
                let (used, phase) = phase_in.phase_on(as_of)?;
                Ok((Some(used), &phase.bands))
            }
        }
    }

    /// Settle `actual` cost against `target` through the corridor in force on `as_of` (needed
    /// only when the corridor is phased in).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{corridor::Corridor, Money};
    /// let c = Corridor::commonworks("1998-10-01".parse().unwrap());
    /// // $95,000 of costs against $100,000 at the 3% stage: the lead agency keeps $3,000 of the
    /// // $5,000 saved and DSS recoups $2,000.
    /// let s = c.settle(Money::from_cents(10_000_000), Money::from_cents(9_500_000), Some("1999-07-15".parse().unwrap())).unwrap();
    /// assert_eq!((s.provider_gain.to_string(), s.payer_share.to_string()), ("3000.00".into(), "-2000.00".into()));
    /// ```
    pub fn settle(
        &self,
        target: Money,
        actual: Money,
        as_of: Option<NaiveDate>,
    ) -> Result<Settlement> {
        self.validate()?;
        let (phase, bands) = self.bands_on(as_of)?;
        let mut s = settle_bands(bands, self.beyond_last_band, self.rounding, target, actual)?;
        s.phase = phase;
        Ok(s)
    }
}

impl Corridor {
    /// Settle a table of rows through the corridor, each `actuals[i]` against `targets[i]` on
    /// `dates[i]` (needed only when the corridor is phased in): the five amounts of each
    /// [`Settlement`] as columns, and the phase used.
    ///
    /// The corridor is checked once. A bad row does not stop the others from being checked:
    /// every bad row is reported at once in [`Error::InvalidData`] (table `settlements`, 1-based
    /// row, the column at fault: `target`, `actual` or `as_of`), at most 10,000 of them.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{corridor::Corridor, Money};
    /// let c = Corridor::commonworks("1998-10-01".parse().unwrap());
    /// let on = Some("1999-07-15".parse().unwrap());
    /// let t = c.settle_table(
    ///     &[Money::from_cents(10_000_000); 2],
    ///     &[Money::from_cents(10_500_000), Money::from_cents(9_500_000)],
    ///     &[on, on],
    /// ).unwrap();
    /// // At the 3% stage the agency bears $3,000 of a $5,000 loss and keeps $3,000 of a saving.
    /// assert_eq!(t.payer_share, [Money::from_cents(200_000), Money::from_cents(-200_000)]);
    /// assert_eq!(t.phase, [Some(3), Some(3)]);
    ///
    /// let err = c.settle_table(&[Money::ZERO], &[Money::ZERO], &[None]).unwrap_err();
    /// let cwfinance::Error::InvalidData { problems } = err else { panic!() };
    /// assert_eq!((problems[0].column.as_str(), problems[0].code.as_str()), ("as_of", "missing_parameter"));
    /// ```
    pub fn settle_table(
        &self,
        targets: &[Money],
        actuals: &[Money],
        dates: &[Option<NaiveDate>],
    ) -> Result<SettledTable> {
        let n = targets.len();
        if actuals.len() != n || dates.len() != n {
            return Err(Error::invalid(
                "settlements",
                format!("{n}, {}, {}", actuals.len(), dates.len()),
                "the target, actual and date columns must have the same length",
            ));
        }
        self.validate()?;
        let mut out = SettledTable::with_capacity(n);
        let mut problems = crate::error::RowProblems::new("settlements");
        for (i, ((&target, &actual), &as_of)) in targets.iter().zip(actuals).zip(dates).enumerate()
        {
            let settled = self.bands_on(as_of).and_then(|(phase, bands)| {
                settle_bands(bands, self.beyond_last_band, self.rounding, target, actual)
                    .map(|s| (phase, s))
            });
            match settled {
                Ok((phase, s)) => {
                    out.difference.push(s.difference);
                    out.provider_share.push(s.provider_share);
                    out.payer_share.push(s.payer_share);
                    out.provider_gain.push(s.provider_gain);
                    out.payer_total.push(s.payer_total);
                    out.phase.push(phase.map(|p| p.number));
                }
                Err(e) => problems.add(i, &e, || {
                    let column = match e.field() {
                        "target" | "actual" => e.field().to_string(),
                        f if f.starts_with("as_of") || f.is_empty() => "as_of".to_string(),
                        other => other.to_string(),
                    };
                    let value = e
                        .value()
                        .map(str::to_string)
                        .unwrap_or_else(|| as_of.map(|d| d.to_string()).unwrap_or_default());
                    (column, value, e.to_string())
                }),
            }
        }
        problems.into_result().map(|()| out)
    }
}

/// A table of settlements ([`Corridor::settle_table`]): one column per amount of
/// [`Settlement`], and the phase used on each row (absent for a corridor without phase-in).
///
/// # Example
///
/// ```
/// let t = cwfinance::corridor::SettledTable::default();
/// assert!(t.payer_share.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettledTable {
    /// `actual − target`.
    pub difference: Vec<Money>,
    /// The provider's part of the difference.
    pub provider_share: Vec<Money>,
    /// The payer's part of the difference.
    pub payer_share: Vec<Money>,
    /// The provider's result, `−provider_share`.
    pub provider_gain: Vec<Money>,
    /// What the payer pays in all, `target + payer_share`.
    pub payer_total: Vec<Money>,
    /// The phase's number, from 1.
    pub phase: Vec<Option<u32>>,
}

impl SettledTable {
    fn with_capacity(n: usize) -> Self {
        SettledTable {
            difference: Vec::with_capacity(n),
            provider_share: Vec::with_capacity(n),
            payer_share: Vec::with_capacity(n),
            provider_gain: Vec::with_capacity(n),
            payer_total: Vec::with_capacity(n),
            phase: Vec::with_capacity(n),
        }
    }
}

/// Check a band list. `at` names the list in errors; it is called only when there is one, so a
/// valid corridor (the batch path) allocates nothing here.
fn validate_bands(bands: &[Band], at: &dyn Fn() -> String) -> Result<()> {
    if bands.is_empty() {
        return Err(Error::MissingField { field: at() });
    }
    let last = bands.len().saturating_sub(1);
    let mut previous = Percent::ZERO;
    for (i, band) in bands.iter().enumerate() {
        let here = || format!("{}[{i}]", at());
        for (share, name) in [
            (band.provider_share_of_losses, "provider_share_of_losses"),
            (band.provider_share_of_gains, "provider_share_of_gains"),
        ] {
            if share.is_negative() || share > Percent::ONE_HUNDRED {
                return check_share(share, &format!("{}.{name}", here()));
            }
        }
        match band.up_to {
            None if i != last => {
                return Err(Error::MissingField {
                    field: format!("{}.up_to", here()),
                });
            }
            None => {}
            Some(edge) if edge <= previous => {
                return Err(Error::OutOfRange {
                    field: format!("{}.up_to", here()),
                    value: edge.to_string(),
                    rule: format!(
                        "band edges must rise above 0% and above the previous edge ({previous})"
                    ),
                });
            }
            Some(edge) => previous = edge,
        }
    }
    Ok(())
}

/// A share must be a fraction of the whole: 0% to 100%. Shares outside it would make a party gain
/// from the other's loss and break monotonicity.
pub(crate) fn check_share(share: Percent, field: &str) -> Result<()> {
    if share.is_negative() {
        return Err(Error::negative(field, share, "a share cannot be negative"));
    }
    if share > Percent::ONE_HUNDRED {
        return Err(Error::OutOfRange {
            field: field.to_string(),
            value: share.to_string(),
            rule: "a share lies between 0% and 100%".into(),
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Settlement
// ---------------------------------------------------------------------------------------------

/// Which side of the target a band's amount lies on.
///
/// # Example
///
/// ```
/// use cwfinance::corridor::Side;
/// assert_eq!(serde_json::to_value(Side::Loss).unwrap(), "loss");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Actual cost above the target.
    Loss,
    /// Actual cost below the target.
    Gain,
}

/// The phase a settlement used.
///
/// # Example
///
/// ```
/// use cwfinance::{corridor::Corridor, Money};
/// let c = Corridor::commonworks("1998-10-01".parse().unwrap());
/// let s = c.settle(Money::from_cents(100), Money::from_cents(100), Some("1999-06-01".parse().unwrap())).unwrap();
/// let phase = s.phase.unwrap();
/// assert_eq!((phase.number, phase.start.to_string()), (3, "1999-06-01".to_string()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PhaseUsed {
    /// The phase's number, from 1.
    pub number: u32,
    /// Its name, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The day it starts.
    pub start: NaiveDate,
    /// The first day after it, or absent when it stays in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
}

/// What one band contributed to a settlement.
///
/// # Example
///
/// ```
/// use cwfinance::{corridor::Corridor, Money};
/// let c = Corridor::commonworks("1998-10-01".parse().unwrap());
/// let s = c.settle(Money::from_cents(10_000_000), Money::from_cents(10_500_000), Some("1999-07-15".parse().unwrap())).unwrap();
/// assert_eq!(s.bands.len(), 2);
/// assert_eq!(s.bands[0].amount.to_string(), "3000.00");
/// assert!(s.bands[1].beyond_last_band);
/// assert_eq!(s.bands[1].payer_share.to_string(), "2000.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BandSettlement {
    /// The band's number, from 1; the region beyond the last band is numbered one past it.
    pub band: u32,
    /// Loss (above the target) or gain (below it).
    pub side: Side,
    /// The band's lower edge, as a percentage of the target.
    pub from: Percent,
    /// The band's upper edge, or absent when it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Percent>,
    /// The lower edge in dollars (`target × from`, rounded to cents).
    pub from_amount: Money,
    /// The upper edge in dollars, or absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_amount: Option<Money>,
    /// The part of `actual − target` in this band (negative on the gain side).
    pub amount: Money,
    /// The provider's share of this band's amount.
    pub provider_rate: Percent,
    /// The provider's part of `amount` (`provider_rate × amount`, rounded to cents).
    pub provider_share: Money,
    /// The payer's part of `amount` (`amount − provider_share`).
    pub payer_share: Money,
    /// True for the region beyond the last band's edge, governed by [`BeyondLastBand`].
    pub beyond_last_band: bool,
}

/// The result of settling actual cost against a target. See the module docs for the signs.
///
/// # Example
///
/// ```
/// use cwfinance::{corridor::Corridor, Money};
/// let c = Corridor::commonworks("1998-10-01".parse().unwrap());
/// let s = c.settle(Money::from_cents(10_000_000), Money::from_cents(10_300_000), Some("1999-07-15".parse().unwrap())).unwrap();
/// assert_eq!(s.provider_share + s.payer_share, s.difference);
/// assert_eq!(s.payer_total.to_string(), "100000.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Settlement {
    /// The target (the payments the corridor is measured against).
    pub target: Money,
    /// The actual cost.
    pub actual: Money,
    /// `actual − target`: positive is a loss, negative a saving.
    pub difference: Money,
    /// The provider's part of the difference: positive = loss it bears, negative = savings it
    /// keeps.
    pub provider_share: Money,
    /// The payer's part of the difference: positive = reconciliation payment to the provider,
    /// negative = recoupment. `provider_share + payer_share = difference` exactly.
    pub payer_share: Money,
    /// The provider's result, `−provider_share`: positive = retained gain, negative = borne loss.
    pub provider_gain: Money,
    /// What the payer pays in all: `target + payer_share`.
    pub payer_total: Money,
    /// The phase used, when the corridor is phased in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<PhaseUsed>,
    /// The bands the difference reached, in order from the target outwards.
    pub bands: Vec<BandSettlement>,
    /// Who bore or kept the difference beyond the last band.
    pub beyond_last_band: BeyondLastBand,
    /// The rounding used.
    pub rounding: Rounding,
}

/// The snake_case code of a serialized enum (`half_up`, `pro_rata`), for trace text.
pub(crate) fn code<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

fn overflow(field: &str, value: impl std::fmt::Display) -> Error {
    Error::overflow(field, value)
}

/// Settle `actual` against `target` through `bands` (already validated or not: they are checked).
///
/// The core of [`Corridor::settle`], for callers that hold the bands themselves.
///
/// # Example
///
/// ```
/// use cwfinance::corridor::{settle_bands, Band, BeyondLastBand};
/// use cwfinance::{Money, Percent, Rounding};
/// let p = |s: &str| s.parse::<Percent>().unwrap();
/// // Medicare Part D 2006-07: the plan bears 100% to 2.5%, 25% from 2.5% to 5%, 20% beyond.
/// let bands = [
///     Band::symmetric(Some(p("2.5%")), p("100%")),
///     Band::symmetric(Some(p("5%")), p("25%")),
///     Band::symmetric(None, p("20%")),
/// ];
/// let s = settle_bands(&bands, BeyondLastBand::Payer, Rounding::HalfUp,
///     Money::from_cents(100_000_000), Money::from_cents(104_000_000)).unwrap();
/// assert_eq!(s.payer_share.to_string(), "11250.00");
/// ```
pub fn settle_bands(
    bands: &[Band],
    beyond: BeyondLastBand,
    rounding: Rounding,
    target: Money,
    actual: Money,
) -> Result<Settlement> {
    validate_bands(bands, &|| "bands".to_string())?;
    if target.is_negative() {
        return Err(Error::negative(
            "target",
            target,
            "the target is an amount paid and cannot be negative",
        ));
    }
    if target.amount().is_zero() {
        return Err(Error::OutOfRange {
            field: "target".into(),
            value: target.to_string(),
            rule: "the corridor's bands are percentages of the target, so it must be above zero"
                .into(),
        });
    }
    if actual.is_negative() {
        return Err(Error::negative(
            "actual",
            actual,
            "actual cost cannot be negative",
        ));
    }
    let t = target.amount();
    let difference = actual
        .amount()
        .checked_sub(t)
        .ok_or_else(|| overflow("actual", actual))?;
    let side = if difference.is_sign_negative() {
        Side::Gain
    } else {
        Side::Loss
    };
    let magnitude = difference.abs();

    let mut out = Vec::new();
    let mut lower_pct = Percent::ZERO;
    let mut lower = Decimal::ZERO;
    let mut provider_total = Decimal::ZERO;
    let mut open_ended = false;
    let mut number: u32 = 0;
    for band in bands {
        number = number.saturating_add(1);
        if magnitude <= lower {
            break;
        }
        let upper = match band.up_to {
            None => None,
            Some(edge) => Some(
                rounding.to_cents(
                    t.checked_mul(edge.fraction())
                        .ok_or_else(|| overflow("bands.up_to", edge))?,
                ),
            ),
        };
        open_ended = upper.is_none();
        let reached = upper.map_or(magnitude, |u| magnitude.min(u));
        let in_band = reached.checked_sub(lower).unwrap_or(Decimal::ZERO);
        if in_band > Decimal::ZERO {
            let rate = band.provider_rate(side);
            let part = settle_part(in_band, rate, side, rounding)?;
            provider_total = provider_total
                .checked_add(part.0)
                .ok_or_else(|| overflow("provider_share", part.0))?;
            out.push(BandSettlement {
                band: number,
                side,
                from: lower_pct,
                to: band.up_to,
                from_amount: Money::new(lower),
                to_amount: upper.map(Money::new),
                amount: Money::new(part.2),
                provider_rate: rate,
                provider_share: Money::new(part.0),
                payer_share: Money::new(part.1),
                beyond_last_band: false,
            });
        }
        match (upper, band.up_to) {
            (Some(u), Some(edge)) => {
                lower = u;
                lower_pct = edge;
            }
            _ => break,
        }
    }
    if !open_ended && magnitude > lower {
        let in_band = magnitude.checked_sub(lower).unwrap_or(Decimal::ZERO);
        let rate = beyond.provider_rate();
        let part = settle_part(in_band, rate, side, rounding)?;
        provider_total = provider_total
            .checked_add(part.0)
            .ok_or_else(|| overflow("provider_share", part.0))?;
        out.push(BandSettlement {
            band: number.saturating_add(1),
            side,
            from: lower_pct,
            to: None,
            from_amount: Money::new(lower),
            to_amount: None,
            amount: Money::new(part.2),
            provider_rate: rate,
            provider_share: Money::new(part.0),
            payer_share: Money::new(part.1),
            beyond_last_band: true,
        });
    }
    let payer_total_share = difference
        .checked_sub(provider_total)
        .ok_or_else(|| overflow("payer_share", difference))?;
    let payer_total = t
        .checked_add(payer_total_share)
        .ok_or_else(|| overflow("payer_total", t))?;
    Ok(Settlement {
        target,
        actual,
        difference: Money::new(difference),
        provider_share: Money::new(provider_total),
        payer_share: Money::new(payer_total_share),
        provider_gain: Money::new(-provider_total),
        payer_total: Money::new(payer_total),
        phase: None,
        bands: out,
        beyond_last_band: beyond,
        rounding,
    })
}

/// (provider, payer, signed amount) for `in_band` dollars of one side of one band.
fn settle_part(
    in_band: Decimal,
    rate: Percent,
    side: Side,
    rounding: Rounding,
) -> Result<(Decimal, Decimal, Decimal)> {
    // Round the magnitude, then sign it: both rounding modes are symmetric about zero, and this
    // keeps a saving and an equal loss mirror images of each other.
    let provider = rounding.to_cents(
        in_band
            .checked_mul(rate.fraction())
            .ok_or_else(|| overflow("provider_share", in_band))?,
    );
    let payer = in_band - provider;
    Ok(match side {
        Side::Loss => (provider, payer, in_band),
        Side::Gain => (-provider, -payer, -in_band),
    })
}

// ---------------------------------------------------------------------------------------------
// The corridor.settle document
// ---------------------------------------------------------------------------------------------

/// The request of `corridor.settle`.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({
///     "kind": "corridor.settle", "program": "commonworks-1998", "as_of": "1999-07-15",
///     "target": "100000.00", "actual": "95000.00"
/// }));
/// assert_eq!(out["provider_share"], "-3000.00");
/// assert_eq!(out["payer_share"], "-2000.00");
/// ```
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SettleRequest {
    /// The target: the payments the corridor is measured against (case rate plus transition
    /// payments, for Commonworks).
    pub target: Money,
    /// The actual cost.
    pub actual: Money,
    /// The date the settlement is for; picks the phase of a phased-in corridor.
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
    /// The corridor; when absent, the program's `corridor` section.
    #[serde(default)]
    pub corridor: Option<Corridor>,
    /// Overrides the phase-in's start (the Commonworks source leaves it ambiguous).
    #[serde(default)]
    pub phase_in_start: Option<NaiveDate>,
    /// Overrides who bears or keeps the difference beyond the last band.
    #[serde(default)]
    pub beyond_last_band: Option<BeyondLastBand>,
    /// Overrides the corridor's rounding.
    #[serde(default)]
    pub rounding: Option<Rounding>,
}

/// The response of `corridor.settle`: the [`Settlement`] and, when asked for, the trace.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate_str(r#"{"kind": "corridor.settle", "program": "commonworks-1998",
///     "as_of": "1999-07-15", "target": "100000.00", "actual": "103000.00", "trace": true}"#);
/// assert!(out.contains(r#""provider_gain":"-3000.00""#), "{out}");
/// assert!(out.contains("001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks"));
/// ```
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SettleResponse {
    /// The settlement.
    #[serde(flatten)]
    pub settlement: Settlement,
    /// The steps and their sources, when the request asked for a trace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceStep>>,
}

/// Decode and validate a program's `corridor` section.
pub(crate) fn check_section(section: &Value) -> Result<()> {
    let corridor: Corridor = crate::json::decode(section, "")?;
    corridor.validate()
}

/// The label of the choice a program made for `parameter`, for traces.
fn choice_label(ctx: &Context, parameter: &str) -> Option<String> {
    ctx.program.as_ref().and_then(|p| {
        p.choices
            .iter()
            .find(|c| c.parameter == parameter)
            .map(|c| format!("choice: {}", c.why))
    })
}

pub(crate) fn run_document(body: &Value, ctx: &Context) -> Result<Value> {
    let req: SettleRequest = crate::json::decode(body, "")?;
    let own = req.corridor.is_some();
    let mut corridor: Corridor = ctx.config(req.corridor, "corridor", "corridor")?;
    corridor.validate().map_err(|e| e.at("corridor"))?;
    let cites: BTreeMap<String, String> = if own {
        BTreeMap::new()
    } else {
        ctx.citations("corridor")
    };
    if let Some(start) = req.phase_in_start {
        match corridor.phase_in.as_mut() {
            Some(p) => p.start = start,
            None => {
                return Err(Error::invalid(
                    "phase_in_start",
                    start.to_string(),
                    "the corridor is not phased in, so it has no start to override",
                ));
            }
        }
    }
    if let Some(b) = req.beyond_last_band {
        corridor.beyond_last_band = b;
    }
    if let Some(r) = req.rounding {
        corridor.rounding = r;
    }
    let settlement = corridor.settle(req.target, req.actual, req.as_of)?;

    let mut trace = Trace::new(ctx.trace);
    if let (Some(phase), Some(phase_in)) = (&settlement.phase, &corridor.phase_in) {
        trace.record(|| {
            let step = TraceStep::new(
                "pick the phase in force on as_of",
                phase
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("phase {}", phase.number)),
            )
            .input(
                "as_of",
                req.as_of.map(|d| d.to_string()).unwrap_or_default(),
            )
            .input("phase_in.start", phase_in.start)
            .input("phase.number", phase.number)
            .input("phase.start", phase.start)
            .input(
                "phase.end",
                phase
                    .end
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "open".into()),
            );
            let source = if req.phase_in_start.is_some() {
                Some("request parameter phase_in_start".to_string())
            } else {
                cites.get("corridor.phase_in.start").cloned()
            };
            match source {
                Some(s) => step.cite(s),
                None => step,
            }
        });
    }
    trace.record(|| {
        TraceStep::new("difference = actual - target", settlement.difference)
            .input("actual", settlement.actual)
            .input("target", settlement.target)
    });
    let band_prefix = match &settlement.phase {
        Some(p) => format!(
            "corridor.phase_in.phases[{}].bands",
            p.number.saturating_sub(1)
        ),
        None => "corridor.bands".to_string(),
    };
    for b in &settlement.bands {
        trace.record(|| {
            let to = b.to.map(|p| p.to_string()).unwrap_or_else(|| "no edge".into());
            let side = match b.side {
                Side::Loss => "losses",
                Side::Gain => "savings",
            };
            let step = TraceStep::new(
                if b.beyond_last_band {
                    format!(
                        "beyond the last band ({} of target and more): {side} go to the {}",
                        b.from,
                        match settlement.beyond_last_band {
                            BeyondLastBand::Payer => "payer",
                            BeyondLastBand::Provider => "provider",
                        }
                    )
                } else {
                    format!(
                        "band {} ({} to {to} of target): provider's share of {side} x amount, rounded {}",
                        b.band,
                        b.from,
                        code(&settlement.rounding)
                    )
                },
                b.provider_share,
            )
            .input("amount", b.amount)
            .input("provider_rate", b.provider_rate)
            .input("payer_share", b.payer_share);
            let source = if b.beyond_last_band {
                if req.beyond_last_band.is_some() {
                    Some("request parameter beyond_last_band".to_string())
                } else {
                    choice_label(ctx, "corridor.beyond_last_band")
                }
            } else {
                let field = match b.side {
                    Side::Loss => "provider_share_of_losses",
                    Side::Gain => "provider_share_of_gains",
                };
                cites
                    .get(&format!(
                        "{band_prefix}[{}].{field}",
                        b.band.saturating_sub(1)
                    ))
                    .cloned()
            };
            match source {
                Some(s) => step.cite(s),
                None => step,
            }
        });
    }
    trace.record(|| {
        TraceStep::new(
            "provider_share + payer_share = difference",
            settlement.difference,
        )
        .input("provider_share", settlement.provider_share)
        .input("payer_share", settlement.payer_share)
        .input("payer_total", settlement.payer_total)
    });
    crate::json::to_value(&SettleResponse {
        settlement,
        trace: trace.into_steps(),
    })
}

// ---------------------------------------------------------------------------------------------
// Savings distribution
// ---------------------------------------------------------------------------------------------

/// How retained savings are divided among the recipients when they do not fill every layer.
///
/// # Example
///
/// ```
/// use cwfinance::corridor::SavingsOrder;
/// assert_eq!(SavingsOrder::default(), SavingsOrder::Layered);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SavingsOrder {
    /// Each recipient's layer (its share of the payments) fills in turn, the first recipient
    /// first. Commonworks' lead agency "can also retain savings up to $3,000" of $100,000 before
    /// anything goes to the region (`001_f8713068464777ee.txt, Case Rates, Massachusetts
    /// Commonworks`), so it holds the first layer.
    #[default]
    Layered,
    /// The retained savings are divided in proportion to the recipients' shares.
    ProRata,
}

/// One recipient of retained savings and its share of the payments.
///
/// # Example
///
/// ```
/// use cwfinance::corridor::SavingsRecipient;
/// let r = SavingsRecipient::new("lead agency", "3%".parse().unwrap());
/// assert_eq!(r.share.to_string(), "3%");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SavingsRecipient {
    /// Who receives it.
    pub name: String,
    /// Its share, as a percentage of the payments.
    pub share: Percent,
}

impl SavingsRecipient {
    /// A recipient `name` with `share` of the payments.
    ///
    /// # Example
    ///
    /// ```
    /// let r = cwfinance::corridor::SavingsRecipient::new("region", "2%".parse().unwrap());
    /// assert_eq!(r.name, "region");
    /// ```
    pub fn new(name: impl Into<String>, share: Percent) -> SavingsRecipient {
        SavingsRecipient {
            name: name.into(),
            share,
        }
    }
}

/// How savings (payments above costs) are retained and divided.
///
/// Savings up to `retained_share` of the payments are retained and divided among the recipients;
/// any savings beyond that return to the payer. Commonworks: "A total of 5% of the payments, can
/// be retained by the Commonworks project. These savings are split between lead agencies, which
/// can retain 3%, and the regional DSS. Regional staff, along with central office and lead agency
/// staff, decide how to spend the remaining 2%." (`001_f8713068464777ee.txt, Case Rates,
/// Massachusetts Commonworks`). The recipients' shares must add up to `retained_share`.
///
/// # Example
///
/// ```
/// use cwfinance::corridor::SavingsRule;
/// use cwfinance::Money;
/// let rule = SavingsRule::commonworks();
/// let d = rule.distribute(Money::from_cents(10_000_000), Money::from_cents(9_000_000)).unwrap();
/// assert_eq!(d.recipients[0].amount.to_string(), "3000.00");
/// assert_eq!(d.recipients[1].amount.to_string(), "2000.00");
/// assert_eq!(d.returned_to_payer.to_string(), "5000.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SavingsRule {
    /// The most that can be retained, as a percentage of the payments.
    pub retained_share: Percent,
    /// The recipients, in layer order.
    pub recipients: Vec<SavingsRecipient>,
    /// How the retained savings are divided (default `layered`).
    #[serde(default)]
    pub order: SavingsOrder,
    /// How amounts are rounded to cents (default `half_up`).
    #[serde(default)]
    pub rounding: Rounding,
}

/// One recipient's part of a savings distribution.
///
/// # Example
///
/// ```
/// use cwfinance::{corridor::SavingsRule, Money};
/// let d = SavingsRule::commonworks().distribute(Money::from_cents(10_000_000), Money::from_cents(9_800_000)).unwrap();
/// assert_eq!(d.recipients[0].cap.to_string(), "3000.00");
/// assert_eq!(d.recipients[0].amount.to_string(), "2000.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SavingsShare {
    /// The recipient.
    pub name: String,
    /// Its share of the payments.
    pub share: Percent,
    /// The most it can receive: its share of the payments, rounded to cents.
    pub cap: Money,
    /// What it receives.
    pub amount: Money,
}

/// The result of distributing savings.
///
/// # Example
///
/// ```
/// use cwfinance::{corridor::SavingsRule, Money};
/// let d = SavingsRule::commonworks().distribute(Money::from_cents(10_000_000), Money::from_cents(9_500_000)).unwrap();
/// assert_eq!(d.savings.to_string(), "5000.00");
/// assert_eq!(d.retained.to_string(), "5000.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SavingsDistribution {
    /// The payments.
    pub payments: Money,
    /// The costs.
    pub costs: Money,
    /// `payments − costs` when positive, else zero (a loss is the corridor's business).
    pub savings: Money,
    /// The most that can be retained: `retained_share × payments`, rounded to cents.
    pub retained_cap: Money,
    /// What is retained: the savings up to the cap, as divided among the recipients.
    pub retained: Money,
    /// Each recipient's part.
    pub recipients: Vec<SavingsShare>,
    /// Savings not retained: `savings − retained`.
    pub returned_to_payer: Money,
    /// The division used.
    pub order: SavingsOrder,
    /// The rounding used.
    pub rounding: Rounding,
}

/// `round(total × cumulative share)` differences: amounts to the cent that add up to
/// `round(total × sum of shares)`, each within a cent of its exact part.
pub(crate) fn cumulative_parts(
    total: Decimal,
    weights: &[Decimal],
    rounding: Rounding,
    field: &str,
) -> Result<Vec<Decimal>> {
    let whole: Decimal = weights
        .iter()
        .try_fold(Decimal::ZERO, |a, w| a.checked_add(*w))
        .ok_or_else(|| overflow(field, total))?;
    let mut out = Vec::with_capacity(weights.len());
    if whole.is_zero() {
        out.resize(weights.len(), Decimal::ZERO);
        return Ok(out);
    }
    let mut cumulative = Decimal::ZERO;
    let mut previous = Decimal::ZERO;
    for w in weights {
        cumulative = cumulative
            .checked_add(*w)
            .ok_or_else(|| overflow(field, w))?;
        // The last part uses the exact whole, so the parts sum to round(total) with no drift.
        let exact = if cumulative == whole {
            total
        } else {
            total
                .checked_mul(cumulative)
                .and_then(|x| x.checked_div(whole))
                .ok_or_else(|| overflow(field, total))?
        };
        let rounded = rounding.to_cents(exact);
        out.push(
            rounded
                .checked_sub(previous)
                .ok_or_else(|| overflow(field, rounded))?,
        );
        previous = rounded;
    }
    Ok(out)
}

impl SavingsRule {
    /// The Commonworks rule: 5% retained, the lead agency's 3% layer first, then the regional
    /// DSS's 2% (`001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks`).
    ///
    /// # Example
    ///
    /// ```
    /// let rule = cwfinance::corridor::SavingsRule::commonworks();
    /// assert_eq!(rule.retained_share.to_string(), "5%");
    /// ```
    pub fn commonworks() -> SavingsRule {
        SavingsRule {
            retained_share: Percent::from_percent(Decimal::from(5)),
            recipients: vec![
                SavingsRecipient::new("lead agency", Percent::from_percent(Decimal::from(3))),
                SavingsRecipient::new("regional DSS", Percent::from_percent(Decimal::from(2))),
            ],
            order: SavingsOrder::Layered,
            rounding: Rounding::HalfUp,
        }
    }

    /// Check the rule: at least one recipient, each named, shares and `retained_share` from 0%
    /// to 100%, and the shares adding up to `retained_share` exactly.
    ///
    /// # Example
    ///
    /// ```
    /// let mut rule = cwfinance::corridor::SavingsRule::commonworks();
    /// rule.retained_share = "6%".parse().unwrap();
    /// assert_eq!(rule.validate().unwrap_err().field(), "recipients");
    /// ```
    pub fn validate(&self) -> Result<()> {
        check_share(self.retained_share, "retained_share")?;
        if self.recipients.is_empty() {
            return Err(Error::MissingField {
                field: "recipients".into(),
            });
        }
        let mut sum = Decimal::ZERO;
        for (i, r) in self.recipients.iter().enumerate() {
            if r.name.trim().is_empty() {
                return Err(Error::invalid(
                    format!("recipients[{i}].name"),
                    "",
                    "a recipient needs a name",
                ));
            }
            check_share(r.share, &format!("recipients[{i}].share"))?;
            sum += r.share.fraction();
        }
        if sum != self.retained_share.fraction() {
            return Err(Error::invalid(
                "recipients",
                Percent::from_fraction(sum).to_string(),
                format!(
                    "the recipients' shares sum to {}, but retained_share is {}",
                    Percent::from_fraction(sum),
                    self.retained_share
                ),
            ));
        }
        Ok(())
    }

    /// Distribute the savings of `costs` against `payments`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::corridor::{SavingsOrder, SavingsRule};
    /// use cwfinance::Money;
    /// let mut rule = SavingsRule::commonworks();
    /// rule.order = SavingsOrder::ProRata;
    /// // $3,000 saved on $100,000, split 3:2.
    /// let d = rule.distribute(Money::from_cents(10_000_000), Money::from_cents(9_700_000)).unwrap();
    /// assert_eq!(d.recipients[0].amount.to_string(), "1800.00");
    /// assert_eq!(d.recipients[1].amount.to_string(), "1200.00");
    /// ```
    pub fn distribute(&self, payments: Money, costs: Money) -> Result<SavingsDistribution> {
        self.validate()?;
        let payments = payments.non_negative("payments", "payments cannot be negative")?;
        let costs = costs.non_negative("costs", "costs cannot be negative")?;
        let p = payments.amount();
        let savings = p
            .checked_sub(costs.amount())
            .ok_or_else(|| overflow("costs", costs))?
            .max(Decimal::ZERO);
        let shares: Vec<Decimal> = self.recipients.iter().map(|r| r.share.fraction()).collect();
        // Layer caps by cumulative rounding: they add up to round(retained_share × payments).
        let caps = cumulative_parts(
            p.checked_mul(self.retained_share.fraction())
                .ok_or_else(|| overflow("payments", payments))?,
            &shares,
            self.rounding,
            "payments",
        )?;
        let retained_cap: Decimal = caps.iter().copied().sum();
        let retained = savings.min(retained_cap);
        let amounts = match self.order {
            SavingsOrder::Layered => {
                let mut left = retained;
                caps.iter()
                    .map(|cap| {
                        let take = left.min(*cap);
                        left -= take;
                        take
                    })
                    .collect::<Vec<_>>()
            }
            SavingsOrder::ProRata => cumulative_parts(retained, &shares, self.rounding, "costs")?,
        };
        let given: Decimal = amounts.iter().copied().sum();
        let recipients = self
            .recipients
            .iter()
            .zip(caps.iter().zip(amounts.iter()))
            .map(|(r, (cap, amount))| SavingsShare {
                name: r.name.clone(),
                share: r.share,
                cap: Money::new(*cap),
                amount: Money::new(*amount),
            })
            .collect();
        Ok(SavingsDistribution {
            payments,
            costs,
            savings: Money::new(savings),
            retained_cap: Money::new(retained_cap),
            retained: Money::new(given),
            recipients,
            returned_to_payer: Money::new(savings - given),
            order: self.order,
            rounding: self.rounding,
        })
    }
}

/// The request of `savings.distribute`.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({
///     "kind": "savings.distribute", "program": "commonworks-1998",
///     "payments": "100000.00", "costs": "95000.00"
/// }));
/// assert_eq!(out["recipients"][0]["amount"], "3000.00");
/// assert_eq!(out["recipients"][1]["amount"], "2000.00");
/// ```
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SavingsRequest {
    /// The payments (case rate plus other payments) the savings are measured against.
    pub payments: Money,
    /// The actual costs.
    pub costs: Money,
    /// The rule; when absent, the program's `savings` section.
    #[serde(default)]
    pub savings: Option<SavingsRule>,
    /// Overrides the rule's division (`layered` or `pro_rata`).
    #[serde(default)]
    pub order: Option<SavingsOrder>,
    /// Overrides the rule's rounding.
    #[serde(default)]
    pub rounding: Option<Rounding>,
}

/// The response of `savings.distribute`: the [`SavingsDistribution`] and, when asked for, the
/// trace.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({
///     "kind": "savings.distribute", "program": "commonworks-1998",
///     "payments": "100000.00", "costs": "90000.00"
/// }));
/// assert_eq!(out["returned_to_payer"], "5000.00");
/// ```
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SavingsResponse {
    /// The distribution.
    #[serde(flatten)]
    pub distribution: SavingsDistribution,
    /// The steps and their sources, when the request asked for a trace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceStep>>,
}

/// Decode and validate a program's `savings` section.
pub(crate) fn check_savings_section(section: &Value) -> Result<()> {
    let rule: SavingsRule = crate::json::decode(section, "")?;
    rule.validate()
}

pub(crate) fn run_savings_document(body: &Value, ctx: &Context) -> Result<Value> {
    let req: SavingsRequest = crate::json::decode(body, "")?;
    let own = req.savings.is_some();
    let mut rule: SavingsRule = ctx.config(req.savings, "savings", "savings")?;
    rule.validate().map_err(|e| e.at("savings"))?;
    if let Some(o) = req.order {
        rule.order = o;
    }
    if let Some(r) = req.rounding {
        rule.rounding = r;
    }
    let cites: BTreeMap<String, String> = if own {
        BTreeMap::new()
    } else {
        ctx.citations("savings")
    };
    let d = rule.distribute(req.payments, req.costs)?;
    let mut trace = Trace::new(ctx.trace);
    trace.record(|| {
        TraceStep::new("savings = max(payments - costs, 0)", d.savings)
            .input("payments", d.payments)
            .input("costs", d.costs)
    });
    trace.record(|| {
        let step = TraceStep::new(
            "retained cap = retained_share x payments, rounded",
            d.retained_cap,
        )
        .input("retained_share", rule.retained_share)
        .input("payments", d.payments);
        match cites.get("savings.retained_share") {
            Some(s) => step.cite(s.clone()),
            None => step,
        }
    });
    for (i, r) in d.recipients.iter().enumerate() {
        trace.record(|| {
            let step = TraceStep::new(
                format!("{} receives ({})", r.name, code(&d.order)),
                r.amount,
            )
            .input("share", r.share)
            .input("cap", r.cap);
            let source = if req.order.is_some() {
                Some("request parameter order".to_string())
            } else {
                cites
                    .get(&format!("savings.recipients[{i}].share"))
                    .cloned()
            };
            match source {
                Some(s) => step.cite(s),
                None => step,
            }
        });
    }
    trace.record(|| {
        TraceStep::new(
            "returned to payer = savings - retained",
            d.returned_to_payer,
        )
        .input("savings", d.savings)
        .input("retained", d.retained)
    });
    crate::json::to_value(&SavingsResponse {
        distribution: d,
        trace: trace.into_steps(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pct(s: &str) -> Percent {
        Percent::parse("p", s).unwrap()
    }
    fn money(s: &str) -> Money {
        Money::parse("m", s).unwrap()
    }
    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn aca() -> Corridor {
        Corridor::new(vec![
            Band::symmetric(Some(pct("3%")), pct("100%")),
            Band::symmetric(Some(pct("8%")), pct("50%")),
            Band::symmetric(None, pct("20%")),
        ])
    }

    #[test]
    fn commonworks_source_example_at_the_3_percent_stage() {
        let c = Corridor::commonworks(date("1998-10-01"));
        let as_of = Some(date("1999-06-01"));
        // (actual, provider_share, payer_share) with target 100,000:
        //  101,000: D = +1,000 inside 3% (3,000) -> provider bears 1,000, payer 0
        //  103,000: D = +3,000 = the edge      -> provider bears 3,000, payer 0
        //  105,000: D = +5,000                 -> provider 3,000, payer pays 5,000 - 3,000 = 2,000
        //   99,000: D = -1,000                 -> provider keeps 1,000 (-1,000), payer 0
        //   97,000: D = -3,000                 -> provider keeps 3,000, payer 0
        //   95,000: D = -5,000                 -> provider keeps 3,000, payer recoups 2,000
        let cases = [
            ("101000", "1000", "0"),
            ("103000", "3000", "0"),
            ("105000", "3000", "2000"),
            ("99000", "-1000", "0"),
            ("97000", "-3000", "0"),
            ("95000", "-3000", "-2000"),
        ];
        for (actual, provider, payer) in cases {
            let s = c.settle(money("100000"), money(actual), as_of).unwrap();
            assert_eq!(s.provider_share, money(provider), "{actual}");
            assert_eq!(s.payer_share, money(payer), "{actual}");
            assert_eq!(s.provider_share + s.payer_share, s.difference);
            assert_eq!(s.phase.as_ref().map(|p| p.number), Some(3));
        }
    }

    #[test]
    fn phases_by_date_from_either_start() {
        let oct = Corridor::commonworks(date("1998-10-01"));
        let jul = Corridor::commonworks(date("1998-07-01"));
        let number = |c: &Corridor, d: &str| c.bands_on(Some(date(d))).unwrap().0.unwrap().number;
        // October reading: [10-01, 02-01) 1%, [02-01, 06-01) 2%, 06-01 on 3%.
        assert_eq!(number(&oct, "1998-10-01"), 1);
        assert_eq!(number(&oct, "1999-01-31"), 1);
        assert_eq!(number(&oct, "1999-02-01"), 2);
        assert_eq!(number(&oct, "1999-05-31"), 2);
        assert_eq!(number(&oct, "1999-06-01"), 3);
        // July reading: [07-01, 11-01) 1%, [11-01, 03-01) 2%, 03-01 on 3%.
        assert_eq!(number(&jul, "1998-10-31"), 1);
        assert_eq!(number(&jul, "1998-11-01"), 2);
        assert_eq!(number(&jul, "1999-03-01"), 3);
        assert_eq!(number(&jul, "1999-06-01"), 3);
        let err = oct.bands_on(Some(date("1998-09-30"))).unwrap_err();
        assert_eq!((err.kind(), err.field()), ("out_of_range", "as_of"));
        assert_eq!(oct.bands_on(None).unwrap_err().kind(), "missing_parameter");
    }

    #[test]
    fn aca_1342_two_thresholds() {
        // Target 1,000,000. Costs 1,050,000: D = 50,000; 0-3% = 30,000 all issuer;
        // 3-8% = 20,000 at 50% -> payer 10,000.
        let s = aca()
            .settle(money("1000000"), money("1050000"), None)
            .unwrap();
        assert_eq!(s.payer_share, money("10000"));
        assert_eq!(s.provider_share, money("40000"));
        // Costs 1,100,000: D = 100,000; 30,000 issuer; 3-8% = 50,000 -> payer 25,000;
        // beyond 8% = 20,000 at 80% payer -> 16,000. Payer 41,000, issuer 59,000.
        let s = aca()
            .settle(money("1000000"), money("1100000"), None)
            .unwrap();
        assert_eq!(s.payer_share, money("41000"));
        assert_eq!(s.provider_share, money("59000"));
        // Savings mirror: costs 900,000 -> issuer pays back 41,000.
        let s = aca()
            .settle(money("1000000"), money("900000"), None)
            .unwrap();
        assert_eq!(s.payer_share, money("-41000"));
    }

    #[test]
    fn rounding_per_band_and_remainder_to_payer() {
        // 50% of 0.01 in band 2: provider 0.005 -> half_up 0.01, half_even 0.00.
        let c = Corridor::new(vec![
            Band::symmetric(Some(pct("3%")), pct("100%")),
            Band::symmetric(None, pct("50%")),
        ]);
        let up = c.settle(money("100"), money("103.01"), None).unwrap();
        assert_eq!(
            (up.provider_share, up.payer_share),
            (money("3.01"), money("0"))
        );
        let even = c
            .clone()
            .rounding(Rounding::HalfEven)
            .settle(money("100"), money("103.01"), None)
            .unwrap();
        assert_eq!(
            (even.provider_share, even.payer_share),
            (money("3.00"), money("0.01"))
        );
    }

    #[test]
    fn validation_errors_name_the_field() {
        let bad = Corridor::new(vec![
            Band::symmetric(Some(pct("3%")), pct("100%")),
            Band::symmetric(Some(pct("3%")), pct("50%")),
        ]);
        assert_eq!(bad.validate().unwrap_err().field(), "bands[1].up_to");
        let open_middle = Corridor::new(vec![
            Band::symmetric(None, pct("100%")),
            Band::symmetric(Some(pct("3%")), pct("50%")),
        ]);
        assert_eq!(
            open_middle.validate().unwrap_err().field(),
            "bands[0].up_to"
        );
        let neg = Corridor::new(vec![Band::symmetric(None, pct("-1%"))]);
        assert_eq!(neg.validate().unwrap_err().kind(), "negative_amount");
        assert_eq!(
            Corridor::new(vec![]).validate().unwrap_err().field(),
            "bands"
        );
        let c = aca();
        assert_eq!(
            c.settle(money("0"), money("1"), None).unwrap_err().field(),
            "target"
        );
        assert_eq!(
            c.settle(money("1"), money("-1"), None).unwrap_err().kind(),
            "negative_amount"
        );
    }

    #[test]
    fn savings_layers_and_pro_rata() {
        let rule = SavingsRule::commonworks();
        // Payments 100,000: caps 3,000 and 2,000.
        // Costs 98,000: savings 2,000 all in the lead agency's layer.
        let d = rule.distribute(money("100000"), money("98000")).unwrap();
        assert_eq!(
            (d.recipients[0].amount, d.recipients[1].amount),
            (money("2000"), money("0"))
        );
        // Costs 104,000: a loss, nothing to distribute.
        let d = rule.distribute(money("100000"), money("104000")).unwrap();
        assert_eq!((d.savings, d.retained), (money("0"), money("0")));
        // Pro rata on 1,000.01 saved: 3/5 = 600.006 -> 600.01; 1,000.01 - 600.01 = 400.00.
        let mut pro = rule.clone();
        pro.order = SavingsOrder::ProRata;
        let d = pro.distribute(money("100000"), money("98999.99")).unwrap();
        assert_eq!(
            (d.recipients[0].amount, d.recipients[1].amount),
            (money("600.01"), money("400.00"))
        );
    }

    #[test]
    fn cumulative_parts_add_up() {
        let w = [Decimal::ONE, Decimal::ONE, Decimal::ONE];
        let parts = cumulative_parts(money("100").amount(), &w, Rounding::HalfUp, "x").unwrap();
        // 33.333 -> 33.33; 66.667 -> 66.67 - 33.33 = 33.34; 100 - 66.67 = 33.33.
        assert_eq!(
            parts,
            vec![
                money("33.33").amount(),
                money("33.34").amount(),
                money("33.33").amount()
            ]
        );
    }

    fn arb_band_list() -> impl Strategy<Value = (Vec<Band>, BeyondLastBand)> {
        (
            proptest::collection::vec((1u32..2000, 0u32..=100, 0u32..=100), 1..4),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(raw, open, provider_beyond)| {
                let mut edge = 0u32;
                let n = raw.len();
                let bands = raw
                    .into_iter()
                    .enumerate()
                    .map(|(i, (step, l, g))| {
                        edge += step;
                        let up_to = if open && i + 1 == n {
                            None
                        } else {
                            // Edges in hundredths of a percent.
                            Some(Percent::from_fraction(Decimal::new(i64::from(edge), 4)))
                        };
                        Band::new(
                            up_to,
                            Percent::from_fraction(Decimal::new(i64::from(l), 2)),
                            Percent::from_fraction(Decimal::new(i64::from(g), 2)),
                        )
                    })
                    .collect();
                let beyond = if provider_beyond {
                    BeyondLastBand::Provider
                } else {
                    BeyondLastBand::Payer
                };
                (bands, beyond)
            })
    }

    proptest! {
        #[test]
        fn shares_add_up_and_settlement_is_monotone_and_1_lipschitz(
            (bands, beyond) in arb_band_list(),
            even in any::<bool>(),
            target in 1i64..10_000_000_000,
            a in 0i64..20_000_000_000,
            step in 0i64..50_000_000,
        ) {
            let rounding = if even { Rounding::HalfEven } else { Rounding::HalfUp };
            let t = Money::from_cents(target);
            let lo = settle_bands(&bands, beyond, rounding, t, Money::from_cents(a)).unwrap();
            let hi = settle_bands(&bands, beyond, rounding, t, Money::from_cents(a + step)).unwrap();
            for s in [&lo, &hi] {
                prop_assert_eq!(s.provider_share + s.payer_share, s.difference);
                prop_assert_eq!(s.difference, s.actual - s.target);
                prop_assert_eq!(s.bands.iter().map(|b| b.provider_share).sum::<Money>(), s.provider_share);
                prop_assert_eq!(s.bands.iter().map(|b| b.payer_share).sum::<Money>(), s.payer_share);
                prop_assert_eq!(s.bands.iter().map(|b| b.amount).sum::<Money>(), s.difference);
            }
            let rise = Money::from_cents(step);
            let dp = hi.provider_share - lo.provider_share;
            let dq = hi.payer_share - lo.payer_share;
            // Monotone: as cost rises neither party's share of the difference falls (so the
            // provider's retained gain never rises). Continuous: neither moves by more than the
            // cost did.
            prop_assert!(dp >= Money::ZERO && dp <= rise, "provider moved {dp} for {rise}");
            prop_assert!(dq >= Money::ZERO && dq <= rise, "payer moved {dq} for {rise}");
            prop_assert!(hi.provider_gain <= lo.provider_gain);
        }

        #[test]
        fn settle_never_panics(
            t in any::<i64>(), a in any::<i64>(), scale in 0u32..28, edge in any::<i64>(), share in any::<i64>(),
        ) {
            let bands = [Band::symmetric(Some(Percent::from_fraction(Decimal::new(edge, scale))), Percent::from_fraction(Decimal::new(share, scale)))];
            let _ = settle_bands(&bands, BeyondLastBand::Payer, Rounding::HalfUp, Money::new(Decimal::new(t, scale)), Money::new(Decimal::new(a, 2)));
            let _ = SavingsRule::commonworks().distribute(Money::new(Decimal::new(t, scale)), Money::new(Decimal::new(a, 2)));
        }
    }
}
