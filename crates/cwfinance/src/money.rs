//! Exact money, percentages and named rounding.
//!
//! Amounts are [`Money`], shares and rates are [`Percent`], both wrapping
//! [`rust_decimal::Decimal`]. Neither ever passes through a binary float: in JSON they are decimal
//! strings (`"3329.00"`, `"60.99%"`, `"0.6099"`), and a JSON number is refused with
//! [`Error::NotADecimalString`].
//!
//! Rounding happens only where a rule says so, with a named [`Rounding`] mode.
//!
//! # Example
//!
//! ```
//! use cwfinance::{Money, Percent, Rounding};
//! use rust_decimal::Decimal;
//!
//! let rate: Money = "3329.00".parse().unwrap();
//! let share: Percent = "60.99%".parse().unwrap();
//! assert_eq!(share, "0.6099".parse::<Percent>().unwrap());
//! // 3,329 × 60.99% = 2,030.3571: half-up to the cent is 2,030.36.
//! let exact = rate.amount() * share.fraction();
//! assert_eq!(Rounding::HalfUp.to_cents(exact), Decimal::new(203036, 2));
//! ```

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// The largest absolute amount accepted on input: one quadrillion (10^15).
///
/// Far above any child-welfare budget, and low enough that sums of millions of lines and products
/// with percentages stay inside `Decimal`'s 28 digits.
///
/// # Example
///
/// ```
/// use cwfinance::money::MAX_ABS_AMOUNT;
/// use cwfinance::Money;
///
/// assert_eq!(MAX_ABS_AMOUNT.to_string(), "1000000000000000");
/// assert!("1000000000000000.00".parse::<Money>().is_ok());
/// assert_eq!("1000000000000000.01".parse::<Money>().unwrap_err().kind(), "out_of_range");
/// ```
pub const MAX_ABS_AMOUNT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

/// How to round to a number of decimal places.
///
/// The sources never state a rounding rule, so every rounding point takes one of these as a
/// parameter. The default is [`Rounding::HalfUp`], the rule of hand calculation and of most state
/// payment systems; [`Rounding::HalfEven`] (banker's rounding) is available for systems that use it.
///
/// # Example
///
/// ```
/// use cwfinance::Rounding;
/// use rust_decimal::Decimal;
///
/// let x: Decimal = "2.345".parse().unwrap();
/// assert_eq!(Rounding::HalfUp.to_cents(x).to_string(), "2.35");
/// assert_eq!(Rounding::HalfEven.to_cents(x).to_string(), "2.34");
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Round half away from zero: 2.345 becomes 2.35, -2.345 becomes -2.35.
    #[default]
    HalfUp,
    /// Round half to even (banker's rounding): 2.345 becomes 2.34, 2.355 becomes 2.36.
    HalfEven,
}

impl Rounding {
    /// Round `x` to `dp` decimal places with this mode.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::Rounding;
    /// let x: rust_decimal::Decimal = "0.125".parse().unwrap();
    /// assert_eq!(Rounding::HalfUp.round(x, 2).to_string(), "0.13");
    /// ```
    pub fn round(self, x: Decimal, dp: u32) -> Decimal {
        let strategy = match self {
            Rounding::HalfUp => rust_decimal::RoundingStrategy::MidpointAwayFromZero,
            Rounding::HalfEven => rust_decimal::RoundingStrategy::MidpointNearestEven,
        };
        let mut r = x.round_dp_with_strategy(dp, strategy);
        if r.scale() < dp {
            r.rescale(dp);
        }
        r
    }

    /// Round `x` to whole cents with this mode.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::Rounding;
    /// let x: rust_decimal::Decimal = "1109.6667".parse().unwrap();
    /// assert_eq!(Rounding::HalfUp.to_cents(x).to_string(), "1109.67");
    /// ```
    pub fn to_cents(self, x: Decimal) -> Decimal {
        self.round(x, 2)
    }
}

/// Parse a plain decimal string: an optional sign, digits, and an optional fraction.
///
/// Exponents, thousands separators, underscores, currency symbols and blanks inside are refused,
/// so that what a person typed is exactly what is computed.
///
/// # Example
///
/// ```
/// use cwfinance::money::parse_decimal;
/// assert_eq!(parse_decimal("amount", "-12.50").unwrap().to_string(), "-12.50");
/// assert_eq!(parse_decimal("amount", "1e5").unwrap_err().kind(), "invalid_decimal");
/// ```
pub fn parse_decimal(field: &str, text: &str) -> Result<Decimal> {
    let bad = |reason: &str| Error::InvalidDecimal {
        field: field.to_string(),
        value: text.to_string(),
        reason: reason.to_string(),
    };
    let t = text.trim();
    if t.is_empty() {
        return Err(bad("it is empty"));
    }
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let mut digits = 0usize;
    let mut dots = 0usize;
    for c in body.chars() {
        match c {
            '0'..='9' => digits += 1,
            '.' => dots += 1,
            _ => {
                return Err(bad(
                    "only digits, one decimal point and a leading sign are allowed",
                ));
            }
        }
    }
    if digits == 0 || dots > 1 {
        return Err(bad(
            "only digits, one decimal point and a leading sign are allowed",
        ));
    }
    if digits > 28 {
        return Err(bad("more than 28 significant digits"));
    }
    Decimal::from_str(t.trim_start_matches('+')).map_err(|e| bad(&e.to_string()))
}

fn check_range(field: &str, d: Decimal) -> Result<Decimal> {
    if d.abs() > MAX_ABS_AMOUNT {
        return Err(Error::OutOfRange {
            field: field.to_string(),
            value: d.to_string(),
            rule: "amounts must lie within ±1,000,000,000,000,000".into(),
        });
    }
    Ok(d)
}

/// An exact amount of US dollars.
///
/// It may carry more than two decimal places while a calculation is under way; results that are
/// paid are rounded to cents with a named [`Rounding`]. It prints with at least two decimals.
/// Negative amounts are allowed (a recoupment or credit); rules that forbid them say so.
///
/// # Example
///
/// ```
/// use cwfinance::Money;
///
/// let rate: Money = "3329".parse().unwrap();
/// let add_on: Money = "226.00".parse().unwrap();
/// assert_eq!((rate + add_on).to_string(), "3555.00");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

impl Money {
    /// Zero dollars.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::Money::ZERO.to_string(), "0.00");
    /// ```
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Wrap an exact decimal amount.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::Money;
    /// use rust_decimal::Decimal;
    /// assert_eq!(Money::new(Decimal::new(400, 0)).to_string(), "400.00");
    /// ```
    pub const fn new(amount: Decimal) -> Self {
        Money(amount)
    }

    /// An amount from a whole number of cents.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::Money::from_cents(332_900).to_string(), "3329.00");
    /// ```
    pub fn from_cents(cents: i64) -> Self {
        Money(Decimal::new(cents, 2))
    }

    /// Parse a decimal string, naming `field` in any error, and check the ±10^15 bound.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::Money;
    /// assert_eq!(Money::parse("rate", "4476").unwrap().to_string(), "4476.00");
    /// assert_eq!(Money::parse("rate", "$4,476").unwrap_err().field(), "rate");
    /// ```
    pub fn parse(field: &str, text: &str) -> Result<Self> {
        let d = parse_decimal(field, text)?;
        Ok(Money(check_range(field, d)?))
    }

    /// The exact decimal amount.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::Money::from_cents(150).amount().to_string(), "1.50");
    /// ```
    pub const fn amount(self) -> Decimal {
        self.0
    }

    /// The amount rounded to cents with `mode`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{Money, Rounding};
    /// let m: Money = "10.005".parse().unwrap();
    /// assert_eq!(m.round_to_cents(Rounding::HalfUp).to_string(), "10.01");
    /// assert_eq!(m.round_to_cents(Rounding::HalfEven).to_string(), "10.00");
    /// ```
    pub fn round_to_cents(self, mode: Rounding) -> Money {
        Money(mode.to_cents(self.0))
    }

    /// The amount in whole cents, when it is a whole number of cents that fits an `i64`.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::Money::from_cents(-42).cents(), Some(-42));
    /// assert_eq!("0.001".parse::<cwfinance::Money>().unwrap().cents(), None);
    /// ```
    pub fn cents(self) -> Option<i64> {
        let c = self.0.checked_mul(Decimal::ONE_HUNDRED)?;
        if c.fract().is_zero() {
            i64::try_from(c.trunc()).ok()
        } else {
            None
        }
    }

    /// True when the amount is below zero.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(cwfinance::Money::from_cents(-1).is_negative());
    /// ```
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// This amount, or [`Error::NegativeAmount`] naming `field` and `rule` when it is negative.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::Money;
    /// let err = Money::from_cents(-100).non_negative("rate", "a case rate cannot be negative").unwrap_err();
    /// assert_eq!(err.kind(), "negative_amount");
    /// ```
    pub fn non_negative(self, field: &str, rule: &str) -> Result<Money> {
        if self.is_negative() {
            Err(Error::negative(field, self, rule))
        } else {
            Ok(self)
        }
    }

    /// `self * p`, exact (not rounded).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{Money, Percent};
    /// let m: Money = "100000".parse().unwrap();
    /// let p: Percent = "3%".parse().unwrap();
    /// assert_eq!(m.times(p).to_string(), "3000.00");
    /// ```
    pub fn times(self, p: Percent) -> Money {
        Money(self.0 * p.fraction())
    }

    /// `self * factor`, exact (not rounded).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::Money;
    /// use rust_decimal::Decimal;
    /// assert_eq!(Money::from_cents(355_500).scale(Decimal::from(250)).to_string(), "888750.00");
    /// ```
    pub fn scale(self, factor: Decimal) -> Money {
        Money(self.0 * factor)
    }

    /// Checked addition; [`Error::Overflow`] naming `field` when the exact sum does not fit.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::Money;
    /// assert_eq!(Money::from_cents(1).checked_add(Money::from_cents(2), "total").unwrap(), Money::from_cents(3));
    /// ```
    pub fn checked_add(self, other: Money, field: &str) -> Result<Money> {
        self.0
            .checked_add(other.0)
            .map(Money)
            .ok_or_else(|| Error::overflow(field, self))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = self.0;
        if d.is_zero() {
            d = Decimal::ZERO;
        }
        if d.scale() < 2 {
            d.rescale(2);
        }
        write!(f, "{d}")
    }
}

impl FromStr for Money {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Money::parse("amount", s)
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl std::ops::Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl std::ops::AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl From<Decimal> for Money {
    fn from(d: Decimal) -> Self {
        Money(d)
    }
}

/// A percentage, held as an exact fraction (60.99% is 0.6099).
///
/// It parses from either form: `"60.99%"` or `"0.6099"`. It prints as a percentage with no
/// trailing zeros (`"60.99%"`, `"0.00967%"`).
///
/// # Example
///
/// ```
/// use cwfinance::Percent;
///
/// let a: Percent = "60.99%".parse().unwrap();
/// let b: Percent = "0.6099".parse().unwrap();
/// assert_eq!(a, b);
/// assert_eq!(a.to_string(), "60.99%");
/// assert_eq!(a.fraction().to_string(), "0.6099");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percent(Decimal);

impl Percent {
    /// Zero percent.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::Percent::ZERO.to_string(), "0%");
    /// ```
    pub const ZERO: Percent = Percent(Decimal::ZERO);
    /// One hundred percent.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::Percent;
    ///
    /// assert_eq!(Percent::ONE_HUNDRED.to_string(), "100%");
    /// assert_eq!(Percent::ONE_HUNDRED, "1".parse::<Percent>().unwrap());
    /// ```
    pub const ONE_HUNDRED: Percent = Percent(Decimal::ONE);

    /// A percentage from its fraction (0.03 is 3%).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::Percent;
    /// use rust_decimal::Decimal;
    /// assert_eq!(Percent::from_fraction(Decimal::new(3, 2)).to_string(), "3%");
    /// ```
    pub fn from_fraction(fraction: Decimal) -> Self {
        Percent(fraction)
    }

    /// A percentage from its value in percent (3 is 3%).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::Percent;
    /// use rust_decimal::Decimal;
    /// assert_eq!(Percent::from_percent(Decimal::new(6099, 2)).fraction().to_string(), "0.6099");
    /// ```
    pub fn from_percent(percent: Decimal) -> Self {
        Percent(percent / Decimal::ONE_HUNDRED)
    }

    /// Parse `"60.99%"` or `"0.6099"`, naming `field` in any error.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::Percent;
    /// assert_eq!(Percent::parse("share", "12%").unwrap().fraction().to_string(), "0.12");
    /// assert_eq!(Percent::parse("share", "12 percent").unwrap_err().kind(), "invalid_decimal");
    /// ```
    pub fn parse(field: &str, text: &str) -> Result<Self> {
        let t = text.trim();
        let p = match t.strip_suffix('%') {
            Some(num) => {
                let d = parse_decimal(field, num).map_err(|_| Error::InvalidDecimal {
                    field: field.to_string(),
                    value: text.to_string(),
                    reason: "a percentage is a decimal followed by %, such as \"60.99%\"".into(),
                })?;
                Percent(d / Decimal::ONE_HUNDRED)
            }
            None => Percent(parse_decimal(field, t)?),
        };
        if p.0.abs() > MAX_ABS_AMOUNT {
            return Err(Error::OutOfRange {
                field: field.to_string(),
                value: text.to_string(),
                rule: "percentages must lie within ±10^15".into(),
            });
        }
        Ok(p)
    }

    /// The fraction (0.6099 for 60.99%).
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!("25%".parse::<cwfinance::Percent>().unwrap().fraction().to_string(), "0.25");
    /// ```
    pub fn fraction(self) -> Decimal {
        self.0
    }

    /// The value in percent (60.99 for 60.99%).
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!("0.6099".parse::<cwfinance::Percent>().unwrap().percent().to_string(), "60.99");
    /// ```
    pub fn percent(self) -> Decimal {
        (self.0 * Decimal::ONE_HUNDRED).normalize()
    }

    /// True when below zero.
    ///
    /// # Example
    ///
    /// ```
    /// assert!("-1%".parse::<cwfinance::Percent>().unwrap().is_negative());
    /// ```
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// This percentage, or [`Error::NegativeAmount`] naming `field` and `rule` when negative.
    ///
    /// # Example
    ///
    /// ```
    /// let p: cwfinance::Percent = "-5%".parse().unwrap();
    /// assert_eq!(p.non_negative("share", "a funding share cannot be negative").unwrap_err().kind(), "negative_amount");
    /// ```
    pub fn non_negative(self, field: &str, rule: &str) -> Result<Percent> {
        if self.is_negative() {
            Err(Error::negative(field, self, rule))
        } else {
            Ok(self)
        }
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.percent();
        if p.is_zero() {
            return write!(f, "0%");
        }
        write!(f, "{p}%")
    }
}

impl FromStr for Percent {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Percent::parse("percent", s)
    }
}

/// Marker that lets [`crate::json`] turn a serde message back into a typed [`Error`].
pub(crate) const ERR_MARK: char = '\u{1}';

/// Encode a typed error into a serde custom-error message.
pub(crate) fn encode_err(kind: &str, value: &str, extra: &str) -> String {
    format!("{ERR_MARK}{kind}{ERR_MARK}{value}{ERR_MARK}{extra}")
}

struct DecimalTextVisitor(&'static str);

impl<'de> Visitor<'de> for DecimalTextVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.0)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<String, E> {
        Err(E::custom(encode_err(
            "not_a_decimal_string",
            &v.to_string(),
            "number",
        )))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<String, E> {
        Err(E::custom(encode_err(
            "not_a_decimal_string",
            &v.to_string(),
            "number",
        )))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<String, E> {
        Err(E::custom(encode_err(
            "not_a_decimal_string",
            &v.to_string(),
            "number",
        )))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<String, E> {
        Err(E::custom(encode_err(
            "not_a_decimal_string",
            &v.to_string(),
            "boolean",
        )))
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<String, E> {
        Err(E::custom(encode_err(
            "not_a_decimal_string",
            "null",
            "null",
        )))
    }
}

pub(crate) fn deserialize_decimal_text<'de, D: Deserializer<'de>>(
    d: D,
    expecting: &'static str,
) -> std::result::Result<String, D::Error> {
    d.deserialize_any(DecimalTextVisitor(expecting))
}

pub(crate) fn to_serde_err<E: de::Error>(e: Error) -> E {
    match &e {
        Error::InvalidDecimal { value, reason, .. } => {
            E::custom(encode_err("invalid_decimal", value, reason))
        }
        Error::OutOfRange { value, rule, .. } => E::custom(encode_err("out_of_range", value, rule)),
        other => E::custom(encode_err(other.kind(), other.value().unwrap_or(""), "")),
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = deserialize_decimal_text(d, "a decimal string such as \"3329.00\"")?;
        Money::parse("", &s).map_err(to_serde_err)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s =
            deserialize_decimal_text(d, "a percentage string such as \"60.99%\" or \"0.6099\"")?;
        Percent::parse("", &s).map_err(to_serde_err)
    }
}

impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl schemars::JsonSchema for Money {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Money".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[+-]?[0-9]*\\.?[0-9]+$|^[+-]?[0-9]+\\.$",
            "description": "An exact amount of US dollars as a decimal string, such as \"3329.00\". JSON numbers are refused."
        })
    }
}

impl schemars::JsonSchema for Percent {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Percent".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[+-]?[0-9]*\\.?[0-9]+%?$",
            "description": "A percentage as a string: \"60.99%\" or the fraction \"0.6099\". JSON numbers are refused."
        })
    }
}

/// Serde helpers for a bare [`Decimal`] that must cross as a string (counts, factors, days).
///
/// # Example
///
/// ```
/// use rust_decimal::Decimal;
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Months {
///     #[serde(with = "cwfinance::money::decimal_string")]
///     months: Decimal,
/// }
///
/// let m: Months = serde_json::from_value(serde_json::json!({"months": "24"})).unwrap();
/// assert_eq!(serde_json::to_value(&m).unwrap()["months"], "24");
/// assert!(serde_json::from_value::<Months>(serde_json::json!({"months": 24})).is_err());
/// ```
pub mod decimal_string {
    use super::*;

    /// Deserialize a decimal from a string, refusing JSON numbers.
    ///
    /// # Example
    ///
    /// ```
    /// let mut de = serde_json::Deserializer::from_str(r#""2.7""#);
    /// let d = cwfinance::money::decimal_string::deserialize(&mut de).unwrap();
    /// assert_eq!(d.to_string(), "2.7");
    /// let mut de = serde_json::Deserializer::from_str("2.7");
    /// assert!(cwfinance::money::decimal_string::deserialize(&mut de).is_err());
    /// ```
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Decimal, D::Error> {
        let s = deserialize_decimal_text(d, "a decimal string")?;
        parse_decimal("", &s).map_err(to_serde_err)
    }

    /// Serialize a decimal as a string.
    ///
    /// # Example
    ///
    /// ```
    /// let d = rust_decimal::Decimal::new(4476, 0);
    /// let v = cwfinance::money::decimal_string::serialize(&d, serde_json::value::Serializer).unwrap();
    /// assert_eq!(v, "4476");
    /// ```
    pub fn serialize<S: Serializer>(v: &Decimal, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_abs_amount_is_ten_to_the_fifteen() {
        assert_eq!(MAX_ABS_AMOUNT, Decimal::from(1_000_000_000_000_000i64));
    }

    #[test]
    fn percent_forms_agree_and_print() {
        let shares = ["0.57%", "1.72%", "12%", "7.22%", "17.51%", "60.99%"];
        let sum: Decimal = shares
            .iter()
            .map(|s| Percent::parse("s", s).map(Percent::fraction))
            .collect::<Result<Vec<_>>>()
            .unwrap_or_default()
            .into_iter()
            .sum();
        // The published Missouri shares: 0.57 + 1.72 + 12 + 7.22 + 17.51 + 60.99 = 100.01.
        assert_eq!(sum, Decimal::new(10001, 4));
        assert_eq!(
            Percent::from_fraction(Decimal::new(967, 7)).to_string(),
            "0.00967%"
        );
    }

    #[test]
    fn refuses_exponents_separators_and_blanks() {
        for bad in [
            "1e3", "1,000", "1_000", "$5", "", " ", "1.2.3", "--1", "1 000", "NaN",
        ] {
            assert_eq!(
                parse_decimal("x", bad).map_err(|e| e.kind()),
                Err("invalid_decimal"),
                "{bad}"
            );
        }
        assert_eq!(
            Money::parse("x", "1000000000000001").map_err(|e| e.kind()),
            Err("out_of_range")
        );
    }

    #[test]
    fn money_prints_two_decimals_at_least() {
        assert_eq!(
            Money::parse("x", "5").map(|m| m.to_string()),
            Ok("5.00".into())
        );
        assert_eq!(
            Money::parse("x", "-0").map(|m| m.to_string()),
            Ok("0.00".into())
        );
        assert_eq!(
            Money::parse("x", "0.125").map(|m| m.to_string()),
            Ok("0.125".into())
        );
    }
}
