//! The one error type of cwfinance.
//!
//! Every failure is an [`Error`] variant that names the field (as a path into the request, such
//! as `funders[2].share`), the offending value as text, and the rule that was broken. Errors are
//! values: no public function panics on any input.
//!
//! Each variant has a stable snake_case [`Error::kind`] code. Codes are a public contract shared by
//! the Rust, Python and JS packages (`cwfinance.SharesDoNotSumError` in Python, `err.code` in JS).
//!
//! # Example
//!
//! ```
//! let err = "3,329".parse::<cwfinance::Money>().unwrap_err();
//! assert_eq!(err.kind(), "invalid_decimal");
//! assert_eq!(err.field(), "amount");
//! assert_eq!(err.value(), Some("3,329"));
//! ```

use serde_json::{Map, Value};

/// A result whose error is [`Error`].
///
/// # Example
///
/// ```
/// use cwfinance::{Money, Result};
///
/// fn rate(text: &str) -> Result<Money> {
///     text.parse()
/// }
/// assert_eq!(rate("4476.00").unwrap().to_string(), "4476.00");
/// assert_eq!(rate("a lot").unwrap_err().kind(), "invalid_decimal");
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in cwfinance.
///
/// # Example
///
/// ```
/// use cwfinance::{Error, Money};
///
/// let err = "12,50".parse::<Money>().unwrap_err();
/// assert_eq!(err.kind(), "invalid_decimal");
/// assert_eq!(err.value(), Some("12,50"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A string that should hold a decimal number does not.
    #[error("{field}: {value:?} is not a decimal number: {reason}")]
    InvalidDecimal {
        /// Where the value was found.
        field: String,
        /// The offending text.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// A JSON number (or other non-string) was given where a decimal string is required.
    #[error(
        "{field}: {value} is a JSON {found}; amounts, rates and percentages must be decimal strings such as \"3329.00\" or \"60.99%\", because binary floats cannot hold cents exactly"
    )]
    NotADecimalString {
        /// Where the value was found.
        field: String,
        /// The offending value, as JSON text.
        value: String,
        /// What JSON type was found instead (`number`, `boolean`, ...).
        found: String,
    },
    /// A string that should hold an ISO date (`YYYY-MM-DD`) does not.
    #[error("{field}: {value:?} is not an ISO date (YYYY-MM-DD)")]
    InvalidDate {
        /// Where the value was found.
        field: String,
        /// The offending text.
        value: String,
    },
    /// A value is negative where the rule forbids it.
    #[error("{field}: {value} is negative, but {rule}")]
    NegativeAmount {
        /// Where the value was found.
        field: String,
        /// The offending value.
        value: String,
        /// The rule that forbids a negative value.
        rule: String,
    },
    /// A value lies outside the range the rule allows.
    #[error("{field}: {value} is out of range: {rule}")]
    OutOfRange {
        /// Where the value was found.
        field: String,
        /// The offending value.
        value: String,
        /// The allowed range, in words.
        rule: String,
    },
    /// Funding shares do not add up to 100% under the `strict` policy.
    #[error(
        "{field}: shares sum to {sum}, not 100%; choose the policy \"normalize\" or \"residual\" to accept them"
    )]
    SharesDoNotSum {
        /// Where the shares were found.
        field: String,
        /// The actual sum, as a percentage.
        sum: String,
    },
    /// A period ends before it starts.
    #[error("{field}: end {end} is before start {start}")]
    EndBeforeStart {
        /// Where the period was found.
        field: String,
        /// The start date.
        start: String,
        /// The end date.
        end: String,
    },
    /// Two dated entries overlap where they must not.
    #[error("{field}: {value} overlaps {other}")]
    Overlap {
        /// Where the entry was found.
        field: String,
        /// The entry that overlaps.
        value: String,
        /// The entry it overlaps.
        other: String,
    },
    /// An id (program, funder, kind, metric, ...) is not known.
    #[error("{field}: unknown {what} {value:?}; known: {known}")]
    UnknownId {
        /// Where the id was found.
        field: String,
        /// The unknown id.
        value: String,
        /// What sort of id it is.
        what: String,
        /// The ids that are known, comma-separated.
        known: String,
    },
    /// A request or data file carries a field that the format does not define.
    #[error("{field}: unknown field {value:?}")]
    UnknownField {
        /// Where the field was found (its parent).
        field: String,
        /// The field name.
        value: String,
    },
    /// A required field is absent.
    #[error("{field}: required field is missing")]
    MissingField {
        /// The missing field.
        field: String,
    },
    /// A rule needs a parameter that the source does not publish and the caller did not give.
    #[error("{field}: required parameter is missing: {rule}")]
    MissingParameter {
        /// The missing parameter.
        field: String,
        /// Why it is required and where the source is silent.
        rule: String,
    },
    /// A number in a program file has no citation.
    #[error(
        "{field}: {value:?} has no citation; write it as {{\"value\": ..., \"source\": \"file\", \"section\": \"...\"}}"
    )]
    MissingCitation {
        /// Where the bare value was found.
        field: String,
        /// The bare value.
        value: String,
    },
    /// A request is malformed in a way no other variant describes.
    #[error("{field}: {message}")]
    InvalidRequest {
        /// Where the problem was found.
        field: String,
        /// The offending value, if any.
        value: String,
        /// What is wrong.
        message: String,
    },
    /// A document exceeds a size or depth limit.
    #[error("{field}: {value} exceeds the limit of {limit}")]
    TooLarge {
        /// What was measured (`request`, `request.depth`, ...).
        field: String,
        /// The measured size.
        value: String,
        /// The limit.
        limit: String,
    },
    /// A computation would overflow the exact decimal range.
    #[error("{field}: arithmetic overflow at {value}")]
    Overflow {
        /// Where it happened.
        field: String,
        /// The operand that overflowed.
        value: String,
    },
    /// Case-level data has problems; every problem is listed.
    #[error("{} data problem(s); first: {}", problems.len(), problems.first().map(|p| p.to_string()).unwrap_or_default())]
    InvalidData {
        /// Every problem found, in file and row order.
        problems: Vec<DataProblem>,
    },
}

/// One problem in case-level data: where it is and what is wrong.
///
/// # Example
///
/// ```
/// use cwfinance::DataProblem;
///
/// let p = DataProblem::new("episodes.csv", Some(7), "exit_date", "2020-01-01", "exit_before_removal", "exit date is before the removal date 2020-02-01");
/// assert_eq!(p.to_string(), "episodes.csv row 7, column exit_date, value \"2020-01-01\": exit_before_removal: exit date is before the removal date 2020-02-01");
/// ```
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct DataProblem {
    /// The table or file.
    pub file: String,
    /// The 1-based data row (the header is row 0), when the problem is in one row.
    pub row: Option<u64>,
    /// The column.
    pub column: String,
    /// The offending value.
    pub value: String,
    /// A stable code (`unknown_code`, `duplicate_id`, ...).
    pub code: String,
    /// What is wrong, in words.
    pub message: String,
}

impl DataProblem {
    /// A problem at `file`, `row`, `column` with `value`.
    ///
    /// # Example
    ///
    /// ```
    /// let p = cwfinance::DataProblem::new("children.csv", None, "child_id", "", "missing_column", "required column is absent");
    /// assert_eq!(p.row, None);
    /// ```
    pub fn new(
        file: impl Into<String>,
        row: Option<u64>,
        column: impl Into<String>,
        value: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        DataProblem {
            file: file.into(),
            row,
            column: column.into(),
            value: value.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// The bad rows of one table, gathered while a whole-table function goes on checking the rest:
/// at most [`RowProblems::MAX`] are kept and the others counted in one last `too_many_problems`
/// problem, so that a table of millions of bad rows cannot exhaust memory.
pub(crate) struct RowProblems {
    table: &'static str,
    list: Vec<DataProblem>,
    more: u64,
}

impl RowProblems {
    /// The most problems kept.
    pub(crate) const MAX: usize = 10_000;

    pub(crate) fn new(table: &'static str) -> Self {
        RowProblems {
            table,
            list: Vec::new(),
            more: 0,
        }
    }

    /// Row `row` (0-based) failed with `error`; `describe` gives the column, the value and the
    /// message, and is called only while the problem is kept.
    pub(crate) fn add(
        &mut self,
        row: usize,
        error: &Error,
        describe: impl FnOnce() -> (String, String, String),
    ) {
        if self.list.len() >= Self::MAX {
            self.more = self.more.saturating_add(1);
            return;
        }
        let (column, value, message) = describe();
        self.list.push(DataProblem::new(
            self.table,
            Some(row as u64 + 1),
            column,
            value,
            error.kind(),
            message,
        ));
    }

    /// `Ok` when no row failed, else [`Error::InvalidData`] listing every problem kept.
    pub(crate) fn into_result(mut self) -> Result<()> {
        if self.more > 0 {
            self.list.push(DataProblem::new(
                self.table,
                None,
                "",
                self.more.to_string(),
                "too_many_problems",
                format!(
                    "{} more bad row(s) were found and not listed (limit {})",
                    self.more,
                    Self::MAX
                ),
            ));
        }
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(Error::InvalidData {
                problems: self.list,
            })
        }
    }
}

impl std::fmt::Display for DataProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.row {
            Some(r) => write!(
                f,
                "{} row {}, column {}, value {:?}: {}: {}",
                self.file, r, self.column, self.value, self.code, self.message
            ),
            None => write!(
                f,
                "{}, column {}, value {:?}: {}: {}",
                self.file, self.column, self.value, self.code, self.message
            ),
        }
    }
}

impl Error {
    /// The stable snake_case code of this error.
    ///
    /// # Example
    ///
    /// ```
    /// let err = cwfinance::Error::MissingField { field: "amount".into() };
    /// assert_eq!(err.kind(), "missing_field");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidDecimal { .. } => "invalid_decimal",
            Error::NotADecimalString { .. } => "not_a_decimal_string",
            Error::InvalidDate { .. } => "invalid_date",
            Error::NegativeAmount { .. } => "negative_amount",
            Error::OutOfRange { .. } => "out_of_range",
            Error::SharesDoNotSum { .. } => "shares_do_not_sum",
            Error::EndBeforeStart { .. } => "end_before_start",
            Error::Overlap { .. } => "overlap",
            Error::UnknownId { .. } => "unknown_id",
            Error::UnknownField { .. } => "unknown_field",
            Error::MissingField { .. } => "missing_field",
            Error::MissingParameter { .. } => "missing_parameter",
            Error::MissingCitation { .. } => "missing_citation",
            Error::InvalidRequest { .. } => "invalid_request",
            Error::TooLarge { .. } => "too_large",
            Error::Overflow { .. } => "overflow",
            Error::InvalidData { .. } => "invalid_data",
        }
    }

    /// Every error code, in the order of the variants.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(cwfinance::Error::KINDS.contains(&"shares_do_not_sum"));
    /// ```
    pub const KINDS: &'static [&'static str] = &[
        "invalid_decimal",
        "not_a_decimal_string",
        "invalid_date",
        "negative_amount",
        "out_of_range",
        "shares_do_not_sum",
        "end_before_start",
        "overlap",
        "unknown_id",
        "unknown_field",
        "missing_field",
        "missing_parameter",
        "missing_citation",
        "invalid_request",
        "too_large",
        "overflow",
        "invalid_data",
    ];

    /// The field (a path into the request) that the error is about.
    ///
    /// # Example
    ///
    /// ```
    /// let err = cwfinance::Error::MissingField { field: "funders[0].share".into() };
    /// assert_eq!(err.field(), "funders[0].share");
    /// ```
    pub fn field(&self) -> &str {
        match self {
            Error::InvalidDecimal { field, .. }
            | Error::NotADecimalString { field, .. }
            | Error::InvalidDate { field, .. }
            | Error::NegativeAmount { field, .. }
            | Error::OutOfRange { field, .. }
            | Error::SharesDoNotSum { field, .. }
            | Error::EndBeforeStart { field, .. }
            | Error::Overlap { field, .. }
            | Error::UnknownId { field, .. }
            | Error::UnknownField { field, .. }
            | Error::MissingField { field }
            | Error::MissingParameter { field, .. }
            | Error::MissingCitation { field, .. }
            | Error::InvalidRequest { field, .. }
            | Error::TooLarge { field, .. }
            | Error::Overflow { field, .. } => field,
            Error::InvalidData { .. } => "data",
        }
    }

    /// The offending value as text, when there is one.
    ///
    /// # Example
    ///
    /// ```
    /// let err = cwfinance::Error::SharesDoNotSum { field: "funders".into(), sum: "100.01%".into() };
    /// assert_eq!(err.value(), Some("100.01%"));
    /// ```
    pub fn value(&self) -> Option<&str> {
        match self {
            Error::InvalidDecimal { value, .. }
            | Error::NotADecimalString { value, .. }
            | Error::InvalidDate { value, .. }
            | Error::NegativeAmount { value, .. }
            | Error::OutOfRange { value, .. }
            | Error::Overlap { value, .. }
            | Error::UnknownId { value, .. }
            | Error::UnknownField { value, .. }
            | Error::MissingCitation { value, .. }
            | Error::InvalidRequest { value, .. }
            | Error::TooLarge { value, .. }
            | Error::Overflow { value, .. } => Some(value),
            Error::SharesDoNotSum { sum, .. } => Some(sum),
            Error::EndBeforeStart { end, .. } => Some(end),
            Error::MissingField { .. } | Error::MissingParameter { .. } => None,
            Error::InvalidData { .. } => None,
        }
    }

    /// The same error with `prefix` put in front of its field path.
    ///
    /// Used when a value checked on its own turns out to live inside a larger request.
    ///
    /// # Example
    ///
    /// ```
    /// let err = cwfinance::Error::MissingField { field: "share".into() };
    /// assert_eq!(err.at("funders[1]").field(), "funders[1].share");
    /// ```
    pub fn at(mut self, prefix: &str) -> Self {
        if prefix.is_empty() {
            return self;
        }
        let join = |f: &mut String| {
            let sep = if f.is_empty() || f.starts_with('[') {
                ""
            } else {
                "."
            };
            *f = format!("{prefix}{sep}{f}");
        };
        match &mut self {
            Error::InvalidDecimal { field, .. }
            | Error::NotADecimalString { field, .. }
            | Error::InvalidDate { field, .. }
            | Error::NegativeAmount { field, .. }
            | Error::OutOfRange { field, .. }
            | Error::SharesDoNotSum { field, .. }
            | Error::EndBeforeStart { field, .. }
            | Error::Overlap { field, .. }
            | Error::UnknownId { field, .. }
            | Error::UnknownField { field, .. }
            | Error::MissingField { field }
            | Error::MissingParameter { field, .. }
            | Error::MissingCitation { field, .. }
            | Error::InvalidRequest { field, .. }
            | Error::TooLarge { field, .. }
            | Error::Overflow { field, .. } => join(field),
            Error::InvalidData { .. } => {}
        }
        self
    }

    /// The error as the JSON object that calculation documents return:
    /// `{"error": {"kind", "field", "value", "message"}}` (plus `problems` for data errors).
    ///
    /// # Example
    ///
    /// ```
    /// let err = cwfinance::Error::MissingField { field: "amount".into() };
    /// let json = err.to_json();
    /// assert_eq!(json["error"]["kind"], "missing_field");
    /// assert_eq!(json["error"]["field"], "amount");
    /// ```
    pub fn to_json(&self) -> Value {
        let mut e = Map::new();
        e.insert("kind".into(), Value::String(self.kind().into()));
        e.insert("field".into(), Value::String(self.field().into()));
        if let Some(v) = self.value() {
            e.insert("value".into(), Value::String(v.into()));
        }
        e.insert("message".into(), Value::String(self.to_string()));
        if let Error::InvalidData { problems } = self {
            let list = problems
                .iter()
                .map(|p| serde_json::to_value(p).unwrap_or(Value::Null))
                .collect();
            e.insert("problems".into(), Value::Array(list));
        }
        let mut outer = Map::new();
        outer.insert("error".into(), Value::Object(e));
        Value::Object(outer)
    }

    /// Shorthand for [`Error::InvalidRequest`].
    ///
    /// # Example
    ///
    /// ```
    /// let err = cwfinance::Error::invalid("months", "0", "must be at least 1");
    /// assert_eq!(err.kind(), "invalid_request");
    /// ```
    pub fn invalid(
        field: impl Into<String>,
        value: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::InvalidRequest {
            field: field.into(),
            value: value.into(),
            message: message.into(),
        }
    }

    /// Shorthand for [`Error::NegativeAmount`].
    ///
    /// # Example
    ///
    /// ```
    /// let err = cwfinance::Error::negative("rate", "-1.00", "a case rate cannot be negative");
    /// assert_eq!(err.kind(), "negative_amount");
    /// ```
    pub fn negative(
        field: impl Into<String>,
        value: impl std::fmt::Display,
        rule: impl Into<String>,
    ) -> Self {
        Error::NegativeAmount {
            field: field.into(),
            value: value.to_string(),
            rule: rule.into(),
        }
    }

    /// Shorthand for [`Error::Overflow`].
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::Error::overflow("total", "1e28").kind(), "overflow");
    /// ```
    pub fn overflow(field: impl Into<String>, value: impl std::fmt::Display) -> Self {
        Error::Overflow {
            field: field.into(),
            value: value.to_string(),
        }
    }
}
