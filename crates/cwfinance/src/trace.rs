//! Explanations: the steps of a calculation, their inputs and the sources they cite.
//!
//! A calculation asked for a trace (`"trace": true` in a document) records each step it takes.
//! When no trace is asked for, recording costs one branch and allocates nothing.
//!
//! # Example
//!
//! ```
//! use cwfinance::{Trace, TraceStep};
//!
//! let mut trace = Trace::new(true);
//! trace.record(|| {
//!     TraceStep::new("case rate plus case management", "3555.00")
//!         .input("case_rate", "3329.00")
//!         .input("case_management", "226.00")
//!         .cite("000_b605dc6c8d05d2b7.txt, Case rate and risk sharing")
//! });
//! assert_eq!(trace.into_steps().unwrap().len(), 1);
//! assert!(Trace::new(false).into_steps().is_none());
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One step of a calculation.
///
/// # Example
///
/// ```
/// use cwfinance::TraceStep;
/// let step = TraceStep::new("add case management", "3555.00")
///     .input("case_rate", "3329.00")
///     .input("case_management", "226.00")
///     .cite("000_b605dc6c8d05d2b7.txt, case rate");
/// assert_eq!(step.inputs["case_rate"], "3329.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TraceStep {
    /// What the step does, in words.
    pub step: String,
    /// The step's inputs by name, as text (decimal strings, dates, codes).
    pub inputs: BTreeMap<String, String>,
    /// The step's result, as text.
    pub output: String,
    /// The source the step's rule comes from (`file, section`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl TraceStep {
    /// A step named `step` with result `output`.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::TraceStep::new("round", "1.00").output, "1.00");
    /// ```
    pub fn new(step: impl Into<String>, output: impl ToString) -> Self {
        TraceStep {
            step: step.into(),
            inputs: BTreeMap::new(),
            output: output.to_string(),
            source: None,
        }
    }

    /// Add an input.
    ///
    /// # Example
    ///
    /// ```
    /// let s = cwfinance::TraceStep::new("x", "1").input("a", 1);
    /// assert_eq!(s.inputs["a"], "1");
    /// ```
    pub fn input(mut self, name: &str, value: impl ToString) -> Self {
        self.inputs.insert(name.to_string(), value.to_string());
        self
    }

    /// Cite a source.
    ///
    /// # Example
    ///
    /// ```
    /// let s = cwfinance::TraceStep::new("x", "1").cite("001_f8713068464777ee.txt, Commonworks");
    /// assert!(s.source.is_some());
    /// ```
    pub fn cite(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }
}

/// A list of steps that records only when enabled.
///
/// # Example
///
/// ```
/// use cwfinance::{Trace, TraceStep};
/// let mut on = Trace::enabled();
/// on.record(|| TraceStep::new("step", "1"));
/// assert_eq!(on.steps().len(), 1);
/// let mut off = Trace::disabled();
/// off.record(|| TraceStep::new("step", "1"));
/// assert!(off.steps().is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    enabled: bool,
    steps: Vec<TraceStep>,
}

impl Trace {
    /// A trace that records.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(cwfinance::Trace::enabled().is_enabled());
    /// ```
    pub fn enabled() -> Self {
        Trace {
            enabled: true,
            steps: Vec::new(),
        }
    }

    /// A trace that records nothing.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(!cwfinance::Trace::disabled().is_enabled());
    /// ```
    pub fn disabled() -> Self {
        Trace::default()
    }

    /// A trace that records when `on` is true.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(cwfinance::Trace::new(true).is_enabled());
    /// ```
    pub fn new(on: bool) -> Self {
        Trace {
            enabled: on,
            steps: Vec::new(),
        }
    }

    /// True when recording.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(!cwfinance::Trace::new(false).is_enabled());
    /// ```
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Record the step that `make` builds, calling it only when enabled.
    ///
    /// # Example
    ///
    /// ```
    /// let mut t = cwfinance::Trace::enabled();
    /// t.record(|| cwfinance::TraceStep::new("a", "b"));
    /// assert_eq!(t.steps()[0].step, "a");
    /// ```
    pub fn record(&mut self, make: impl FnOnce() -> TraceStep) {
        if self.enabled {
            self.steps.push(make());
        }
    }

    /// The steps recorded so far.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(cwfinance::Trace::enabled().steps().is_empty());
    /// ```
    pub fn steps(&self) -> &[TraceStep] {
        &self.steps
    }

    /// The steps, if enabled (for a response's optional `trace` field).
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::Trace::disabled().into_steps(), None);
    /// assert_eq!(cwfinance::Trace::enabled().into_steps(), Some(vec![]));
    /// ```
    pub fn into_steps(self) -> Option<Vec<TraceStep>> {
        self.enabled.then_some(self.steps)
    }
}
